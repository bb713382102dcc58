"""Bad input, small terminals, NO_COLOR, unwritable places: clear messages, no crash."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.detail import SessionDetailScreen
from chime_tui.tui.screens.open_by_id import OpenByIdScreen

from .conftest import app_settings, wait_for
from .test_app import detail_loaded, table
from .test_cli import chime_tui


@pytest.mark.parametrize("vc, sid, error_id, reason", [
    ("", "", "#vc-error", "empty"),
    ("x" * 5000, "", "#vc-error", "must be 21-22"),
    (SEED_CONNECTOR_ID[:-1] + "\x1b", "", "#vc-error", "control characters"),
    (SEED_CONNECTOR_ID, "s" * 129, "#sid-error", "longer than 128"),
    (SEED_CONNECTOR_ID, "a\x07b", "#sid-error", "control characters"),
    (SEED_CONNECTOR_ID, "../../voice-connectors", "#sid-error", "must not contain '/'"),
])
async def test_open_by_id_rejects_bad_ids_inline_without_a_call(server, state, vc, sid,
                                                                 error_id, reason):
    app = make_app(app_settings(server))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: table(app).row_count == 4)
        await pilot.press("ctrl+o")
        screen = app.screen
        assert isinstance(screen, OpenByIdScreen)
        screen.query_one("#vc-input", Input).value = vc
        screen.query_one("#sid-input", Input).value = sid
        screen.query_one("#sid-input", Input).focus()
        before = len(state.requests)
        await pilot.press("enter")
        assert app.screen is screen  # still asking
        assert reason in str(screen.query_one(error_id).render())
        assert len(state.requests) == before


@pytest.mark.parametrize("flag", ["--voice-connector-id", "--pin"])
@pytest.mark.parametrize("value", ["", "x" * 300, "abc\x01def", "ABCDEF1GHIJ2KLMNO3PQR4/x"])
def test_bad_ids_as_flags_exit_252_before_any_call(flag, value):
    result = chime_tui(flag, value)
    assert result.returncode == 252 and "Traceback" not in result.stderr
    assert "invalid" in result.stderr


@pytest.mark.parametrize("size", [(40, 12), (60, 15), (200, 60)])
async def test_small_and_large_terminals_and_resizes_while_loading(server, state, size):
    state.faults.latency = 0.6  # resize while the first fetch is under way
    app = make_app(app_settings(server, voice_connector_id=SEED_CONNECTOR_ID,
                                proxy_session_id=SEED_SESSION_ID))
    async with app.run_test(size=size) as pilot:
        await pilot.pause(0.1)
        await pilot.resize_terminal(40, 12)
        await pilot.resize_terminal(*size)
        await wait_for(pilot, lambda: detail_loaded(app))
        await pilot.resize_terminal(41, 13)
        await pilot.press("tab", "tab", "6", "escape")
        await wait_for(pilot, lambda: table(app).row_count == 1)
        await pilot.resize_terminal(40, 12)
        await pilot.press("enter")
        await wait_for(pilot, lambda: detail_loaded(app))
        assert isinstance(app.screen, SessionDetailScreen)
        assert app.is_running


async def test_no_color_is_honoured(server, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(app_settings(server))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: table(app).row_count == 4)
        assert app.no_color


def test_no_color_keeps_tables_plain(server):
    import os

    from .ourcli import run_chime_tui

    env = os.environ | {"NO_COLOR": "1"}
    result = run_chime_tui(
        "get-proxy-session", "--endpoint-url", server.url,
        "--voice-connector-id", SEED_CONNECTOR_ID, "--proxy-session-id", SEED_SESSION_ID,
        "--output", "table", env=env)
    assert result.returncode == 0 and "\x1b[" not in result.stdout


async def test_unusable_data_directory_warns_and_the_app_goes_on(server, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    app = make_app(app_settings(server, voice_connector_id=SEED_CONNECTOR_ID,
                                proxy_session_id=SEED_SESSION_ID,
                                pins_file=blocker / "chime-tui" / "pins.json"))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        await pilot.press("m")
        assert any("cannot save pins" in str(n.message) for n in app.notices)
        assert app.pins.pins == [(SEED_CONNECTOR_ID, SEED_SESSION_ID)]  # kept for this run


def test_unreadable_config_is_reported_and_defaults_apply(server, isolated_env):
    from chime_tui.config import config_path

    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xff\xfe not utf-8")
    result = chime_tui("get-proxy-session", "--endpoint-url", server.url,
                       "--voice-connector-id", SEED_CONNECTOR_ID,
                       "--proxy-session-id", SEED_SESSION_ID)
    assert result.returncode == 0 and "cannot read" in result.stderr
