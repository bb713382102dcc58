"""Credentials never show; phone numbers are masked on every surface when redaction is on."""

from __future__ import annotations

import logging
import re

from chime_tui.cli.debug import enable_debug_file
from chime_tui.tui.app import make_app

from .conftest import DUMMY_KEY, DUMMY_SECRET, app_settings, wait_for
from .test_app import detail_loaded
from .vclock import VirtualClock

TOKEN = "IQoJb3JpZ2luX2VjEXAMPLEsessionTOKEN0123456789abcdef"
PHONE = re.compile(r"\+1[0-9]{10}")


async def test_every_surface_is_free_of_secrets_and_of_phone_numbers_when_redacted(
        server, state, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    monkeypatch.chdir(tmp_path)
    vc = list(state.connectors)[1]
    sid = next(s for s, v in state.sessions[vc].items() if v.status == "Open"
               and len(v.participants) == 2)
    log_path, events = tmp_path / "debug.log", tmp_path / "events.jsonl"
    enable_debug_file(str(log_path), redact_phones=True)
    handler = logging.getLogger().handlers[-1]
    try:
        clock = VirtualClock()
        app = make_app(app_settings(server, refresh=0.3, voice_connector_id=vc,
                                    proxy_session_id=sid, redact=True, events_file=events,
                                    pins_file=tmp_path / "pins.json"), **clock.app_kwargs())
        async with app.run_test(size=(140, 45)) as pilot:
            await wait_for(pilot, lambda: detail_loaded(app))
            await clock.idle(app)
            # A participant changes: the timeline and the events file see the numbers.
            state.sessions[vc][sid].participants[0]["PhoneNumber"] = "+12065559876"
            state.set_status(vc, sid, "InProgress")
            await clock.advance(0.3)  # the next poll
            await wait_for(pilot, lambda: any(c.field == "Participants" for c in
                                              app.tracker.timelines[(vc, sid)]), timeout=3)
            await pilot.pause(0.2)
            await pilot.press("c", "e", "m")
            screen = app.export_screenshot()
            clipboard = app.clipboard
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    exported = next(tmp_path.glob("proxy-session-*.json")).read_text()
    surfaces = {
        "screen": screen, "clipboard": clipboard, "export": exported,
        "events file": events.read_text(), "debug log": log_path.read_text(),
        "pins file": (tmp_path / "pins.json").read_text(),
    }
    assert "+1*******76" in surfaces["events file"]
    for name in ("screen", "clipboard", "export"):
        assert "*******" in surfaces[name], f"the {name} shows no masked number"
    assert "Response body" in surfaces["debug log"]
    for name, text in surfaces.items():
        for secret in (DUMMY_SECRET, TOKEN):
            assert secret not in text, f"a credential in the {name}"
        assert DUMMY_KEY not in text, f"the access key id in the {name}"
        assert not PHONE.search(text), f"a phone number in the {name}: {PHONE.search(text)}"
