"""`get-proxy-session`, `list-proxy-sessions`, `list-voice-connectors`, as the AWS CLI runs them.

Exit codes follow the AWS CLI v2: 0 success, 252 bad parameters, 253
credentials or configuration, 254 the service returned an error, 255 anything
else, 130 on Ctrl+C.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
from collections.abc import Callable
from typing import Any, cast

from chime_tui.cli.params import UsageError, get_params, skeleton

EXIT_OK, EXIT_USAGE, EXIT_CONFIG, EXIT_SERVICE, EXIT_OTHER = 0, 252, 253, 254, 255
TITLES = {"get-proxy-session": "GetProxySession", "list-proxy-sessions": "ListProxySessions",
          "list-voice-connectors": "ListVoiceConnectors"}


def add_output_options(p: argparse.ArgumentParser) -> None:
    """The output options on the main parser, for a command given after them."""
    _common_options(p, top=True)


def add_cli_commands(sub: Any) -> None:
    from chime_tui.options import add_aws_options

    g = sub.add_parser("get-proxy-session", help="print one proxy session (as the AWS CLI)",
                       description="Gets the specified proxy session details for the specified "
                                   "Amazon Chime Voice Connector, as "
                                   "`aws chime-sdk-voice get-proxy-session` prints them.")
    g.add_argument("--voice-connector-id", help="the Amazon Chime voice connector ID")
    g.add_argument("--proxy-session-id", help="the proxy session ID")
    _input_options(g)
    g.add_argument("--watch", nargs="?", const=5.0, type=float, metavar="SECONDS",
                   help="keep polling (default every 5 s) and print one JSON line per change; "
                        "exits 0 when the session closes or disappears")
    _common_options(g)
    add_aws_options(g, command=True)
    _demo_option(g)
    g.set_defaults(handler=run_get_proxy_session, title=TITLES["get-proxy-session"])

    ls = sub.add_parser("list-proxy-sessions", help="list a connector's proxy sessions",
                        description="Lists the proxy sessions of a voice connector, every page "
                                    "(unlike the AWS CLI, which has no paginator for it).")
    ls.add_argument("--voice-connector-id", required=True, help="the voice connector ID")
    ls.add_argument("--status", choices=["Open", "InProgress", "Closed"], help="only this status")
    _paging_options(ls)
    _common_options(ls)
    add_aws_options(ls, command=True)
    _demo_option(ls)
    ls.set_defaults(handler=run_list_proxy_sessions, title=TITLES["list-proxy-sessions"])

    lv = sub.add_parser("list-voice-connectors", help="list voice connectors",
                        description="Lists the voice connectors, every page.")
    _paging_options(lv)
    _common_options(lv)
    add_aws_options(lv, command=True)
    _demo_option(lv)
    lv.set_defaults(handler=run_list_voice_connectors, title=TITLES["list-voice-connectors"])

    from chime_tui.cli import connector_proxy, writes

    connector_proxy.add_command(sub)
    writes.add_commands(sub)


def _input_options(p: argparse.ArgumentParser) -> None:
    """--cli-input-json and --generate-cli-skeleton, as every AWS CLI command has them."""
    p.add_argument("--cli-input-json", metavar="JSON",
                   help="the parameters as a JSON string, or file://path; flags given on the "
                        "command line override its values")
    p.add_argument("--generate-cli-skeleton", nargs="?", const="input",
                   choices=["input", "output"],
                   help="print a JSON skeleton without sending a request: 'input' (the default) "
                        "for --cli-input-json, 'output' for a sample output")


def _demo_option(p: argparse.ArgumentParser) -> None:
    # SUPPRESS: `chime-tui --demo get-proxy-session ...` keeps the main parser's value.
    p.add_argument("--demo", action="store_true", default=argparse.SUPPRESS,
                   help="ask the built-in local endpoint (demo data, dummy credentials; no "
                        "AWS account needed)")


def _paging_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--max-items", type=int, metavar="N",
                   help="print at most N items; a NextToken follows when there are more")
    p.add_argument("--starting-token", metavar="TOKEN",
                   help="resume from the NextToken a --max-items run printed")
    p.add_argument("--no-paginate", action="store_true", default=argparse.SUPPRESS,
                   help="one call only: the first page and the service's NextToken")
    # The AWS CLI's own options for these operations (botocore has no paginator for
    # them): sent as they are, one call, as a runbook line copied from it expects.
    p.add_argument("--max-results", type=int, metavar="N",
                   help="as the AWS CLI: one call with MaxResults N (the service checks it)")
    p.add_argument("--next-token", metavar="TOKEN",
                   help="as the AWS CLI: one call from the service's NextToken TOKEN")


# The AWS CLI's global options that shape a command's run, and their defaults. They are
# taken before the command as after it (`chime-tui --output text list-voice-connectors`,
# as runbooks write `aws --output text chime-sdk-voice ...`; walk 4 #19); after it wins.
# No parser sets a default (SUPPRESS): `output_defaults` does, once the line is parsed,
# so a command's own copy never puts one given before the command back to its default.
OUTPUT_DEFAULTS: dict[str, Any] = {"output": "json", "query": None, "color": "auto",
                                   "no_cli_pager": False, "debug": False,
                                   "no_paginate": False}


def output_defaults(args: argparse.Namespace) -> list[str]:
    """Give `args` the defaults of the output options it was not given; the options
    that were given (as on the command line: '--output')."""
    given = [f"--{name.replace('_', '-')}" for name in OUTPUT_DEFAULTS if hasattr(args, name)]
    for name, value in OUTPUT_DEFAULTS.items():
        if not hasattr(args, name):
            setattr(args, name, value)
    return given


def _common_options(p: argparse.ArgumentParser, top: bool = False) -> None:
    """The output options; `top`: the main parser's copy (before the command)."""
    g = p.add_argument_group("output, for a command (as the AWS CLI's global options: "
                             "before or after the command)" if top else
                             "output (as the AWS CLI's global options)")
    g.add_argument("--output", choices=["json", "text", "table", "yaml", "human"],
                   default=argparse.SUPPRESS,
                   help="json, text and table print what the AWS CLI prints; yaml as AWS CLI "
                        "v2's block style; human: a readable summary (default json)")
    g.add_argument("--query", default=argparse.SUPPRESS,
                   help="a JMESPath query applied to the response")
    g.add_argument("--color", choices=["on", "off", "auto"], default=argparse.SUPPRESS,
                   help="colour in table output (auto, the default: when stdout is a terminal)")
    g.add_argument("--no-cli-pager", action="store_true", default=argparse.SUPPRESS,
                   help="accepted for runbooks written for the AWS CLI; output is never paged")
    g.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="log every request and response to stderr (credentials scrubbed)")
    if top:
        g.add_argument("--no-paginate", action="store_true", default=argparse.SUPPRESS,
                       help="one call only, for the listing commands (see theirs)")
        return  # (the main parser has its own --redact)
    # SUPPRESS: `chime-tui --redact get-proxy-session ...` keeps the main parser's value
    # (phone numbers are personal data: a --redact must never be dropped).
    g.add_argument("--redact", action="store_true", default=argparse.SUPPRESS,
                   help="mask phone numbers (country code and last two digits kept) in every "
                        "format, and in --debug logs")


def emit(data: Any, args: argparse.Namespace) -> None:
    from chime_tui.cli import output

    if args.redact:
        data = output.redact(data)
    if args.query:
        import jmespath

        data = jmespath.search(args.query, data)
    out = sys.stdout
    if args.output == "text":
        output.write_text(data, out)
    elif args.output == "table":
        from chime_tui.cli.table import write_table

        color = args.color == "on" or (args.color == "auto" and out.isatty()
                                        and "NO_COLOR" not in os.environ)
        write_table(args.title, data, out, color)
    elif args.output == "yaml":
        output.write_yaml(data, out)
    elif args.output == "human":
        output.write_human(data, out)
    else:
        output.write_json(data, out)


def _check_query(args: argparse.Namespace) -> str | None:
    if not args.query:
        return None
    import jmespath.exceptions

    try:
        jmespath.compile(args.query)
    except jmespath.exceptions.JMESPathError as exc:
        return f"Bad value for --query {args.query}: {exc}"
    return None


def _run(args: argparse.Namespace, work: Callable[[Any], Any],
         print_result: bool = True, asynchronous: bool = False,
         operation: str | None = None, write: bool = False) -> int:
    """Open a client, do the work, print, and map every failure to an exit code.

    One-shot work runs on botocore's synchronous client (no asyncio or aiohttp to
    import); `asynchronous=True` work (--watch) gets the dashboard's aiobotocore client
    and is awaited. `operation` (e.g. "DeleteProxySession"): the service's errors are
    printed as the AWS CLI prints them ("An error occurred (NotFoundException) when
    calling the DeleteProxySession operation: ..."). `write`: one attempt, no retries."""
    from chime_tui.aws.errors import ChimeError
    from chime_tui.ids import validate_voice_connector_id
    from chime_tui.options import aws_settings_from

    vc = getattr(args, "voice_connector_id", None)
    if vc is not None and (reason := validate_voice_connector_id(vc)):
        return _fail(f"Parameter validation failed:\nInvalid value for parameter "
                     f"VoiceConnectorId: {reason}", EXIT_USAGE)
    if problem := _check_query(args):
        return _fail(problem, EXIT_USAGE)
    if getattr(args, "max_items", None) is not None and args.max_items < 1:
        return _fail("--max-items must be at least 1", EXIT_USAGE)
    if (getattr(args, "max_results", None) is not None
            or getattr(args, "next_token", None) is not None) \
            and (getattr(args, "max_items", None) is not None
                 or getattr(args, "starting_token", None)):
        return _fail("--max-results/--next-token (one call, as the AWS CLI) and "
                     "--max-items/--starting-token (every page) do not go together",
                     EXIT_USAGE)
    try:
        _decode_token(getattr(args, "starting_token", None))
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    formatter = None
    if args.debug:
        from chime_tui.cli.debug import enable_debug

        formatter = enable_debug(redact_phones=args.redact)
    settings = aws_settings_from(args)
    if write:
        from chime_tui.aws.writes import no_retries

        settings = no_retries(settings)
    server = None
    if getattr(args, "demo", False):
        from chime_tui.demo import demo_aws_settings, start_demo_endpoint

        server = start_demo_endpoint()
        settings = demo_aws_settings(settings, server)

    def go() -> Any:
        from chime_tui.aws.sync_client import SyncChimeVoiceClient

        with SyncChimeVoiceClient(settings) as client:
            if formatter is not None:
                formatter.secrets.update(client.credential_secrets())
            return work(client)

    async def go_async() -> Any:
        import asyncio
        import os
        import signal

        from chime_tui.aws.client import ChimeVoiceClient

        # Ctrl+C ends --watch, whatever the process inherited (an ignored SIGINT) and
        # whatever a library does with the cancellation: the task is cancelled (exit 130
        # as KeyboardInterrupt), and if it is still running 2 s later the process ends
        # with 130 all the same (every line already written was flushed).
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()

        def interrupted() -> None:
            if task is not None:
                task.cancel()
            loop.call_later(2.0, os._exit, 130)

        try:
            loop.add_signal_handler(signal.SIGINT, interrupted)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not the main thread, or no signals here: Python's own handling
        async with ChimeVoiceClient(settings) as client:
            if formatter is not None:
                formatter.secrets.update(await client.credential_secrets())
            return await work(client)

    try:
        if asynchronous:
            import asyncio

            try:
                result = asyncio.run(go_async())
            except asyncio.CancelledError:
                raise KeyboardInterrupt from None  # our SIGINT handler cancelled it
        else:
            result = go()
    except ChimeError as exc:
        if operation is not None and exc.status is not None:
            from chime_tui.textsafe import visible

            return _fail(f"An error occurred ({exc.code}) when calling the {operation} "
                         f"operation{exc.retry_info}: {visible(exc.service_message or '')}",
                         EXIT_SERVICE)
        if operation is not None and exc.kind == "maybe created":
            return _fail(exc.message, EXIT_OTHER)
        return _chime_error(exc)
    finally:
        if server is not None:
            server.stop()
    if not print_result:
        return int(result)
    emit(result, args)
    return EXIT_OK


def _chime_error(exc: Any) -> int:
    """A typed error's message on stderr, and its exit code."""
    from chime_tui.aws.errors import AccessDenied, BadResponse, InvalidInput, ProfileMissing

    if isinstance(exc, ProfileMissing):  # the AWS CLI's words and exit code
        return _fail(f"The config profile ({exc.profile}) could not be found", EXIT_OTHER)
    if isinstance(exc, AccessDenied):
        return _fail(f"An error occurred ({exc.code}): {exc.message}",
                     EXIT_CONFIG if exc.status is None else EXIT_SERVICE)
    if isinstance(exc, InvalidInput):
        return _fail(exc.message, EXIT_USAGE if exc.status is None else EXIT_SERVICE)
    if isinstance(exc, BadResponse):
        # An answer that does not parse, or a listing that never ends: nothing printed.
        return _fail(_bad_response_message(exc), EXIT_OTHER)
    return _fail(f"An error occurred ({exc.code}): {exc.message}",
                 EXIT_SERVICE if exc.status is not None else EXIT_OTHER)


def _bad_response_message(exc: Any) -> str:
    if exc.code == "RepeatedNextToken":  # botocore's paginators' words, as the AWS CLI's
        # (a dict's repr, as botocore prints it, escapes any control character)
        token = str(exc.detail or "")[:200]
        return ("Error during pagination: The same next token was received twice: "
                f"{ {'NextToken': token} }")
    if exc.code == "TooManyPages":
        return f"Error during pagination: {exc.message}"
    return f"An error occurred ({exc.code}): {exc.message}"


def _fail(message: str, code: int) -> int:
    print(f"\n{message}", file=sys.stderr)
    return code


def _prepare(args: argparse.Namespace) -> None:
    """Apply the settings file (a warning on stderr if it is malformed; defaults then)."""
    from chime_tui.options import load_settings_file

    config = load_settings_file(args)
    if args._config_warning:
        print(f"chime-tui: {args._config_warning}", file=sys.stderr)
    args.redact = args.redact or config.redact


def run_get_proxy_session(args: argparse.Namespace) -> int:
    from chime_tui.cli.output import write_json

    _prepare(args)
    if args.generate_cli_skeleton:
        write_json(skeleton(args.generate_cli_skeleton), sys.stdout)
        return EXIT_OK
    try:
        params = get_params(args)
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    args.voice_connector_id = params["VoiceConnectorId"]
    if args.watch is not None:
        from chime_tui.validate import REFRESH

        if args.watch < REFRESH[0]:
            return _fail(f"--watch needs at least {REFRESH[0]:g} seconds", EXIT_USAGE)
        from chime_tui.cli.watch import watch_session
        from chime_tui.documents import redact

        transform = redact if args.redact else (lambda d: d)
        return _run(args, lambda c: watch_session(c, params["VoiceConnectorId"],
                                                  params["ProxySessionId"], args.watch,
                                                  transform=transform), print_result=False,
                    asynchronous=True, operation="GetProxySession")
    return _run(args, lambda c: c.call("get_proxy_session", **params),
                operation="GetProxySession")


def _encode_token(token: str | None, skip: int) -> str:
    raw = json.dumps({"NextToken": token, "boto_truncate_amount": skip})
    return base64.b64encode(raw.encode()).decode()


def _decode_token(text: str | None) -> tuple[str | None, int]:
    if not text:
        return None, 0
    try:
        data = json.loads(base64.b64decode(text.encode(), validate=True))
        return data.get("NextToken"), int(data.get("boto_truncate_amount", 0))
    except (ValueError, TypeError, AttributeError):
        raise UsageError(f"Bad value for --starting-token: {text}") from None


def _collect(client: Any, args: argparse.Namespace, operation: str, key: str,
             **params: Any) -> dict[str, Any]:
    """Every page; or --max-items with a resumable NextToken (as the AWS CLI's paginators).
    A token seen before, or pages without end: an error, and nothing printed."""
    if args.no_paginate or args.max_results is not None or args.next_token is not None:
        if args.max_results is not None:
            params["MaxResults"] = args.max_results
        if args.next_token is not None:
            params["NextToken"] = args.next_token
        return cast(dict[str, Any], client.call(operation, **params))
    from chime_tui.aws.factory import Paging

    token, skip = _decode_token(args.starting_token)
    paging = Paging(client.settings, key, params, token=token, skip=skip,
                    max_items=args.max_items)
    items: list[Any] = []
    while not paging.done:
        items.extend(paging.take(client.call(operation, **paging.request())))
    if paging.resume is None:
        return {key: items}
    return {key: items, "NextToken": _encode_token(*paging.resume)}


def run_list_proxy_sessions(args: argparse.Namespace) -> int:
    _prepare(args)
    params: dict[str, Any] = {"VoiceConnectorId": args.voice_connector_id}
    if args.status:
        params["Status"] = args.status
    return _run(args, lambda c: _collect(c, args, "list_proxy_sessions", "ProxySessions",
                                         **params), operation="ListProxySessions")


def run_list_voice_connectors(args: argparse.Namespace) -> int:
    _prepare(args)
    return _run(args, lambda c: _collect(c, args, "list_voice_connectors", "VoiceConnectors"),
                operation="ListVoiceConnectors")
