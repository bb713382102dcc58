"""The floors the startup targets sit on, measured in the same run as everything else.

    python benchmarks/floors.py textual                       # a Textual app, one Static
    python benchmarks/floors.py aiobotocore URL VC SID       # one GetProxySession, printed
    python benchmarks/floors.py botocore URL VC SID          # the same, synchronous botocore

Neither is chime-tui: they are the least any Textual app, and any aiobotocore
client, can do, so RESULTS.md can show how much of each ratio is ours.
"""

from __future__ import annotations

import sys


def textual_app() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Floor(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("not fetched yet")

    Floor().run()


def aiobotocore_call(url: str, vc: str, sid: str) -> None:
    import asyncio
    import json

    from aiobotocore.session import get_session

    async def go() -> None:
        session = get_session()
        session.get_component("response_parser_factory").set_parser_defaults(
            timestamp_parser=lambda value: value)
        async with session.create_client("chime-sdk-voice", endpoint_url=url) as client:
            out = await client.get_proxy_session(VoiceConnectorId=vc, ProxySessionId=sid)
        out.pop("ResponseMetadata", None)
        print(json.dumps(out, indent=4))

    asyncio.run(go())


def botocore_call(url: str, vc: str, sid: str) -> None:
    """What the one-shot commands now stand on: botocore's synchronous client."""
    import json

    import botocore.session

    session = botocore.session.Session()
    session.get_component("response_parser_factory").set_parser_defaults(
        timestamp_parser=lambda value: value)
    client = session.create_client("chime-sdk-voice", endpoint_url=url)
    out = client.get_proxy_session(VoiceConnectorId=vc, ProxySessionId=sid)
    out.pop("ResponseMetadata", None)
    print(json.dumps(out, indent=4))


if __name__ == "__main__":
    if sys.argv[1] == "textual":
        textual_app()
    elif sys.argv[1] == "botocore":
        botocore_call(*sys.argv[2:5])
    else:
        aiobotocore_call(*sys.argv[2:5])
