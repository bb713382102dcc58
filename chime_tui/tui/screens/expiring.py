"""Expiring next, everywhere: the Open and InProgress sessions of every voice connector
(or of the ones marked in the picker), soonest to expire first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from chime_tui.aws.errors import ChimeError
from chime_tui.fleet import (
    ExpiringAnswer,
    ExpiringRow,
    ExpiringSessions,
    expiring_next,
    in_status,
    in_status_short,
)
from chime_tui.humanfmt import ago, expiry_short
from chime_tui.models import ProxySession
from chime_tui.textsafe import clip
from chime_tui.tui.screens.list_base import ListScreen
from chime_tui.tui.widgets.cells import status_text
from chime_tui.tui.widgets.fleet_cells import participants_cell
from chime_tui.tui.widgets.keyed_table import Cell, Column, KeyedTable

# Narrow terminals keep the connector, status, time left and participants: names, IDs
# and participants shrink first, then the time in status and the pin mark go.
COLUMNS = (Column("pin", "", drop_priority=1),
           Column("vc", "Voice connector", max_width=24, shrink_to=12),
           Column("id", "Session ID", max_width=40, shrink_to=9),
           Column("status", "Status", max_width=16),
           Column("expiry", "Expires in", min_width=10, live=True),
           Column("instatus", "In status", min_width=9, live=True, drop_priority=2),
           Column("parts", "Participants", max_width=40, shrink_to=14))


class ExpiringScreen(ListScreen):
    """Draws an `ExpiringSessions` source (chime_tui.fleet)."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("m", "pin", "Pin", id="pin"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.listings: dict[str, list[ProxySession]] = {}  # last good listing each
        self.listed_at: dict[str, datetime] = {}
        self.failed: dict[str, ChimeError] = {}  # not listed on the last refresh
        self.names: dict[str, str] = {}
        self.rows: list[ExpiringRow] = []
        self.by_key: dict[str, ExpiringRow] = {}
        self.data: ExpiringAnswer | None = None
        self.pins_shown: set[str] = set()

    def compose(self) -> ComposeResult:
        return self.compose_list("/ filter by connector, session ID or status", "expiring",
                                 "Expiring next", COLUMNS, live=self.live_cells)

    def on_mount(self) -> None:
        self.title = "chime-tui"
        marked = len(self.app.fleet.marked)
        self.sub_title = "expiring next, " + (
            f"{marked} marked connector{'s' if marked != 1 else ''}" if marked
            else "every connector")
        self.table.focus()

    def make_source(self) -> ExpiringSessions:
        app = self.app
        return ExpiringSessions(app.service, app.fleet.marked, app.settings.refresh)

    def show(self, value: Any) -> None:
        data: ExpiringAnswer = value
        app = self.app
        now = app.clock()
        self.data = data
        self.names = data.names
        for vc, sessions in data.listing.sessions.items():
            app.fleet.observe_listing(vc, sessions, now)
            self.listings[vc] = sessions
            self.listed_at[vc] = now
        self.failed = dict(data.listing.errors)
        # Only the connectors in scope now (marks may have changed).
        self.listings = {vc: s for vc, s in self.listings.items() if vc in data.scope}
        self.rows = expiring_next(self.listings, self.names, now)
        self.by_key = {row.key: row for row in self.rows}
        self.render_rows()

    # -- rows -----------------------------------------------------------------------
    def still_listed(self, key: str) -> bool:
        """In the last answer (hidden by the filter only): its cursor moving is no news."""
        return key in self.by_key

    def visible_rows(self) -> list[ExpiringRow]:
        needle = self.filter_text.lower()
        if not needle:
            return self.rows
        return [r for r in self.rows if needle in " ".join(
            (r.connector_name, r.voice_connector_id, r.session.proxy_session_id or "",
             r.session.status or "")).lower()]

    def cells(self, row: ExpiringRow) -> tuple[Cell, ...]:
        s = row.session
        pin: Cell = Text("●", style="bold yellow") if row.key in self.pins_shown else ""
        return (pin, row.connector_name, s.proxy_session_id or "—", status_text(s.status),
                "", "", participants_cell(s, bool(self.app.redact)))

    def live_cells(self, key: str) -> tuple[Cell, ...]:
        row = self.by_key.get(key)
        if row is None:
            return ("—", "—")
        app = self.app
        now = app.clock()
        # Seen changing (a session the detail screen or the board watched), else a bound.
        timeline = app.tracker.timelines.get(row.session.key, [])
        return (expiry_short(row.session, now),
                in_status_short(in_status(row.session, timeline, now), now))

    def render_rows(self) -> None:
        table = self.table
        self.pins_shown = {"/".join(k) for k in self.app.pins.pins}
        rows = self.visible_rows()
        table.set_rows((row.key, self.cells(row)) for row in rows)
        data = self.data
        if data is None:
            return
        where = (f"{len(data.scope)} marked connector{'s' if len(data.scope) != 1 else ''}"
                 if data.marked else f"{len(data.scope)} connectors")
        # A connector with no rows to show (its listing failed, none kept from before) is
        # not counted in the title, which is what gets read (walk 4 #15).
        unlisted = [vc for vc in self.failed if vc not in self.listed_at]
        if unlisted:
            names = ", ".join(clip(self.names.get(vc, vc), 40) for vc in unlisted[:2])
            more = f" and {len(unlisted) - 2} more" if len(unlisted) > 2 else ""
            where = f"{len(data.scope) - len(unlisted)} of {where} ({names}{more} not listed)"
        table.set_titles(f"Expiring next: {len(rows):,} open or in progress in {where}, "
                         "soonest first")
        n = data.requests
        parts = [f"{n} request{'s' if n != 1 else ''} per refresh"]
        now = self.app.clock()
        for vc, error in self.failed.items():
            name = self.names.get(vc, vc)
            kept = self.listed_at.get(vc)
            parts.append(f"{name}: {error.kind}"
                         + (f", rows from {ago(kept, now)}" if kept else ", not listed"))
        table.set_titles(subtitle=" · ".join(parts))

    def tick(self) -> None:
        self.table.refresh_live()

    def on_screen_resume(self) -> None:
        if self.data is not None:
            self.render_rows()  # pins may have changed on the session's screen

    def apply_redaction(self) -> None:
        self.render_rows()

    # -- actions --------------------------------------------------------------------
    def on_keyed_table_selected(self, event: KeyedTable.Selected) -> None:
        row = self.by_key.get(event.key)
        if row is not None and row.session.proxy_session_id:
            self.app.open_session(row.voice_connector_id, row.session.proxy_session_id)

    def action_pin(self) -> None:
        row = self.by_key.get(self.table.cursor_key or "")
        if row is not None and row.session.proxy_session_id:
            self.app.toggle_pin((row.voice_connector_id, row.session.proxy_session_id))
            self.render_rows()

    def parent_screen(self) -> Screen[None]:
        from chime_tui.tui.screens.picker import ConnectorPickerScreen

        return ConnectorPickerScreen()

    def action_back(self) -> None:
        if not self.clear_filter():
            self.app.go_back()
