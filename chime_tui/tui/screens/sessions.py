"""The proxy sessions of one voice connector: filter, status filter, sort, drill down."""

from __future__ import annotations

import asyncio
import gc
import math
import time
from datetime import datetime
from typing import Any, Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input

from chime_tui.aws.client import parse_sessions
from chime_tui.aws.errors import ChimeError, NotFound
from chime_tui.humanfmt import expiry_short
from chime_tui.models import ProxySession
from chime_tui.prefetch import PrefetchFailed
from chime_tui.tui.messages import Fetched, SessionsPage
from chime_tui.tui.screens.list_base import ListScreen
from chime_tui.tui.widgets.fast_table import FastTable
from chime_tui.tui.widgets.cells import capabilities_text, plain_cell, status_cell

ROW_CHUNK = 500
STREAM_FLUSH = 0.02  # seconds between batches of streamed rows
FLUSH_BUDGET = 0.02  # seconds of adding rows per batch
FLUSH_STEP = 100  # rows added between looks at the clock
STATUS_FILTERS: tuple[str | None, ...] = (None, "Open", "InProgress", "Closed")
SORT_CHUNK = 2000  # sort keys computed between turns of the event loop


def _expiry_key(now: datetime) -> Callable[[ProxySession], Any]:
    def key(s: ProxySession) -> Any:
        # Seconds left, a float (quick to compare); no countdown (closed, unknown) last.
        left = s.time_to_expiry(now)
        return left.total_seconds() if left is not None else math.inf
    return key


SORTS: dict[str, Callable[[datetime], Callable[[ProxySession], Any]]] = {
    "expiry": _expiry_key,
    "status": lambda now: lambda s: (s.status or "", s.proxy_session_id or ""),
    "created": lambda now: lambda s: -(s.created.timestamp() if s.created else 0),
    "id": lambda now: lambda s: s.proxy_session_id or "",
}
COLUMNS = (("id", "Session ID"), ("name", "Name"), ("status", "Status"),
           ("caps", "Capabilities"), ("parts", "Participants"), ("expiry", "Expires in"))


class SessionListScreen(ListScreen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("s", "cycle_status", "Status filter", id="status_filter"),
        Binding("o", "cycle_sort", "Sort", id="sort"),
        Binding("m", "pin", "Pin", id="pin"),
    ]

    def __init__(self, voice_connector_id: str) -> None:
        super().__init__()
        self.voice_connector_id = voice_connector_id
        self.sessions: list[ProxySession] = []
        self.by_id: dict[str | None, ProxySession] = {}  # built once per fetch, not per tick
        self.status_filter: str | None = None
        self.sort = "expiry"
        self.row_ids: list[str] = []
        self.loaded = False
        self.pending: list[ProxySession] = []  # first-load pages not yet on screen
        self.flushing = False
        self.final: list[ProxySession] | None = None
        self.presorted: str | None = None  # the sort `sessions` arrived in
        self.streamed_ids: set[str] = set()
        self.shown: dict[str, ProxySession] = {}

    def compose(self) -> ComposeResult:
        return self.compose_list("/ filter by session ID, name or capability", "sessions",
                                 "Sessions")

    def on_mount(self) -> None:
        self.title = "chime-tui"
        self.sub_title = f"voice connector {self.voice_connector_id}"
        table = self.query_one(DataTable)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        table.focus()

    def now(self) -> datetime:
        return self.app.clock()  # type: ignore[attr-defined,no-any-return]

    async def fetch(self) -> list[ProxySession]:
        """Every page; on the first load each page is shown as it arrives."""
        stream = not self.loaded
        app: Any = self.app
        sessions = await self.fetch_prefetched(stream)
        if sessions is None:
            sessions = []
            async for page in app.service.iter_proxy_session_pages(self.voice_connector_id):
                sessions.extend(page)
                if stream:
                    self.post_message(SessionsPage(page))
        # Sort here, in the worker, so the screen's update stays short: the keys (the
        # costly part for 10,000 sessions) a chunk per turn of the event loop, then one
        # sort of plain values.
        order = self.sort
        key = SORTS[order](self.now())
        keys: list[Any] = []
        for start in range(0, len(sessions), SORT_CHUNK):
            await asyncio.sleep(0)
            keys.extend(map(key, sessions[start:start + SORT_CHUNK]))
        sessions = [sessions[i] for i in sorted(range(len(sessions)), key=keys.__getitem__)]
        self.presorted = order
        return sessions

    async def fetch_prefetched(self, stream: bool) -> list[ProxySession] | None:
        """The start-up helper's listing of this connector, if it was started for it
        and finishes; None: list it ourselves (from the first page again)."""
        app: Any = self.app
        prefetch = app.take_prefetch(self.voice_connector_id, None)
        if prefetch is None:
            return None
        sessions: list[ProxySession] = []
        try:
            async for items in prefetch.session_pages(app.prefetch_timeout):
                page = parse_sessions(items)
                sessions.extend(page)
                if stream:
                    self.post_message(SessionsPage(page))
        except (PrefetchFailed, ChimeError):
            return None
        app.open_client_later(2.0)  # once the rows are in
        return sessions

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
        table = self.query_one(FastTable)
        now = self.now()
        # As many rows as fit in the time budget: each batch costs a redraw and a pass
        # over every row for the table's offsets, so a backlog goes in in fewer, bigger
        # batches, while no batch holds the screen for long.
        deadline = time.perf_counter() + FLUSH_BUDGET
        done = 0
        while done < len(self.pending) and time.perf_counter() < deadline:
            rows = []
            for s in self.pending[done:done + FLUSH_STEP]:
                sid = s.proxy_session_id or ""
                if sid in self.streamed_ids:
                    continue  # repeated by the service, or again after a failed helper
                self.streamed_ids.add(sid)
                if self.matches(s):
                    self.by_id[sid] = s
                    rows.append((sid, self.cells(s, now)))
            table.add_rows_keyed(rows)
            done += FLUSH_STEP
        del self.pending[:done]
        table.border_title = \
            f"Sessions {table.row_count:,} of {len(self.streamed_ids):,} (loading…)"
        # The rows and sessions just added live as long as the list: keep them out of the
        # cyclic collector, whose full passes over a growing heap stall the screen.
        gc.freeze()
        if self.pending:
            # The next batch after a short breath, in which keys, the screen and the
            # fetch (when it runs in this process) get their turn.
            self.set_timer(STREAM_FLUSH, self.flush_pending)
            return
        self.flushing = False
        if self.final is not None:  # the last page came while rows were still being added
            final, self.final = self.final, None
            # In a step of its own (sorting the table and redrawing it take a while too).
            self.set_timer(STREAM_FLUSH, lambda: self.show(final))

    def on_fetched(self, message: Fetched) -> None:
        # Textual calls PollingScreen.on_fetched as well (handlers run along the MRO).
        outcome = message.outcome
        if outcome.ok and self.poller is not None:
            # Large lists take long to page through: refresh them less often.
            self.poller.interval = max(self.app.settings.refresh,  # type: ignore[attr-defined]
                                       4 * outcome.latency)

    def show(self, value: Any) -> None:
        if not self.loaded and (self.pending or self.flushing):
            self.final = value  # finish once every streamed row is in: then it only sorts
            return
        self.sessions = value
        self.by_id = {s.proxy_session_id: s for s in self.sessions}
        self.loaded = True
        self.pending = []
        self.render_rows()

    def show_error(self, error: ChimeError) -> None:
        if isinstance(error, NotFound):
            self.query_one(DataTable).border_subtitle = "voice connector not found"

    # -- rows -----------------------------------------------------------------------
    def matches(self, s: ProxySession) -> bool:
        needle = self.filter_text.lower()
        return (self.status_filter is None or s.status == self.status_filter) and (
            not needle or needle in " ".join(
                filter(None, (s.proxy_session_id, s.name, s.status, *s.capabilities))).lower())

    def visible_sessions(self) -> list[ProxySession]:
        if self.status_filter is None and not self.filter_text:
            rows = list(self.sessions)
        else:
            rows = [s for s in self.sessions if self.matches(s)]
        if self.presorted != self.sort:
            rows.sort(key=SORTS[self.sort](self.now()))
        return rows

    def cells(self, s: ProxySession, now: datetime) -> tuple[str, ...]:
        # Strings are light for 10,000 rows; escaped, names and IDs show exactly as sent.
        return (plain_cell(s.proxy_session_id or "—"), plain_cell(s.name or ""),
                status_cell(s.status), plain_cell(capabilities_text(s.capabilities)),
                str(len(s.participants)), expiry_short(s, now))

    def render_rows(self) -> None:
        table = self.query_one(DataTable)
        now = self.now()
        rows: list[ProxySession] = []
        ids: list[str] = []
        seen: set[str] = set()  # keys stay unique even if the service repeats an ID
        for s in self.visible_sessions():
            sid = s.proxy_session_id or ""
            if sid not in seen:
                seen.add(sid)
                rows.append(s)
                ids.append(sid)
        if ids == self.row_ids:
            # Same rows in the same order: update only the sessions that changed.
            for s, sid in zip(rows, ids):
                if self.shown.get(sid) is None or self.shown[sid].raw != s.raw:
                    for (col, _), value in zip(COLUMNS, self.cells(s, now)):
                        table.update_cell(sid, col, value)
        elif table.row_count == len(ids) and table.rows.keys() == seen:
            # The same rows in another order (after streaming, or a new sort): sort in place.
            self.query_one(FastTable).sort_by_keys(ids)
            self.row_ids = ids
        else:
            self.rebuild(rows, ids, self.selected_id())
        self.shown = dict(zip(ids, rows))
        self.update_title(len(rows))

    @work(exclusive=True, group="rows")
    async def rebuild(self, rows: list[ProxySession], ids: list[str],
                      selected: str | None) -> None:
        """Re-add every row in chunks, so a 10,000-row table never freezes the screen."""
        table = self.query_one(DataTable)
        self.row_ids = []  # the countdown skips rows while they are rebuilt
        table.clear()
        now = self.now()
        for start in range(0, len(rows), ROW_CHUNK):
            for s, sid in zip(rows[start:start + ROW_CHUNK], ids[start:start + ROW_CHUNK]):
                table.add_row(*self.cells(s, now), key=sid)
            await asyncio.sleep(0)
        self.row_ids = ids
        if selected in self.shown:
            table.move_cursor(row=table.get_row_index(selected), animate=False)

    def update_title(self, shown: int) -> None:
        table = self.query_one(DataTable)
        status = self.status_filter or "all"
        if self.loaded:
            table.border_title = f"Sessions {shown:,} of {len(self.sessions):,}"
        table.border_subtitle = f"status: {status} · sort: {self.sort}"

    def selected_id(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def tick(self) -> None:
        """Count down the visible rows' expiry once a second, without an API call."""
        table = self.query_one(DataTable)
        if not self.row_ids:
            return
        now = self.now()
        first = max(0, int(table.scroll_y))
        last = min(len(self.row_ids), first + table.size.height + 1)
        for sid in self.row_ids[first:last]:
            s = self.by_id.get(sid)
            if s is not None:
                value = expiry_short(s, now)
                if str(table.get_cell(sid, "expiry")) != value:
                    table.update_cell(sid, "expiry", value)

    # -- actions --------------------------------------------------------------------
    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.app.open_session(self.voice_connector_id, event.row_key.value)  # type: ignore[attr-defined]

    def parent_screen(self) -> Screen[None]:
        """Back from a connector opened at start: the connector picker."""
        from chime_tui.tui.screens.picker import ConnectorPickerScreen

        return ConnectorPickerScreen()

    def action_back(self) -> None:
        filt = self.query_one(Input)
        if filt.has_focus and filt.value:
            filt.value = ""
            self.query_one(DataTable).focus()
            return
        self.app.go_back()  # type: ignore[attr-defined]

    def action_cycle_status(self) -> None:
        i = STATUS_FILTERS.index(self.status_filter)
        self.status_filter = STATUS_FILTERS[(i + 1) % len(STATUS_FILTERS)]
        self.render_rows()

    def action_pin(self) -> None:
        sid = self.selected_id()
        if sid:
            self.app.toggle_pin((self.voice_connector_id, sid))  # type: ignore[attr-defined]

    def action_cycle_sort(self) -> None:
        names = list(SORTS)
        self.sort = names[(names.index(self.sort) + 1) % len(names)]
        self.presorted = None
        self.render_rows()
