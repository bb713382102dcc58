"""A repeating callback on the app's injected clock.

Textual's `set_interval` runs on the event loop's real clock. The app's one-second
timers (expiry alerts and the credential watch; each screen's ages and countdowns)
wait on `app.sleep` instead, the sleep the pollers use, so a test on virtual time
moves them together. Run `Ticker.run` as a worker of the node it belongs to: the
worker, and the ticker with it, ends when the node is removed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from chime_tui.monitor import Sleep


class Ticker:
    """Call `callback` every `interval` seconds of `sleep`'s clock while not paused.
    Resuming starts a full interval; a tick is never made up for."""

    def __init__(self, sleep: Sleep, interval: float, callback: Callable[[], object],
                 *, paused: bool = False) -> None:
        self.interval = interval
        self._sleep = sleep
        self._callback = callback
        self._running = asyncio.Event()
        self._pending: asyncio.Future[None] | None = None
        if not paused:
            self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def pause(self) -> None:
        self._running.clear()
        if self._pending is not None:
            self._pending.cancel()  # a paused ticker does not wait on the clock

    def resume(self) -> None:
        self._running.set()

    async def run(self) -> None:
        while True:
            await self._running.wait()
            sleeping = asyncio.ensure_future(self._sleep(self.interval))
            self._pending = sleeping
            try:
                await asyncio.wait((sleeping,))
            finally:
                sleeping.cancel()
                self._pending = None
            if not sleeping.cancelled() and self._running.is_set():
                self._callback()
