"""The line that says where the data comes from, how old it is, and what is wrong."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from chime_tui.humanfmt import ago
from chime_tui.monitor import PollOutcome


class FetchStatus(Static):
    """Top line: account context, last fetch age and latency, fetch in progress, paused."""

    fetching: reactive[bool] = reactive(False)
    paused: reactive[bool] = reactive(False)

    def __init__(self, context: str, clock: Callable[[], datetime], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.context = context
        self.clock = clock
        self.last_ok: datetime | None = None
        self.latency: float | None = None
        self.shown: Text | None = None

    def on_mount(self) -> None:
        self.refresh_text()

    def record(self, outcome: PollOutcome[Any]) -> None:
        self.fetching = False
        self.latency = outcome.latency
        if outcome.ok:
            self.last_ok = outcome.fetched_at
        self.refresh_text()

    def watch_fetching(self) -> None:
        self.refresh_text()

    def watch_paused(self) -> None:
        self.refresh_text()

    def refresh_text(self) -> None:
        now = self.clock()
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(self.context, style="dim")
        t.append("  │  ")
        if self.last_ok is None:
            t.append("not fetched yet")
        else:
            t.append(f"updated {ago(self.last_ok, now)}")
            if self.latency is not None:
                t.append(f" ({self.latency * 1000:.0f} ms)", style="dim")
        if self.fetching:
            t.append("  ⟳ fetching…", style="bold")
        if self.paused:
            t.append("  ⏸ paused (p resumes)", style="bold")
        if t != self.shown:  # the screen's tick calls this every second: redraw on change only
            self.shown = t
            self.update(t)


class ErrorLine(Static):
    """A status line that stays while a problem lasts (not a toast)."""

    def __init__(self, clock: Callable[[], datetime], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clock = clock
        self.outcome: PollOutcome[Any] | None = None
        self.last_ok: datetime | None = None
        self.next_due: Callable[[], float | None] = lambda: None
        self.shown = ""
        self.display = False


    def record(self, outcome: PollOutcome[Any], last_ok: datetime | None,
               next_due: Callable[[], float | None]) -> None:
        self.outcome = outcome if not outcome.ok else None
        self.last_ok = last_ok
        self.next_due = next_due
        self.display = self.outcome is not None
        self.refresh_text()

    def message(self) -> str:
        o = self.outcome
        if o is None or o.error is None:
            return ""
        parts = [f"⚠ {o.error.message}"]
        due = self.next_due()
        if o.next_delay is None:
            parts.append("not retrying (r tries again)")
        elif due is not None:
            parts.append(f"next try in {max(1, round(due))} s")
        if self.last_ok is not None:
            parts.append(f"showing data from {ago(self.last_ok, self.clock())} (stale)")
        else:
            parts.append("no data yet")
        return " — ".join(parts)

    def refresh_text(self) -> None:
        if self.outcome is not None and self.display:
            text = self.message()
            if text != self.shown:
                self.shown = text
                self.update(Text(text, no_wrap=True, overflow="ellipsis"))
