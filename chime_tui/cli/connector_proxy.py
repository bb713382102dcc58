"""`get-voice-connector-proxy`, as `aws chime-sdk-voice get-voice-connector-proxy` runs it.

The same options as get-proxy-session (output formats, --query, --cli-input-json,
--generate-cli-skeleton, the global options, --redact: FallBackPhoneNumber is a
phone number). A connector without proxy settings is the service's NotFound, printed
as the AWS CLI prints it, exit 254.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

OPERATION = "GetVoiceConnectorProxy"
PARAMS = {"VoiceConnectorId": "voice_connector_id"}


def add_command(sub: Any) -> None:
    from chime_tui.cli.commands import _common_options, _demo_option, _input_options
    from chime_tui.cli.writes import add_more_globals
    from chime_tui.options import add_aws_options

    p = sub.add_parser("get-voice-connector-proxy",
                       help="print a voice connector's proxy settings (as the AWS CLI)",
                       description="Gets the proxy configuration details for the specified "
                                   "Amazon Chime SDK Voice Connector, as `aws chime-sdk-voice "
                                   "get-voice-connector-proxy` prints them (NotFound: none).")
    p.add_argument("--voice-connector-id", help="the voice connector ID")
    _input_options(p)
    _common_options(p)
    add_aws_options(p, command=True)
    add_more_globals(p)
    _demo_option(p)
    p.set_defaults(handler=run, title=OPERATION)


def run(args: argparse.Namespace) -> int:
    from chime_tui.cli.commands import EXIT_OK, EXIT_USAGE, _fail, _prepare, _run
    from chime_tui.cli.output import write_json
    from chime_tui.cli.params import UsageError, get_params, skeleton

    _prepare(args)
    if args.generate_cli_skeleton:
        write_json(skeleton(args.generate_cli_skeleton, OPERATION), sys.stdout)
        return EXIT_OK
    try:
        params = get_params(args, PARAMS)
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    args.voice_connector_id = params["VoiceConnectorId"]
    return _run(args, lambda c: c.call("get_voice_connector_proxy", **params),
                operation=OPERATION)
