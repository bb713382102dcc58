"""Polling schedule, backoff and change detection: plain asyncio, no widgets."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from chime_tui.aws.errors import AccessDenied, InvalidInput, NotFound, ServiceFailure, Throttled
from chime_tui.models import ProxySession
from chime_tui.monitor import DEFAULT_SCHEDULE, Backoff, Poller, diff_sessions

from .conftest import SEED_EXAMPLE


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
    in_flight = 0
    most = 0
    calls = 0

    async def slow_fetch():
        nonlocal in_flight, most, calls
        in_flight += 1
        calls += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.15)
        in_flight -= 1
        return calls

    poller = Poller(slow_fetch, interval=0.01)
    outcomes = []
    task = asyncio.create_task(poller.run(outcomes.append))
    await asyncio.sleep(0.5)
    for _ in range(5):
        poller.refresh_now()  # a storm of key presses does not add requests
    await asyncio.sleep(0.2)
    poller.stop()
    await asyncio.wait_for(task, 2)
    assert most == 1
    assert 3 <= calls <= 6
    assert all(o.ok for o in outcomes)


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
    calls = 0

    async def fetch():
        nonlocal calls
        calls += 1

    poller = Poller(fetch, interval=0.02)
    task = asyncio.create_task(poller.run(lambda o: None))
    await asyncio.sleep(0.1)
    poller.set_paused(True)
    await asyncio.sleep(0.05)
    paused_at = calls
    await asyncio.sleep(0.2)
    assert calls == paused_at
    poller.refresh_now()
    await asyncio.sleep(0.1)
    assert calls > paused_at
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
    assert changes[0].to_json()["time"] == "2026-01-01T00:00:00Z"
    assert diff_sessions(old, old) == []
