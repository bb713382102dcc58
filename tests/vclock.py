"""A virtual clock for tests: time moves only when the test moves it.

It gives the app and its pollers the three things they take (`now` for the wall
clock, `monotonic` for latency and due times, `sleep` for waiting), so a retry
schedule of minutes runs in milliseconds. `advance(seconds)` walks through every
sleep that falls due in that span, in order, and after each wake-up waits until
the woken pollers are asleep again (their fetch over the real loopback endpoint has
finished and its outcome was reported): request counts are exact, no real sleep
stands in for synchronisation.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any


class VirtualClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.epoch = start or datetime.now(UTC)
        self.t = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._changed: asyncio.Event | None = None

    # -- what the app and the pollers take ------------------------------------------
    def now(self) -> datetime:
        return self.epoch + timedelta(seconds=self.t)

    def monotonic(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.t + seconds, next(self._seq), fut))
        self._notify()
        try:
            await fut
        finally:
            self._notify()

    def app_kwargs(self) -> dict[str, Any]:
        """make_app(..., **clock.app_kwargs()): the app's wall clock, timer and sleep."""
        return {"clock": self.now, "timer": self.monotonic, "sleep": self.sleep}

    # -- what the test does ---------------------------------------------------------
    @property
    def sleeping(self) -> int:
        """How many sleeps are pending (a cancelled one is not)."""
        return sum(1 for _, _, f in self._sleepers if not f.done())

    def next_due(self) -> float | None:
        self._prune()
        return self._sleepers[0][0] if self._sleepers else None

    async def settle(self, sleepers: int = 1, timeout: float = 10.0) -> None:
        """Wait (event-driven; `timeout` only guards a broken test) until at least
        `sleepers` sleeps are pending: the pollers have finished their fetches."""
        async def until() -> None:
            while self.sleeping < sleepers:
                await self._event().wait()
                self._event().clear()
        try:
            await asyncio.wait_for(until(), timeout)
        except TimeoutError:
            raise AssertionError(f"{sleepers} sleeper(s) expected, {self.sleeping} "
                                 f"pending after {timeout} s") from None
        # Let the outcomes just reported (posted messages) be handled.
        for _ in range(5):
            await asyncio.sleep(0)

    async def advance(self, seconds: float, settle: bool = True) -> None:
        """Move time on by `seconds`, waking each sleep as it falls due, in order; after
        each wake-up (if `settle`) wait until as many sleeps are pending as before it."""
        target = self.t + seconds
        while (due := self.next_due()) is not None and due <= target:
            before = self.sleeping
            self.t = max(self.t, due)
            while self._sleepers and self._sleepers[0][0] <= self.t:
                _, _, fut = heapq.heappop(self._sleepers)
                if not fut.done():
                    fut.set_result(None)
            if settle:
                await self.settle(before)
            else:
                await asyncio.sleep(0)
        self.t = target
        await asyncio.sleep(0)

    async def idle(self, app: Any, timeout: float = 10.0) -> None:
        """Wait until the app is idle on this clock: the current screen's first fetch (if
        it polls) has finished and every timer and poller that should be asleep is."""
        from chime_tui.tui.screens.base import PollingScreen

        def expected() -> int | None:
            n = 1  # the app's one-second tick (screens have no timer of their own)
            screen = app.screen
            if isinstance(screen, PollingScreen):
                poller = screen.poller
                if poller is None or poller.in_flight:
                    return None
                n += not poller.paused and poller.next_at is not None
            return n

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (n := expected()) is None or self.sleeping < n:
            if loop.time() > deadline:
                raise AssertionError(f"the app is not idle after {timeout} s "
                                     f"({self.sleeping} sleeping, {n} expected)")
            await asyncio.wait([asyncio.ensure_future(self._event().wait())], timeout=0.05)
            self._event().clear()
        await self.settle(n, timeout)

    # -- inside -----------------------------------------------------------------------
    def _prune(self) -> None:
        while self._sleepers and self._sleepers[0][2].done():
            heapq.heappop(self._sleepers)

    def _event(self) -> asyncio.Event:
        if self._changed is None:
            self._changed = asyncio.Event()
        return self._changed

    def _notify(self) -> None:
        self._event().set()
