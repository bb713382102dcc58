"""The options and settings the commands, the dashboard and the start-up helper share:
the AWS options (flags, environment, settings file, in that order), their checks, and
the exit codes of bad input. No Textual, no AWS client imports: `__main__` parses and
dispatches; `cli`, `tui` and `prefetch` resolve settings here."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chime_tui.textsafe import quoted

if TYPE_CHECKING:
    from chime_tui.config import Config

EXIT_USAGE = 252  # the AWS CLI's code for an invalid command line or parameter
EXIT_CONFIG = 253  # ... and for invalid configuration


def number_arg(low: float, high: float, unit: str, name: str = "number"
            ) -> Callable[[str], float]:
    """An argparse type: a finite number between `low` and `high` (nan, inf refused)."""
    def parse(text: str) -> float:
        from chime_tui.validate import parse_number

        try:
            return parse_number(text, low, high, unit)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = name
    return parse


def timeout_arg(which: str) -> Callable[[str], float]:
    """An argparse type for --cli-connect-timeout / --cli-read-timeout (the AWS CLI's words)."""
    def parse(text: str) -> float:
        from chime_tui.validate import check_timeout

        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"invalid literal for a number of seconds: {quoted(text)}") from None
        if problem := check_timeout(value, which):
            raise argparse.ArgumentTypeError(problem)
        return value

    parse.__name__ = "seconds"
    return parse


def integer_arg(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {quoted(text)}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}, not {value}")
        return value

    parse.__name__ = "integer"
    return parse


def add_aws_options(p: argparse.ArgumentParser, command: bool = False) -> None:
    """The AWS options. `command`: a subcommand's copy, whose options are set only when
    given after the command: the same option before the command (`chime-tui --profile
    prod get-proxy-session ...`, as the AWS CLI takes its global options) stands, and
    is not silently put back to the default by the command's own."""
    def default(value: Any) -> Any:
        return argparse.SUPPRESS if command else value

    g = p.add_argument_group("AWS options (the standard chain applies when omitted)")
    g.add_argument("--profile", default=default(None),
                   help="named profile from the AWS config files (else AWS_PROFILE, else default)")
    g.add_argument("--region", default=default(None),
                   help="AWS Region (else AWS_REGION/AWS_DEFAULT_REGION, the profile's region, "
                        "or us-east-1)")
    g.add_argument("--endpoint-url", default=default(None),
                   help="send requests to this URL instead of AWS (also "
                        "AWS_ENDPOINT_URL_CHIME_SDK_VOICE / AWS_ENDPOINT_URL)")
    g.add_argument("--allow-insecure-endpoint", action="store_true", default=default(False),
                   help="allow a plain-http endpoint on another host (the signed requests, "
                        "session token and answers cross the network unencrypted); loopback "
                        "endpoints never need it")
    g.add_argument("--cli-connect-timeout", type=timeout_arg("connect"), default=default(3.0),
                   metavar="SECONDS", help="connect timeout per request (default 3)")
    g.add_argument("--cli-read-timeout", type=timeout_arg("read"), default=default(10.0),
                   metavar="SECONDS", help="read timeout per request (default 10)")
    g.add_argument("--no-verify-ssl", action="store_true", default=default(False),
                   help="do not verify TLS certificates")


def load_settings_file(args: argparse.Namespace, themes: Any = None) -> Config:
    """The config file with the environment applied (read once per run). Every problem
    is kept in `args._config_problems` (one line each) and summed up in
    `args._config_warning`; the valid settings apply. `themes`: the theme names the
    app knows, to check `theme` (None: its form only)."""
    from chime_tui.config import env_overrides, env_problems, load_config_problems, summary

    if getattr(args, "_config", None) is None:
        config, problems = load_config_problems(themes=themes)
        args._config = env_overrides(config)
        extra = env_problems(themes=themes)
        args._config_problems = [str(p) for p in problems] + extra
        warning = summary(problems)
        args._config_warning = "\n".join(filter(None, [warning, *extra])) or None
    return args._config  # type: ignore[no-any-return]


def aws_problem(args: argparse.Namespace, config: Any = None,
                env: Any = None) -> str | None:
    """Why the AWS options cannot be used, before anything is sent: a region that is not
    one, an endpoint URL that is not a URL, or credentials that would go over plain HTTP
    to another host without --allow-insecure-endpoint. `config` None: flags and the
    environment only (the start-up path, before the settings file is read)."""
    import os

    from chime_tui.validate import (
        check_endpoint_url,
        check_region,
        endpoint_source,
        insecure_endpoint_problem,
        profile_values,
        region_sources,
    )

    env = os.environ if env is None else env
    file_region = getattr(config, "region", None)
    file_endpoint = getattr(config, "endpoint_url", None)
    # The AWS profile's own region and endpoint_url (with the settings file's phase).
    profile = profile_values(args.profile or getattr(config, "profile", None), env) \
        if config is not None and not getattr(args, "demo", False) else None
    for region, source in region_sources(args.region, file_region, env, profile):
        if problem := check_region(region, source):
            return problem
    if getattr(args, "demo", False):
        return None  # the demo's endpoint is its own, on loopback
    url, source = endpoint_source(args.endpoint_url, file_endpoint, env, profile)
    if url is None:
        return None
    if problem := check_endpoint_url(url, source):
        return problem
    if not getattr(args, "allow_insecure_endpoint", False):
        return insecure_endpoint_problem(url, source)
    return None


def aws_settings_from(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The AWS settings of the command line, environment and settings file; raises
    InvalidInput (exit 252 in the commands) if they cannot be used (`aws_problem`)."""
    from chime_tui.aws.errors import InvalidInput
    from chime_tui.aws.settings import AwsSettings

    config = load_settings_file(args)
    if problem := aws_problem(args, config):
        raise InvalidInput(problem)
    return AwsSettings(
        profile=args.profile or config.profile, region=args.region or config.region,
        endpoint_url=args.endpoint_url or config.endpoint_url,
        connect_timeout=args.cli_connect_timeout, read_timeout=args.cli_read_timeout,
        verify_ssl=not args.no_verify_ssl,
        ca_bundle=getattr(args, "ca_bundle", None),
        sign_requests=not getattr(args, "no_sign_request", False),
    )


def aws_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The AWS options as given on the command line (see `aws_settings_from`)."""
    return {name: getattr(args, name) for name in AWS_FLAGS}


AWS_FLAGS = ("profile", "region", "endpoint_url", "cli_connect_timeout", "cli_read_timeout",
             "no_verify_ssl", "allow_insecure_endpoint")
