"""What the app says happened to a session (walk 1, findings 1, 3, 4, 5 and 12): a
watched session's change seen on the session list is recorded like one seen on the
board; a pin never seen is "not found", not "gone"; a known session that is gone
shows its last known state as such; a gone board row shows no live countdown or
current status; a timeline entry is never "from now".

The app runs against the local endpoint on virtual time (tests/vclock.py)."""

from __future__ import annotations

import json

from chime_tui.emulator import EmulatorServer, EmulatorState, populate
from chime_tui.monitor import Schedule
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.board import BoardScreen
from chime_tui.tui.screens.detail import SessionDetailScreen
from chime_tui.tui.screens.sessions import SessionListScreen
from chime_tui.tui.widgets.expiry_panel import ExpiryPanel
from chime_tui.tui.widgets.fetch_status import ErrorLine, FetchStatus
from chime_tui.tui.widgets.keyed_table import KeyedTable
from chime_tui.tui.widgets.status_panel import StatusPanel
from chime_tui.tui.widgets.timeline_panel import TimelinePanel

from .conftest import app_settings, wait_for
from .test_app import text_of
from .vclock import VirtualClock

REFRESH = 0.4
SCHEDULE = Schedule(floor=0.2, cap=1.0)
NEVER = "0000aaaa-0000-4000-8000-00000000dead"  # a well-formed ID no session has


def small_state() -> EmulatorState:
    return populate(EmulatorState(), seed=7)  # 40 sessions a connector: one listing page


def open_pins(state: EmulatorState, n: int) -> list[tuple[str, str]]:
    vc = list(state.connectors)[1]
    return [(vc, sid) for sid, s in state.sessions[vc].items() if s.status != "Closed"][:n]


def events(tmp_path) -> list[dict]:
    path = tmp_path / "events.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def cell(app, key, column: str) -> str:
    value = app.screen.query_one(KeyedTable).get_cell("/".join(key), column)
    return value.plain if hasattr(value, "plain") else str(value)


def board_app(srv, tmp_path, pins, clock: VirtualClock, **kw):
    return make_app(app_settings(srv, refresh=REFRESH, pins=tuple(pins),
                                 pins_file=tmp_path / "p.json",
                                 events_file=tmp_path / "events.jsonl", schedule=SCHEDULE, **kw),
                    rng=lambda: 0.0, **clock.app_kwargs())


async def board_loaded(pilot, clock: VirtualClock) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                   and app.screen.result is not None)
    await clock.idle(app)


# -- 1: a watched session's change seen on the session list ----------------------------

async def test_a_pinned_sessions_change_seen_on_the_list_is_recorded_and_alerted(tmp_path):
    state = small_state()
    (vc, pinned), (_, other) = open_pins(state, 2)
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = make_app(app_settings(srv, refresh=REFRESH, voice_connector_id=vc,
                                    pins_file=tmp_path / "p.json", alerts="notify",
                                    events_file=tmp_path / "events.jsonl",
                                    alert_threshold_minutes=0),
                       rng=lambda: 0.0, **clock.app_kwargs())
        async with app.run_test(size=(160, 40)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                           and app.screen.loaded)
            await clock.idle(app)
            screen = app.screen
            assert screen.table.move_cursor(pinned)
            await pilot.press("m")  # pinned as shown: the list's row is its baseline
            assert (vc, pinned) in app.pins.pins
            state.update_session(vc, pinned, {"Capabilities": ["Voice", "SMS"],
                                              "ExpiryMinutes": 90})
            state.set_status(vc, other, "Closed")  # nobody watches it: not tracked
            await clock.advance(REFRESH)
            await wait_for(pilot, lambda: str(screen.table.get_cell(pinned, "caps"))
                           == "Voice, SMS")
            fields = [c.field for c in app.tracker.timelines.get((vc, pinned), [])]
            assert "Capabilities" in fields and "ExpiryMinutes" in fields
            assert (vc, pinned) in app.tracker.last_change_at
            assert {e["field"] for e in events(tmp_path)} >= {"Capabilities", "ExpiryMinutes"}
            assert (vc, other) not in app.tracker.last
            # A status change of the pinned session seen on the list: one alert.
            state.set_status(vc, pinned, "InProgress")
            await clock.advance(REFRESH)
            assert [(a.kind, a.key) for a in app.alerts_raised] == [("status", (vc, pinned))]
            assert any(e["field"] == "Status" and e["new"] == "InProgress"
                       for e in events(tmp_path))
            # The board says so ("Last change" is not "—").
            await pilot.press("b")
            await board_loaded(pilot, clock)
            assert cell(app, (vc, pinned), "changed") not in ("—", "")


def session_paths(state, mark: int) -> list[str]:
    """The session requests since `mark` (a session list also reads its connector's proxy
    settings after each listing: not what these tests are about)."""
    return [r.path for r in state.requests[mark:]
            if not r.path.endswith("/programmable-numbers/proxy")]


async def test_a_pinned_session_deleted_while_the_list_is_shown_is_gone_once(tmp_path):
    state = small_state()
    (vc, pinned), _ = open_pins(state, 2)
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = make_app(app_settings(srv, refresh=REFRESH, voice_connector_id=vc,
                                    pins=(), pins_file=tmp_path / "p.json",
                                    events_file=tmp_path / "events.jsonl",
                                    alert_threshold_minutes=0),
                       rng=lambda: 0.0, **clock.app_kwargs())
        app.pins.add((vc, pinned))
        app.pins.add((vc, NEVER))  # never seen: the list asks nothing for it
        async with app.run_test(size=(160, 40)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                           and app.screen.loaded)
            await clock.idle(app)
            assert (vc, pinned) in app.tracker.last
            last_status = app.tracker.last[(vc, pinned)].status
            mark = len(state.requests)
            state.delete_session(vc, pinned)
            await clock.advance(REFRESH)
            # The listing lacked it; one GetProxySession confirmed it.
            assert session_paths(state, mark) == [
                f"/voice-connectors/{vc}/proxy-sessions",
                f"/voice-connectors/{vc}/proxy-sessions/{pinned}"]
            assert (vc, pinned) in app.tracker.gone
            mark = len(state.requests)
            await clock.advance(2 * REFRESH)  # two more listings: no more gets, no alerts
            assert session_paths(state, mark) == \
                [f"/voice-connectors/{vc}/proxy-sessions"] * 2
            assert [(a.kind, a.key) for a in app.alerts_raised] == [("gone", (vc, pinned))]
            assert [(e["old"], e["new"]) for e in events(tmp_path)] == \
                [(last_status, "not found")]


# -- 3: a pin never seen ---------------------------------------------------------------

async def test_a_pin_never_seen_is_not_found_with_no_alert_and_no_event(tmp_path):
    state = small_state()
    (real,) = open_pins(state, 1)
    never = (real[0], NEVER)
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = board_app(srv, tmp_path, [real, never], clock)
        async with app.run_test(size=(160, 30)) as pilot:
            await board_loaded(pilot, clock)
            await wait_for(pilot, lambda: cell(app, never, "health") == "not found")
            assert never not in app.tracker.gone
            await clock.advance(40.0)  # re-checked now and then: still no alert, no event
            assert cell(app, never, "health") == "not found"
            assert cell(app, never, "status") == "—"
            assert [a for a in app.alerts_raised if a.key == never] == []
            assert events(tmp_path) == []
            assert cell(app, real, "health") == "ok"
            # A seen pin that goes is still gone, with its alert.
            state.delete_session(*real)
            await clock.advance(REFRESH)
            assert real in app.tracker.gone and never not in app.tracker.gone
            assert [a.key for a in app.alerts_raised if a.kind == "gone"] == [real]
            assert [(e["ProxySessionId"], e["new"]) for e in events(tmp_path)] == \
                [(real[1], "not found")]


async def test_a_never_seen_pin_under_404s_that_last_is_not_found_not_gone(tmp_path):
    state = small_state()
    (real,) = open_pins(state, 1)
    never = (real[0], NEVER)
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = board_app(srv, tmp_path, [never], clock)
        async with app.run_test(size=(160, 30)) as pilot:
            state.add_rule({"status": 404})  # a deleted connector: nothing confirms
            await board_loaded(pilot, clock)
            await clock.advance(31.0)
            assert never not in app.tracker.gone
            assert cell(app, never, "health") == "not found"
            assert app.alerts_raised == [] and events(tmp_path) == []


# -- 4 and 5: a known session that is gone ------------------------------------------------

async def test_a_gone_row_shows_no_countdown_and_no_current_status(tmp_path):
    state = small_state()
    pins = open_pins(state, 2)
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = board_app(srv, tmp_path, pins, clock)
        async with app.run_test(size=(160, 30)) as pilot:
            await board_loaded(pilot, clock)
            key = pins[0]
            status = app.tracker.last[key].status
            assert cell(app, key, "status") == status
            state.delete_session(*key)
            await clock.advance(REFRESH)
            assert key in app.tracker.gone
            await wait_for(pilot, lambda: cell(app, key, "health") == "gone")
            assert cell(app, key, "status") == f"was {status}"
            assert cell(app, key, "expiry") == "—"
            await clock.advance(3.0)
            assert cell(app, key, "expiry") == "—"
            # The line is drawn in the board's columns.
            table = app.screen.query_one(KeyedTable)
            line = table.render_line(table.ordered_keys.index("/".join(key)) + 1).text
            other = table.render_line(
                table.ordered_keys.index("/".join(pins[1])) + 1).text
            assert len(line) == len(other)
            assert line.rstrip().endswith("gone") and f"was {status}" in line


async def test_the_detail_of_a_known_gone_session_shows_its_last_state_as_ended(tmp_path):
    state = small_state()
    pins = open_pins(state, 2)
    key = pins[0]
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = board_app(srv, tmp_path, pins, clock)
        async with app.run_test(size=(160, 40)) as pilot:
            await board_loaded(pilot, clock)
            last = app.tracker.last[key]
            state.delete_session(*key)
            await clock.advance(REFRESH)
            assert key in app.tracker.gone
            table = app.screen.query_one(KeyedTable)
            assert table.move_cursor("/".join(key))
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, SessionDetailScreen))
            screen = app.screen
            line = screen.query_one(ErrorLine)
            await wait_for(pilot, lambda: line.display)
            message = line.message()
            assert "ended or was deleted" in message
            assert "no data yet" not in message and "no such session" not in message
            assert "last known" in message
            top = text_of(screen.query_one(FetchStatus))
            assert top.startswith("no answer: its last known state is shown")
            assert "no complete answer yet" not in top
            status = text_of(screen.query_one(StatusPanel))
            assert last.status in status and "gone" in status
            assert "not found: no such session" not in status
            assert screen.has_class("-stale")
            expiry = text_of(screen.query_one(ExpiryPanel))
            assert "gone" in expiry and "left" not in expiry
            assert app.alerts_raised and len([a for a in app.alerts_raised
                                              if a.kind == "gone"]) == 1


# -- 12: a timeline entry is never in the future ---------------------------------------

async def test_a_timeline_entry_is_never_from_now_and_says_1_change(tmp_path, monkeypatch):
    monkeypatch.setattr(SessionDetailScreen, "recheck_seconds", 0.6)
    state = small_state()
    ((vc, sid),) = open_pins(state, 1)
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = make_app(app_settings(srv, refresh=REFRESH, voice_connector_id=vc,
                                    proxy_session_id=sid, alert_threshold_minutes=0),
                       rng=lambda: 0.0, **clock.app_kwargs())
        async with app.run_test(size=(160, 40)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, SessionDetailScreen)
                           and app.screen.session is not None)
            await clock.idle(app)
            await clock.advance(9.0)  # a while with nothing new
            kept = state.sessions[vc][sid]
            state.delete_session(vc, sid)
            await clock.advance(REFRESH, settle=False)
            await wait_for(pilot, lambda: (vc, sid) in app.tracker.suspect)
            await clock.settle(2)  # the app's tick, and the re-check waiting its turn
            await clock.advance(0.6, settle=False)
            await wait_for(pilot, lambda: (vc, sid) in app.tracker.gone)
            panel = app.screen.query_one(TimelinePanel)
            await wait_for(pilot, lambda: "not found" in text_of(panel))
            shown = text_of(panel)
            assert "from now" not in shown and "just now" in shown
            assert panel.border_subtitle == "1 change"
            # Back as it was: the screen says so, and the timeline has its return.
            state.add_session(kept)
            await clock.advance(1.0)
            await pilot.press("r")
            await wait_for(pilot, lambda: (vc, sid) not in app.tracker.gone)
            await wait_for(pilot, lambda: panel.border_subtitle == "2 changes")
            assert "gone" not in text_of(app.screen.query_one(StatusPanel))
            assert "from now" not in text_of(panel)
