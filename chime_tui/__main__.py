"""Command line: the dashboard by default, subcommands for the rest.

Nothing heavy is imported here: Textual only when the dashboard starts,
aiobotocore only when a client opens (after the first frame).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Callable, NoReturn, Sequence

from chime_tui import __version__
from chime_tui.textsafe import visible

EXIT_USAGE = 252  # the AWS CLI's code for an invalid command line or parameter
EXIT_CONFIG = 253  # ... and for invalid configuration


def _number(low: float, high: float, unit: str, name: str = "number"
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


def _timeout(which: str) -> Callable[[str], float]:
    """An argparse type for --cli-connect-timeout / --cli-read-timeout (the AWS CLI's words)."""
    def parse(text: str) -> float:
        from chime_tui.validate import check_timeout

        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"invalid literal for a number of seconds: {visible(text)!r}") from None
        if problem := check_timeout(value, which):
            raise argparse.ArgumentTypeError(problem)
        return value

    parse.__name__ = "seconds"
    return parse


def _integer(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {visible(text)!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}, not {value}")
        return value

    parse.__name__ = "integer"
    return parse


def add_aws_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("AWS options (the standard chain applies when omitted)")
    g.add_argument("--profile", default=None,
                   help="named profile from the AWS config files (else AWS_PROFILE, else default)")
    g.add_argument("--region", default=None,
                   help="AWS Region (else AWS_REGION/AWS_DEFAULT_REGION, the profile's region, "
                        "or us-east-1)")
    g.add_argument("--endpoint-url", default=None,
                   help="send requests to this URL instead of AWS (also "
                        "AWS_ENDPOINT_URL_CHIME_SDK_VOICE / AWS_ENDPOINT_URL)")
    g.add_argument("--allow-insecure-endpoint", action="store_true",
                   help="allow a plain-http endpoint on another host (the signed requests, "
                        "session token and answers cross the network unencrypted); loopback "
                        "endpoints never need it")
    g.add_argument("--cli-connect-timeout", type=_timeout("connect"), default=3.0,
                   metavar="SECONDS", help="connect timeout per request (default 3)")
    g.add_argument("--cli-read-timeout", type=_timeout("read"), default=10.0,
                   metavar="SECONDS", help="read timeout per request (default 10)")
    g.add_argument("--no-verify-ssl", action="store_true",
                   help="do not verify TLS certificates")


class Parser(argparse.ArgumentParser):
    """argparse, but a bad command line exits 252 as the AWS CLI does, and a mistyped
    option is named as unknown, with the closest option suggested."""

    argv: list[str] = []  # the command line being parsed (for the error message)
    root: "Parser | None" = None

    def parse_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                   namespace: Any = None) -> argparse.Namespace:
        Parser.argv = list(sys.argv[1:] if args is None else args)
        Parser.root = self
        return super().parse_args(args, namespace)

    def error(self, message: str) -> "NoReturn":  # type: ignore[override]
        unknown = unknown_options(Parser.root or self, Parser.argv)
        if unknown:
            message = "; ".join(
                f"unknown option {visible(name)}" + (f" (did you mean {near}?)" if near else "")
                for name, near in unknown)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def unknown_options(root: argparse.ArgumentParser, argv: Sequence[str]
                    ) -> list[tuple[str, str | None]]:
    """The `--options` on the command line that neither the main parser nor the chosen
    subcommand knows, each with the closest known option (or None)."""
    import difflib

    subs = _subparsers(root)
    known = set(root._option_string_actions)
    command = next((a for a in argv if a in subs), None)
    if command is not None:
        known |= set(subs[command]._option_string_actions)
    found: list[tuple[str, str | None]] = []
    for arg in argv:
        if arg == "--":
            break
        if not arg.startswith("--") or len(arg) < 3:
            continue
        name = arg.split("=", 1)[0]
        if name in known or sum(k.startswith(name) for k in known) == 1:
            continue
        near = difflib.get_close_matches(name, sorted(k for k in known if k.startswith("--")),
                                         n=1, cutoff=0.6)
        found.append((name, near[0] if near else None))
    return found


def build_parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="chime-tui",
        description="A keyboard-driven terminal dashboard for Amazon Chime SDK Voice Connector "
                    "proxy sessions: pick a voice connector and a session and watch its status, "
                    "capabilities, participants and time to expiry refresh live.",
        epilog="Subcommands: 'chime-tui emulator --help' (the local endpoint), "
               "'chime-tui get-proxy-session --help' (the AWS CLI command). "
               "Try it without an AWS account: chime-tui --demo",
    )
    p.add_argument("--version", action="version", version=f"chime-tui {__version__}")
    p.add_argument("--demo", action="store_true",
                   help="start the built-in local endpoint (no AWS account) and open on it")
    p.add_argument("--voice-connector-id", metavar="VC",
                   help="open straight at this voice connector's sessions")
    p.add_argument("--proxy-session-id", metavar="SID",
                   help="with --voice-connector-id: open straight at this session")
    p.add_argument("--refresh", type=_number(0.5, 3600, "seconds", "seconds"), default=None,
                   metavar="SECONDS",
                   help="auto-refresh interval in seconds (default 5, or the config file's)")
    p.add_argument("--redact", action="store_true",
                   help="mask phone numbers on screen, in copies and exports (x toggles it)")
    p.add_argument("--pin", action="append", default=[], metavar="VC/SID",
                   help="pin a session to the watch board (repeatable); the app opens on it")
    p.add_argument("--events-file", metavar="PATH",
                   help="append every change seen (time, field, old, new) as JSON lines")
    p.add_argument("--debug-log", metavar="PATH",
                   help="append every request, response and failure to this file "
                        "(credentials scrubbed; phone numbers too with --redact)")
    p.add_argument("--alert-threshold", type=_number(0, 10080, "minutes", "minutes"),
                   metavar="MINUTES",
                   help="alert when a watched session has less than this left (default 5)")
    p.add_argument("--alerts", choices=["off", "bell", "notify"],
                   help="how alerts reach you: off, the terminal bell, or a notification and "
                        "the bell (default notify)")
    add_aws_options(p)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    cfg = sub.add_parser("config", help="where the settings file is",
                         description="The settings file (TOML): flags > environment > file > "
                                     "defaults.")
    cfg.add_argument("action", choices=["path", "check"],
                     help="path: print where the file is; check: validate it")

    emu = sub.add_parser("emulator", help="run the local Chime SDK Voice endpoint",
                         description="Serve the local Chime SDK Voice endpoint until stopped.")
    emu.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    emu.add_argument("--allow-remote", action="store_true",
                     help="allow binding an address other than loopback")
    emu.add_argument("--port", type=_integer(0, 65535), default=0,
                     help="port (default: a free one)")
    emu.add_argument("--seed", type=int, default=7, help="seed for the generated data")
    emu.add_argument("--connectors", type=_integer(0, 10_000), default=4,
                     help="voice connectors to generate")
    emu.add_argument("--sessions", type=_integer(0, 1_000_000), default=40,
                     help="sessions per connector")
    emu.add_argument("--big-connector", type=_integer(0, 10_000_000), default=0, metavar="N",
                     help="add one connector with N sessions")
    emu.add_argument("--throttle", type=_integer(-1, 2**31), default=0, metavar="N",
                     help="answer the next N requests with 429 (-1: until cleared)")
    emu.add_argument("--fail-status", type=_integer(400, 599), default=None, metavar="CODE",
                     help="answer with this HTTP error (401, 403, 404, 500, 503)")
    emu.add_argument("--fail-count", type=_integer(-1, 2**31), default=-1, metavar="N",
                     help="how many requests --fail-status applies to (default: all)")
    emu.add_argument("--latency", type=_number(0, 3600, "seconds", "seconds"), default=0.0,
                     metavar="SECONDS", help="delay every answer by this much")
    emu.add_argument("--drop", type=_integer(-1, 2**31), default=0, metavar="N",
                     help="drop the connection of the next N requests (-1: all)")
    emu.add_argument("--malformed", choices=["html", "truncated", "types"], default=None,
                     help="answer GETs with a malformed body of this kind")

    from chime_tui.cli.commands import add_cli_commands

    add_cli_commands(sub)
    return p


def load_settings_file(args: argparse.Namespace, themes: Any = None) -> "Config":  # noqa: F821
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

    from chime_tui.validate import check_endpoint_url, check_region, endpoint_source, \
        insecure_endpoint_problem, profile_values, region_sources

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
    )


def theme_names() -> frozenset[str]:
    """The themes the app offers (Textual's built-in ones; imported only when needed)."""
    try:
        from textual.theme import BUILTIN_THEMES
    except ImportError:  # pragma: no cover - Textual is a dependency
        return frozenset()
    return frozenset(BUILTIN_THEMES)


def run_emulator(args: argparse.Namespace) -> int:
    import time

    from chime_tui.emulator import EmulatorServer, EmulatorState, populate

    state = populate(EmulatorState(), seed=args.seed, connectors=args.connectors,
                     sessions=args.sessions, big_connector_sessions=args.big_connector)
    f = state.faults
    f.throttle, f.latency, f.drop, f.malformed = args.throttle, args.latency, args.drop, args.malformed
    if args.malformed:
        f.malformed_count = -1
    if args.fail_status:
        f.status, f.status_count = args.fail_status, args.fail_count
    try:
        server = EmulatorServer(state, args.host, args.port, allow_remote=args.allow_remote).start()
    except (ValueError, OSError) as exc:
        print(f"chime-tui emulator: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: serving on {args.host}, reachable beyond this machine", file=sys.stderr)
    print(server.url, flush=True)
    print(f"voice connectors: {len(state.connectors)}; fault knobs: POST {server.url}/_emulator/faults"
          "; Ctrl+C stops", file=sys.stderr, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
        return 0


def run_config(args: argparse.Namespace) -> int:
    from chime_tui.config import config_path, env_problems, load_config_problems

    path = config_path()
    if args.action == "path":
        print(path)
        return 0
    themes = theme_names()
    _config, problems = load_config_problems(path, themes=themes)
    lines = [str(p) for p in problems] + env_problems(themes=themes)
    for line in lines:
        print(f"chime-tui: {visible(line)}", file=sys.stderr)
    if lines:
        count = f"{len(lines)} problem{'s' if len(lines) > 1 else ''}"
        print(f"{path}: {count}" + (" (the file cannot be used; defaults apply)"
                                    if any(p.fatal for p in problems) else
                                    " (those settings keep their defaults)"), file=sys.stderr)
        return EXIT_CONFIG
    print(f"{path}: ok" if path.exists() else f"{path}: not there (defaults apply)")
    return 0


def run_tui(args: argparse.Namespace) -> int:
    if args.proxy_session_id and not args.voice_connector_id:
        print("chime-tui: --proxy-session-id needs --voice-connector-id", file=sys.stderr)
        return EXIT_USAGE
    # Flags and environment only (the settings file is read later): nothing may be
    # sent, not even by the helper, to an endpoint that is refused.
    if problem := aws_problem(args):
        print(f"chime-tui: {problem}", file=sys.stderr)
        return EXIT_USAGE
    prefetch = None
    if args.voice_connector_id and not args.pin and not args.debug_log and not args.demo:
        from chime_tui.prefetch import Prefetch

        # First of all, before even the settings file is read: the helper fetches the
        # session (or lists the connector) on the other core while this process
        # imports Textual.
        prefetch = Prefetch.start_from_flags(aws_flags(args), args.voice_connector_id,
                                             args.proxy_session_id)
    try:
        return _run_tui(args, prefetch)
    finally:
        if prefetch is not None:
            prefetch.cancel()


def aws_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The AWS options as given on the command line (see `aws_settings_from`)."""
    return {name: getattr(args, name) for name in AWS_FLAGS}


AWS_FLAGS = ("profile", "region", "endpoint_url", "cli_connect_timeout", "cli_read_timeout",
             "no_verify_ssl", "allow_insecure_endpoint")


def _run_tui(args: argparse.Namespace, prefetch: Any) -> int:
    from chime_tui.models import validate_proxy_session_id, validate_voice_connector_id

    for value, check, flag in ((args.voice_connector_id, validate_voice_connector_id,
                                "--voice-connector-id"),
                               (args.proxy_session_id, validate_proxy_session_id,
                                "--proxy-session-id")):
        if value is not None and (reason := check(value)):
            print(f"chime-tui: invalid {flag}: {reason}", file=sys.stderr)
            return EXIT_USAGE
    from pathlib import Path

    from chime_tui.config import data_dir
    from chime_tui.pins import parse_pin

    try:
        pins = tuple(parse_pin(p) for p in args.pin)
    except ValueError as exc:
        print(f"chime-tui: invalid --pin: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from chime_tui.aws.errors import InvalidInput

    themes = theme_names()
    config = load_settings_file(args, themes=themes)
    try:
        aws = aws_settings_from(args)
    except InvalidInput as exc:
        print(f"chime-tui: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    problems = list(args._config_problems)
    theme = config.theme
    if theme is not None and theme not in themes:  # CHIME_TUI_THEME (reported already)
        theme = None
    if args.debug_log:
        from chime_tui.cli.debug import enable_debug_file

        try:
            enable_debug_file(args.debug_log, redact_phones=args.redact or config.redact)
        except OSError as exc:
            print(f"chime-tui: cannot write the debug log {visible(args.debug_log)}: "
                  f"{exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
    if args.events_file:
        from chime_tui.files import check_writable

        if reason := check_writable(args.events_file):
            print(f"chime-tui: cannot write the events file {visible(args.events_file)}: "
                  f"{reason}", file=sys.stderr)
            return EXIT_USAGE
    server = None
    if args.demo:
        from chime_tui.demo import demo_aws_settings, start_demo_endpoint

        server = start_demo_endpoint()
        aws = demo_aws_settings(aws, server)
        if args.voice_connector_id and not pins:
            from chime_tui.prefetch import Prefetch

            prefetch = Prefetch.start(aws, args.voice_connector_id, args.proxy_session_id)
    from chime_tui.settings import AppSettings

    settings = AppSettings(aws=aws, refresh=args.refresh or config.refresh,
                           voice_connector_id=args.voice_connector_id,
                           proxy_session_id=args.proxy_session_id,
                           redact=args.redact or config.redact,
                           demo=args.demo, theme=theme, keys=dict(config.keys),
                           alert_threshold_minutes=args.alert_threshold
                           if args.alert_threshold is not None
                           else config.alert_threshold_minutes,
                           alerts=args.alerts or config.alerts,
                           config_warning=args._config_warning,
                           config_problems=tuple(problems), pins=pins,
                           pins_file=data_dir() / "pins.json",
                           events_file=Path(args.events_file) if args.events_file else None,
                           debug_log=Path(args.debug_log) if args.debug_log else None,
                           allow_insecure_endpoint=args.allow_insecure_endpoint,
                           endpoint_name=f"demo endpoint {aws.endpoint_url}" if args.demo else None,
                           prefetch=prefetch)
    from chime_tui.tui.app import make_app

    app = make_app(settings)
    try:
        app.run()
    finally:
        if settings.prefetch is not None:
            settings.prefetch.cancel()
        if server is not None:
            server.stop()
    # Textual sets 1 when the app ended on an unhandled exception: never exit 0 then.
    return int(getattr(app, "return_code", 0) or 0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "emulator":
        return run_emulator(args)
    if args.command == "config":
        return run_config(args)
    if getattr(args, "watch", None) is not None:  # get-proxy-session --watch nan
        from chime_tui.validate import WATCH, parse_number

        try:
            parse_number(args.watch, *WATCH)
        except ValueError as exc:
            parser.error(f"argument --watch: {exc}")
    if getattr(args, "handler", None) is not None:
        if not getattr(args, "generate_cli_skeleton", None):
            load_settings_file(args)
            if problem := aws_problem(args, args._config):
                print(f"\n{problem}", file=sys.stderr)
                return EXIT_USAGE
        return int(args.handler(args))
    return run_tui(args)


def entry() -> None:
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    entry()
