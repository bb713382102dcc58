"""The proxy sessions of one voice connector: filter, status filter, sort, drill down."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from chime_tui.aws.errors import ChimeError, NotFound
from chime_tui.humanfmt import day, expiry_short
from chime_tui.models import ProxySession, SessionKey
from chime_tui.sources import SORTS, STATUS_RANK, ConnectorSessions, Listing
from chime_tui.textsafe import visible
from chime_tui.tui.messages import Fetched, FetchStarted, SessionsPage
from chime_tui.tui.screens.base import WRITE_BINDINGS
from chime_tui.tui.screens.connector_proxy import after_listing, redraw_header
from chime_tui.tui.screens.list_base import ListScreen
from chime_tui.tui.widgets.cells import capabilities_cell, count_text, status_cell
from chime_tui.tui.widgets.connector_header import ConnectorHeader
from chime_tui.tui.widgets.keyed_table import Cell, Column, KeyedTable

STREAM_FLUSH = 0.02  # seconds between batches of streamed rows
LIST_RECHECK_SECONDS = 30.0  # a connector's NotFound is asked again this often
FLUSH_BUDGET = 0.02  # seconds of adding rows per batch
FLUSH_STEP = 100  # rows added between looks at the clock
STATUS_FILTERS: tuple[str | None, ...] = (None, "Open", "InProgress", "Closed")
# Narrow terminals keep what matters (status, time left, the ID). Columns give way from
# the highest priority number down (see `KeyedTable._fitted`): the room kept for a sort
# mark, long names, a long free-text Status (one hostile value is cut to the width of
# "InProgress", not given the row), then participants go, the Session ID shrinks to its
# first 13 characters (enough to tell sessions apart), capabilities, the created time
# and names go, the pin mark, and at 40 columns the ID to 8, then one space between
# columns, then the status to 6.
COLUMNS = (Column("pin", "", drop_priority=18),  # ● for a session pinned to the board
           Column("id", "Session ID", max_width=40, shrink_to=14, shrink_priority=45,
                  cut_to=9, cut_priority=15),
           Column("name", "Name", max_width=32, shrink_to=10, drop_priority=20),
           Column("status", "Status", max_width=16, shrink_to=10, shrink_priority=90,
                  cut_to=7, cut_priority=12),
           Column("caps", "Capabilities", max_width=24, drop_priority=40),
           Column("parts", "Participants", drop_priority=50),
           Column("expiry", "Expires in", min_width=10, live=True))
CREATED = Column("created", "Created", drop_priority=30)  # while the list is sorted by it
TIGHT = 13  # one space between columns before the status is cut
# The sort as the border names it (its column may be cut or dropped at 80 columns).
SORT_WORDS = {"id": "session ID", "parts": "participants"}


class SessionListScreen(ListScreen):
    """Draws a `ConnectorSessions` source: its pages as they come on the first load,
    then each complete listing (sorted there)."""

    # Short terminals keep the rows: the header's sparklines go (its proxy line stays).
    VERTICAL_BREAKPOINTS = [(0, "-tiny"), (16, "-short"), (20, "-tall")]
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("s", "cycle_status", "Status filter", id="status_filter"),
        Binding("o", "cycle_sort", "Sort", id="sort"),
        Binding("O", "reverse_sort", "Reverse", id="reverse_sort"),
        # One key, named for what it does to the selected row (one id: a remap moves both).
        Binding("m", "pin", "Pin", id="pin"),
        Binding("m", "unpin", "Unpin", id="pin"),
        *WRITE_BINDINGS,
    ]

    def __init__(self, voice_connector_id: str) -> None:
        super().__init__()
        self.voice_connector_id = voice_connector_id
        self.sessions: list[ProxySession] = []
        self.by_id: dict[str, ProxySession] = {}  # built once per fetch, not per tick
        self.status_filter: str | None = None
        self.sort = "expiry"
        self.reverse = False
        self.loaded = False
        self.pending: list[ProxySession] = []  # first-load pages not yet on screen
        self.flushing = False
        self.final: Listing | None = None  # a listing that came while rows were being added
        self.presorted: str | None = None  # the sort `sessions` arrived in
        self.streamed: list[str] = []  # first load: the rows in the order they came
        self.shown: dict[str, ProxySession] = {}  # the sessions whose cells the table has
        self.pins_shown: set[str] = set()  # the rows drawn with a pin mark
        self.incomplete = False  # the first load failed part way: the rows are not all

    def compose(self) -> ComposeResult:
        # Over the table: the connector's proxy settings and counts.
        return self.compose_list("/ filter by session ID, name or capability", "sessions",
                                 "Sessions", COLUMNS, live=self.live_cells,
                                 tight_priority=TIGHT, spare_sort_room=True,
                                 above_table=[ConnectorHeader(self.voice_connector_id,
                                                              id="connector-header")])

    def on_mount(self) -> None:
        self.sub_title = f"voice connector {self.voice_connector_id}"
        self.table.set_sort("expiry")
        self.table.focus()

    def now(self) -> datetime:
        return self.app.clock()

    def make_source(self) -> ConnectorSessions:
        return ConnectorSessions(self.app, self.voice_connector_id, self.app.settings.refresh,
                                 order=lambda: self.sort,
                                 on_page=lambda page: self.post_message(SessionsPage(page)))

    def on_fetch_started(self, message: FetchStarted) -> None:
        # (PollingScreen's handler runs too: Textual calls handlers along the MRO.)
        self.incomplete = False  # a new try: the listing starts again

    def on_sessions_page(self, message: SessionsPage) -> None:
        """First load: rows appear as pages arrive, in time-budgeted batches."""
        if self.loaded:
            return
        self.pending.extend(message.sessions)
        if not self.flushing:
            self.flushing = True
            self.set_timer(STREAM_FLUSH, self.flush_pending)

    def flush_pending(self) -> None:
        """Add one batch of streamed rows; come back for the rest after a frame."""
        table = self.table
        deadline = time.perf_counter() + FLUSH_BUDGET
        done = 0
        while done < len(self.pending) and time.perf_counter() < deadline:
            rows = []
            for s in self.pending[done:done + FLUSH_STEP]:
                sid = s.proxy_session_id or ""
                if sid in self.by_id:
                    continue  # repeated by the service, or again after a failed helper
                self.by_id[sid] = s
                self.shown[sid] = s
                self.streamed.append(sid)
                rows.append((sid, self.cells(s)))
            table.put(rows)
            table.append_keys(sid for sid, _ in rows if self.matches(self.by_id[sid]))
            done += FLUSH_STEP
        del self.pending[:done]
        table.set_titles(self.loading_title())
        ConnectorSessions.keep()  # these rows live as long as the list
        if self.pending:
            # The next batch after a short breath, in which keys, the screen and the
            # fetch (when it runs in this process) get their turn.
            self.set_timer(STREAM_FLUSH, self.flush_pending)
            return
        self.flushing = False
        if self.final is not None:  # the last page came while rows were still being added
            final, self.final = self.final, None
            self.set_timer(STREAM_FLUSH, lambda: self.show(final))

    def show(self, value: Any) -> None:
        listing: Listing = value
        if not self.loaded and (self.pending or self.flushing):
            self.final = listing  # finish once every streamed row is in: then it only sorts
            return
        first_load = not self.loaded
        untouched = first_load and not self.touched \
            and self.table.cursor_key == next(iter(self.streamed), None)
        # A cursor the user never moved is on the top row, not on a session: when that
        # session closes and sorts to the end, the view does not follow it to the
        # Closed rows (walks 16 and 17b). Once they act, the cursor is theirs, and
        # follows its session wherever it goes.
        at_top = not first_load and not self.touched and bool(self.table.ordered_keys) \
            and self.table.cursor_key == self.table.ordered_keys[0]
        self.sessions = listing.sessions
        self.presorted = listing.sorted_by
        self.by_id = {s.proxy_session_id or "": s for s in self.sessions}
        self.loaded = True
        self.pending = []
        self.render_rows()
        if (untouched or at_top) and self.table.ordered_keys:
            # Loaded in arrival order, now sorted: a cursor the user never moved starts
            # at the top, not wherever the first row to arrive was sorted to.
            self.table.move_cursor(self.table.ordered_keys[0])

    def on_fetched(self, message: Fetched) -> None:
        # (PollingScreen.on_fetched runs too, after this: Textual calls both.) A complete
        # listing: its counts over time, and the connector's proxy settings read again.
        listing: Listing | None = message.outcome.value
        if message.outcome.ok and listing is not None:
            after_listing(self, self.voice_connector_id, listing.sessions)

    def apply_redaction(self) -> None:
        redraw_header(self, self.voice_connector_id)  # the fallback number

    def show_error(self, error: ChimeError) -> None:
        if isinstance(error, NotFound):
            self.table.set_titles(subtitle="voice connector not found")
            # No proxy settings to read of a connector the service does not know.
            self.app.fleet.proxy_failed(self.voice_connector_id, "voice connector not found")
            redraw_header(self, self.voice_connector_id)
            # The schedule stops on NotFound; a 404 may pass (or the connector be made):
            # ask again now and then, and the error line counts down to it.
            self.recheck_later(LIST_RECHECK_SECONDS)
        if not self.loaded:
            self.incomplete = True
            if self.streamed:
                self.table.set_titles(self.loading_title())

    def filtering(self) -> bool:
        return self.status_filter is not None or super().filtering()

    def loading_title(self) -> str:
        """The title before the first complete listing: never a count that looks whole."""
        n = f"{len(self.streamed):,}"
        return f"Sessions {n} so far (listing incomplete)" if self.incomplete \
            else f"Sessions {n} (loading…)"

    def partial_data(self) -> str | None:
        if self.loaded or not self.streamed:
            return None
        return f"{len(self.streamed):,} sessions from an incomplete listing"

    # -- rows -----------------------------------------------------------------------
    def still_listed(self, key: str) -> bool:
        return key in self.by_id

    def matches(self, s: ProxySession) -> bool:
        needle = self.filter_text.lower()
        return (self.status_filter is None or s.status == self.status_filter) and (
            not needle or needle in " ".join(
                filter(None, (s.proxy_session_id, s.name, s.status, *s.capabilities))).lower())

    def visible_sessions(self) -> list[ProxySession]:
        # While the first load streams in, the rows so far, in the order they came.
        sessions = self.sessions if self.loaded else [self.by_id[k] for k in self.streamed]
        if self.status_filter is None and not self.filter_text:
            rows = list(sessions)
        else:
            rows = [s for s in sessions if self.matches(s)]
        if self.presorted != self.sort:
            rows.sort(key=SORTS[self.sort](self.now()))
        if self.reverse:
            rows.reverse()
        return rows

    def cells(self, s: ProxySession) -> tuple[Cell, ...]:
        """The row's cells but the live countdown: a function of the session alone."""
        cells: tuple[Cell, ...] = (
            Text("●", style="bold yellow") if s.proxy_session_id in self.pins_shown else "",
            s.proxy_session_id or "—", s.name or "", status_cell(s.status),
            capabilities_cell(s.capabilities), count_text(len(s.participants)), "")
        if self.sort == "created":
            cells += (f"{day(s.created)} {s.created:%H:%M:%S}" if s.created else "—",)
        return cells

    def live_cells(self, sid: str) -> tuple[Cell, ...]:
        s = self.by_id.get(sid)
        return (expiry_short(s, self.now()) if s is not None else "—",)

    def render_rows(self) -> None:
        """Hand the table every session's cells (only those that changed) and the
        order of the rows to show: what it draws is then what the API last said."""
        table = self.table
        shown = self.shown
        pins = {sid for vc, sid in self.pinned() if vc == self.voice_connector_id}
        flipped, self.pins_shown = pins ^ self.pins_shown, pins
        table.put((sid, self.cells(s)) for sid, s in self.by_id.items()
                  if (old := shown.get(sid)) is None or sid in flipped
                  or (old is not s and not old.same_answer(s)))
        self.shown = dict(self.by_id)
        table.retain(self.by_id)
        rows = self.visible_sessions()
        table.show_keys(s.proxy_session_id or "" for s in rows)
        self.update_title(table.row_count)

    def update_title(self, shown: int) -> None:
        table = self.table
        if self.loaded:
            total = len(self.by_id)
            head = f"Sessions {total:,}" if shown == total else f"Sessions {shown:,} of {total:,}"
            if not shown and total:
                # An empty table says why: the filter, not an empty connector.
                which = f"{self.status_filter} " if self.status_filter else ""
                match = f" match “{self.filter_text}”" if self.filter_text else ""
                head = f"Sessions: no {which}sessions{match} (of {total:,})"
            counts: dict[str, int] = {}
            for s in self.by_id.values():
                counts[s.status or "—"] = counts.get(s.status or "—", 0) + 1
            parts = [f"{status} {counts.pop(status, 0):,}" for status in STATUS_RANK]
            parts += [f"{visible(status)} {n:,}" for status, n in sorted(counts.items())]
            # What the listing named but could not show as a row (its alert says which).
            if left := len(self.app.service.left_out.get(self.voice_connector_id) or {}):
                parts.append(f"{left:,} left out")
            # Literal: a status the service invents ("[/]") is data, not markup.
            table.set_titles(" · ".join([head, *parts]))
        status = self.status_filter or "all"
        order = f"{SORT_WORDS.get(self.sort, self.sort)} {'▼' if self.reverse else '▲'}"
        table.set_titles(subtitle=f"status: {status} · sort: {order}")

    def pinned(self) -> set[SessionKey]:
        return set(self.app.pins.pins)

    def on_screen_resume(self) -> None:
        # Back from the board or a session: pins may have changed there.
        if self.loaded:
            self.render_rows()
        self.refresh_bindings()

    def selected_id(self) -> str | None:
        return self.table.cursor_key

    def write_target(self) -> tuple[str, str, ProxySession | None] | None:
        sid = self.selected_id()
        return (self.voice_connector_id, sid, self.by_id.get(sid)) if sid else None

    def create_target(self) -> str:
        return self.voice_connector_id

    def concerns(self, key: tuple[str, str]) -> bool:
        return key[0] == self.voice_connector_id

    def tick(self) -> None:
        """Count down the visible rows once a second, without an API call: only the
        lines whose text changed are drawn again."""
        self.table.refresh_live()

    # -- actions --------------------------------------------------------------------
    def on_keyed_table_selected(self, event: KeyedTable.Selected) -> None:
        if event.key:
            self.app.open_session(self.voice_connector_id, event.key)

    def on_keyed_table_header_selected(self, event: KeyedTable.HeaderSelected) -> None:
        if event.column in SORTS:
            if event.column == self.sort:
                self.reverse = not self.reverse
            else:
                self.sort, self.reverse = event.column, False
            self.apply_sort()

    def parent_screen(self) -> Screen[None]:
        """Back from a connector opened at start: the connector picker."""
        from chime_tui.tui.screens.picker import ConnectorPickerScreen

        return ConnectorPickerScreen()

    def action_back(self) -> None:
        """Esc: the text filter first, then the status filter, then back."""
        if self.clear_filter():
            return
        if self.status_filter is not None:
            self.status_filter = None
            self.render_rows()
            return
        self.app.go_back()

    def action_cycle_status(self) -> None:
        i = STATUS_FILTERS.index(self.status_filter)
        self.status_filter = STATUS_FILTERS[(i + 1) % len(STATUS_FILTERS)]
        self.render_rows()

    def selected_pinned(self) -> bool:
        sid = self.selected_id()
        return sid is not None and (self.voice_connector_id, sid) in self.app.pins.pins

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pin":
            return not self.selected_pinned()
        if action == "unpin":
            return self.selected_pinned()
        return True

    def on_keyed_table_highlighted(self, event: KeyedTable.Highlighted) -> None:
        self.refresh_bindings()  # m Pin or m Unpin, for the row now selected

    def action_pin(self) -> None:
        sid = self.selected_id()
        if sid:
            key = (self.voice_connector_id, sid)
            self.app.toggle_pin(key)
            session = self.by_id.get(sid)
            if key in self.app.pins.pins and session is not None \
                    and key not in self.app.tracker.last:
                # Watched from now on: the row as shown is where its changes count from
                # (a session the tracker follows already keeps its newer state).
                self.app.track(session)
            self.render_rows()  # the row's pin mark
            self.refresh_bindings()

    def action_unpin(self) -> None:
        self.action_pin()

    def action_cycle_sort(self) -> None:
        names = list(SORTS)
        self.sort = names[(names.index(self.sort) + 1) % len(names)]
        self.reverse = False
        self.apply_sort()

    def action_reverse_sort(self) -> None:
        self.reverse = not self.reverse
        self.apply_sort()

    def apply_sort(self) -> None:
        self.presorted = None
        table = self.table
        columns = COLUMNS + (CREATED,) if self.sort == "created" else COLUMNS
        if len(table.columns) != len(columns):
            table.set_columns(columns)
            self.shown = {}  # every row's cells again, with or without the Created column
        table.set_sort(self.sort, self.reverse)
        self.render_rows()
