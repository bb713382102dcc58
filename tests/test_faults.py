"""The fault matrix: the real app against the local endpoint's faults.

Retry timing runs on virtual time (tests/vclock.py): the app's pollers wait on a
clock the test moves, so the request count is checked against the schedule
exactly, whatever the machine's speed. Most tests run the production schedule on
a shorter scale (Schedule(floor=0.2, cap=2) with a 0.5 s refresh, instead of 2 s,
60 s and 5 s); one runs it at full scale. Jitter is switched off.
"""

from __future__ import annotations

import logging

import pytest

from chime_tui.aws.errors import Throttled
from chime_tui.emulator import (
    SEED_CONNECTOR_ID,
    SEED_SESSION_ID,
    EmulatorServer,
    EmulatorState,
    populate,
)
from chime_tui.monitor import Schedule
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.board import BoardScreen
from chime_tui.tui.screens.help import HelpScreen
from chime_tui.tui.widgets.fetch_status import ErrorLine, FetchStatus

from .conftest import app_settings, wait_for
from .test_app import detail_loaded, text_of
from .vclock import VirtualClock

SCHEDULE = Schedule(floor=0.2, cap=2.0)
REFRESH = 0.5
SESSION_PATH = f"/voice-connectors/{SEED_CONNECTOR_ID}/proxy-sessions/{SEED_SESSION_ID}"


def fault_app(server, clock: VirtualClock | None = None, **kw):
    kw.setdefault("refresh", REFRESH)
    return make_app(app_settings(server, voice_connector_id=SEED_CONNECTOR_ID,
                                 proxy_session_id=SEED_SESSION_ID, schedule=SCHEDULE, **kw),
                    rng=lambda: 0.0, **(clock.app_kwargs() if clock else {}))


def allowed_requests(seconds: float, error=Throttled("t")) -> int:
    """How many tries the schedule allows in a window: the first, then one per delay."""
    elapsed, failures, tries = 0.0, 1, 1
    while True:
        delay = SCHEDULE.next_delay(error, failures, REFRESH, rng=lambda: 0.0)
        elapsed += delay
        if elapsed > seconds:
            return tries
        tries += 1
        failures += 1


def requests_to(state, since: int) -> int:
    return sum(1 for r in state.requests[since:] if r.path == SESSION_PATH)


def error_text(app) -> str:
    line = app.screen.query_one(ErrorLine)
    return line.message() if line.display else ""


def tries_between(start: float, end: float, error=Throttled("t")) -> int:
    """The tries the schedule makes after a first failure at `start` (itself excluded),
    up to and including `end`."""
    return allowed_requests(end - start, error) - 1


@pytest.mark.parametrize("knobs, message", [
    ({"throttle": -1}, "throttled by the service"),
    ({"status": 500, "status_count": -1}, "service failure (500)"),
    ({"status": 503, "status_count": -1}, "service failure (503)"),
])
async def test_transient_faults_back_off_stay_calm_and_recover_by_themselves(
        server, state, knobs, message):
    clock = VirtualClock()
    app = fault_app(server, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        await clock.idle(app)  # the first poll is done; the next is due at +0.5 s
        start = len(state.requests)
        for key, value in knobs.items():
            setattr(state.faults, key, value)
        await clock.advance(REFRESH)  # that poll fails
        assert requests_to(state, start) == 1
        await wait_for(pilot, lambda: app.screen.has_class("-stale"))
        failed_at = clock.t
        window_start = len(state.requests)
        await clock.advance(4.0)
        text = error_text(app)
        assert message in text and "next try in" in text and "(stale)" in text
        assert "+12065550100" in text_of(app.screen.query_one("#participants-panel"))
        made = requests_to(state, window_start) + 1  # + the first failure
        # Tries 0.25, 0.5, 1 and 2 s apart: at +0.25, +0.75, +1.75, +3.75 s.
        assert made == allowed_requests(4.0) == 5
        assert state.max_in_flight == 1
        state.faults.clear()
        # No key press: the next scheduled try (+5.75 s) succeeds and the interval
        # returns to normal.
        before = len(state.requests)
        await clock.advance(2.0)
        assert requests_to(state, before) == 1
        assert clock.t - failed_at == 6.0
        await wait_for(pilot, lambda: not app.screen.has_class("-stale"))
        assert not app.screen.query_one(ErrorLine).display
        recovered = len(state.requests)
        await clock.advance(1.6)
        assert requests_to(state, recovered) == 3  # every 0.5 s again: +0.25, +0.75, +1.25
        assert all(r.status == 200 for r in state.requests[recovered:])
        assert len(state.requests) > start


async def test_expired_credentials_slow_down_name_the_profile_and_renewal_is_picked_up(
        server, state, isolated_env, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    creds = isolated_env / "aws-credentials"
    creds.write_text("[oncall]\naws_access_key_id = AKIDOLDKEY\naws_secret_access_key = a\n")
    (isolated_env / "aws-config").write_text("[profile oncall]\nregion = us-east-1\n")
    clock = VirtualClock()
    app = fault_app(server, clock, profile="oncall")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        await clock.idle(app)
        state.faults.deny_keys = ["AKIDOLDKEY"]
        await clock.advance(REFRESH)
        await wait_for(pilot, lambda: app.screen.has_class("-stale"))
        text = error_text(app)
        assert "credentials expired or not allowed (profile oncall)" in text
        assert "aws sso login --profile oncall" in text
        assert state.requests[-1].status == 403
        after = len(state.requests)
        await clock.advance(1.0)  # a 0.5 s refresh, but credential failures wait 1.5 s and more
        assert requests_to(state, after) == 0
        # The user renews credentials outside the app; no restart.
        creds.write_text("[oncall]\naws_access_key_id = AKIDNEWKEY\naws_secret_access_key = b\n")
        await clock.advance(0.5)  # the try due 1.5 s after the failure
        await wait_for(pilot, lambda: not app.screen.has_class("-stale"))
        assert requests_to(state, after) == 1
        assert state.requests[-1].status == 200


@pytest.mark.parametrize("fault, message", [
    ("refused", "endpoint unreachable: http://127.0.0.1:"),
    ("dropped", "endpoint unreachable: http://127.0.0.1:"),
    ("timeout", "timed out talking to http://127.0.0.1:"),
])
async def test_network_faults_are_bounded_and_the_ui_stays_responsive(state, fault, message):
    """The network's own time is real (a 0.5 s read timeout); the retry schedule runs
    on virtual time."""
    server = EmulatorServer(state).start()
    port = server.port
    clock = VirtualClock()
    app = fault_app(server, clock, read_timeout=0.5, connect_timeout=0.5)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: detail_loaded(app))
            await clock.idle(app)
            if fault == "refused":
                server.stop()
            elif fault == "dropped":
                state.faults.drop = -1
            else:
                state.faults.latency = 5.0
            await clock.advance(REFRESH)
            assert app.screen.has_class("-stale")
            assert message in error_text(app)
            poller = app.screen.poller
            # The next try meets the fault again; the UI answers while it is out.
            await clock.advance(poller.next_at - clock.t, settle=False)
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            await wait_for(pilot, lambda: not poller.in_flight)
            await clock.idle(app)
            assert poller.failures == 2
            if fault == "refused":
                server = EmulatorServer(state, port=port).start()
            state.faults.clear()
            await clock.advance(poller.next_at - clock.t)
            await wait_for(pilot, lambda: not app.screen.has_class("-stale"))
            assert poller.failures == 0
    finally:
        server.stop()


@pytest.mark.parametrize("kind", ["html", "truncated", "types"])
async def test_malformed_bodies_say_unexpected_response_and_log_the_body_only(
        server, state, tmp_path, kind):
    from chime_tui.cli.debug import enable_debug_file

    log_path = tmp_path / "debug.log"
    enable_debug_file(str(log_path))
    handler = logging.getLogger().handlers[-1]
    try:
        clock = VirtualClock()
        app = fault_app(server, clock)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: detail_loaded(app))
            await clock.idle(app)
            state.faults.malformed, state.faults.malformed_count = kind, -1
            await clock.advance(REFRESH)
            assert app.screen.has_class("-stale")
            text = error_text(app)
            assert "unexpected response from the service" in text
            assert "<html>" not in text and "sixty" not in text
            state.faults.clear()
            await clock.advance(app.screen.poller.next_at - clock.t)
            await wait_for(pilot, lambda: not app.screen.has_class("-stale"))
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    logged = log_path.read_text()
    bad = {"html": "502 Bad Gateway", "truncated": '{"ProxySession": {"VoiceConnectorId": "abc',
           "types": "sixty"}[kind]
    assert bad in logged
    assert "fetch failed on SessionDetailScreen: bad response" in logged


async def test_a_session_never_read_says_no_data_yet_not_loading(server, state):
    """Opened at a session whose every answer is malformed: the panels do not say
    "loading…" for ever beside the error line; they say no data came (walk 3 #10)."""
    clock = VirtualClock()
    state.faults.malformed, state.faults.malformed_count = "types", -1
    app = fault_app(server, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: "unexpected response" in error_text(app))
        assert "no data yet" in error_text(app)
        for panel in app.screen.panels():
            said = text_of(panel).strip()
            assert said == "no data yet: the last try failed (the ⚠ line says why)", said
        state.faults.clear()
        await clock.advance(app.screen.poller.next_at - clock.t)
        await wait_for(pilot, lambda: detail_loaded(app))
        assert "no data yet" not in text_of(app.screen.panels()[0])


async def test_r_does_not_jump_the_throttling_backoff(server, state):
    """Walk 4 #13: with the service throttling, ten presses of r sent fourteen requests
    in four seconds. r asks once between two of the backoff's tries; after that it says
    when the next one is."""
    clock = VirtualClock()
    app = fault_app(server, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        await clock.idle(app)
        state.faults.throttle = -1
        start = len(state.requests)
        await clock.advance(REFRESH)  # that poll is throttled
        await wait_for(pilot, lambda: app.screen.has_class("-stale"))
        assert requests_to(state, start) == 1
        poller = app.screen.poller
        for _ in range(10):
            await pilot.press("r")
            await pilot.pause(0.05)
        await pilot.pause(0.2)
        assert requests_to(state, start) == 2  # the first press's, no more
        assert "Throttled by the service: the next try is in" in app.notices[-1].message
        await clock.advance(poller.next_at - clock.t)  # the backoff's own next try
        assert requests_to(state, start) == 3
        await pilot.press("r")  # once again, between this try and the next
        await wait_for(pilot, lambda: requests_to(state, start) == 4)
        state.faults.clear()
        await clock.advance(poller.next_at - clock.t)
        await wait_for(pilot, lambda: not app.screen.has_class("-stale"))
        before = len(state.requests)
        await pilot.press("r")  # not throttled: r asks at once
        await wait_for(pilot, lambda: requests_to(state, before) == 1)


async def test_latency_longer_than_the_interval_shows_fetching_and_never_piles_up(
        server, state):
    """The endpoint holds each answer 1 s (real time: the latency is the endpoint's); the
    app's clock is virtual and runs 3 s ahead while one request is held: a 0.2 s
    refresh never starts a second poll beside it."""
    clock = VirtualClock()
    app = fault_app(server, clock, refresh=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        await clock.idle(app)
        state.faults.latency = 1.0
        before = len(state.requests)
        status = app.screen.query_one(FetchStatus)
        await clock.advance(0.2, settle=False)  # the next poll starts and is held
        await wait_for(pilot, lambda: status.fetching)
        assert "fetching" in str(status.content)
        await clock.advance(3.0, settle=False)  # 15 intervals pass while it is held
        assert app.screen.poller.in_flight
        assert requests_to(state, before) <= 1
        await wait_for(pilot, lambda: not status.fetching)
        assert requests_to(state, before) == 1  # one at a time: no pile-up behind it
        assert state.max_in_flight == 1
        state.faults.latency = 0.0
        await clock.advance(0.2)
        assert requests_to(state, before) == 2  # and polling carries on after it
        await clock.advance(0.2)
        assert requests_to(state, before) == 3


async def test_a_gone_session_on_the_board_stops_polling_while_the_rest_go_on(tmp_path):
    state = populate(EmulatorState(), seed=5, connectors=2, sessions=250)
    vc = list(state.connectors)[1]
    pins = tuple((vc, s) for s, v in state.sessions[vc].items() if v.status != "Closed")[:2]
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = make_app(app_settings(srv, refresh=0.3, pins=pins, pins_file=tmp_path / "p.json"),
                       **clock.app_kwargs())
        async with app.run_test(size=(140, 40)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                           and app.screen.result is not None)
            await clock.idle(app)  # the first refresh lists the connector (3 pages)
            await clock.advance(0.3)
            assert app.screen.result.requests == 2  # then 2 gets
            state.delete_session(*pins[0])
            await clock.advance(0.3)
            assert pins[0] in app.tracker.gone
            mark = len(state.requests)
            state.set_status(*pins[1], "Closed")
            await clock.advance(0.3)
            assert app.tracker.last[pins[1]].status == "Closed"
            await clock.advance(0.7)
            asked = [r.path for r in state.requests[mark:]]
            # Three refreshes (at +0.3, +0.6, +0.9 s): one get each, all for the other pin.
            assert len(asked) == 3 and all(r.endswith(pins[1][1]) for r in asked)
            assert app.tracker.last[pins[0]] is not None  # its last known state is kept


async def test_thirty_seconds_of_throttling_on_the_production_schedule(server, state):
    """The issue's case at full scale: 429 for 30 s, the default 2 s..60 s schedule, 5 s
    refresh, on virtual time: exactly the tries the schedule names, at its times."""
    from chime_tui.monitor import DEFAULT_SCHEDULE

    clock = VirtualClock()
    app = make_app(app_settings(server, voice_connector_id=SEED_CONNECTOR_ID,
                                proxy_session_id=SEED_SESSION_ID, refresh=5.0,
                                schedule=DEFAULT_SCHEDULE), rng=lambda: 0.0,
                   **clock.app_kwargs())
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        await clock.idle(app)
        state.faults.throttle = -1
        await pilot.press("r")
        await wait_for(pilot, lambda: app.screen.has_class("-stale"))
        await clock.idle(app)
        start = len(state.requests) - 1
        assert state.requests[start].status == 429
        t0 = clock.t
        poller = app.screen.poller
        assert poller is not None
        # Tries at 0, 2.5, 7.5, 17.5 s (then 37.5 s): four in the 30 s, never a storm.
        delays = [DEFAULT_SCHEDULE.next_delay(Throttled("t"), n, 5.0, rng=lambda: 0.0)
                  for n in range(1, 5)]
        assert delays == [2.5, 5.0, 10.0, 20.0]
        due = []
        for _ in range(3):
            assert poller.next_at is not None
            due.append(poller.next_at - t0)
            await clock.advance(poller.next_at - clock.t)
        await clock.advance(t0 + 30.0 - clock.t)
        assert due == [2.5, 7.5, 17.5]
        assert requests_to(state, start) == 4
        assert [r.status for r in state.requests[start:]] == [429] * 4
        assert poller.next_at == t0 + 37.5
        assert state.max_in_flight == 1
        assert "throttled by the service" in error_text(app)
        assert "+12065550100" in text_of(app.screen.query_one("#participants-panel"))
        state.faults.clear()
        # No key press: the try due at 37.5 s succeeds, then every 5 s again.
        await clock.advance(7.4)
        assert requests_to(state, start) == 4
        await clock.advance(poller.next_at - clock.t)
        assert clock.t == t0 + 37.5
        assert requests_to(state, start) == 5 and state.requests[-1].status == 200
        await wait_for(pilot, lambda: not app.screen.has_class("-stale"))
        await clock.advance(10.0)
        assert requests_to(state, start) == 7
        assert poller.next_at == t0 + 52.5
