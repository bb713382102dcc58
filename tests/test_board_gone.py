"""Issue 11, item 7: the watch board says "gone" only when NotFound is confirmed,
keeps checking gone pins, re-checks them all on `r`, and shows one that comes back.

The app runs against the local endpoint with its per-request fault schedules; the
board's slow timings (30 s) are crossed by moving the app's injected clock, never
by sleeping.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest

from chime_tui.aws import ChimeVoiceClient
from chime_tui.aws.errors import BadResponse
from chime_tui.emulator import EmulatorServer, EmulatorState, populate
from chime_tui.monitor import Schedule
from chime_tui.tracking import BoardFetcher
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.board import BoardScreen
from chime_tui.tui.widgets.keyed_table import KeyedTable

from .conftest import app_settings, aws_for, wait_for

REFRESH = 0.4
SCHEDULE = Schedule(floor=0.2, cap=1.0)  # the production schedule, shorter


class Clock:
    """The wall clock, plus an offset a test can move forward."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def small_state() -> EmulatorState:
    return populate(EmulatorState(), seed=7)  # 40 sessions a connector: one listing page


def big_state() -> EmulatorState:
    return populate(EmulatorState(), seed=5, connectors=2, sessions=250)  # 3 pages: gets


def open_pins(state: EmulatorState, n: int = 3) -> tuple[tuple[str, str], ...]:
    vc = list(state.connectors)[1]
    return tuple((vc, sid) for sid, s in state.sessions[vc].items() if s.status != "Closed")[:n]


def board_app(srv, tmp_path, pins, clock=None):
    kw = {"clock": clock} if clock is not None else {}
    return make_app(app_settings(srv, refresh=REFRESH, pins=pins, pins_file=tmp_path / "p.json",
                                 events_file=tmp_path / "events.jsonl", schedule=SCHEDULE),
                    rng=lambda: 0.0, **kw)


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


async def board_loaded(pilot, requests_per_refresh: int) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                   and app.screen.result is not None)
    await wait_for(pilot, lambda: app.screen.result.requests == requests_per_refresh, timeout=3)


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
    with EmulatorServer(state) as srv:
        app = board_app(srv, tmp_path, pins)
        async with app.run_test(size=(160, 30)) as pilot:
            await board_loaded(pilot, 1 if mode == "list" else 3)
            loop = asyncio.get_running_loop()
            mark = len(state.requests)
            started = loop.time()
            rule = state.add_rule(fault)
            if "status" in fault:
                await wait_for(pilot, lambda: all(k in app.tracker.suspect for k in pins),
                               timeout=2)
                await pilot.pause(0.1)
                assert all(health(app, k) == "missing? (checking)" for k in pins)
            else:
                await wait_for(pilot, lambda: app.screen.has_class("-stale"), timeout=2)
            await pilot.pause(max(0.0, 2.5 - (loop.time() - started)))
            remove_rule(state, rule)
            during = len(state.requests) - mark
            assert during >= 3  # it kept asking through the burst
            await wait_for(pilot, lambda: not app.tracker.suspect
                           and not app.screen.has_class("-stale")
                           and all(health(app, k) == "ok" for k in pins), timeout=3)
            assert not app.tracker.gone
            assert gone_alerts(app) == []
            assert session_events(tmp_path) == []


async def test_a_deleted_session_is_gone_once_with_one_alert_and_comes_back(tmp_path):
    state = small_state()
    pins = open_pins(state, 3)
    vc, sid = pins[1]
    with EmulatorServer(state) as srv:
        app = board_app(srv, tmp_path, pins)
        async with app.run_test(size=(160, 30)) as pilot:
            await board_loaded(pilot, 1)
            kept = state.sessions[vc][sid]
            mark = len(state.requests)
            state.delete_session(vc, sid)
            await wait_for(pilot, lambda: pins[1] in app.tracker.gone, timeout=3)
            # Confirmed by a GetProxySession after the listing lacked it.
            assert f"/voice-connectors/{vc}/proxy-sessions/{sid}" in \
                [r.path for r in state.requests[mark:]]
            await pilot.pause(1.0)  # more refreshes: still one alert, one event
            assert len(gone_alerts(app, pins[1])) == 1 and len(gone_alerts(app)) == 1
            assert [(e["ProxySessionId"], e["new"]) for e in session_events(tmp_path)] == \
                [(sid, "not found")]
            assert health(app, pins[1]) == "gone"
            # Recreated: the listing made for the other pins finds it, without a key.
            state.add_session(kept)
            await wait_for(pilot, lambda: pins[1] not in app.tracker.gone, timeout=2)
            await pilot.pause(0.1)
            assert health(app, pins[1]) == "ok"
            assert [(e["old"], e["new"]) for e in session_events(tmp_path)] == \
                [(kept.status, "not found"), ("not found", kept.status)]
            assert len(gone_alerts(app)) == 1


async def test_404s_that_last_are_confirmed_by_time_not_by_a_blip(tmp_path):
    """A deleted connector: its listing is 404 and nothing answers otherwise; after
    `CONFIRM_AFTER` of that (the clock moved), its pins are gone, one alert each."""
    state = small_state()
    pins = open_pins(state, 3)
    clock = Clock()
    with EmulatorServer(state) as srv:
        app = board_app(srv, tmp_path, pins, clock=clock)
        async with app.run_test(size=(160, 30)) as pilot:
            await board_loaded(pilot, 1)
            with state.lock:
                del state.connectors[pins[0][0]]
            await wait_for(pilot, lambda: all(k in app.tracker.suspect for k in pins), timeout=2)
            await pilot.pause(1.0)  # a few more 404s: still only suspected
            assert not app.tracker.gone and gone_alerts(app) == []
            assert session_events(tmp_path) == []
            clock.offset += timedelta(seconds=31)
            await wait_for(pilot, lambda: all(k in app.tracker.gone for k in pins), timeout=2)
            await pilot.pause(0.5)
            assert sorted(a.key for a in gone_alerts(app)) == sorted(pins)
            assert len(session_events(tmp_path)) == 3


async def test_r_rechecks_every_gone_pin_and_they_are_polled_slowly_until_back(tmp_path):
    state = small_state()
    pins = open_pins(state, 3)
    vc = pins[0][0]
    clock = Clock()
    with EmulatorServer(state) as srv:
        app = board_app(srv, tmp_path, pins, clock=clock)
        async with app.run_test(size=(160, 30)) as pilot:
            await board_loaded(pilot, 1)
            kept = [state.sessions[vc][sid] for _, sid in pins]
            for key in pins:
                state.delete_session(*key)
            await wait_for(pilot, lambda: all(k in app.tracker.gone for k in pins), timeout=3)
            assert len(gone_alerts(app)) == 3
            await pilot.pause(0.3)
            # Every pin gone: none asked for at the normal cadence...
            mark = len(state.requests)
            await pilot.pause(1.0)
            assert len(state.requests) == mark
            # ...but `r` asks for them all at once,
            await pilot.press("r")
            await wait_for(pilot, lambda: len(state.requests) > mark, timeout=2)
            assert state.requests[mark].path == f"/voice-connectors/{vc}/proxy-sessions"
            await pilot.pause(0.5)
            mark = len(state.requests)
            await pilot.pause(0.9)
            assert len(state.requests) == mark
            # ...and the slow cadence (30 s) does too, without a key.
            clock.offset += timedelta(seconds=31)
            await wait_for(pilot, lambda: len(state.requests) > mark, timeout=2)
            assert len(gone_alerts(app)) == 3  # re-checks that still say NotFound: no alert
            # Recreated: `r` shows them again, and the normal cadence resumes.
            for s in kept:
                state.add_session(s)
            await pilot.press("r")
            await wait_for(pilot, lambda: not app.tracker.gone, timeout=2)
            await pilot.pause(0.1)
            assert all(health(app, k) == "ok" for k in pins)
            mark = len(state.requests)
            await pilot.pause(1.0)
            assert len(state.requests) - mark >= 2
            assert len(gone_alerts(app)) == 3
