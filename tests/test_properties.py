"""Any ProxySession the service model allows renders everywhere without raising."""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from textual import events

from chime_tui.cli import output
from chime_tui.cli.table import write_table
from chime_tui.emulator import EmulatorServer, EmulatorState, populate
from chime_tui.humanfmt import expiry_sentence, expiry_short
from chime_tui.models import ProxySession
from chime_tui.tracking import SessionTracker
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.board import BoardScreen
from chime_tui.tui.screens.detail import PANELS, SessionDetailScreen
from chime_tui.tui.screens.sessions import SessionListScreen

from .conftest import app_settings, wait_for
from .strategies import proxy_sessions
from .vclock import VirtualClock

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=proxy_sessions(), redact=st.booleans())
def test_every_panel_and_output_format_renders_any_valid_session(raw, redact):
    session = ProxySession.from_api(raw)
    console = Console(width=60, file=io.StringIO(), color_system=None)
    for panel_type in PANELS:
        panel = panel_type(1)
        panel.redact = redact  # reactive set outside an app: no redraw, just the value
        console.print(panel.render_session(session, NOW))
    expiry_short(session, NOW)
    expiry_sentence(session, NOW)
    data = {"ProxySession": output.redact(raw) if redact else raw}
    for write in (output.write_json, output.write_text, output.write_yaml, output.write_human):
        write(data, io.StringIO())
    write_table("GetProxySession", data, io.StringIO())
    tracker = SessionTracker()
    tracker.observe(session, NOW)
    tracker.observe(ProxySession.from_api(dict(raw, Status="Closed")), NOW)


def _unique(raws):
    out = []
    for raw in raws:
        raw = dict(raw, ProxySessionId=str(uuid.uuid4()))  # IDs that route as one path segment
        out.append(raw)
    return out


@settings(max_examples=3, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raws=st.lists(proxy_sessions(), min_size=6, max_size=6))
def test_generated_sessions_through_the_endpoint_into_every_screen(raws, tmp_path_factory):
    raws = _unique(raws)
    state = populate(EmulatorState(), seed=1, connectors=2, sessions=3)
    vc = list(state.connectors)[1]
    for raw in raws:
        state.put_raw(vc, dict(raw, VoiceConnectorId=vc))
    pins = tuple((vc, r["ProxySessionId"]) for r in raws)

    async def drive() -> None:
        clock = VirtualClock()
        with EmulatorServer(state) as srv:
            app = make_app(app_settings(srv, voice_connector_id=vc,
                                        pins_file=tmp_path_factory.mktemp("p") / "pins.json"),
                           **clock.app_kwargs())
            async with app.run_test(size=(100, 30)) as pilot:
                await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                               and app.screen.last_ok is not None)
                for key in pins:
                    app.open_session(*key)
                    await wait_for(pilot, lambda: isinstance(app.screen, SessionDetailScreen)
                                   and app.screen.last_ok is not None)
                    for press in ("x", "tab", "escape"):
                        # As Pilot.press sends a key, each handled before the next
                        # (without press's two CPU-idle waits a key).
                        app.post_message(events.Key(press, "x" if press == "x" else None))
                        await pilot.pause(0)
                    await wait_for(pilot, lambda: not isinstance(app.screen,
                                                                 SessionDetailScreen))
                for key in pins:
                    app.pins.add(key)
                await pilot.press("b")
                await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                               and app.screen.result is not None)
                await clock.idle(app)
                await clock.advance(1.0)  # a countdown tick over every row
                assert app.is_running

    asyncio.run(drive())
