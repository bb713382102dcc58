"""`create-proxy-session`, `update-proxy-session`, `delete-proxy-session`, as the AWS CLI runs them.

The AWS CLI's options (lists as several values or a JSON list, GeoMatchParams as
shorthand `Country=US,AreaCode=206` or JSON, integers as the AWS CLI reads them),
--cli-input-json, --generate-cli-skeleton, the global options; the output is what
the AWS CLI prints, its errors too ("An error occurred (NotFoundException) when
calling the DeleteProxySession operation: ..."), with AWS CLI v2's exit codes.

A typed command is explicit: no --allow-writes. Writes are sent once (no automatic
retry); a create whose answer was lost says the session may exist and to list the
connector. With --events-file every write attempt and its outcome is appended as a
JSON line (chime_tui.audit), phone numbers masked with --redact.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from typing import Any

VC = ("--voice-connector-id", "VoiceConnectorId", "string", "the voice connector ID")
SID = ("--proxy-session-id", "ProxySessionId", "string", "the proxy session ID")
CAPS = ("--capabilities", "Capabilities", "list", "Voice and/or SMS (required)")
EXPIRY = ("--expiry-minutes", "ExpiryMinutes", "integer", "minutes the session may last (>= 1)")


@dataclass(frozen=True)
class Write:
    command: str
    operation: str  # the API's name
    method: str  # botocore's
    options: tuple[tuple[str, str, str, str], ...]  # (flag, parameter, kind, help)
    help: str


WRITES = (
    Write("create-proxy-session", "CreateProxySession", "create_proxy_session", (
        VC,
        ("--participant-phone-numbers", "ParticipantPhoneNumbers", "list",
         "the two participants' numbers (E.164)"),
        ("--name", "Name", "string", "the session's name"),
        EXPIRY, CAPS,
        ("--number-selection-behavior", "NumberSelectionBehavior", "string",
         "PreferSticky or AvoidSticky"),
        ("--geo-match-level", "GeoMatchLevel", "string", "Country or AreaCode"),
        ("--geo-match-params", "GeoMatchParams", "structure",
         "Country=string,AreaCode=string (or JSON)"),
    ), "create a proxy session (as the AWS CLI)"),
    Write("update-proxy-session", "UpdateProxySession", "update_proxy_session",
          (VC, SID, CAPS, EXPIRY), "change a proxy session's capabilities or expiry"),
    Write("delete-proxy-session", "DeleteProxySession", "delete_proxy_session",
          (VC, SID), "delete (end) a proxy session"),
)


class BadValue(Exception):
    """A flag's value the AWS CLI would refuse: exit 252 with this message."""


def _dest(flag: str) -> str:
    return flag[2:].replace("-", "_")


def add_commands(sub: Any) -> None:
    from chime_tui.cli.commands import _common_options, _demo_option, _input_options
    from chime_tui.options import add_aws_options

    for w in WRITES:
        p = sub.add_parser(w.command, help=w.help,
                           description=f"{w.operation}, as `aws chime-sdk-voice {w.command}` "
                                       "runs it: the same options and output. Sent once, never "
                                       "retried automatically.")
        for flag, _param, kind, text in w.options:
            if kind == "list":
                p.add_argument(flag, nargs="*", metavar="VALUE", help=text)
            else:
                p.add_argument(flag, metavar="VALUE", help=text)
        _input_options(p)
        p.add_argument("--events-file", metavar="PATH", default=argparse.SUPPRESS,
                       help="append the write attempt and its outcome as a JSON line "
                            "(created 0600; phone numbers masked with --redact)")
        _common_options(p)
        add_aws_options(p, command=True)
        add_more_globals(p)
        _demo_option(p)
        p.set_defaults(handler=run, title=w.operation, write=w)


def add_more_globals(p: argparse.ArgumentParser) -> None:
    """The AWS CLI's other global options, for the commands added with writes."""
    g = p.add_argument_group("more of the AWS CLI's global options")
    g.add_argument("--ca-bundle", metavar="PATH",
                   help="the CA certificate bundle to verify TLS with (else AWS_CA_BUNDLE, the "
                        "profile's ca_bundle, or botocore's)")
    g.add_argument("--no-sign-request", action="store_true",
                   help="do not sign the request (no credentials are loaded or sent)")
    g.add_argument("--no-paginate", action="store_true", default=argparse.SUPPRESS,
                   help="accepted as the AWS CLI accepts it; this operation has no pages")


def flag_value(flag: str, kind: str, value: Any) -> Any:
    """A flag's text as the AWS CLI reads it for a parameter of this kind."""
    if kind == "integer":
        try:
            return int(value)
        except ValueError as exc:
            raise BadValue(str(exc)) from None
    if kind == "list":
        if len(value) == 1 and value[0].lstrip().startswith("["):
            return _json(flag, value[0])
        return list(value)
    if kind == "structure":
        return _json(flag, value) if value.lstrip().startswith("{") else _shorthand(flag, value)
    return value


def _json(flag: str, text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise BadValue(f"Error parsing parameter '{flag}': Invalid JSON: {exc}\n"
                       f"JSON received: {text}") from None


def _shorthand(flag: str, text: str) -> dict[str, str]:
    """`Key=value,Key2=value2` (the AWS CLI's shorthand for a structure of strings)."""
    out: dict[str, str] = {}
    position = 0
    for part in text.split(","):
        key, eq, value = part.partition("=")
        if not eq or not key.strip():
            where = position + len(part) if not eq else position
            found = "'EOF'" if not eq and where >= len(text) else f"'{text[where:where + 1]}'"
            raise BadValue(f"Error parsing parameter '{flag}': Expected: '=', received: "
                           f"{found} for input:\n{text}\n{' ' * where}^")
        out[key.strip()] = value.strip()
        position += len(part) + 1
    return out


def write_params(args: argparse.Namespace, w: Write) -> dict[str, Any]:
    """--cli-input-json merged with the flags (flags win), checked as botocore checks
    them before sending (its own words), and the IDs against the model's patterns."""
    from botocore.validate import ParamValidator

    from chime_tui.cli.params import UsageError, cli_input_json, id_problems, operation_model

    params = cli_input_json(args)
    for flag, param, kind, _text in w.options:
        value = getattr(args, _dest(flag))
        if value is not None:
            try:
                params[param] = flag_value(flag, kind, value)
            except BadValue as exc:
                raise UsageError(str(exc)) from None
    report = ParamValidator().validate(params, operation_model(w.operation).input_shape)
    problems = [report.generate_report()] if report.has_errors() else []
    if not problems:
        problems = id_problems(params)
    if problems:
        raise UsageError("Parameter validation failed:\n" + "\n".join(problems))
    return params


def run(args: argparse.Namespace) -> int:
    from chime_tui.cli.commands import EXIT_OK, EXIT_USAGE, _fail, _prepare, _run
    from chime_tui.cli.output import write_json
    from chime_tui.cli.params import UsageError, skeleton

    w: Write = args.write
    _prepare(args)
    if args.generate_cli_skeleton:
        write_json(skeleton(args.generate_cli_skeleton, w.operation), sys.stdout)
        return EXIT_OK
    try:
        params = write_params(args, w)
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    events = getattr(args, "events_file", None)
    if events:
        from chime_tui.files import check_writable
        from chime_tui.textsafe import visible

        if reason := check_writable(events):
            return _fail(f"chime-tui: cannot write the events file {visible(events)}: {reason}",
                         EXIT_USAGE)
    args.voice_connector_id = params["VoiceConnectorId"]
    code = _run(args, lambda client: send(client, w, params, events, args.redact),
                operation=w.operation, write=True)
    if code == EXIT_OK and w.method == "delete_proxy_session" and args.output == "human":
        print(f"deleted proxy session {params['ProxySessionId']}")
    return code


def send(client: Any, w: Write, params: dict[str, Any], events: str | None,
         redact: bool) -> dict[str, Any]:
    """Send the write once; record the attempt and its outcome when asked."""
    from chime_tui.audit import outcome
    from chime_tui.aws.errors import ChimeError
    from chime_tui.aws.writes import after_failure

    try:
        response: dict[str, Any] = client.call(w.method, **params)
    except ChimeError as exc:
        failure = after_failure(w.method, exc, params.get("VoiceConnectorId"))
        _audit(client, w, params, outcome(failure), events, redact)
        raise failure from None
    except KeyboardInterrupt:
        _audit(client, w, params, {"outcome": "unknown", "error": "Interrupted"}, events, redact)
        raise
    session = response.get("ProxySession") if isinstance(response, dict) else None
    new_id = session.get("ProxySessionId") if isinstance(session, dict) else None
    extra = {"ProxySessionId": new_id} if w.method == "create_proxy_session" and new_id else {}
    _audit(client, w, params, outcome(None, client.last_status, **extra), events, redact)
    return response


def _audit(client: Any, w: Write, params: dict[str, Any], result: dict[str, Any],
           events: str | None, redact: bool) -> None:
    if not events:
        return
    from chime_tui.audit import record_write
    from chime_tui.aws.settings import profile_in_use
    from chime_tui.textsafe import visible

    change = {k: v for k, v in params.items() if k not in ("VoiceConnectorId", "ProxySessionId")}
    try:
        record_write(events, w.method, voice_connector_id=params.get("VoiceConnectorId"),
                     proxy_session_id=params.get("ProxySessionId"), change=change,
                     result=result, profile=profile_in_use(client.settings),
                     region=client.region, endpoint=client.endpoint, redact=redact)
    except OSError as exc:
        print(f"chime-tui: could not append to the events file {visible(events)}: "
              f"{exc.strerror or exc}", file=sys.stderr)
