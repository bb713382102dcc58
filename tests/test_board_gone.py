"""Issue 11, item 7: the watch board says "gone" only when NotFound is confirmed,
keeps checking gone pins, re-checks them all on `r`, and shows one that comes back.

The app runs against the local endpoint with its per-request fault schedules, on
virtual time (tests/vclock.py): refreshes, backoff and the board's slow timings
(30 s) happen when the test moves the clock, never by sleeping, and request counts
are exact.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from chime_tui.aws import ChimeVoiceClient
from chime_tui.aws.errors import BadResponse
from chime_tui.emulator import EmulatorServer, EmulatorState, populate
from chime_tui.monitor import Schedule
from chime_tui.tracking import BoardFetcher
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.board import BoardScreen
from chime_tui.tui.widgets.fetch_status import ErrorLine
from chime_tui.tui.widgets.keyed_table import KeyedTable

from .conftest import app_settings, aws_for, wait_for
from .vclock import VirtualClock

REFRESH = 0.4
SCHEDULE = Schedule(floor=0.2, cap=1.0)  # the production schedule, shorter


def small_state() -> EmulatorState:
    return populate(EmulatorState(), seed=7)  # 40 sessions a connector: one listing page


def big_state() -> EmulatorState:
    return populate(EmulatorState(), seed=5, connectors=2, sessions=250)  # 3 pages: gets


def open_pins(state: EmulatorState, n: int = 3) -> tuple[tuple[str, str], ...]:
    vc = list(state.connectors)[1]
    return tuple((vc, sid) for sid, s in state.sessions[vc].items() if s.status != "Closed")[:n]


def board_app(srv, tmp_path, pins, clock: VirtualClock):
    return make_app(app_settings(srv, refresh=REFRESH, pins=pins, pins_file=tmp_path / "p.json",
                                 events_file=tmp_path / "events.jsonl", schedule=SCHEDULE),
                    rng=lambda: 0.0, **clock.app_kwargs())


def health(app, key) -> str:
    return str(app.screen.query_one(KeyedTable).get_cell("/".join(key), "health"))


def gone_alerts(app, key=None) -> list:
    return [a for a in app.alerts_raised if a.kind == "gone" and (key is None or a.key == key)]


def session_events(tmp_path) -> list[dict]:
    path = tmp_path / "events.jsonl"
    if not path.exists():
        return []
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    return [x for x in lines if x["field"] == "Session"]


def remove_rule(state: EmulatorState, rule: dict) -> None:
    with state.lock:
        state.faults.schedule.remove(rule)


async def board_loaded(pilot, clock: VirtualClock, requests_per_refresh: int) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                   and app.screen.result is not None)
    await clock.idle(app)
    assert app.screen.result.requests == requests_per_refresh


async def fail_until_stale(pilot, state: EmulatorState, clock: VirtualClock,
                           table: Any, pin: tuple[str, str], status: int,
                           then: float) -> dict[str, Any]:
    """Every request answers `status` from now (the rule is returned, to remove): a
    refresh, `then` seconds more, until the pin's health says stale, and two frames."""
    rule = state.add_rule({"status": status})
    await clock.advance(REFRESH)
    await clock.advance(then)
    await wait_for(pilot, lambda: str(table.get_cell("/".join(pin), "health"))
                   .startswith("stale, "))
    await pilot.pause()
    await pilot.pause()
    return rule


async def recover(pilot, state: EmulatorState, clock: VirtualClock, table: Any,
                  pins: list[tuple[str, str]], rule: dict[str, Any]) -> None:
    """`rule` removed, the next refresh is made and every pin's health is ok again."""
    state.faults.schedule.remove(rule)
    await clock.advance(pilot.app.screen.poller.next_at - clock.t)
    await wait_for(pilot, lambda: all(str(table.get_cell("/".join(k), "health")) == "ok"
                                      for k in pins))
    await pilot.pause()
    await pilot.pause()


# -- the fetcher, on its own ------------------------------------------------------------

async def test_the_fetcher_confirms_not_found_only_after_the_service_answered_normally():
    state = big_state()
    pins = open_pins(state, 2)
    vc = pins[0][0]
    with EmulatorServer(state) as srv:
        async with ChimeVoiceClient(aws_for(srv)) as client:
            fetcher = BoardFetcher(client)
            first = await fetcher.fetch(pins)  # a listing (3 pages), then gets
            assert first.requests == 3 and not first.missing
            # 404 to everything: NotFound, but GetVoiceConnector is 404 too: not confirmed.
            rule = state.add_rule({"status": 404})
            burst = await fetcher.fetch(pins)
            assert burst.missing == set(pins) and burst.confirmed == set()
            assert (burst.requests, burst.confirm_requests) == (2, 1)
            remove_rule(state, rule)
            # Garbage is an error, never a NotFound.
            rule = state.add_rule({"malformed": "html"})
            with pytest.raises(BadResponse):
                await fetcher.fetch(pins)
            remove_rule(state, rule)
            # One 404 blip: the second try, after GetVoiceConnector answered, finds it.
            state.add_rule({"count": 1, "status": 404})
            blip = await fetcher.fetch(pins[:1])
            assert set(blip.sessions) == {pins[0]} and not blip.missing
            # A real deletion: 404, the connector answers, 404 again: confirmed.
            state.delete_session(*pins[0])
            mark = len(state.requests)
            real = await fetcher.fetch(pins)
            assert real.confirmed == real.missing == {pins[0]}
            assert set(real.sessions) == {pins[1]}
            asked = [r.path for r in state.requests[mark:]]
            assert asked[-2:] == [f"/voice-connectors/{vc}",
                                  f"/voice-connectors/{vc}/proxy-sessions/{pins[0][1]}"]
            # Known gone: asked for (a re-check) but not confirmed again.
            again = await fetcher.fetch(pins, known_gone={pins[0]})
            assert again.missing == {pins[0]} and again.confirm_requests == 0
            # Skipped (gone, not due): no request of its own.
            mark = len(state.requests)
            skipped = await fetcher.fetch(pins, skip={pins[0]})
            assert skipped.requests == 1 and not skipped.missing
            assert state.requests[-1].path.endswith(pins[1][1])


async def test_a_listing_that_lacks_a_session_is_confirmed_by_a_get():
    state = small_state()
    pins = open_pins(state, 3)
    vc = pins[0][0]
    with EmulatorServer(state) as srv:
        async with ChimeVoiceClient(aws_for(srv)) as client:
            fetcher = BoardFetcher(client)
            # 404 to the connector's listing: nothing confirms it, no extra request.
            rule = state.add_rule({"status": 404})
            burst = await fetcher.fetch(pins)
            assert burst.missing == set(pins) and not burst.confirmed
            assert (burst.requests, burst.confirm_requests) == (1, 0)
            remove_rule(state, rule)
            state.delete_session(*pins[2])
            result = await fetcher.fetch(pins)
            assert result.confirmed == {pins[2]} and (result.requests,
                                                      result.confirm_requests) == (1, 1)
            # A gone pin skipped for now is still looked for in the listing made anyway.
            state.put_raw(vc, dict(state.get_session(*pins[0]), ProxySessionId=pins[2][1]))
            back = await fetcher.fetch(pins, skip={pins[2]}, known_gone={pins[2]})
            assert pins[2] in back.sessions and back.requests == 1 and not back.missing


# -- the app ----------------------------------------------------------------------------

@pytest.mark.parametrize("mode, fault", [
    ("list", {"status": 404}),
    ("get", {"status": 404}),
    ("list", {"malformed": "html"}),
])
async def test_a_burst_of_404s_or_garbage_marks_nothing_gone(tmp_path, mode, fault):
    state = small_state() if mode == "list" else big_state()
    pins = open_pins(state, 3)
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = board_app(srv, tmp_path, pins, clock)
        async with app.run_test(size=(160, 30)) as pilot:
            await board_loaded(pilot, clock, 1 if mode == "list" else 3)
            mark = len(state.requests)
            started = clock.t
            rule = state.add_rule(fault)
            await clock.advance(REFRESH)  # the first refresh into the burst
            first = len(state.requests) - mark
            if "status" in fault:
                assert all(k in app.tracker.suspect for k in pins)
                await wait_for(pilot, lambda: all(health(app, k) == "missing? (checking)"
                                                  for k in pins))
            else:
                assert app.screen.has_class("-stale")
            await clock.advance(2.5 - (clock.t - started))
            remove_rule(state, rule)
            during = len(state.requests) - mark
            if "status" in fault:
                # NotFound is an answer: refreshes every 0.4 s, 6 in 2.5 s, each one
                # request (the listing's first page: 404).
                assert (first, during) == (1, 6)
            else:
                # Garbage is an error: the backoff (0.2, 0.4, 0.8 s): tries at 0.4, 0.6,
                # 1.0 and 1.8 s.
                assert (first, during) == (1, 4)
            await clock.advance(app.screen.poller.next_at - clock.t)
            await wait_for(pilot, lambda: not app.tracker.suspect
                           and not app.screen.has_class("-stale")
                           and all(health(app, k) == "ok" for k in pins))
            assert not app.tracker.gone
            assert gone_alerts(app) == []
            assert session_events(tmp_path) == []


async def test_a_deleted_session_is_gone_once_with_one_alert_and_comes_back(tmp_path):
    state = small_state()
    pins = open_pins(state, 3)
    vc, sid = pins[1]
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = board_app(srv, tmp_path, pins, clock)
        async with app.run_test(size=(160, 30)) as pilot:
            await board_loaded(pilot, clock, 1)
            kept = state.sessions[vc][sid]
            mark = len(state.requests)
            state.delete_session(vc, sid)
            await clock.advance(REFRESH)
            assert pins[1] in app.tracker.gone
            # Confirmed by a GetProxySession after the listing lacked it.
            assert [r.path for r in state.requests[mark:]] == [
                f"/voice-connectors/{vc}/proxy-sessions",
                f"/voice-connectors/{vc}/proxy-sessions/{sid}"]
            mark = len(state.requests)
            await clock.advance(1.0)  # two more refreshes: still one alert, one event
            assert len(state.requests) - mark == 2  # the listings (the pin is in neither)
            assert len(gone_alerts(app, pins[1])) == 1 and len(gone_alerts(app)) == 1
            assert [(e["ProxySessionId"], e["new"]) for e in session_events(tmp_path)] == \
                [(sid, "not found")]
            await wait_for(pilot, lambda: health(app, pins[1]) == "gone")
            # Recreated: the listing made for the other pins finds it, without a key.
            state.add_session(kept)
            await clock.advance(app.screen.poller.next_at - clock.t)
            assert pins[1] not in app.tracker.gone
            await wait_for(pilot, lambda: health(app, pins[1]) == "ok")
            assert [(e["old"], e["new"]) for e in session_events(tmp_path)] == \
                [(kept.status, "not found"), ("not found", kept.status)]
            assert len(gone_alerts(app)) == 1
            # ...and one alert says it answers again.
            assert [a.kind for a in app.alerts_raised if a.key == pins[1]] == ["gone", "back"]


async def test_404s_that_last_are_confirmed_by_time_not_by_a_blip(tmp_path):
    """A deleted connector: its listing is 404 and nothing answers otherwise; after
    `CONFIRM_AFTER` of that (the clock moved), its pins are gone, one alert each."""
    state = small_state()
    pins = open_pins(state, 3)
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = board_app(srv, tmp_path, pins, clock)
        async with app.run_test(size=(160, 30)) as pilot:
            await board_loaded(pilot, clock, 1)
            with state.lock:
                del state.connectors[pins[0][0]]
            await clock.advance(REFRESH)
            assert all(k in app.tracker.suspect for k in pins)
            suspected = clock.t
            mark = len(state.requests)
            await clock.advance(1.0)  # two more 404s: still only suspected
            assert len(state.requests) - mark == 2
            assert not app.tracker.gone and gone_alerts(app) == []
            assert session_events(tmp_path) == []
            await clock.advance(suspected + 29.9 - clock.t)  # 29.9 s of 404s: not yet
            assert not app.tracker.gone
            await clock.advance(0.4)  # the first refresh 30 s after the first 404
            assert all(k in app.tracker.gone for k in pins)
            assert sorted(a.key for a in gone_alerts(app)) == sorted(pins)
            assert len(session_events(tmp_path)) == 3


async def test_r_rechecks_every_gone_pin_and_they_are_polled_slowly_until_back(tmp_path):
    state = small_state()
    pins = open_pins(state, 3)
    vc = pins[0][0]
    listing = f"/voice-connectors/{vc}/proxy-sessions"
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = board_app(srv, tmp_path, pins, clock)
        async with app.run_test(size=(160, 30)) as pilot:
            await board_loaded(pilot, clock, 1)
            kept = [state.sessions[vc][sid] for _, sid in pins]
            for key in pins:
                state.delete_session(*key)
            await clock.advance(REFRESH)
            assert all(k in app.tracker.gone for k in pins)
            assert len(gone_alerts(app)) == 3
            checked = clock.t
            # Every pin gone: none asked for at the normal cadence...
            mark = len(state.requests)
            await clock.advance(1.0)
            assert len(state.requests) == mark
            # ...but `r` asks for them all at once,
            await pilot.press("r")
            await wait_for(pilot, lambda: len(state.requests) > mark)
            await clock.idle(app)
            assert [r.path for r in state.requests[mark:]][:1] == [listing]
            checked = clock.t
            mark = len(state.requests)
            await clock.advance(0.9)
            assert len(state.requests) == mark
            # ...and the slow cadence (30 s) does too, without a key.
            await clock.advance(checked + 29.9 - clock.t)
            assert len(state.requests) == mark
            await clock.advance(0.4)
            assert [r.path for r in state.requests[mark:]][:1] == [listing]
            assert len(gone_alerts(app)) == 3  # re-checks that still say NotFound: no alert
            # Recreated: `r` shows them again, and the normal cadence resumes.
            for s in kept:
                state.add_session(s)
            await pilot.press("r")
            await wait_for(pilot, lambda: not app.tracker.gone)
            await clock.idle(app)
            await wait_for(pilot, lambda: all(health(app, k) == "ok" for k in pins))
            mark = len(state.requests)
            await clock.advance(1.0)
            assert [r.path for r in state.requests[mark:]] == [listing, listing]
            assert len(gone_alerts(app)) == 3



async def test_a_board_whose_first_fetch_fails_says_how_old_its_rows_are(tmp_path):
    """Rows the app saw earlier (here: the session list tracks pinned sessions) are
    shown on a board that has had no answer yet: they say how old they are, not
    "waiting" beside a ticking countdown."""
    state = small_state()
    pins = open_pins(state, 3)
    pins_file = tmp_path / "p.json"
    pins_file.write_text(json.dumps({"pins": ["/".join(k) for k in pins]}))
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = make_app(app_settings(srv, refresh=REFRESH, voice_connector_id=pins[0][0],
                                    pins_file=pins_file, schedule=SCHEDULE),
                       rng=lambda: 0.0, **clock.app_kwargs())
        async with app.run_test(size=(160, 30)) as pilot:
            await wait_for(pilot, lambda: all(k in app.tracker.last for k in pins))
            state.add_rule({"status": 500})
            await clock.advance(120.0)  # every refresh fails from now on
            await pilot.press("b")
            await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                           and app.screen.table.row_count == 3)
            await clock.advance(1.0)
            assert app.screen.last_ok is None
            for key in pins:
                assert health(app, key) == "stale, 2m ago"


def pins_of_two_connectors(state: EmulatorState) -> tuple[list[str], tuple[tuple[str, str], ...]]:
    """The connectors, and two sessions each of the second and third as pins."""
    vcs = list(state.connectors)
    return vcs, tuple((vc, sid) for vc in vcs[1:3] for sid in list(state.sessions[vc])[:2])


async def test_one_connector_failing_stales_its_own_pins_not_the_others(tmp_path):
    """During an incident one connector's listing fails (500) while another answers:
    only the failing connector's rows are stale (with their age), the others stay
    current, and the board's border says which connector failed."""
    state = small_state()
    vcs, pins = pins_of_two_connectors(state)
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = board_app(srv, tmp_path, pins, clock)
        async with app.run_test(size=(160, 30)) as pilot:
            await board_loaded(pilot, clock, 2)
            bad = vcs[1]
            state.add_rule({"status": 500, "path": f"{bad}/proxy-sessions"})
            await clock.advance(30.0)
            await pilot.pause()
            board = app.screen
            assert not board.has_class("-stale")
            assert set(board.result.failed) == {bad}
            for key in pins:
                if key[0] == bad:
                    assert health(app, key).startswith("stale, ")
                else:
                    assert health(app, key) == "ok"
            subtitle = str(board.table.border_subtitle)
            assert f"{bad}: service failure, its rows stale" in subtitle
            # It answers again: every row is current.
            state.faults.schedule.clear()
            await clock.advance(REFRESH * 3)
            await pilot.pause()
            assert board.result.failed == {}
            assert all(health(app, key) == "ok" for key in pins)
            assert "service failure" not in str(board.table.border_subtitle)


async def test_every_connector_failing_is_a_failed_refresh(tmp_path):
    state = small_state()
    vcs, pins = pins_of_two_connectors(state)
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = board_app(srv, tmp_path, pins, clock)
        async with app.run_test(size=(160, 30)) as pilot:
            await board_loaded(pilot, clock, 2)
            state.add_rule({"status": 500})
            await clock.advance(30.0)
            await pilot.pause()
            assert app.screen.has_class("-stale")
            assert all(health(app, key).startswith("stale, ") for key in pins)


@pytest.mark.parametrize("mode", ["list", "get"])
async def test_a_pin_listed_but_unreadable_is_stale_not_missing(tmp_path, mode):
    """Helper walk, session 16: a pinned session served with `ExpiryMinutes: "sixty"` is
    left out of its connector's listing as unreadable. The board said "missing?
    (checking)" beside its last answer (not marked stale), and 30 s on recorded a false
    `Open → not found`, then "answers again". (Asked for by its ID, its connector
    failed: every pin of it stale.) It is there: its row keeps the last answer and says
    it is unreadable, with that answer's age; never suspected, never gone; the other
    pins are fresh."""
    state = small_state() if mode == "list" else big_state()
    pins = open_pins(state, 3 if mode == "list" else 2)
    others = [k for k in pins if k != pins[1]]
    vc, sid = pins[1]
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = board_app(srv, tmp_path, pins, clock)
        async with app.run_test(size=(160, 30)) as pilot:
            await board_loaded(pilot, clock, 1 if mode == "list" else 3)
            await clock.advance(REFRESH)  # (with "get": the refreshes ask by ID from now)
            kept = app.tracker.last[pins[1]]
            state.set_fields(vc, sid, {"ExpiryMinutes": "sixty"})
            await clock.advance(REFRESH)
            table = app.screen.query_one(KeyedTable)
            assert health(app, pins[1]).startswith("unreadable, "), health(app, pins[1])
            assert "pin unreadable, stale" in str(table.border_subtitle)
            assert [health(app, k) for k in others] == ["ok"] * len(others)
            assert not app.screen.result.failed and not app.screen.has_class("-stale")
            assert pins[1] not in app.tracker.suspect
            # A listing: not asked for by its ID too (the same error).
            assert app.screen.result.requests == (1 if mode == "list" else len(pins))
            await clock.advance(40.0)  # longer than a NotFound takes to be confirmed
            assert health(app, pins[1]).startswith("unreadable, ")
            # Whole in the Health column (24 at most: "unreadable, 40 seconds ago" was
            # cut, and pushed Last change out; walk 17 F2).
            assert len(health(app, pins[1])) <= 24, health(app, pins[1])
            assert app.tracker.last[pins[1]] is kept
            assert not app.tracker.gone and not app.tracker.not_found
            assert gone_alerts(app) == [] and session_events(tmp_path) == []
            state.set_fields(vc, sid, {"ExpiryMinutes": kept.expiry_minutes})
            await clock.advance(REFRESH)
            assert health(app, pins[1]) == "ok"
            assert "unreadable" not in str(table.border_subtitle)
            assert not [a for a in app.alerts_raised if a.kind in ("gone", "back")]
            assert session_events(tmp_path) == []


async def test_pins_asked_for_by_id_with_no_answer_readable_fail_their_connector():
    """Asked for by their IDs, pins whose answers are all unreadable (a proxy's page to
    every request) are the connector's failure, with its backoff: not "unreadable" pins
    of a connector that answers."""
    state = big_state()
    pins = open_pins(state, 2)
    with EmulatorServer(state) as srv:
        async with ChimeVoiceClient(aws_for(srv)) as client:
            fetcher = BoardFetcher(client)
            await fetcher.fetch(pins)  # a listing, then gets
            rule = state.add_rule({"malformed": "html"})
            with pytest.raises(BadResponse):
                await fetcher.fetch(pins)
            remove_rule(state, rule)
            state.set_fields(*pins[0], {"ExpiryMinutes": "sixty"})
            result = await fetcher.fetch(pins)
            assert set(result.sessions) == {pins[1]} and not result.failed
            assert list(result.unreadable) == [pins[0]]
            assert "ExpiryMinutes is not what the service model says" in \
                result.unreadable[pins[0]]
            assert not result.missing
            # Every pin's answer wrong in a value: nothing was read, so the refresh
            # failed (walk 17b F1: as an update, it set the top line's time and the
            # stale line's age to a refresh that read nothing). It names one and counts.
            state.set_fields(*pins[1], {"Capabilities": ["Voice", None]})
            with pytest.raises(BadResponse) as caught:
                await fetcher.fetch(pins)
            assert caught.value.message.startswith("no pinned session could be read: session ")
            assert caught.value.message.endswith(" is not what the service model says "
                                                 "(and 1 more)"), caught.value.message


async def test_a_stale_board_says_each_rows_own_age(tmp_path):
    """Walk 17 F1: a pin unreadable for a minute, then a refresh that failed whole: the
    row said "stale, 10 seconds ago", the last good refresh's age, though its answer
    was a minute older. Each row says the age of its own answer."""
    from chime_tui.humanfmt import ago_short

    state = big_state()
    pins = open_pins(state, 2)
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = board_app(srv, tmp_path, pins, clock)
        async with app.run_test(size=(160, 30)) as pilot:
            await board_loaded(pilot, clock, 3)
            state.set_fields(*pins[1], {"ExpiryMinutes": "sixty"})
            await clock.advance(40.0)
            assert health(app, pins[0]) == "ok"
            said = health(app, pins[1])
            assert said.startswith("unreadable, 4") and said.endswith("s ago"), said
            state.add_rule({"malformed": "html"})
            await clock.advance(REFRESH)
            assert app.screen.has_class("-stale")
            now = app.clock()
            seen = app.tracker.seen_at
            assert now - seen[pins[1]] > now - app.screen.last_ok + timedelta(seconds=30)
            assert health(app, pins[1]) == f"stale, {ago_short(seen[pins[1]], now)}"
            assert health(app, pins[0]) == f"stale, {ago_short(seen[pins[0]], now)}"
            assert health(app, pins[0]) != health(app, pins[1])


@pytest.mark.parametrize("mode", ["list", "get"])
async def test_a_refresh_that_read_no_pin_is_not_an_update(tmp_path, mode):
    """Walk 17b F1: every pin unreadable, the refresh counted as an update: the top line
    said "updated" at its time, and when the endpoint then failed, the stale line said
    "showing data from 19 seconds ago" beside rows a minute and two old. A refresh that
    read no pin failed: the time and age are the last refresh that read one."""
    state = small_state() if mode == "list" else big_state()
    pins = open_pins(state, 2)
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = board_app(srv, tmp_path, pins, clock)
        async with app.run_test(size=(160, 30)) as pilot:
            await board_loaded(pilot, clock, 1 if mode == "list" else 3)
            read_at = app.screen.last_ok
            for key in pins:
                state.set_fields(*key, {"ExpiryMinutes": "sixty"})
            await clock.advance(REFRESH)
            assert app.screen.last_ok == read_at
            assert app.screen.has_class("-stale")
            line = app.screen.query_one(ErrorLine)
            assert "no pinned session could be read" in line.message()
            assert "ExpiryMinutes is not what the service model says (and 1 more)" in \
                line.message()
            for key in pins:
                assert health(app, key).startswith("stale, ")
            assert not app.tracker.suspect and not app.tracker.gone
            state.faults.clear()
            state.clear_fields()
            await clock.advance(app.screen.poller.next_at - clock.t)
            await wait_for(pilot, lambda: not app.screen.has_class("-stale"))
            assert [health(app, key) for key in pins] == ["ok", "ok"]
