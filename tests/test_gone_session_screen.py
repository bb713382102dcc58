"""Walk 3, item 16: a burst of 404s that lasts long enough to confirm "gone" does not end
a session for good on its own screen. The session screen asks for a gone session again
as often as the watch board asks for a gone pin (`sources.recheck_gone_every`), counts
down to that check, and when the session answers again shows it as current; the tracker
forgets "gone" (the board and the session screen say the same of it), and one alert says
it answers again, in the alerts list and the events file too.

The app runs against the local endpoint on virtual time (tests/vclock.py); the 404s are
the emulator's runtime fault knobs, set as the README's `curl` does."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from chime_tui.emulator import EmulatorServer, EmulatorState, populate
from chime_tui.sources import RECHECK_SECONDS, recheck_gone_every
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.alerts import AlertsScreen
from chime_tui.tui.screens.board import BoardScreen
from chime_tui.tui.screens.detail import SessionDetailScreen
from chime_tui.tui.widgets.expiry_panel import ExpiryPanel
from chime_tui.tui.widgets.fetch_status import AlertLine, ErrorLine, FetchStatus
from chime_tui.tui.widgets.keyed_table import KeyedTable
from chime_tui.tui.widgets.status_panel import StatusPanel

from .conftest import app_settings, wait_for
from .test_app import text_of
from .vclock import VirtualClock

REFRESH = 0.4
GONE_EVERY = recheck_gone_every(REFRESH)


def test_the_session_screen_and_the_board_check_a_gone_session_as_often():
    assert GONE_EVERY == recheck_gone_every(5.0) == 30.0  # the default refresh too


def set_faults(srv: EmulatorServer, knobs: dict[str, Any]) -> None:
    req = urllib.request.Request(f"{srv.url}/_emulator/faults", method="POST",
                                 data=json.dumps(knobs).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        assert resp.status == 200


def open_session(state: EmulatorState) -> tuple[str, str]:
    vc = list(state.connectors)[1]
    return next((vc, sid) for sid, s in state.sessions[vc].items() if s.status == "Open")


def events(tmp_path) -> list[tuple[str, str]]:
    path = tmp_path / "events.jsonl"
    lines = path.read_text().splitlines() if path.exists() else []
    return [(e["old"], e["new"]) for e in map(json.loads, lines) if e["field"] == "Session"]


def make(srv, tmp_path, clock: VirtualClock, pins, **kw):
    return make_app(app_settings(srv, refresh=REFRESH, pins=pins,
                                 pins_file=tmp_path / "p.json",
                                 events_file=tmp_path / "events.jsonl", alerts="notify",
                                 alert_threshold_minutes=0, **kw),
                    rng=lambda: 0.0, **clock.app_kwargs())


async def confirm_gone_by_404s(pilot, clock: VirtualClock, srv, key) -> None:
    """The walk's fault: every request for this session answers 404, until cleared. The
    first NotFound is suspected, the re-check RECHECK_SECONDS later confirms it (the
    rule is unchanged); the session screen then counts down to its next check."""
    app = pilot.app
    screen = app.screen
    assert isinstance(screen, SessionDetailScreen)
    set_faults(srv, {"fail_status": 404, "only_path": key[1]})
    await clock.advance(REFRESH)
    assert key in app.tracker.suspect and key not in app.tracker.gone
    await clock.advance(RECHECK_SECONDS, settle=False)
    await wait_for(pilot, lambda: "gone" in text_of(screen.query_one(StatusPanel)))
    assert key in app.tracker.gone
    assert [a.kind for a in app.alerts_raised] == ["gone"]
    # Gone is not forever: the error line counts down to the next check.
    message = screen.query_one(ErrorLine).message()
    assert f"next try in {GONE_EVERY:.0f} s" in message, message
    assert "not retrying" not in message and "ended or was deleted" in message
    await clock.settle(2)  # the app's tick and that check are asleep


@asynccontextmanager
async def gone_on_its_screen(tmp_path) -> AsyncIterator[tuple[EmulatorState, EmulatorServer,
                                                                VirtualClock, Any, Any,
                                                                tuple[str, str]]]:
    """An Open session opened on its own screen, then confirmed gone by 404s that go on
    (`confirm_gone_by_404s`): the state, server, clock, app, pilot and the session's key."""
    state = populate(EmulatorState(), seed=7)
    key = open_session(state)
    vc, sid = key
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = make(srv, tmp_path, clock, (), voice_connector_id=vc, proxy_session_id=sid)
        async with app.run_test(size=(160, 40)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, SessionDetailScreen)
                           and app.screen.session is not None)
            await clock.idle(app)
            await confirm_gone_by_404s(pilot, clock, srv, key)
            yield state, srv, clock, app, pilot, key


async def test_a_gone_session_is_asked_for_again_and_shown_again_when_it_answers(tmp_path):
    async with gone_on_its_screen(tmp_path) as (state, srv, clock, app, pilot, key):
        vc, sid = key
        screen = app.screen
        status = screen.query_one(StatusPanel)
        line = screen.query_one(ErrorLine)
        await clock.advance(1.0)
        assert f"next try in {GONE_EVERY - 1:.0f} s" in line.message()
        # Still 404 at the check: one request, still gone, no second alert, and the
        # countdown starts again.
        mark = len(state.requests)
        await clock.advance(GONE_EVERY - 1.5)
        assert len(state.requests) == mark
        await clock.advance(0.5)
        assert [(r.path, r.status) for r in state.requests[mark:]] == [
            (f"/voice-connectors/{vc}/proxy-sessions/{sid}", 404)]
        assert key in app.tracker.gone and [a.kind for a in app.alerts_raised] == ["gone"]
        assert f"next try in {GONE_EVERY:.0f} s" in line.message()
        assert "gone" in text_of(status)
        # The 404s stop: the next check finds it, and the screen shows it as current.
        set_faults(srv, {"clear": True})
        mark = len(state.requests)
        await clock.advance(GONE_EVERY)
        assert [(r.path, r.status) for r in state.requests[mark:]][:1] == [
            (f"/voice-connectors/{vc}/proxy-sessions/{sid}", 200)]
        assert key not in app.tracker.gone and key not in app.tracker.suspect
        await wait_for(pilot, lambda: "gone" not in text_of(status))
        assert not screen.has_class("-stale") and not line.display
        assert "Open" in text_of(status)
        assert "gone" not in text_of(screen.query_one(ExpiryPanel))
        assert "stale" not in text_of(screen.query_one(FetchStatus))
        # One alert says so (on the screen's alert line and in the alerts list), and
        # the events file has its return.
        assert [a.kind for a in app.alerts_raised] == ["gone", "back"]
        back = app.alerts_raised[-1]
        assert back.key == key
        assert back.message == f"session {sid} answers again (Open): it was not deleted"
        alert_line = screen.query_one(AlertLine)
        assert alert_line.display and alert_line.message == f"back: {back.message}"
        assert events(tmp_path) == [("Open", "not found"), ("not found", "Open")]
        # Polling is back to the normal interval.
        mark = len(state.requests)
        await clock.advance(REFRESH)
        assert [r.status for r in state.requests[mark:]] == [200]
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen))
        table = app.screen.query_one(KeyedTable)
        assert str(table.get_cell("0", "kind")) == "back"
        assert str(table.get_cell("0", "what")) == "answers again (Open): it was not deleted"
        assert str(table.get_cell("1", "kind")) == "gone"


async def test_the_session_screen_agrees_with_the_board_that_found_it_again(tmp_path):
    """The walk: the session screen said "gone" while the board, which re-checked it,
    showed it Open. Back from the board, the session screen asks at once (it need not
    wait for its own check), and the return is alerted once, not once per screen."""
    state = populate(EmulatorState(), seed=7)
    key = open_session(state)
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = make(srv, tmp_path, clock, (key,))
        async with app.run_test(size=(160, 40)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                           and app.screen.result is not None)
            await clock.idle(app)
            assert app.screen.query_one(KeyedTable).move_cursor("/".join(key))
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, SessionDetailScreen)
                           and app.screen.session is not None)
            await clock.idle(app)
            detail = app.screen
            await confirm_gone_by_404s(pilot, clock, srv, key)
            status = detail.query_one(StatusPanel)
            set_faults(srv, {"clear": True})
            await clock.advance(2.0)  # well before the session screen's own check
            # b: the board re-checks its gone pin, finds it, and says so.
            await pilot.press("b")
            await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                           and app.screen.result is not None)
            board = app.screen
            await wait_for(pilot, lambda: key not in app.tracker.gone)
            await wait_for(pilot, lambda: str(board.query_one(KeyedTable).get_cell(
                "/".join(key), "health")) == "ok")
            assert [a.kind for a in app.alerts_raised] == ["gone", "back"]
            assert events(tmp_path) == [("Open", "not found"), ("not found", "Open")]
            # Esc: the session screen asks at once and shows it as current.
            mark = len(state.requests)
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is detail)
            await wait_for(pilot, lambda: "gone" not in text_of(status))
            assert state.requests[mark].status == 200
            assert "Open" in text_of(status) and not detail.has_class("-stale")
            assert not detail.query_one(ErrorLine).display
            assert [a.kind for a in app.alerts_raised] == ["gone", "back"]
            assert events(tmp_path) == [("Open", "not found"), ("not found", "Open")]


async def test_a_hidden_session_screen_makes_its_gone_check_when_shown_again(tmp_path):
    """Hidden screens do no work: the check that falls due while the session screen is
    under another screen (a board with no pins: it never asks for this session) is made
    when it is shown again, not while hidden."""
    async with gone_on_its_screen(tmp_path) as (state, srv, clock, app, pilot, key):
        sid = key[1]
        detail = app.screen
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen))
        await clock.idle(app)
        mark = len(state.requests)
        # (No settling: the due check wakes and, hidden, waits for the screen.)
        await clock.advance(GONE_EVERY + 5, settle=False)
        await clock.idle(app)
        assert [r for r in state.requests[mark:] if sid in r.path] == []
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is detail)
        await wait_for(pilot, lambda: any(sid in r.path for r in state.requests[mark:]))
        await clock.idle(app)
        assert [r.status for r in state.requests[mark:] if sid in r.path] == [404]
        assert key in app.tracker.gone
        line = detail.query_one(ErrorLine)
        assert f"next try in {GONE_EVERY:.0f} s" in line.message()


async def test_a_paused_session_screen_makes_its_gone_check_when_resumed(tmp_path):
    """p pauses the check of a gone session with the rest; p again makes the one that
    fell due meanwhile at once (it is not dropped, which would leave the screen saying
    "gone" for good)."""
    async with gone_on_its_screen(tmp_path) as (state, srv, clock, app, pilot, key):
        detail = app.screen
        set_faults(srv, {"clear": True})
        await pilot.press("p")
        assert detail.user_paused
        mark = len(state.requests)
        await clock.advance(GONE_EVERY + 5, settle=False)
        await clock.idle(app)
        assert state.requests[mark:] == []
        assert "gone" in text_of(detail.query_one(StatusPanel))
        await pilot.press("p")
        await wait_for(pilot, lambda: "gone" not in text_of(detail.query_one(StatusPanel)))
        assert [r.status for r in state.requests[mark:]] == [200]
        assert key not in app.tracker.gone
        assert [a.kind for a in app.alerts_raised] == ["gone", "back"]
