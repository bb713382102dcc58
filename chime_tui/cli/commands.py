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
    g.add_argument("--voice-connector-id", required=True, help="the voice connector ID")
    g.add_argument("--proxy-session-id", required=True, help="the proxy session ID")
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
    p.add_argument("--output", choices=["json"], default="json", help="output format (json)")
    p.add_argument("--query", default=None, help="a JMESPath query applied to the response")


def emit(data: Any, args: argparse.Namespace) -> None:
    if args.query:
        import jmespath

        data = jmespath.search(args.query, data)
    if data is None:
        return
    sys.stdout.write(json.dumps(data, indent=4, ensure_ascii=False) + "\n")


def _run(args: argparse.Namespace, coro_factory: Any) -> int:
    from chime_tui.__main__ import aws_settings_from
    from chime_tui.aws import AccessDenied, ChimeError, ChimeVoiceClient, InvalidInput
    from chime_tui.models import validate_proxy_session_id, validate_voice_connector_id

    for value, check, name in ((getattr(args, "voice_connector_id", None),
                                validate_voice_connector_id, "--voice-connector-id"),
                               (getattr(args, "proxy_session_id", None),
                                validate_proxy_session_id, "--proxy-session-id")):
        if value is not None and (reason := check(value)):
            print(f"\nParameter validation failed:\nInvalid {name}: {reason}", file=sys.stderr)
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
    return _run(args, lambda c: c.call("get_proxy_session",
                                       VoiceConnectorId=args.voice_connector_id,
                                       ProxySessionId=args.proxy_session_id))


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
