"""The Textual app and `make_app`, the factory the CLI and the tests share."""

from __future__ import annotations

import asyncio
import gc
import random
import re
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from chime_tui import __version__
from chime_tui.aws.client import ChimeVoiceClient
from chime_tui.models import ProxySession, SessionKey, utcnow
from chime_tui.monitor import Change, Sleep
from chime_tui.pins import PinStore
from chime_tui.settings import AppSettings
from chime_tui.textsafe import clip, visible
from chime_tui.tui.startup import resume_gc
from chime_tui.tui.ticker import Ticker

if TYPE_CHECKING:
    from chime_tui.actions import WriteGuard
    from chime_tui.fleet import FleetWatch
    from chime_tui.prefetch import Prefetch
    from chime_tui.tracking import Alert, EventsWriter, SessionTracker


def terminal_hung_up() -> bool:
    """Whether the terminal the app reads has hung up (its other end closed): a hung-up
    terminal fails every ioctl with EIO. False for anything else (no terminal at all:
    headless, in the tests). One system call, once a second."""
    import errno
    import sys
    import termios

    try:
        termios.tcgetattr(sys.__stdin__.fileno())  # type: ignore[union-attr]
    except termios.error as exc:
        return bool(exc.args) and exc.args[0] == errno.EIO
    except (AttributeError, ValueError, OSError):  # no stdin, or closed
        return False
    return False


class Notice(NamedTuple):
    """One notification as shown: literal text."""

    message: str
    title: str
    severity: str
    timeout: float | None = None  # seconds on screen (None: Textual's default)


def settings_notice(problems: list[str], width: int = 140, alerts_key: str = "a") -> str:
    """One line for a toast `width` columns wide: the first two problems, shortened to
    fit, the file named once without its folder ('config.toml: line 2: unknown setting …
    · line 3: … (+6 more; a lists them)'). `alerts_key` opens the alerts history."""
    name, parts = "", []
    for problem in problems[:2]:
        where, line, rest = problem.partition(", line ")
        if line:
            name = name or Path(where).name
            problem = "line " + rest
        parts.append(problem)
    more = f" (+{len(problems) - 2} more; {alerts_key} lists them)" if len(problems) > 2 \
        else f" ({alerts_key} lists them)"
    head = f"{name}: " if name else ""
    each = max(16, min(40, (width - len(head) - len(more) - 3) // len(parts) - 1))  # "…"
    return head + " · ".join(clip(p, each) for p in parts) + more


class ChimeTuiApp(App[None]):
    CSS_PATH = "chime_tui.tcss"
    TITLE = "chime-tui"
    # Narrow terminals stack the panels in one scrolling column.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (90, "-wide")]
    # Under 16 lines (down to 40×12) the lists' filter takes one line, not three, and
    # the alerts list the whole height: rows stay in view beside a three-line warning.
    VERTICAL_BREAKPOINTS = [(0, "-tiny"), (16, "-tall")]
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        # Ctrl+C quits as q does (Textual would only say "press ctrl+q to quit").
        Binding("ctrl+c", "quit", "", show=False, priority=True, id="interrupt"),
        Binding("question_mark", "help", "Keys", id="help"),
        Binding("ctrl+o", "open_by_id", "Open by ID", show=False, id="open_by_id"),
        Binding("x", "toggle_redact", "Redact", show=False, id="redact"),
        Binding("b", "board", "Board", id="board"),
        Binding("a", "alerts", "Alerts", show=False, id="alerts"),
        Binding("ctrl+a", "switch_account", "Profile/region", show=False, id="switch_account"),
    ]

    def __init__(self, settings: AppSettings, service: ChimeVoiceClient,
                 clock: Callable[[], datetime] = utcnow,
                 rng: Callable[[], float] = random.random,
                 timer: Callable[[], float] = time.perf_counter,
                 sleep: Sleep = asyncio.sleep, prefetch: Prefetch | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.service = service
        # The start-up helper (a live process) for the start screen's data: handed to
        # that screen's source once (`take_prefetch`), ended with the app.
        self.prefetch = prefetch
        # Injectable for frozen-clock snapshots and virtual time: wall clock, backoff
        # jitter, a monotonic timer (latency, due times) and a sleep on that timer's clock.
        self.clock = clock
        self.rng = rng
        self.timer = timer
        self.sleep = sleep
        self.redact = settings.redact
        self.alerts_raised: list[Alert] = []
        # What listings left out that has been alerted: (connector, ID) -> why.
        self.left_out_alerted: dict[tuple[str, str], str] = {}
        self.credential_watch: Any = None  # a CredentialWatch while waiting on credentials
        self.heap_settled = False  # see `settle_heap`
        self.ticks = 0  # seconds ticked (`tick_second`): what a table's live cells are of
        self.pins = PinStore(settings.pins_file).load()
        self.events: EventsWriter | None = None
        # Every notification of the run, newest last (what tests and the user can check
        # was said, whether or not its toast is still up).
        self.notices: deque[Notice] = deque(maxlen=500)
        if settings.events_file is not None:
            from chime_tui.documents import redact
            from chime_tui.tracking import EventsWriter

            self.events = EventsWriter(settings.events_file,
                                       lambda d: redact(d) if self.redact else d)

    # The tracker, the fleet's watch and the write guard are made (and their modules
    # imported) when first used, which is after the first frame: nothing on it needs them.
    @cached_property
    def tracker(self) -> SessionTracker:
        """Every session seen this run: timelines, alerts, gone sessions."""
        from chime_tui.tracking import SessionTracker

        tracker = SessionTracker(timedelta(minutes=self.settings.alert_threshold_minutes))
        if self.events is not None:
            tracker.listeners.append(self.events)
        return tracker

    @cached_property
    def fleet(self) -> FleetWatch:
        """The connectors' counts over time and their proxy settings."""
        from chime_tui.fleet import FleetWatch

        return FleetWatch()

    @cached_property
    def write_guard(self) -> WriteGuard:
        """One write at a time per session (chime_tui.actions)."""
        from chime_tui.actions import WriteGuard

        return WriteGuard()

    @property
    def context_label(self) -> str:
        from chime_tui.aws.settings import context_label

        return context_label(self.settings.aws, self.settings.endpoint_label,
                             demo=self.settings.demo, region=self.service.region)

    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notification is literal text: what it quotes (a session ID, a service
        message, a settings value) is data, never markup, with control characters
        made visible. (`markup` is accepted and ignored.)"""
        notice = Notice(clip(str(message), 2000), clip(str(title), 200), str(severity),
                        timeout)
        self.notices.append(notice)
        # The title leads the message's line instead of taking a line of its own: a
        # toast sits over the header and must not grow down over the top line's state.
        shown = f"{notice.title}: {notice.message}" if notice.title else notice.message
        super().notify(shown, severity=severity, timeout=timeout, markup=False)

    def format_title(self, title: str, sub_title: str) -> Any:
        """The header: titles name sessions and connectors (data, made visible)."""
        return super().format_title(visible(title), visible(sub_title))

    def on_mount(self) -> None:
        # SIGTERM and SIGHUP end the app as q does: the terminal is restored (raw mode,
        # alternate screen, mouse tracking off) and the start-up helper ends with it.
        import asyncio

        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGHUP):
            try:
                loop.add_signal_handler(signum, self.exit_on_signal, signum)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread, or no such signal here
        # Modules and widgets live for the whole run: the collector need not scan them.
        gc.freeze()
        self.sub_title = f"v{__version__}"
        self.apply_user_settings()
        for pin in self.settings.pins:
            self.pins.add(pin)
        if self.pins.warning:
            self.notify(self.pins.warning, severity="warning", timeout=10)
        # On the app's clock (virtual in tests), as the pollers are.
        self.ticker = Ticker(self.sleep, 1.0, self.tick_second, timer=self.timer)
        self.run_worker(self.ticker.run(), name="tick", group="tick")
        # Once the app's start-up is over, not from here: Textual draws nothing while
        # the app mounts, so a screen pushed now would be laid out and rendered for a
        # frame that is thrown away, then drawn again (with its footer's keys composed
        # twice on the way). Pushed next, its first layout is the first frame.
        self.call_later(self.open_first_screen)

    def open_first_screen(self) -> None:
        self.open_start_screens()
        # The collector, paused for the start-up by the command line, runs again once
        # the first frame is out (chime_tui.tui.startup).
        self.call_after_refresh(resume_gc)

    def open_start_screens(self) -> None:
        """Only the screen the user asked for is built at start; the ones 'under' it
        (session list, connector picker) are built when the user goes back to them."""
        if self.settings.pins:
            from chime_tui.tui.screens.board import BoardScreen

            self.push_screen(BoardScreen())
        else:
            self.push_screen(self.start_screen())

    def start_screen(self) -> Screen[Any]:
        # Screens are imported when first shown: only the start screen's modules are
        # loaded before the first frame.
        vc, sid = self.settings.voice_connector_id, self.settings.proxy_session_id
        if vc and sid:
            from chime_tui.tui.screens.detail import SessionDetailScreen

            return SessionDetailScreen(vc, sid)
        if vc:
            from chime_tui.tui.screens.sessions import SessionListScreen

            return SessionListScreen(vc)
        from chime_tui.tui.screens.picker import ConnectorPickerScreen

        return ConnectorPickerScreen()

    def go_back(self) -> bool:
        """Back one screen: the one under this, else its parent (see `parent_screen`)."""
        if len(self.screen_stack) > 2:
            self.pop_screen()
            return True
        parent_screen = getattr(self.screen, "parent_screen", None)
        parent = parent_screen() if parent_screen is not None else None
        if parent is None:
            return False
        self.switch_screen(parent)
        return True

    def apply_user_settings(self) -> None:
        """Theme, key remapping (binding ids) and any problem with the config file."""
        s = self.settings
        from chime_tui.settings import startup_warnings

        warnings = startup_warnings(s) or (s.config_warning or "").splitlines()
        if warnings:
            # A settings problem may mean redaction or a key is not what the file says:
            # each one, whole, goes to the alerts history (`a`, read and closed from the
            # keyboard); a one-line notice names the first two for a while, then leaves
            # the header.
            from chime_tui.tracking import Alert

            now = self.clock()
            self.alerts_raised.extend(Alert(now, ("", ""), "settings", w)
                                      for w in warnings)
            # The toast's text width: the screen less its border and padding (the
            # Toast rule in chime_tui.tcss).
            fit = int(self.size.width * (0.9 if self.size.width >= 90 else 1.0)) - 5
            self.notify(settings_notice(warnings, fit, self.key_display("alerts")),
                        title="Settings file",
                        severity="warning", timeout=20)
        if s.theme:
            if s.theme in self.available_themes:
                self.theme = s.theme
            else:
                self.notify(f"unknown theme {s.theme!r}; known: "
                            f"{', '.join(sorted(self.available_themes))}",
                            severity="warning", timeout=10)
        if s.keys:
            self.set_keymap(dict(s.keys))

    def take_prefetch(self, vc: str, sid: str | None) -> Prefetch | None:
        """The start-up helper for this session (or, sid None, this connector's list),
        once (see chime_tui.prefetch)."""
        s = self.settings
        if self.prefetch is None or (vc, sid) != (s.voice_connector_id, s.proxy_session_id):
            return None
        prefetch, self.prefetch = self.prefetch, None
        return prefetch

    @property
    def prefetch_timeout(self) -> float:
        """How long a screen waits for the start-up helper before asking itself."""
        aws = self.settings.aws
        return aws.connect_timeout + aws.read_timeout + 5

    def open_client_later(self, delay: float) -> None:
        """After the helper answered: open our own client for the next poll, a little
        later (its import, in a thread, would compete with drawing that answer)."""
        self.set_timer(delay, lambda: self.run_worker(self.service.open(), group="open",
                                                      exit_on_error=False))

    def exit_on_signal(self, signum: int) -> None:
        from chime_tui.prefetch import terminate_helpers

        terminate_helpers()
        self.exit(return_code=128 + signum)

    async def on_unmount(self) -> None:
        if self.prefetch is not None:
            self.prefetch.cancel()
        await self.service.close()

    # -- navigation (screens ask the app; the app owns the stack) ---------------------
    def open_connector(self, voice_connector_id: str) -> None:
        from chime_tui.tui.screens.sessions import SessionListScreen

        self.push_screen(SessionListScreen(voice_connector_id))

    def open_session(self, voice_connector_id: str, proxy_session_id: str) -> None:
        from chime_tui.tui.screens.detail import SessionDetailScreen

        self.push_screen(SessionDetailScreen(voice_connector_id, proxy_session_id))

    def open_expiring(self) -> None:
        """Expiring next, everywhere (the marked connectors, else every one)."""
        from chime_tui.tui.screens.expiring import ExpiringScreen

        if not isinstance(self.screen, ExpiringScreen):
            self.push_screen(ExpiringScreen())

    # -- tracking and alerts (screens report what they fetched) ----------------------
    def track(self, session: ProxySession) -> list[Change]:
        """Observe an answer: its changes join the timeline, its alerts are raised."""
        changes, alerts = self.tracker.observe(session, self.clock())
        self.raise_alerts(alerts)
        return changes

    def tick_second(self) -> None:
        """The app's one timer, once a second: the shown screens' ages and countdowns,
        expiry alerts and renewed credentials. One callback, so that everything that
        changes with the clock changes in the same frame, and the app wakes once a
        second, not once per timer."""
        if not self.is_running:
            return  # shutting down: the screens may be gone already
        if terminal_hung_up():
            # The terminal's other end closed and no SIGHUP came (it is not the
            # process's controlling terminal: started by `setsid`, or by a program that
            # hands it a pty): Textual's input thread would read nothing forever, a core
            # busy. End as on SIGHUP.
            self.exit_on_signal(signal.SIGHUP)
            return
        from chime_tui.tui.screens.base import PollingScreen

        self.ticks += 1

        for screen in self.screen_stack:  # under a dialog too; a hidden one sleeps
            if isinstance(screen, PollingScreen):
                screen.clock_tick()
        self.check_expiry()
        if not self.heap_settled and self.service.last_status is not None:
            self.settle_heap()

    def settle_heap(self) -> None:
        """Once, at the tick after the app's own client first had an answer: freeze what
        exists (`gc.freeze`), so the cyclic collector never scans it again. By then the
        client is open (aiobotocore and botocore imported, the service model loaded,
        some 40,000 objects made after `on_mount`'s freeze) and the start screen is built;
        all of it lives as long as the app. Left unfrozen, each full collection walked it
        again: on a board of 10 pins, 0.6-0.9 ms a second of collection and a 20-35 ms
        pass every half a minute or so, against 0.12-0.16 ms a second frozen (measured
        headless). Garbage that happens to exist then is kept for the run: a one-off."""
        self.heap_settled = True
        gc.freeze()

    def check_expiry(self) -> None:
        """Expiry alerts, and renewed credentials."""
        self.raise_alerts(self.tracker.check_expiry(self.clock()))
        self.check_credentials()

    def check_credentials(self) -> None:
        """While the screen waits on credentials (401/403), watch the AWS credential and
        config files and the SSO caches; when one changes, retry at once instead of at
        the end of a long backoff."""
        from textual.css.query import NoMatches

        from chime_tui.aws.errors import AccessDenied
        from chime_tui.tui.screens.base import PollingScreen
        from chime_tui.tui.widgets.fetch_status import ErrorLine

        screen = self.screen
        waiting = False
        if isinstance(screen, PollingScreen) and screen.poller is not None \
                and not screen.user_paused:
            try:
                outcome = screen.one(ErrorLine).outcome
            except NoMatches:  # none while the screen is being built
                outcome = None
            waiting = outcome is not None and isinstance(outcome.error, AccessDenied)
        if not waiting:
            self.credential_watch = None
            return
        if self.credential_watch is None:
            from chime_tui.credwatch import CredentialWatch

            self.credential_watch = CredentialWatch()
        elif self.credential_watch.changed():
            self.notify("credentials changed — retrying", timeout=4)
            self.run_worker(self.retry_with_new_credentials(screen), group="credentials",
                            exclusive=True, exit_on_error=False)

    async def retry_with_new_credentials(self, screen: Any) -> None:
        await self.service.reset()  # the next call resolves credentials afresh
        if screen.poller is not None:
            screen.poller.refresh_now()

    def raise_alerts(self, alerts: list[Alert]) -> None:
        mode = self.settings.alerts
        for alert in alerts:
            self.alerts_raised.append(alert)
            if mode == "off":
                continue
            self.bell()
            if mode == "notify":
                # On the screen's alert line, which covers nothing; a toast only where
                # there is no such line (a dialog).
                from chime_tui.tui.screens.base import PollingScreen

                screen = self.screen
                if not (isinstance(screen, PollingScreen)
                        and screen.show_alert(f"{alert.kind}: {alert.message}")):
                    self.notify(alert.message, title=f"chime-tui: {alert.kind}",
                                severity="error" if alert.kind == "gone" else
                                "information" if alert.kind == "back" else "warning",
                                timeout=10)
        if self.events is not None and self.events.error:
            self.notify(self.events.error, severity="error", timeout=10)
            self.events.error = None

    def note_left_out(self) -> None:
        """What the client left out of a listing (chime_tui.aws.client `left_out`): a
        listed session that is not what the service model says (a wrong-typed field),
        or one listed twice with different values. The rest of the listing is shown;
        each one is one alert, when first left out (again if it was read in between)."""
        from chime_tui.aws.client import DUPLICATE

        found = {(vc or "", ident): why
                 for vc, items in self.service.left_out.items()
                 for ident, why in items.items()}
        if found == self.left_out_alerted:
            return
        from chime_tui.tracking import Alert

        now = self.clock()
        alerts = []
        for (vc, ident), why in found.items():
            if self.left_out_alerted.get((vc, ident)) == why:
                continue
            what = f"session {ident}" if vc else f"voice connector {ident}"
            where = f"voice connector {vc}'s listing" if vc else "the connectors' listing"
            if why == DUPLICATE:
                said = (f"{what} was {DUPLICATE} in {where}: neither is shown (its "
                        "screen and the board ask for it by its ID)")
            else:
                said = f"{what} could not be read ({why}): left out of {where}"
            # Enter on the alert opens the session (its screen says what it is now).
            key = (vc, ident) if vc and not ident.startswith("item ") else ("", "")
            alerts.append(Alert(now, key, "left out", said))
        self.left_out_alerted = found
        if alerts:
            self.raise_alerts(alerts)

    # -- actions ----------------------------------------------------------------------
    def action_board(self) -> None:
        from chime_tui.tui.screens.board import BoardScreen

        if not isinstance(self.screen, BoardScreen):
            self.push_screen(BoardScreen())

    def toggle_pin(self, key: SessionKey, undo_key: str | None = None) -> bool:
        """Pin or unpin; True if pinned afterwards. `undo_key`: the key that pins an
        unpinned session again (named in the notice). A session whose IDs the app could
        not ask for (the service listed an ID that breaks its own model's pattern) is
        not pinned: the board could never fetch it, and the next start refuses the pin."""
        if key not in self.pins.pins:
            from chime_tui.models import validate_proxy_session_id, validate_voice_connector_id

            reason = validate_voice_connector_id(key[0]) or validate_proxy_session_id(key[1])
            if reason:
                self.notify(f"Cannot pin {key[1]}: {reason}", severity="warning", timeout=6)
                return False
        pinned = self.pins.toggle(key)
        if self.pins.warning:
            self.notify(self.pins.warning, severity="warning", timeout=10)
        if pinned:
            hint = f" ({self.key_display('board')} opens the board)"
        else:
            hint = f" ({undo_key} pins it again)" if undo_key else ""
        self.notify(f"{'Pinned' if pinned else 'Unpinned'} {key[1]}{hint}", timeout=3)
        return pinned

    def key_display(self, binding_id: str) -> str:
        """The key bound to `binding_id` as the footer names it: the `[keys]` remap if
        the settings have one, else the default (see chime_tui.keymap)."""
        from chime_tui.keymap import BINDINGS, parse_keys

        value = self.settings.keys.get(binding_id) or BINDINGS[binding_id][0]
        return self.get_key_display(Binding(parse_keys(value)[0][0], ""))

    def copy_session(self, session: ProxySession) -> None:
        from chime_tui.documents import session_document

        self.copy_to_clipboard(session_document(session, self.redact))
        # The copy goes to the terminal as OSC 52, which the terminal may ignore: the app
        # cannot know whether it arrived (tmux's default set-clipboard external drops it).
        import os

        # One toast line at 140 columns, two at 80 (chime_tui.tcss: Toast).
        where = "tmux may block it (set -g set-clipboard on)" if os.environ.get("TMUX") \
            else "a terminal that blocks clipboard escapes drops it"
        self.notify("Session JSON copied" + (" (redacted)" if self.redact else "")
                    + f"; {where}; {self.key_display('export')} exports it to a file",
                    timeout=6)

    def export_session(self, session: ProxySession) -> None:
        from chime_tui.documents import session_document

        stamp = self.clock().strftime("%Y%m%dT%H%M%SZ")
        # The ID comes from the service: only its letters, digits and dashes make the
        # file's name (no separator or '..' can put the file elsewhere).
        name = re.sub(r"[^A-Za-z0-9-]", "_", session.proxy_session_id or "")[:64]
        path = Path.cwd() / f"proxy-session-{name}-{stamp}.json"
        try:
            from chime_tui.files import write_private

            write_private(path, session_document(session, self.redact))  # 0600: numbers
        except OSError as exc:
            self.notify(f"cannot export to {path}: {exc.strerror or exc}", severity="error")
            return
        # Relative to where the app was started (the shell's directory): one toast line.
        self.notify(f"Exported{' (redacted)' if self.redact else ''} to ./{path.name}",
                    timeout=5)

    def action_switch_account(self) -> None:
        from chime_tui.tui.screens.account import AccountScreen

        def switched(result: tuple[str | None, str | None] | None) -> None:
            if result is not None:
                self.run_worker(self.switch_account(*result), exclusive=True, group="account")

        self.push_screen(AccountScreen(self.settings.aws.profile,
                                       self.service.region or self.settings.aws.region),
                         switched)

    async def switch_account(self, profile: str | None, region: str | None) -> None:
        """A new client for the new profile and region; every screen starts again."""
        from chime_tui.validate import aws_settings_problem

        problem = aws_settings_problem(profile, region, self.settings.aws.endpoint_url,
                                       self.settings.allow_insecure_endpoint)
        if problem:
            self.notify(problem, severity="error", timeout=10)
            return
        aws = self.settings.aws.with_(profile=profile, region=region)
        if profile:
            aws = aws.with_(static_credentials=None)
        old = self.service
        self.settings = replace(self.settings, aws=aws, voice_connector_id=None,
                                proxy_session_id=None, pins=())
        self.service = ChimeVoiceClient(aws, load_in_thread=True)
        await old.close()
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.open_start_screens()
        self.notify(f"Now on {self.context_label}", timeout=4)

    def action_help(self) -> None:
        """This app's keys for this screen, grouped, one style: the declared bindings
        (each has an id; Textual's own have none), and how to move in this screen."""
        from chime_tui.tui.screens.help import HelpScreen

        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        groups: dict[str, list[tuple[str, str]]] = {}
        by_action: dict[tuple[str, str], int] = {}  # one row per action, its keys together
        moving: dict[str, list[str]] = {}  # the keys of the up/down bindings (remappable)
        for active in screen.active_bindings.values():
            b = active.binding
            if not b.id or not b.description:
                continue
            key = self.get_key_display(b)
            if b.id in ("down", "up"):
                moving.setdefault(b.id, []).append(key)
                continue
            where = "Everywhere" if active.node is self else "This screen"
            description = b.description[:1].upper() + b.description[1:]
            rows = groups.setdefault(where, [])
            at = by_action.get((where, description))
            if at is None:
                by_action[(where, description)] = len(rows)
                rows.append((key, description))
            elif key not in rows[at][0].split(" "):
                rows[at] = (f"{rows[at][0]} {key}", description)  # m delete: one row
        if hasattr(screen, "table"):
            extra = " ".join(moving.get("down", []) + moving.get("up", []))
            groups["Moving"] = [(f"↑ ↓  {extra}".rstrip(), "Up and down"),
                                ("PgUp PgDn", "A page"),
                                ("Home End", "First and last row"), ("Enter", "Open"),
                                ("click a header", "Sort by that column")]
        elif hasattr(screen, "panels"):
            groups["Moving"] = [("Tab  Shift+Tab", "Next and previous panel")]
        order = ("This screen", "Moving", "Everywhere")
        self.push_screen(HelpScreen([(g, groups[g]) for g in order if g in groups]))

    def action_alerts(self) -> None:
        from chime_tui.tui.screens.alerts import AlertsScreen

        if not isinstance(self.screen, AlertsScreen):
            self.push_screen(AlertsScreen(self.alerts_raised, self.clock()))

    def action_open_by_id(self) -> None:
        from chime_tui.tui.screens.open_by_id import OpenByIdScreen

        current = getattr(self.screen, "voice_connector_id", "") or ""

        def opened(result: tuple[str, str | None] | None) -> None:
            if result is None:
                return
            vc, sid = result
            if sid:
                self.open_session(vc, sid)
            else:
                self.open_connector(vc)

        self.push_screen(OpenByIdScreen(current), opened)

    def action_toggle_redact(self) -> None:
        self.redact = not self.redact
        from chime_tui.tui.widgets.fetch_status import FetchStatus

        for screen in self.screen_stack:
            apply = getattr(screen, "apply_redaction", None)
            if apply is not None:
                apply()
            for status in screen.query(FetchStatus):
                status.redacted = self.redact
                status.refresh_text()
        self.notify("Phone numbers redacted" if self.redact else "Phone numbers shown",
                    timeout=2)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        # Textual's "Keys" opens its generic key panel (ctrl+c, "Page left"...): this
        # app's own help (?) replaces it. "Maximize" a table or panel adds nothing here.
        # "Screenshot" would write the screen, phone numbers and all, to ~/Downloads
        # readable by others (0644), unredacted: exports (e) are the way out, 0600.
        for command in super().get_system_commands(screen):
            if command.title not in ("Keys", "Maximize", "Minimize", "Screenshot"):
                yield command
        yield SystemCommand("Keys", "This app's keys for this screen (the ? key)",
                            self.action_help)
        yield SystemCommand("Open by ID", "Open a voice connector or session by its ID",
                            self.action_open_by_id)
        yield SystemCommand("Toggle redaction", "Mask phone numbers on screen",
                            self.action_toggle_redact)
        yield SystemCommand("Watch board", "Pinned sessions, soonest to expire first",
                            self.action_board)
        yield SystemCommand("Alerts", "Every alert of this run, newest first",
                            self.action_alerts)
        yield SystemCommand("Expiring next", "Open and InProgress sessions of every "
                            "connector (or the marked ones), soonest to expire first",
                            self.open_expiring)
        yield SystemCommand("Switch profile or region", "Use another AWS profile or region",
                            self.action_switch_account)
        from chime_tui.tui.screens.base import PollingScreen

        if isinstance(screen, PollingScreen):
            yield SystemCommand("Refresh now", "Fetch again now", screen.action_refresh)
            yield SystemCommand("Pause or resume auto-refresh", "Stop or restart polling",
                                screen.action_toggle_pause)


def make_app(settings: AppSettings, service: ChimeVoiceClient | None = None,
             prefetch: Prefetch | None = None, **kwargs: Any) -> ChimeTuiApp:
    """Build the app; the service (one aiobotocore client) is created here if not given.
    `prefetch`: the start-up helper started for the start screen (see chime_tui.prefetch)."""
    return ChimeTuiApp(settings, service or ChimeVoiceClient(settings.aws, load_in_thread=True),
                       prefetch=prefetch, **kwargs)
