"""The proxy sessions of one voice connector: filter, status filter, sort, drill down."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input

from chime_tui.aws.errors import ChimeError, NotFound
from chime_tui.humanfmt import expiry_short
from chime_tui.models import ProxySession
from chime_tui.tui.screens.base import ListScreen
from chime_tui.tui.widgets.cells import capabilities_text, status_text

STATUS_FILTERS: tuple[str | None, ...] = (None, "Open", "InProgress", "Closed")
_FAR = timedelta(days=36500)


def _expiry_key(now: datetime) -> Callable[[ProxySession], Any]:
    def key(s: ProxySession) -> Any:
        left = s.time_to_expiry(now)
        return (left is None, left if left is not None else _FAR)
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
        Binding("slash", "focus_filter", "Filter", id="filter"),
        Binding("s", "cycle_status", "Status filter", id="status_filter"),
        Binding("o", "cycle_sort", "Sort", id="sort"),
        Binding("m", "pin", "Pin", id="pin"),
    ]

    def __init__(self, voice_connector_id: str, *, covered: bool = False) -> None:
        super().__init__(covered=covered)
        self.voice_connector_id = voice_connector_id
        self.sessions: list[ProxySession] = []
        self.by_id: dict[str | None, ProxySession] = {}  # built once per fetch, not per tick
        self.status_filter: str | None = None
        self.sort = "expiry"
        self.row_ids: list[str] = []
        self.filter_text = ""

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
        self.set_interval(1.0, self.tick)

    def now(self) -> datetime:
        return self.app.clock()  # type: ignore[attr-defined,no-any-return]

    async def fetch(self) -> list[ProxySession]:
        return await self.app.service.list_proxy_sessions(  # type: ignore[attr-defined,no-any-return]
            self.voice_connector_id)

    def show(self, value: Any) -> None:
        self.sessions = list(value)
        self.by_id = {s.proxy_session_id: s for s in self.sessions}
        self.render_rows()

    def show_error(self, error: ChimeError) -> None:
        if isinstance(error, NotFound):
            self.query_one(DataTable).border_subtitle = "voice connector not found"

    # -- rows -----------------------------------------------------------------------
    def visible_sessions(self) -> list[ProxySession]:
        needle = self.filter_text.lower()
        rows = [
            s for s in self.sessions
            if (self.status_filter is None or s.status == self.status_filter)
            and (not needle or needle in " ".join(
                filter(None, (s.proxy_session_id, s.name, s.status, *s.capabilities))).lower())
        ]
        rows.sort(key=SORTS[self.sort](self.now()))
        return rows

    def cells(self, s: ProxySession, now: datetime) -> tuple[Any, ...]:
        return (s.proxy_session_id or "—", s.name or "", status_text(s.status),
                capabilities_text(s.capabilities), str(len(s.participants)),
                expiry_short(s, now))

    def render_rows(self) -> None:
        table = self.query_one(DataTable)
        now = self.now()
        rows = self.visible_sessions()
        ids = [s.proxy_session_id or "" for s in rows]
        if ids == self.row_ids:
            # Same rows in the same order: update only the cells that changed.
            for s in rows:
                for (col, _), value in zip(COLUMNS, self.cells(s, now)):
                    if str(table.get_cell(s.proxy_session_id, col)) != str(value):
                        table.update_cell(s.proxy_session_id, col, value)
        else:
            selected = self.selected_id()
            table.clear()
            seen: set[str] = set()  # keys stay unique even if the service repeats an ID
            kept: list[str] = []
            for s, sid in zip(rows, ids):
                if sid in seen:
                    continue
                seen.add(sid)
                kept.append(sid)
                table.add_row(*self.cells(s, now), key=sid)
            self.row_ids = kept
            if selected in seen:
                table.move_cursor(row=table.get_row_index(selected), animate=False)
        self.update_title(len(rows))

    def update_title(self, shown: int) -> None:
        table = self.query_one(DataTable)
        status = self.status_filter or "all"
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

    def on_input_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self.render_rows()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one(DataTable).focus()

    def action_focus_filter(self) -> None:
        self.query_one(Input).focus()

    def action_back(self) -> None:
        filt = self.query_one(Input)
        if filt.has_focus and filt.value:
            filt.value = ""
            self.query_one(DataTable).focus()
            return
        self.app.pop_screen()

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
        self.render_rows()
