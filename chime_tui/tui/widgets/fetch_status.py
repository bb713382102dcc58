"""The line that says where the data comes from, how old it is, and what is wrong."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.reactive import reactive
from textual.timer import Timer

from chime_tui.humanfmt import ago
from chime_tui.monitor import PollOutcome
from chime_tui.textsafe import visible
from chime_tui.tui.widgets.kept import Kept

SLOW_FAILURE = 1.0  # seconds: a failed try that took this long is named on the status line
# A fetch says "fetching…" once it has taken this long (real time, what a person can
# see): a quicker one would only flash it for a few milliseconds, at the cost of a frame
# of its own before the frame that shows its answer.
SHOW_FETCHING_AFTER = 0.15


class Line(Kept):
    """A one-line status widget. It redraws without a layout pass: its size never changes,
    and it changes every second, so a layout each time would be the app's main idle cost.
    A line that wraps (`wraps`: its CSS height is auto, with a max-height) asks for a
    layout only when its number of lines changes."""

    DEFAULT_CSS = "Line { height: 1; }"
    wraps = False
    sizes_to_text = False  # CSS width auto: a layout when the text's width changes, only

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shown: Text = Text()
        self.lines = 1  # how many lines the shown text takes at the current width

    @property
    def content(self) -> Text:
        return self.shown

    def show_text(self, text: Text) -> None:
        if text != self.shown:
            wider = self.sizes_to_text and text.cell_len != self.shown.cell_len
            self.shown = text
            lines = self.lines
            if self.wraps:
                width = self.content_size.width or self.app.size.width
                self.lines = len(text.wrap(self.app.console, max(1, width)))
            self.refresh(layout=lines != self.lines or wider)

    def on_resize(self) -> None:
        if self.wraps:  # the same text may take more or fewer lines now
            shown, self.shown = self.shown, Text()
            self.show_text(shown)

    def render(self) -> Text:
        return self.shown


class FetchStatus(Line):
    """Top line: last fetch time, age and latency, fetch in progress, paused, refresh
    interval, redaction, writes enabled; then where the data comes from."""

    fetching: reactive[bool] = reactive(False)
    paused: reactive[bool] = reactive(False)

    def __init__(self, context: str, clock: Callable[[], datetime], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.context = context
        self.clock = clock
        self.last_ok: datetime | None = None
        self.latency: float | None = None  # the last good fetch's, shown with its time
        self.failed_latency: float | None = None  # the last try's, when it failed
        self.partial = False  # no good answer yet, but part of one is on screen (the
        # screen sets it before `record`)
        self.partial_label = "no complete answer yet"  # what `partial` is, as the screen names it
        self.stale_after = 10.0  # seconds; the screen sets twice its refresh interval
        self.interval: float | None = None  # the auto-refresh interval (the screen's)
        self.redacted = False  # phone numbers masked (the app sets it)
        self.writes = False  # --allow-writes: the app may change sessions (the app sets it)
        self.pause_key = "p"  # the key bound to pause, as named (a [keys] remap)
        self.drawn_at: object = None  # `time_key` of the text shown
        self.fetch_timer: Timer | None = None  # a fetch under way, not yet shown
        self.fetch_number = 0  # counts fetches: a late timer's callback names its own

    def fetch_started(self) -> None:
        """A fetch has started: shown as `fetching` if it lasts SHOW_FETCHING_AFTER."""
        if self.fetch_timer is None and not self.fetching:
            self.fetch_number += 1
            number = self.fetch_number
            self.fetch_timer = self.set_timer(SHOW_FETCHING_AFTER,
                                              lambda: self.show_fetching(number))

    def show_fetching(self, number: int) -> None:
        """The fetch `number` has lasted: say so, if it is still under way. (A timer's
        callback is queued as a message when it fires: the answer may be handled
        before it, and stopping the timer then no longer holds it back.)"""
        if number == self.fetch_number and self.fetch_timer is not None:
            self.fetch_timer = None
            self.fetching = True

    def on_mount(self) -> None:
        self.refresh_text()

    def too_old(self, now: datetime) -> bool:
        """Whether the last good answer is older than `stale_after` (two refreshes)."""
        return self.last_ok is not None and \
            (now - self.last_ok).total_seconds() > self.stale_after

    def time_key(self, now: datetime) -> object:
        """What the line shows that depends on the clock: once the data is stale, its
        age; before that, nothing (the time of the last answer does not move)."""
        if self.last_ok is None:
            return None
        return ago(self.last_ok, now) if self.too_old(now) else False

    def tick(self) -> None:
        """Once a second (the screen's tick): the line is built again only when the clock
        changed what it says; otherwise it changes when data, a fetch or a key does."""
        if self.time_key(self.clock()) != self.drawn_at:
            self.refresh_text()

    def record(self, outcome: PollOutcome[Any]) -> None:
        if self.fetch_timer is not None:
            self.fetch_timer.stop()
            self.fetch_timer = None
        self.fetching = False
        if outcome.ok:
            self.last_ok = outcome.fetched_at
            self.latency = outcome.latency
            self.failed_latency = None
        else:
            self.failed_latency = outcome.latency
        self.refresh_text()

    def watch_fetching(self) -> None:
        self.refresh_text()

    def watch_paused(self) -> None:
        self.refresh_text()

    def on_resize(self) -> None:
        self.refresh_text()  # the short form when the state does not fit

    def refresh_text(self) -> None:
        # The state of the data first (how old, fetching, paused, redacted, how often),
        # where it comes from last: a narrow terminal cuts the context, not the state.
        # When the state does not fit the width, its parts are shortened instead: no
        # "updated"/"UTC", latency, slow failure or interval; the age alone once stale.
        now = self.clock()
        self.drawn_at = self.time_key(now)
        t = self.state_text(now, short=False)
        if t.cell_len > self.content_size.width > 0:
            t = self.state_text(now, short=True)
        t.append("  │  ")
        t.append(self.context, style="dim")
        self.show_text(t)  # called every second by the screen's tick: redraws on change only

    def state_text(self, now: datetime, short: bool) -> Text:
        t = Text(no_wrap=True, overflow="ellipsis")
        if self.last_ok is None:
            # (Tried and failed is not "not fetched": walk 17 F4. With no good answer
            # yet, a fetch that ended failed, and left its latency.)
            t.append(self.partial_label if self.partial else
                     "no answer yet: the last try failed" if self.failed_latency is not None
                     else "not fetched yet")
        else:
            # The time of the last good answer; its age too once it is older than two
            # refreshes. While all is well the line changes only when data arrives.
            stale = self.too_old(now)
            if not short:
                t.append(f"updated {self.last_ok:%H:%M:%S} UTC")
            elif not stale:
                t.append(f"{self.last_ok:%H:%M:%S}")
            if self.latency is not None and not short:
                t.append(f" ({self.latency * 1000:.0f} ms)", style="dim")
            if stale:
                t.append(f"{'' if short else ' · '}{ago(self.last_ok, now)}", style="bold")
        if self.failed_latency is not None and self.failed_latency >= SLOW_FAILURE \
                and not short:
            # A failure that took long (a timeout) says so, apart from the good fetch's.
            t.append(f" · last try failed after {self.failed_latency:.1f} s", style="dim")
        if self.fetching:
            t.append("  ⟳ fetching…", style="bold")
        if self.paused:
            t.append("  ⏸ paused" + ("" if short else f" ({self.pause_key} resumes)"),
                     style="bold")
        elif self.interval is not None and not short:
            # (paced by a slow listing, the interval is a measurement: whole seconds)
            every = f"{round(self.interval, 1):g}" if self.interval < 10 \
                else f"{self.interval:.0f}"
            t.append(f" · every {every} s", style="dim")
        if self.redacted:
            t.append(" · redacted" if short else " · numbers redacted", style="dim")
        if self.writes:
            t.append(" · ", style="dim")
            t.append("writes enabled", style="bold red")
        return t


class ErrorLine(Line):
    """A status line that stays while a problem lasts (not a toast). It wraps (up to
    three lines, see chime_tui.tcss): the state first, then the cause and the fix."""

    wraps = True

    def __init__(self, clock: Callable[[], datetime], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clock = clock
        self.outcome: PollOutcome[Any] | None = None
        self.last_ok: datetime | None = None
        self.next_due: Callable[[], float | None] = lambda: None
        self.partial: Callable[[], str | None] = lambda: None
        self.fetching = False  # a try is under way: no countdown to it
        self.display = False

    def record(self, outcome: PollOutcome[Any], last_ok: datetime | None,
               next_due: Callable[[], float | None],
               partial: Callable[[], str | None] = lambda: None) -> None:
        """A finished try. `partial` says what is on screen when there is no complete
        answer yet (rows from a listing that failed part way)."""
        self.outcome = outcome if not outcome.ok else None
        self.last_ok = last_ok
        self.next_due = next_due
        self.partial = partial
        self.fetching = False
        self.display = self.outcome is not None
        self.refresh_text()

    def started(self) -> None:
        """A try has started: the line says so instead of a countdown that ran out."""
        self.fetching = True
        self.refresh_text()

    def message(self) -> str:
        o = self.outcome
        if o is None or o.error is None:
            return ""
        # What the user must know first (how old the data is, what happens next), then
        # the service's words, which may be long: a narrow line cuts those, not these.
        state: list[str] = []
        due = self.next_due()
        partial = self.partial() if self.last_ok is None else None
        if self.last_ok is not None:
            state.append(f"showing data from {ago(self.last_ok, self.clock())} (stale)")
        elif partial:
            state.append(f"showing {partial} (stale)")
        else:
            state.append("no data yet")
        if self.fetching:
            state.append("retrying now…")
        elif due is not None:  # the schedule's next try, or a screen's own re-check
            state.append(f"next try in {max(1, round(due))} s")
        elif o.next_delay is None:
            state.append("not retrying (r tries again)")
        return "⚠ " + " — ".join([*state, o.error.message])

    def refresh_text(self) -> None:
        if self.outcome is not None and self.display:
            self.show_text(Text(self.message(), overflow="ellipsis"))


class AlertLine(Line):
    """The latest alert, on a line of its own above the footer for a while: it takes
    a line from the table or panels instead of covering them as a toast would (`a`
    lists every alert of the run). It wraps (up to three lines): a narrow terminal still
    shows what happened to which session."""

    wraps = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.display = False
        self.message = ""
        self.alerts_key = "a"  # the key bound to the alerts list, as named (a [keys] remap)

    def show_alert(self, message: str) -> None:
        self.message = message
        # The message carries server strings (names, statuses): control characters
        # made visible, never sent to the terminal.
        self.show_text(Text(f"🔔 {visible(message)}  ({self.alerts_key}: every alert)",
                            overflow="ellipsis"))
        self.display = True

    def clear(self) -> None:
        self.display = False
