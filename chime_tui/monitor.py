"""Polling, backoff and change detection: plain asyncio, no widgets.

A `Poller` runs one fetch at a time and re-arms the next one only when the last
has finished, so polls never overlap however slow the endpoint is. After a
failure it waits by a schedule that depends on the kind of failure (with jitter
on throttling) and tells its caller when the next try is due; after a success
it returns to the normal interval. The wait is measured from the end of a fetch,
with the interval `pace` gives for that fetch's latency (a listing that took
10 s is not listed again 5 s later). Textual workers run `Poller.run`.

Time is injected: `clock` (the wall clock of outcomes), `timer` (a monotonic clock
for latency and due times) and `sleep` (how the poller waits for the next poll).
The defaults are the real ones; tests pass a virtual clock's three, so a schedule
of minutes runs in milliseconds with exact request counts.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar

from chime_tui.aws.errors import (
    AccessDenied,
    ChimeError,
    InvalidInput,
    NotFound,
    Throttled,
    classify,
)
from chime_tui.models import ProxySession, parse_timestamp, utcnow

T = TypeVar("T")


class Sleep(Protocol):
    """Wait `seconds` of the clock's time (asyncio.sleep for the real one)."""

    def __call__(self, seconds: float, /) -> Awaitable[None]: ...


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full-range jitter, capped.

    delay(n) for the n-th consecutive failure (n >= 1) is
    min(cap, base * factor**(n-1)) scaled by a random factor in [1-jitter, 1].
    """

    base: float = 2.0
    factor: float = 2.0
    cap: float = 60.0
    jitter: float = 0.5

    def delay(self, failures: int, rng: Callable[[], float] = random.random) -> float:
        raw = min(self.cap, self.base * self.factor ** max(0, failures - 1))
        return raw * (1.0 - self.jitter * rng())


@dataclass(frozen=True)
class PollOutcome(Generic[T]):
    """One finished poll: a value or an error, and what happens next."""

    value: T | None
    error: ChimeError | None
    fetched_at: datetime
    latency: float
    failures: int  # consecutive failures including this one (0 after a success)
    next_delay: float | None  # seconds to the next poll; None: polling stopped

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Schedule:
    """The retry schedule. `floor` and `cap` bound the backoff of transient failures
    (throttling, 5xx, network, bad bodies); credential failures and rejected requests
    (400) wait 7.5x the floor and up to twice the cap; NotFound stops. Tests run the
    same schedule on a shorter time scale."""

    floor: float = 2.0
    cap: float = 60.0

    def next_delay(self, error: ChimeError | None, failures: int, interval: float,
                   rng: Callable[[], float] = random.random) -> float | None:
        """Seconds until the next poll after an outcome; None stops polling."""
        if error is None:
            return interval
        if isinstance(error, NotFound):
            return None
        if isinstance(error, (AccessDenied, InvalidInput)):
            # Credentials rarely fix themselves quickly, and a request the service
            # rejected (400) is rarely accepted a second later: slow down, but keep
            # checking, so a renewal outside the app, or a passing 400, heals by itself
            # (one rejected request must not stop a whole board).
            slow = Backoff(base=7.5 * self.floor, cap=2 * self.cap, jitter=0.2)
            return max(interval, slow.delay(failures, rng))
        fast = Backoff(base=max(self.floor, interval / 2), cap=self.cap)
        return max(self.floor / 2, fast.delay(failures, rng))


DEFAULT_SCHEDULE = Schedule()


@dataclass
class Poller(Generic[T]):
    """Run `fetch` every `interval` seconds, one at a time, until stopped."""

    fetch: Callable[[], Awaitable[T]]
    interval: float = 5.0
    clock: Callable[[], datetime] = utcnow
    rng: Callable[[], float] = random.random
    timer: Callable[[], float] = time.perf_counter
    sleep: Sleep = asyncio.sleep  # on the same clock as `timer`
    schedule: Schedule = DEFAULT_SCHEDULE
    on_error: Callable[[ChimeError], Awaitable[None]] | None = None
    # After a success, the interval given how long that fetch took (e.g. a large
    # listing refreshes less often); None: the interval stays.
    pace: Callable[[float], float] | None = None
    failures: int = 0
    last_error: ChimeError | None = None  # the last poll's (None: it succeeded)
    asked_in_backoff: bool = False  # `r` made its one poll since the backoff's last
    paused: bool = False
    in_flight: bool = False
    next_at: float | None = None  # self.timer() of the next poll
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _stopped: bool = False
    _force: bool = False

    def refresh_now(self, resume: bool = True, asked: bool = False) -> bool:
        """Poll as soon as the current one (if any) is done; `resume`: and leave a pause
        (False: one poll, then paused again). `asked`: a person asked (`r`): while the
        service throttles, one such poll between two of the backoff's own; more wait for
        the backoff's next try (ten presses must not be ten more requests to a service
        that said slow down): False then."""
        if asked and isinstance(self.last_error, Throttled) and self.next_at is not None \
                and self.next_at > self.timer():
            if self.asked_in_backoff:
                return False
            self.asked_in_backoff = True
        if resume:
            self.paused = False
        self._force = True
        self._wake.set()
        return True

    def set_paused(self, paused: bool) -> None:
        """Pause or resume; resuming waits for the poll that is due, it does not add one."""
        self.paused = paused
        self._wake.set()

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()

    async def poll_once(self) -> PollOutcome[T]:
        started = self.timer()
        self.in_flight = True
        try:
            value: T | None = await self.fetch()
            error = None
            self.failures = 0
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # every failure becomes a typed, calm state
            value, error = None, classify(exc)
            self.failures += 1
            if self.on_error is not None:
                await self.on_error(error)
        finally:
            self.in_flight = False
        self.last_error = error
        latency = self.timer() - started
        if error is None and self.pace is not None:
            # Before the delay is taken: the very next poll already waits the new interval.
            self.interval = self.pace(latency)
        delay = self.schedule.next_delay(error, self.failures, self.interval, self.rng)
        return PollOutcome(value, error, self.clock(), latency, self.failures, delay)

    async def run(self, report: Callable[[PollOutcome[T]], Any],
                  started: Callable[[], Any] | None = None) -> None:
        """Poll until stopped; `report` gets every outcome, `started` each fetch start.

        An outcome with no next delay (not found, bad input) stops the schedule
        until `refresh_now()`.
        """
        while not self._stopped:
            if not self._force:  # the schedule's own poll (not one asked for)
                self.asked_in_backoff = False
            self._force = False
            if started is not None:
                started()
            outcome = await self.poll_once()
            report(outcome)
            delay = outcome.next_delay
            self.next_at = None if delay is None else self.timer() + delay
            await self._sleep_until_due()

    async def _sleep_until_due(self) -> None:
        while not self._stopped and not self._force:
            self._wake.clear()
            if self.paused or self.next_at is None:
                await self._wake.wait()
                continue
            remaining = self.next_at - self.timer()
            if remaining <= 0:
                return
            # Whichever comes first: the due time on the injected clock, or a wake-up
            # (refresh, pause, stop).
            sleeping = asyncio.ensure_future(self.sleep(remaining))
            woken = asyncio.ensure_future(self._wake.wait())
            try:
                await asyncio.wait((sleeping, woken), return_when=asyncio.FIRST_COMPLETED)
            finally:
                sleeping.cancel()
                woken.cancel()
            if woken.done() and not woken.cancelled():
                continue  # a wake-up: look again (paused, stopped, forced or still due)
            sleeping.result()  # (raises what the sleep raised)
            return

    def seconds_to_next(self) -> float | None:
        if self.next_at is None or self.paused:
            return None
        return max(0.0, self.next_at - self.timer())


# -- change detection -------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    at: datetime
    voice_connector_id: str
    proxy_session_id: str
    field: str
    old: Any
    new: Any
    # The app's sighting before this one, when `old` was still the answer: the change
    # came after it (None: not known). Not in the events file.
    after: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "time": stamp(self.at),
            "VoiceConnectorId": self.voice_connector_id,
            "ProxySessionId": self.proxy_session_id,
            "field": self.field, "old": self.old, "new": self.new,
        }


def stamp(when: datetime) -> str:
    """A time in the events file and `--watch` lines as the service and the audit
    lines write one: UTC to the millisecond, `2026-11-28T13:36:39.696Z`."""
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


WATCHED_FIELDS = (
    "Name", "Status", "ExpiryMinutes", "Capabilities", "UpdatedTimestamp", "EndedTimestamp",
    "Participants", "NumberSelectionBehavior", "GeoMatchLevel", "GeoMatchParams",
)


def changed_at(changes: Iterable[Change], seen_at: datetime) -> datetime | None:
    """The service's own time of the changes one answer brought (the app saw them at
    `seen_at`, up to a refresh or an outage later): the UpdatedTimestamp they moved,
    which any change moves, or the EndedTimestamp they set (a close; the later of the
    two). None when the answer moved neither, or only to no time, back in time, or past
    the sighting (a service clock ahead of the app's); an UpdatedTimestamp also not
    before the sighting before, which still showed the old answer (walk 6 #3: the app
    does not say what it saw otherwise). An EndedTimestamp is the service's record of
    the end, as the time in status takes it, even after an answer that still said Open
    (the service lags its own expiry: walk 4 #4)."""
    found: datetime | None = None
    for change in changes:
        if change.at == seen_at and change.field in ("UpdatedTimestamp", "EndedTimestamp"):
            new, old = parse_timestamp(change.new), parse_timestamp(change.old)
            if new is not None and new <= seen_at and (old is None or old < new) \
                    and (change.field == "EndedTimestamp" or change.after is None
                         or change.after < new) \
                    and (found is None or new > found):
                found = new
    return found


def diff_sessions(old: ProxySession | None, new: ProxySession | None,
                  at: datetime | None = None, old_seen: datetime | None = None
                  ) -> list[Change]:
    """Per-field changes between two fetches of one session (raw API values);
    `old_seen`: when `old` was seen (Change.after)."""
    if old is None or new is None or old.same_answer(new):
        return []
    when = at or utcnow()
    vc, sid = new.key
    before, after = old.raw, new.raw  # made once each (see ProxySession.raw)
    return [
        Change(when, vc, sid, f, before.get(f), after.get(f), old_seen)
        for f in WATCHED_FIELDS
        if before.get(f) != after.get(f)
    ]
