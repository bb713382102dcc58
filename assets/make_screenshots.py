"""Make the README's screenshots from the running app on the local endpoint.

    .venv/bin/python assets/make_screenshots.py

Frozen clock and seeded data, so the pictures change only when the UI does.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from textual.widgets import Input

from chime_tui.aws.client import AwsSettings
from chime_tui.demo import demo_aws_settings
from chime_tui.emulator import EmulatorServer, EmulatorState, populate
from chime_tui.settings import AppSettings
from chime_tui.tui.app import make_app

HERE = Path(__file__).resolve().parent
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


async def shoot(name: str, server: EmulatorServer, keys: list[str], throttle: bool = False,
                **kw: object) -> None:
    settings = AppSettings(aws=demo_aws_settings(AwsSettings(), server), refresh=60,
                           endpoint_name="demo endpoint", demo=True, **kw)
    app = make_app(settings, clock=lambda: NOW, rng=lambda: 0.0, timer=lambda: 0.004)
    async with app.run_test(size=(120, 34)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if getattr(app.screen, "last_ok", None) is not None:
                break
        if throttle:  # after the first answer: the data stays, marked stale
            server.state.faults.throttle = -1
        first = app.screen
        await pilot.press(*keys)
        for _ in range(100):  # a key that opened a screen: its first answer
            await pilot.pause(0.05)
            if app.screen is first or getattr(app.screen, "last_ok", None) is not None:
                break
        await pilot.pause(0.3)
        # A typed field's cursor blinks: caught on or off, the picture would change
        # between runs with nothing changed in the UI.
        for field in app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause(0.1)
        app.save_screenshot(str(HERE / f"{name}.svg"))
    print(HERE / f"{name}.svg")


async def main() -> None:
    state = populate(EmulatorState(clock=lambda: NOW), seed=7)
    vc = list(state.connectors)[1]
    sid = next(s for s, v in state.sessions[vc].items()
               if v.status == "InProgress" and v.geo_match_params)
    with EmulatorServer(state) as server:
        await shoot("session-detail", server, ["tab", "tab"], voice_connector_id=vc,
                    proxy_session_id=sid)
        await shoot("session-list", server, [], voice_connector_id=vc)
        pins = tuple((vc, s) for s, v in state.sessions[vc].items() if v.status != "Closed")[:6]
        await shoot("watch-board", server, [], pins=pins, pins_file=None)
        await shoot("expiring-next", server, ["e"], redact=True)
        await shoot("stale-throttled", server, ["r"], throttle=True, voice_connector_id=vc,
                    proxy_session_id=sid)
        server.state.faults.clear()  # the throttling above ends here
        # The extend dialog (writes on): +60 typed as the preset would, old → new shown.
        await shoot("acting-on-sessions", server, ["plus", *str(state.sessions[vc][sid]
                                                               .expiry_minutes + 60)],
                    voice_connector_id=vc, proxy_session_id=sid, allow_writes=True)


if __name__ == "__main__":
    asyncio.run(main())
