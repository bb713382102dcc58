"""A screen that polls: one non-overlapping poller in an exclusive worker."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from textual import getters, work
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widget import Widget

from chime_tui.aws.errors import AccessDenied, ChimeError
from chime_tui.models import ProxySession
from chime_tui.monitor import Poller, PollOutcome
from chime_tui.tui.messages import Fetched, FetchStarted
from chime_tui.tui.widgets.fetch_status import AlertLine, ErrorLine, FetchStatus
from chime_tui.tui.widgets.kept import Kept

if TYPE_CHECKING:
    from chime_tui.sending import Outcome
    from chime_tui.sources import Source
    from chime_tui.tui.app import ChimeTuiApp

log = logging.getLogger("chime_tui.tui")
# The write keys (chime_tui.actions; off unless --allow-writes), on the screens that show
# sessions: each opens a dialog that needs an explicit confirmation.
WRITE_BINDINGS = [
    Binding("plus", "write('extend')", "Extend", show=False, id="extend"),
    Binding("C", "write('capabilities')", "Change capabilities", show=False, id="capabilities"),
    Binding("D", "write('end')", "End session", show=False, id="end_session"),
    Binding("N", "write('create')", "Create session", show=False, id="create_session"),
]
W = TypeVar("W", bound=Widget)
ALERT_SECONDS = 12.0  # how long the latest alert stays on its line


def _app_class() -> type[ChimeTuiApp]:
    from chime_tui.tui.app import ChimeTuiApp

    return ChimeTuiApp


class PollingScreen(Screen[None], Kept):
    """Subclasses give `make_source()` (what to poll: a `chime_tui.sources.Source`, which
    asks the service, parses, sorts, paces and tracks) and `show(value)` (updates widgets
    with what it gave)."""

    # The typed way to reach the app (attributes down, messages up): self.app is a
    # ChimeTuiApp to the type checker, with no casts or ignores at the call sites.
    app = getters.app(_app_class)

    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("p", "toggle_pause", "Pause", id="pause"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alert_timer: Any = None
        self.poller: Poller[Any] | None = None
        self.source: Source[Any] | None = None  # made when polling starts
        self.last_ok: datetime | None = None
        self.user_paused = False
        self.found: dict[type[Widget], Widget] = {}  # see `one`
        self.ticking = False  # the app's one-second tick reaches this screen (`clock_tick`)
        self.recheck_at: float | None = None  # app.timer() of a pending re-check (recheck_later)

    # -- to implement ---------------------------------------------------------------
    def make_source(self) -> Source[Any]:
        """What this screen polls. By default one call, `fetch()`, every `poll_interval`
        seconds (None: the app's --refresh): for screens whose data is a single call."""
        from chime_tui.sources import CallSource  # polling starts after the first frame

        return CallSource(self.fetch, self.poll_interval or self.app.settings.refresh)

    poll_interval: float | None = None

    async def fetch(self) -> Any:
        raise NotImplementedError

    def show(self, value: Any) -> None:
        raise NotImplementedError

    def show_error(self, error: ChimeError) -> None:
        """Hook for screens that react to a kind of error (e.g. not found)."""

    def partial_data(self) -> str | None:
        """What is on screen before any complete answer (e.g. "4,000 sessions from an
        incomplete listing"), or None: nothing is."""
        return None

    # -- shared parts ---------------------------------------------------------------
    def one(self, kind: type[W]) -> W:
        """`query_one(kind)`, remembered. The once-a-second tick asks for the same few
        widgets every time, and a DOM query (a walk with selector matching) costs more
        than the rest of an idle tick."""
        found = self.found.get(kind)
        if found is None or not found.is_attached:
            found = self.found[kind] = self.query_one(kind)
        return cast(W, found)

    def make_status(self) -> FetchStatus:
        app = self.app
        status = FetchStatus(app.context_label, app.clock, id="fetch-status")
        status.redacted = bool(app.redact)
        status.writes = app.settings.allow_writes
        status.pause_key = app.key_display("pause")
        return status

    def make_alert_line(self) -> AlertLine:
        line = AlertLine(id="alert-line")
        line.alerts_key = self.app.key_display("alerts")
        return line

    def show_alert(self, message: str) -> bool:
        """Show an alert on this screen's alert line for ALERT_SECONDS; False if the
        screen has none (yet)."""
        for line in self.query(AlertLine):
            line.show_alert(message)
            if self.alert_timer is not None:
                self.alert_timer.stop()
            self.alert_timer = self.set_timer(ALERT_SECONDS, line.clear)
            return True
        return False

    def make_error_line(self) -> ErrorLine:
        return ErrorLine(self.app.clock, id="error-line")

    def clock_tick(self) -> None:
        """The app's one-second tick (`ChimeTuiApp.tick_second`, on the app's clock,
        virtual in tests): the ages, the countdown and the retry countdown move without
        an API call. A screen has no timer of its own: every change a second brings,
        on every screen shown, is made in the one callback, so it costs one frame; a
        hidden screen is not ticked."""
        if not self.ticking or not self.display:
            # Hidden, or being removed (its widgets go first).
            return
        status = self.one(FetchStatus)
        status.tick()
        if not self.has_class("-stale") and status.too_old(self.app.clock()):
            # No answer for two intervals (a fetch hanging on a read timeout, a pause):
            # what is shown is marked stale now, not when the fetch gives up. The next
            # answer marks it current again (`on_fetched`).
            self.add_class("-stale")
            self.became_stale()
        self.one(ErrorLine).refresh_text()
        self.tick()

    def became_stale(self) -> None:
        """The screen was just marked stale (by the clock, or a failed fetch): screens
        that draw it into their content (the board's Health column) redraw it."""

    def tick(self) -> None:
        """Screens with a clock-driven display override this."""

    def call_later_on_clock(self, delay: float, callback: Callable[[], object]) -> None:
        """Call `callback` once, `delay` seconds from now on the app's clock (the pollers'
        clock, virtual in tests); nothing if the screen is removed first."""
        async def later() -> None:
            await self.app.sleep(delay)
            callback()

        self.run_worker(later(), group="later")

    def on_screen_resume(self) -> None:
        if not self.is_current:
            return
        hidden, self.ticking = not self.ticking, True
        if hidden and self.poller is not None:
            # Shown again: its ages and countdowns are of the time it was hidden, and
            # its lines as drawn then; they move to now before the screen is drawn, not
            # at the next tick.
            self.clock_tick()
        if self.poller is None:
            # After the first frame: importing aiobotocore must not delay it.
            self.call_after_refresh(self.start_polling)
        elif not self.user_paused:
            self.poller.set_paused(False)
            self.catch_up()

    def start_polling(self) -> None:
        if self.poller is None:
            app = self.app
            source = self.source = self.make_source()
            self.poller = Poller(source.fetch, source.interval,
                                 clock=app.clock, rng=app.rng, timer=app.timer,
                                 sleep=app.sleep,
                                 schedule=app.settings.schedule,
                                 on_error=self._on_error,
                                 pace=source.pace)
            status = self.one(FetchStatus)
            status.stale_after = 2 * self.poller.interval
            status.interval = self.poller.interval
            self.run_poller()

    def on_screen_suspend(self) -> None:
        # Hidden screens do no work: a screen under another stops polling
        # (a modal dialog leaves it in view, so it goes on).
        if not isinstance(self.app.screen, ModalScreen):
            self.ticking = False
            if self.poller is not None:
                self.poller.set_paused(True)

    async def _on_error(self, error: ChimeError) -> None:
        if isinstance(error, AccessDenied):
            # Drop the client so renewed credentials are picked up on the next try.
            await self.app.service.reset()

    @work(exclusive=True, group="poll", exit_on_error=False)
    async def run_poller(self) -> None:
        assert self.poller is not None
        await self.poller.run(lambda o: self.post_message(Fetched(o)),
                              lambda: self.post_message(FetchStarted()))

    def on_fetch_started(self, message: FetchStarted) -> None:
        self.one(FetchStatus).fetch_started()
        self.one(ErrorLine).started()

    def on_fetched(self, message: Fetched) -> None:
        outcome: PollOutcome[Any] = message.outcome
        if outcome.ok:
            self.recheck_at = None  # it answered: no re-check is needed
            self.last_ok = outcome.fetched_at
            self.remove_class("-stale")
            self.show(outcome.value)
        else:
            assert outcome.error is not None
            if (self.last_ok is not None or self.partial_data()) \
                    and not self.has_class("-stale"):
                self.add_class("-stale")
                self.became_stale()  # now, not at the next tick (the board's Health)
            # The detail (e.g. a bad body) goes to the debug log only, never to the screen.
            log.warning("fetch failed on %s: %s (%s) %s", type(self).__name__,
                        outcome.error.kind, outcome.error.code, outcome.error.detail or "")
            self.show_error(outcome.error)
        poller = self.poller
        status = self.one(FetchStatus)
        if poller is not None:
            status.stale_after = 2 * poller.interval
            status.interval = poller.interval
        status.partial = not outcome.ok and bool(self.partial_data())
        status.record(outcome)
        self.one(ErrorLine).record(outcome, self.last_ok, self.seconds_to_next,
                                   self.partial_data)
        self.app.note_left_out()  # what a listing left out of what this fetch showed

    def seconds_to_next(self) -> float | None:
        """Seconds to the next try this screen will make by itself (None: none is due)."""
        if self.recheck_at is not None and not self.user_paused:
            return max(0.0, self.recheck_at - self.app.timer())
        return self.poller.seconds_to_next() if self.poller is not None else None

    def recheck_later(self, seconds: float) -> None:
        """The schedule stops on NotFound: ask once more `seconds` from now (once, however
        often this is called meanwhile); the error line counts down to it instead of
        saying "not retrying"."""
        if self.recheck_at is None:
            at = self.recheck_at = self.app.timer() + seconds
            self.call_later_on_clock(seconds, lambda: self.recheck_missing(at))

    def recheck_missing(self, at: float | None = None) -> None:
        """Make the pending re-check now (`at`: the one due then, dropped if an answer
        came meanwhile). A hidden or paused screen makes it when it is shown or resumed
        (`catch_up`): hidden screens do no work."""
        if at is not None and self.recheck_at != at:
            return
        if self.poller is None or self.user_paused or not self.ticking:
            return  # still pending
        self.recheck_at = None
        self.poller.refresh_now(resume=False)

    def catch_up(self) -> None:
        """Shown or resumed: a re-check that fell due meanwhile is made now."""
        if self.recheck_at is not None and self.app.timer() >= self.recheck_at:
            self.recheck_missing()

    def action_refresh(self) -> None:
        """r: fetch once now; a paused screen stays paused (p resumes). While the service
        throttles, once between two of the backoff's tries; after that it says when the
        next one is."""
        poller = self.poller
        if poller is not None and not poller.refresh_now(resume=not self.user_paused,
                                                         asked=True):
            wait = poller.seconds_to_next()
            when = f"in {max(1, round(wait))} s" if wait is not None else "when it is due"
            self.notify(f"Throttled by the service: the next try is {when} (r asked once "
                        "already; sooner would only be throttled again)", timeout=3)

    def action_toggle_pause(self) -> None:
        if self.poller is None:
            return
        self.user_paused = not self.user_paused
        self.poller.set_paused(self.user_paused)
        self.one(FetchStatus).paused = self.user_paused
        if not self.user_paused:
            self.catch_up()
        self.notify("Auto-refresh paused" if self.user_paused else "Auto-refresh resumed",
                    timeout=2)

    # -- writes (chime_tui.actions; the dialogs are screens/dialogs.py) -----------------
    def write_target(self) -> tuple[str, str, ProxySession | None] | None:
        """The session a write key acts on here: (connector, ID, last known session)."""
        return None

    def create_target(self) -> str | None:
        """The voice connector a create acts on here."""
        return None

    def concerns(self, key: tuple[str, str]) -> bool:
        """Does this screen show that session (ID "": that connector's new one)?"""
        return False

    def written(self, outcome: Outcome) -> None:
        """A write finished (the dialog was over this screen): fetch at once when this
        screen shows what it changed."""
        if self.poller is not None and self.concerns(outcome.planned.key):
            self.poller.refresh_now(resume=not self.user_paused)

    def action_write(self, kind: str) -> None:
        from chime_tui.tui.acting import open_write

        open_write(self, kind)
