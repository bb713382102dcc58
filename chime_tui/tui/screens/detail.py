"""One proxy session: Status, Capabilities, Participants, Expiry and Details panels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from chime_tui.aws.errors import ChimeError, NotFound
from chime_tui.humanfmt import ago
from chime_tui.models import ProxySession
from chime_tui.tui.screens.base import WRITE_BINDINGS, PollingScreen
from chime_tui.tui.widgets.capabilities_panel import CapabilitiesPanel
from chime_tui.tui.widgets.details_panel import DetailsPanel
from chime_tui.tui.widgets.expiry_panel import ExpiryPanel
from chime_tui.tui.widgets.fetch_status import FetchStatus
from chime_tui.tui.widgets.kept import KeptFooter, KeptGrid, KeptHeader
from chime_tui.tui.widgets.panel import SessionPanel
from chime_tui.tui.widgets.participants_panel import ParticipantsPanel
from chime_tui.tui.widgets.status_panel import StatusPanel
from chime_tui.tui.widgets.timeline_panel import TimelinePanel

if TYPE_CHECKING:
    from chime_tui.sources import OneSession, SessionUpdate

# chime_tui.sources (polling, the helper's hand-off, tracking) and chime_tui.fleet are
# imported once the first frame is out, when polling starts: nothing before it needs them.

# DOM order is the Tab order and the digit keys' order.
PANELS = (StatusPanel, CapabilitiesPanel, ExpiryPanel, ParticipantsPanel, DetailsPanel,
          TimelinePanel)
# Which panel shows a changed field (the rest are in Details).
FIELD_PANEL = {"Status": StatusPanel, "EndedTimestamp": StatusPanel,
               "Capabilities": CapabilitiesPanel, "ExpiryMinutes": ExpiryPanel,
               "Participants": ParticipantsPanel, "Session": StatusPanel}
HIGHLIGHT_SECONDS = 4.0


class SessionDetailScreen(PollingScreen):
    """Draws a `OneSession` source: the panels, what changed, and a gone session."""

    # How long after a seen session's NotFound it is asked for again (None: the source's
    # default, chime_tui.sources.RECHECK_SECONDS).
    recheck_seconds: float | None = None
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        # One key, named for what it does now (the same id: a `[keys]` remap moves both).
        Binding("m", "pin", "Pin", id="pin"),
        Binding("m", "unpin", "Unpin", id="pin"),
        Binding("c", "copy", "Copy JSON", show=False, id="copy"),
        Binding("e", "export", "Export", show=False, id="export"),
        *[
            Binding(str(i), f"focus_panel({i})", f"{cls.TITLE} panel", show=False,
                    id=f"panel_{i}")
            for i, cls in enumerate(PANELS, 1)
        ],
        *WRITE_BINDINGS,
    ]

    def __init__(self, voice_connector_id: str, proxy_session_id: str) -> None:
        super().__init__()
        self.voice_connector_id = voice_connector_id
        self.proxy_session_id = proxy_session_id
        self.session: ProxySession | None = None
        self.panel_list: list[SessionPanel] = []

    def compose(self) -> ComposeResult:
        yield KeptHeader()
        yield self.make_status()
        with KeptGrid(id="panels"):
            for i, cls in enumerate(PANELS, 1):
                yield cls(i, id=cls.__name__.lower().replace("panel", "-panel"))
        yield self.make_alert_line()
        yield self.make_error_line()
        yield KeptFooter()

    def on_mount(self) -> None:
        # With no answer, what is shown is what the app saw of it before (the error
        # line says when): not part of an answer still coming, as in a listing.
        self.one(FetchStatus).partial_label = "no answer: its last known state is shown"
        self.show_pinned()
        self.query_one(StatusPanel).focus()
        self.apply_redaction()

    def panels(self) -> list[SessionPanel]:
        """The six panels (they never change once composed: asked for once)."""
        if not self.panel_list:
            self.panel_list = list(self.query(SessionPanel))
        return self.panel_list

    def make_source(self) -> OneSession:
        from chime_tui.sources import OneSession

        source = OneSession(self.app, self.voice_connector_id, self.proxy_session_id,
                            self.app.settings.refresh)
        if self.recheck_seconds is not None:
            source.recheck_seconds = self.recheck_seconds
        return source

    def show(self, value: Any) -> None:
        update: SessionUpdate = value  # tracked already: the timeline has its changes
        came_back = self.panels()[0].gone
        self.mark_gone(False)  # answered: whatever it was, it is there now
        previous, self.session = self.session, update.session
        if previous is not None and previous.raw == update.session.raw:
            if came_back:
                self.show_timeline()  # its "not found → Open" entry
            return  # nothing new: the panels stay as drawn (the tick keeps the clock moving)
        self.show_session(update.session)
        for panel_type in {FIELD_PANEL.get(c.field, DetailsPanel) for c in update.changes}:
            self.highlight(self.query_one(panel_type))

    def show_session(self, session: ProxySession) -> None:
        from chime_tui.fleet import in_status

        self.session = session
        now = self.app.clock()
        key = (self.voice_connector_id, self.proxy_session_id)  # time in status: chime_tui.fleet
        self.query_one(StatusPanel).since = in_status(
            session, self.app.tracker.timelines.get(key, []),
            self.app.tracker.seen_at.get(key, now))
        for panel in self.panels():
            panel.now = now
            panel.session = session
        self.show_timeline()

    def known(self) -> ProxySession | None:
        """What the app last saw of this session before this screen got an answer (on
        the board, the list, an earlier visit): shown, stale, when no answer comes."""
        from chime_tui.sources import OneSession

        source = self.source
        if self.last_ok is None and isinstance(source, OneSession):
            return source.seen
        return None

    def partial_data(self) -> str | None:
        if self.known() is None:
            return None
        at = self.app.tracker.seen_at.get((self.voice_connector_id, self.proxy_session_id))
        return "the last known state" + (f", seen {ago(at, self.app.clock())}" if at else "")

    def mark_gone(self, gone: bool) -> None:
        for panel in self.panels():
            panel.gone = gone

    def show_error(self, error: ChimeError) -> None:
        known = self.known()
        if self.session is None and known is not None:
            self.show_session(known)  # the screen is marked stale: the error line says so
        if not isinstance(error, NotFound):
            if self.session is None:
                # Not "loading…": a try has failed and the next one is scheduled. What
                # failed, and when the next try is, are on the error line (⚠, above the
                # footer).
                for panel in self.panels():
                    panel.placeholder = "no data yet: the last try failed (the ⚠ line says why)"
            return
        if self.session is None:
            # Never seen: not found (a mistyped or old ID), not "gone" — no alert.
            for panel in self.panels():
                panel.placeholder = "not found: no such session on this voice connector"
            return
        # Seen, then missing: gone (it ended or was deleted) once a second NotFound,
        # recheck_seconds later, confirms it; a blip of 404s is not a deletion.
        from chime_tui.sources import OneSession

        assert isinstance(self.source, OneSession)
        if self.source.gone:
            if not self.panels()[0].gone:
                self.mark_gone(True)  # its last known state, no status or countdown as current
                self.show_timeline()
                self.highlight(self.query_one(StatusPanel))
            # Gone is what the service said, not forever: asked for again as often as the
            # board asks for a gone pin; when it answers, `show` draws it as current again.
            self.recheck_later(self.source.recheck_gone_seconds)
        else:
            self.recheck_later(self.source.recheck_seconds)

    def catch_up(self) -> None:
        from chime_tui.sources import OneSession

        source = self.source
        if (self.recheck_at is not None and self.panels()[0].gone
                and isinstance(source, OneSession) and not source.gone):
            # Found again while this screen was hidden (the board's re-check): ask now,
            # so the two screens say the same of it.
            self.recheck_at = self.app.timer()
        super().catch_up()

    def show_timeline(self) -> None:
        tracker = self.app.tracker
        key = (self.voice_connector_id, self.proxy_session_id)
        self.query_one(TimelinePanel).set_changes(tracker.timelines.get(key, []),
                                                  self.app.clock())

    def highlight(self, panel: SessionPanel) -> None:
        """A changed value stands out for a few seconds."""
        panel.add_class("-changed")
        self.set_timer(HIGHLIGHT_SECONDS, lambda: panel.remove_class("-changed"))

    def tick(self) -> None:
        """The countdown and ages move every second without an API call; a panel is
        redrawn only when what it shows for the time has changed."""
        if self.session is None:
            return
        now = self.app.clock()
        for panel in self.panels():
            panel.tick(now)

    def apply_redaction(self) -> None:
        redact = bool(self.app.redact)
        for panel in self.panels():
            panel.redact = redact

    def action_focus_panel(self, number: int) -> None:
        self.panels()[number - 1].focus()

    def parent_screen(self) -> Screen[None]:
        """Back from a session opened at start: its connector's sessions."""
        from chime_tui.tui.screens.sessions import SessionListScreen

        return SessionListScreen(self.voice_connector_id)

    def action_back(self) -> None:
        self.app.go_back()

    @property
    def pinned(self) -> bool:
        return (self.voice_connector_id, self.proxy_session_id) in self.app.pins.pins

    def show_pinned(self) -> None:
        """The title says whether the session is on the board; the footer offers the
        other (m Pin or m Unpin)."""
        self.sub_title = f"session {self.proxy_session_id}" + (" ● pinned" if self.pinned
                                                                 else "")
        self.refresh_bindings()

    def on_screen_resume(self) -> None:
        # (PollingScreen's handler runs too.) Pins may have changed on the board.
        self.show_pinned()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pin":
            return not self.pinned
        if action == "unpin":
            return self.pinned
        return True

    def action_pin(self) -> None:
        self.app.toggle_pin((self.voice_connector_id, self.proxy_session_id))
        self.show_pinned()

    def action_unpin(self) -> None:
        self.action_pin()

    def action_copy(self) -> None:
        if self.session is not None:
            self.app.copy_session(self.session)

    def write_target(self) -> tuple[str, str, ProxySession | None]:
        return (self.voice_connector_id, self.proxy_session_id, self.session)

    def create_target(self) -> str:
        return self.voice_connector_id

    def concerns(self, key: tuple[str, str]) -> bool:
        return key == (self.voice_connector_id, self.proxy_session_id)

    def written(self, outcome: Any) -> None:
        """The write's answer on screen at once, its timeline entry, then a fetch."""
        if self.concerns(outcome.planned.key):
            if outcome.session is not None:
                from chime_tui.monitor import diff_sessions
                from chime_tui.sources import SessionUpdate

                # Tracked by acting.after_write; the changes here only highlight panels.
                changes = diff_sessions(self.session, outcome.session, self.app.clock())
                self.show(SessionUpdate(outcome.session, changes))
            self.show_timeline()
        super().written(outcome)

    def action_export(self) -> None:
        if self.session is not None:
            self.app.export_session(self.session)
