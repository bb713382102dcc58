"""One proxy session: Status, Capabilities, Participants, Expiry and Details panels."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.screen import Screen
from textual.widgets import Footer, Header

from chime_tui.aws.errors import ChimeError, NotFound
from chime_tui.fleet import in_status
from chime_tui.models import ProxySession
from chime_tui.sources import RECHECK_SECONDS, OneSession, SessionUpdate
from chime_tui.tui.screens.base import PollingScreen
from chime_tui.tui.widgets.capabilities_panel import CapabilitiesPanel
from chime_tui.tui.widgets.details_panel import DetailsPanel
from chime_tui.tui.widgets.expiry_panel import ExpiryPanel
from chime_tui.tui.widgets.panel import SessionPanel
from chime_tui.tui.widgets.participants_panel import ParticipantsPanel
from chime_tui.tui.widgets.status_panel import StatusPanel
from chime_tui.tui.widgets.timeline_panel import TimelinePanel

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

    recheck_seconds = RECHECK_SECONDS
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("m", "pin", "Pin", id="pin"),
        Binding("c", "copy", "Copy JSON", show=False, id="copy"),
        Binding("e", "export", "Export", show=False, id="export"),
        *[
            Binding(str(i), f"focus_panel({i})", f"{cls.TITLE} panel", show=False,
                    id=f"panel_{i}")
            for i, cls in enumerate(PANELS, 1)
        ],
    ]

    def __init__(self, voice_connector_id: str, proxy_session_id: str) -> None:
        super().__init__()
        self.voice_connector_id = voice_connector_id
        self.proxy_session_id = proxy_session_id
        self.session: ProxySession | None = None
        self.panel_list: list[SessionPanel] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield self.make_status()
        with Grid(id="panels"):
            for i, cls in enumerate(PANELS, 1):
                yield cls(i, id=cls.__name__.lower().replace("panel", "-panel"))
        yield self.make_alert_line()
        yield self.make_error_line()
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"session {self.proxy_session_id}"
        self.query_one(StatusPanel).focus()
        self.apply_redaction()

    def panels(self) -> list[SessionPanel]:
        """The six panels (they never change once composed: asked for once)."""
        if not self.panel_list:
            self.panel_list = list(self.query(SessionPanel))
        return self.panel_list

    def make_source(self) -> OneSession:
        return OneSession(self.app, self.voice_connector_id, self.proxy_session_id,
                          self.app.settings.refresh, self.recheck_seconds)

    def show(self, value: Any) -> None:
        update: SessionUpdate = value  # tracked already: the timeline has its changes
        previous, self.session = self.session, update.session
        if previous is not None and previous.raw == update.session.raw:
            return  # nothing new: the panels stay as drawn (the tick keeps the clock moving)
        now = self.app.clock()
        key = (self.voice_connector_id, self.proxy_session_id)  # time in status: chime_tui.fleet
        self.query_one(StatusPanel).since = in_status(
            update.session, self.app.tracker.timelines.get(key, []))
        for panel in self.panels():
            panel.now = now
            panel.session = update.session
        self.show_timeline()
        for panel_type in {FIELD_PANEL.get(c.field, DetailsPanel) for c in update.changes}:
            self.highlight(self.query_one(panel_type))

    def show_error(self, error: ChimeError) -> None:
        if not isinstance(error, NotFound):
            return
        if self.session is None:
            # Never seen: not found (a mistyped or old ID), not "gone" — no alert.
            for panel in self.panels():
                panel.placeholder = "not found: no such session on this voice connector"
            return
        # Seen, then missing: gone (it ended or was deleted) once a second NotFound,
        # recheck_seconds later, confirms it; a blip of 404s is not a deletion.
        assert isinstance(self.source, OneSession)
        if self.source.gone:
            self.show_timeline()
            self.highlight(self.query_one(StatusPanel))
        else:
            # The schedule stops on NotFound: ask once more, a little later.
            self.call_later_on_clock(self.recheck_seconds, self.recheck_missing)

    def recheck_missing(self) -> None:
        if self.poller is not None and not self.user_paused:
            self.poller.refresh_now(resume=False)

    def show_timeline(self) -> None:
        tracker = self.app.tracker
        key = (self.voice_connector_id, self.proxy_session_id)
        self.query_one(TimelinePanel).set_changes(tracker.timelines.get(key, []))

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

    def action_pin(self) -> None:
        self.app.toggle_pin((self.voice_connector_id, self.proxy_session_id))

    def action_copy(self) -> None:
        if self.session is not None:
            self.app.copy_session(self.session)

    def action_export(self) -> None:
        if self.session is not None:
            self.app.export_session(self.session)
