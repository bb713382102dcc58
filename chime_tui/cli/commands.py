"""`get-proxy-session`, `list-proxy-sessions`, `list-voice-connectors`, as the AWS CLI runs them.

Output is the AWS CLI's JSON (indent 4, timestamps as the service sent them)
after an optional JMESPath `--query`. Exit codes follow the AWS CLI v2:
0 success, 252 bad parameters, 253 credentials/configuration, 254 service
error, 255 anything else, 130 on Ctrl+C.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

EXIT_OK, EXIT_USAGE, EXIT_CONFIG, EXIT_SERVICE, EXIT_OTHER = 0, 252, 253, 254, 255


def add_cli_commands(sub: Any) -> None:
    from chime_tui.__main__ import add_aws_options

    g = sub.add_parser("get-proxy-session", help="print one proxy session (as the AWS CLI)",
                       description="Gets the specified proxy session details for the specified "
                                   "Amazon Chime Voice Connector, as "
                                   "`aws chime-sdk-voice get-proxy-session` prints them.")
    g.add_argument("--voice-connector-id", help="the Amazon Chime voice connector ID")
    g.add_argument("--proxy-session-id", help="the proxy session ID")
    g.add_argument("--cli-input-json", metavar="JSON",
                   help="the parameters as a JSON string, or file://path; flags given on the "
                        "command line override its values")
    g.add_argument("--generate-cli-skeleton", nargs="?", const="input",
                   choices=["input", "output"],
                   help="print a JSON skeleton without sending a request: 'input' (the default) "
                        "for --cli-input-json, 'output' for a sample output")
    _output_options(g)
    add_aws_options(g)
    g.set_defaults(handler=run_get_proxy_session)

    ls = sub.add_parser("list-proxy-sessions", help="list a connector's proxy sessions",
                        description="Lists the proxy sessions of a voice connector, every page.")
    ls.add_argument("--voice-connector-id", required=True, help="the voice connector ID")
    ls.add_argument("--status", choices=["Open", "InProgress", "Closed"], help="only this status")
    _output_options(ls)
    add_aws_options(ls)
    ls.set_defaults(handler=run_list_proxy_sessions)

    lv = sub.add_parser("list-voice-connectors", help="list voice connectors",
                        description="Lists the voice connectors, every page.")
    _output_options(lv)
    add_aws_options(lv)
    lv.set_defaults(handler=run_list_voice_connectors)


def _output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--output", choices=["json", "text", "human"], default="json",
                   help="json and text as the AWS CLI prints them; human: a readable summary")
    p.add_argument("--query", default=None, help="a JMESPath query applied to the response")
    p.add_argument("--redact", action="store_true",
                   help="mask phone numbers (country code and last two digits kept)")


def emit(data: Any, args: argparse.Namespace) -> None:
    from chime_tui.cli import output

    if args.redact:
        data = output.redact(data)
    if args.query:
        import jmespath

        data = jmespath.search(args.query, data)
    if args.output == "text":
        output.write_text(data, sys.stdout)
    elif args.output == "human":
        output.write_human(data, sys.stdout)
    else:
        output.write_json(data, sys.stdout)


class UsageError(Exception):
    """Bad parameters: exit 252 with this message, no request sent."""


GET_PARAMS = {"VoiceConnectorId": "voice_connector_id", "ProxySessionId": "proxy_session_id"}


def get_params(args: argparse.Namespace) -> dict[str, str]:
    """Merge --cli-input-json with flags (flags win) and validate, as the AWS CLI does."""
    from chime_tui.models import validate_proxy_session_id, validate_voice_connector_id

    params: dict[str, Any] = {}
    if args.cli_input_json:
        text = args.cli_input_json
        if text.startswith("file://"):
            try:
                with open(text[7:], encoding="utf-8") as fh:
                    text = fh.read()
            except OSError as exc:
                raise UsageError(f"Error parsing parameter 'cli-input-json': Unable to load "
                                 f"paramfile {args.cli_input_json}: {exc.strerror}") from None
        try:
            loaded = json.loads(text)
        except ValueError as exc:
            raise UsageError(f"Error parsing parameter 'cli-input-json': Invalid JSON: {exc}\n"
                             f"JSON received: {text}") from None
        if not isinstance(loaded, dict):
            raise UsageError("Error parsing parameter 'cli-input-json': Invalid JSON: "
                             f"expected an object\nJSON received: {text}")
        params.update(loaded)
    for key, attr in GET_PARAMS.items():
        value = getattr(args, attr)
        if value is not None:
            params[key] = value
    problems = [f'Missing required parameter in input: "{k}"' for k in GET_PARAMS
                if k not in params]
    problems += [f'Unknown parameter in input: "{k}", must be one of: '
                 f'{", ".join(GET_PARAMS)}' for k in params if k not in GET_PARAMS]
    problems += [f"Invalid type for parameter {k}, value: {v}, type: {type(v)}, "
                 f"valid types: <class 'str'>" for k, v in params.items()
                 if k in GET_PARAMS and not isinstance(v, str)]
    if not problems:
        for key, check in (("VoiceConnectorId", validate_voice_connector_id),
                           ("ProxySessionId", validate_proxy_session_id)):
            if reason := check(params[key]):
                problems.append(f"Invalid value for parameter {key}: {reason}")
    if problems:
        raise UsageError("Parameter validation failed:\n" + "\n".join(problems))
    return params


def skeleton(kind: str) -> Any:
    if kind == "input":
        return {"VoiceConnectorId": "", "ProxySessionId": ""}
    import botocore.session
    from botocore.utils import ArgumentGenerator

    model = botocore.session.get_session().get_service_model("chime-sdk-voice")
    shape = model.operation_model("GetProxySession").output_shape
    return ArgumentGenerator(use_member_names=True).generate_skeleton(shape)


def _run(args: argparse.Namespace, coro_factory: Any) -> int:
    from chime_tui.__main__ import aws_settings_from
    from chime_tui.aws import AccessDenied, ChimeError, ChimeVoiceClient, InvalidInput
    from chime_tui.models import validate_voice_connector_id

    vc = getattr(args, "voice_connector_id", None)
    if vc is not None and (reason := validate_voice_connector_id(vc)):
        print(f"\nParameter validation failed:\nInvalid value for parameter "
              f"VoiceConnectorId: {reason}", file=sys.stderr)
        return EXIT_USAGE
    if args.query:
        import jmespath.exceptions

        try:
            jmespath.compile(args.query)
        except jmespath.exceptions.JMESPathError as exc:
            print(f"\nBad value for --query {args.query}: {exc}", file=sys.stderr)
            return EXIT_USAGE

    async def go() -> Any:
        async with ChimeVoiceClient(aws_settings_from(args)) as client:
            return await coro_factory(client)

    try:
        data = asyncio.run(go())
    except AccessDenied as exc:
        print(f"\nAn error occurred ({exc.code}): {exc.message}", file=sys.stderr)
        return EXIT_CONFIG if exc.status is None else EXIT_SERVICE
    except InvalidInput as exc:
        print(f"\n{exc.message}", file=sys.stderr)
        return EXIT_USAGE if exc.status is None else EXIT_SERVICE
    except ChimeError as exc:
        print(f"\nAn error occurred ({exc.code}): {exc.message}", file=sys.stderr)
        return EXIT_SERVICE if exc.status is not None else EXIT_OTHER
    emit(data, args)
    return EXIT_OK


def run_get_proxy_session(args: argparse.Namespace) -> int:
    if args.generate_cli_skeleton:
        from chime_tui.cli.output import write_json

        write_json(skeleton(args.generate_cli_skeleton), sys.stdout)
        return EXIT_OK
    try:
        params = get_params(args)
    except UsageError as exc:
        print(f"\n{exc}", file=sys.stderr)
        return EXIT_USAGE
    args.voice_connector_id = params["VoiceConnectorId"]
    return _run(args, lambda c: c.call("get_proxy_session", **params))


def run_list_proxy_sessions(args: argparse.Namespace) -> int:
    async def go(c: Any) -> Any:
        params: dict[str, Any] = {"VoiceConnectorId": args.voice_connector_id}
        if args.status:
            params["Status"] = args.status
        items: list[Any] = []
        async for page in c._pages("list_proxy_sessions", "ProxySessions", **params):
            items.extend(page)
        return {"ProxySessions": items}

    return _run(args, go)


def run_list_voice_connectors(args: argparse.Namespace) -> int:
    async def go(c: Any) -> Any:
        items: list[Any] = []
        async for page in c._pages("list_voice_connectors", "VoiceConnectors"):
            items.extend(page)
        return {"VoiceConnectors": items}

    return _run(args, go)
