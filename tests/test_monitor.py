"""Polling schedule, backoff and change detection: plain asyncio, no widgets."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from chime_tui.aws.errors import AccessDenied, InvalidInput, NotFound, ServiceFailure, Throttled
from chime_tui.models import ProxySession
from chime_tui.monitor import DEFAULT_SCHEDULE, Backoff, Poller, diff_sessions

from .conftest import SEED_EXAMPLE
from .vclock import VirtualClock


def test_backoff_grows_caps_and_jitters():
    b = Backoff(base=2, factor=2, cap=60, jitter=0.5)
    assert [b.delay(n, rng=lambda: 0.0) for n in (1, 2, 3, 4, 10)] == [2, 4, 8, 16, 60]
    assert b.delay(3, rng=lambda: 1.0) == 4  # jitter takes off up to half
    assert 4 <= b.delay(3) <= 8


def test_next_delay_by_kind_of_outcome():
    zero = lambda: 0.0  # noqa: E731
    next_delay = DEFAULT_SCHEDULE.next_delay
    assert next_delay(None, 0, 5, zero) == 5
    assert next_delay(Throttled("t"), 1, 5, zero) == pytest.approx(2.5)
    assert next_delay(Throttled("t"), 4, 5, zero) == pytest.approx(20)
    assert next_delay(ServiceFailure("s"), 20, 5, zero) == 60
    assert next_delay(AccessDenied("a"), 1, 5, zero) >= 15  # slows down
    assert next_delay(NotFound("n"), 1, 5, zero) is None  # stops
    # a request the service rejected (400) is tried again, slowly: one must not stop a board
    assert next_delay(InvalidInput("bad"), 1, 5, zero) >= 15


async def test_polls_never_overlap_even_when_slower_than_the_interval():
    """On virtual time: a fetch takes 1.5 s of it, the interval is 0.125 s."""
    clock = VirtualClock()
    in_flight = 0
    most = 0
    calls = 0

    async def slow_fetch():
        nonlocal in_flight, most, calls
        in_flight += 1
        calls += 1
        most = max(most, in_flight)
        await clock.sleep(1.5)
        in_flight -= 1
        return calls

    poller = Poller(slow_fetch, interval=0.125, timer=clock.monotonic, sleep=clock.sleep)
    outcomes = []
    task = asyncio.create_task(poller.run(outcomes.append))
    await clock.settle()  # the first fetch is under way
    # Fetches start at 0, 1.625, 3.25 and 4.875 s (each 1.5 s, then 0.125 s apart).
    await clock.advance(5.0)
    assert calls == 4 and poller.in_flight
    for _ in range(5):
        poller.refresh_now()  # a storm of key presses does not add requests
    await clock.advance(2.0)
    # One poll as soon as the one in flight ended (6.375 s), none beside it.
    assert calls == 5 and poller.in_flight
    poller.stop()
    await clock.advance(2.0, settle=False)  # the fetch in flight ends; no other starts
    await asyncio.wait_for(task, 2)
    assert most == 1
    assert calls == 5
    assert [o.value for o in outcomes] == [1, 2, 3, 4, 5] and all(o.ok for o in outcomes)


async def test_failures_back_off_then_success_resets():
    results = [Throttled("t"), Throttled("t"), "ok"]

    async def fetch():
        r = results.pop(0) if results else "ok"
        if isinstance(r, Exception):
            raise r
        return r

    poller = Poller(fetch, interval=5, rng=lambda: 0.0)
    first = await poller.poll_once()
    second = await poller.poll_once()
    third = await poller.poll_once()
    assert (first.failures, second.failures, third.failures) == (1, 2, 0)
    assert first.next_delay == pytest.approx(2.5) and second.next_delay == pytest.approx(5)
    assert third.ok and third.value == "ok" and third.next_delay == 5


async def test_unexpected_exceptions_become_bad_response():
    async def fetch():
        raise KeyError("ProxySession")

    outcome = await Poller(fetch).poll_once()
    assert outcome.error is not None and outcome.error.kind == "bad response"


async def test_pause_stops_polling_and_refresh_resumes():
    clock = VirtualClock()
    calls = 0

    async def fetch():
        nonlocal calls
        calls += 1

    poller = Poller(fetch, interval=0.25, timer=clock.monotonic, sleep=clock.sleep)
    task = asyncio.create_task(poller.run(lambda o: None))
    await clock.settle()
    await clock.advance(1.0)
    assert calls == 5  # at 0, 0.25, 0.5, 0.75 and 1 s
    poller.set_paused(True)
    await clock.advance(3.0, settle=False)
    assert calls == 5
    poller.refresh_now()
    await clock.settle()
    assert calls == 6  # at once, and polling again
    await clock.advance(0.5)
    assert calls == 8
    poller.stop()
    await asyncio.wait_for(task, 2)


def test_diff_reports_each_changed_field():
    old = ProxySession.from_api(SEED_EXAMPLE["ProxySession"])
    raw = dict(SEED_EXAMPLE["ProxySession"], Status="Closed", Capabilities=["Voice"])
    new = ProxySession.from_api(raw)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    changes = diff_sessions(old, new, at)
    assert [(c.field, c.old, c.new) for c in changes] == [
        ("Status", "Open", "Closed"), ("Capabilities", ["SMS", "Voice"], ["Voice"])]
    # One time format in the events file: the audit lines' (walk 2 #13).
    assert changes[0].to_json()["time"] == "2026-01-01T00:00:00.000Z"
    assert diff_sessions(old, old) == []


async def test_the_apps_ticker_runs_on_the_injected_clock_and_a_paused_one_leaves_it():
    from chime_tui.tui.ticker import Ticker

    clock = VirtualClock()
    ticks: list[float] = []
    ticker = Ticker(clock.sleep, 1.0, lambda: ticks.append(clock.t), paused=True)
    task = asyncio.create_task(ticker.run())
    await asyncio.sleep(0)
    assert clock.sleeping == 0  # paused: not waiting on the clock
    ticker.resume()
    await clock.settle()
    await clock.advance(3.5)
    assert ticks == [1.0, 2.0, 3.0]
    ticker.pause()
    await asyncio.sleep(0)
    assert clock.sleeping == 0
    await clock.advance(10.0)
    assert ticks == [1.0, 2.0, 3.0]
    ticker.resume()  # a full interval from now, nothing made up for
    await clock.settle()
    await clock.advance(1.0)
    assert ticks == [1.0, 2.0, 3.0, 14.5]
    task.cancel()
