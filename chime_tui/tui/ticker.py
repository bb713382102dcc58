"""A repeating callback on the app's injected clock.

Textual's `set_interval` runs on the event loop's real clock. The app's one-second
tick (expiry alerts, the credential watch, and every shown screen's ages and
countdowns, in one callback: one wake-up and one frame a second) waits on `app.sleep`
instead, the sleep the pollers use, so a test on virtual time moves them together.
Run `Ticker.run` as a worker of the node it belongs to: the worker, and the ticker
with it, ends when the node is removed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from chime_tui.monitor import Sleep


class Ticker:
    """Call `callback` every `interval` seconds of `sleep`'s clock while not paused.
    Resuming starts a full interval; a tick is never made up for.

    With `timer` (the monotonic clock `sleep` waits on), the ticks keep their phase:
    each is due a whole number of intervals after the first, whatever the callback
    took, so a once-a-second display never drifts against what it shows (a countdown
    would skip a second each time the drift added up to one)."""

    def __init__(self, sleep: Sleep, interval: float, callback: Callable[[], object],
                 *, paused: bool = False, timer: Callable[[], float] | None = None) -> None:
        self.interval = interval
        self._sleep = sleep
        self._callback = callback
        self._timer = timer
        self._running = asyncio.Event()
        self._task: asyncio.Task[None] | None = None  # the task in `run`
        self._sleeping = False  # `run` waits on the clock
        self._interrupted = False  # `pause` cancelled that wait
        if not paused:
            self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def pause(self) -> None:
        self._running.clear()
        if self._sleeping and self._task is not None and not self._interrupted:
            self._interrupted = True  # a paused ticker does not wait on the clock
            self._task.cancel()

    def resume(self) -> None:
        self._running.set()

    def _delay(self, due: float | None) -> tuple[float, float | None]:
        """How long to sleep for the tick due at `due` (None: a full interval from now),
        and when that tick is due on the timer."""
        if self._timer is None:
            return self.interval, None
        now = self._timer()
        if due is None or due <= now:  # the first, or after a pause or a late tick
            due = now + self.interval if due is None else \
                due + self.interval * (1 + (now - due) // self.interval)
        # Never more than an interval: a timer that stands still (a frozen one in a
        # test) or went back must not stretch the ticks apart.
        return min(due - now, self.interval), due

    async def run(self) -> None:
        # The sleep is awaited in this task (no task of its own per tick, nor a wait on
        # it): a tick costs the app one wake-up. `pause` interrupts it by cancelling.
        task = self._task = asyncio.current_task()
        assert task is not None
        due: float | None = None
        while True:
            if not self._running.is_set():
                await self._running.wait()
                due = None  # resumed: a full interval from now
            delay, due = self._delay(due)
            self._sleeping = True
            try:
                await self._sleep(delay)
            except asyncio.CancelledError:
                if not self._interrupted or task.uncancel():
                    raise  # cancelled from outside (the worker ends), not by `pause`
                continue
            finally:
                self._sleeping = False
                self._interrupted = False
            if self._running.is_set():
                self._callback()
                if due is not None:
                    due += self.interval
