"""The watch board: pinned sessions from any connectors, soonest to expire on top."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable

from chime_tui.humanfmt import ago, expiry_short
from chime_tui.models import ProxySession
from chime_tui.tracking import BoardFetcher, BoardResult
from chime_tui.tui.screens.list_base import ListScreen
from chime_tui.tui.widgets.cells import capabilities_text, status_text

Key = tuple[str, str]
COLUMNS = (("vc", "Voice connector"), ("id", "Session ID"), ("status", "Status"),
           ("caps", "Capabilities"), ("parts", "Participants"), ("expiry", "Expires in"),
           ("changed", "Last change"), ("health", "Health"))
FIELD_COLUMN = {"Status": "status", "Capabilities": "caps", "Participants": "parts",
                "ExpiryMinutes": "expiry", "EndedTimestamp": "status", "Session": "health"}
HIGHLIGHT = timedelta(seconds=4)
_FAR = timedelta(days=36500)


class BoardScreen(ListScreen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("m,delete", "unpin", "Unpin", id="unpin"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.result: BoardResult | None = None
        self.fetcher: BoardFetcher | None = None
        self.highlights: dict[tuple[Key, str], datetime] = {}

    def compose(self) -> ComposeResult:
        return self.compose_list("/ filter pinned sessions", "board", "Watch board")

    def on_mount(self) -> None:
        self.title = "chime-tui"
        self.sub_title = "watch board"
        table = self.query_one(DataTable)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        table.focus()
        self.render_rows()

    def tick(self) -> None:
        self.render_rows()

    @property
    def pins(self) -> list[Key]:
        return list(self.app.pins.pins)  # type: ignore[attr-defined]

    async def fetch(self) -> BoardResult:
        app: Any = self.app
        if self.fetcher is None or self.fetcher.client is not app.service:
            self.fetcher = BoardFetcher(app.service)
        return await self.fetcher.fetch(self.pins, skip=app.tracker.gone)

    def show(self, value: Any) -> None:
        result: BoardResult = value
        app: Any = self.app
        now = app.clock()
        for key, session in result.sessions.items():
            for change in app.track(session):
                column = FIELD_COLUMN.get(change.field)
                if column:
                    self.highlights[(key, column)] = now + HIGHLIGHT
                self.highlights[(key, "changed")] = now + HIGHLIGHT
        for key in result.missing:
            app.track_gone(key)
            self.highlights[(key, "health")] = now + HIGHLIGHT
        self.result = result
        self.render_rows()

    # -- rows -----------------------------------------------------------------------
    def session_of(self, key: Key) -> ProxySession | None:
        return self.app.tracker.last.get(key)  # type: ignore[attr-defined,no-any-return]

    def rows(self, now: datetime) -> list[Key]:
        def soonest(key: Key) -> Any:
            s = self.session_of(key)
            left = s.time_to_expiry(now) if s else None
            return (left is None, left if left is not None else _FAR, key)

        needle = self.filter_text.lower()
        keys = [k for k in self.pins if not needle or needle in "/".join(k).lower()
                or needle in ((self.session_of(k) or ProxySession()).status or "").lower()]
        return sorted(keys, key=soonest)

    def health(self, key: Key) -> Text:
        app: Any = self.app
        if key in app.tracker.gone:
            return Text("gone", style="bold red")
        if self.last_ok is None:
            return Text("waiting", style="dim")
        if self.has_class("-stale"):
            return Text(f"stale, {ago(self.last_ok, app.clock())}", style="yellow")
        return Text("ok", style="green")

    def cells(self, key: Key, now: datetime) -> list[Any]:
        s = self.session_of(key)
        changed_at = self.app.tracker.last_change_at.get(key)  # type: ignore[attr-defined]
        values: dict[str, Any] = {
            "vc": key[0], "id": key[1],
            "status": status_text(s.status) if s else Text("…", style="dim"),
            "caps": capabilities_text(s.capabilities) if s else "",
            "parts": str(len(s.participants)) if s else "",
            "expiry": expiry_short(s, now) if s else "",
            "changed": ago(changed_at, now) if changed_at else "—",
            "health": self.health(key),
        }
        out = []
        for column, _ in COLUMNS:
            value = values[column]
            until = self.highlights.get((key, column))
            if until is not None and until > now:
                value = Text(str(value), style="bold reverse")
            out.append(value)
        return out

    def render_rows(self) -> None:
        table = self.query_one(DataTable)
        now = self.app.clock()  # type: ignore[attr-defined]
        selected = None
        if table.row_count:
            selected = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        table.clear()
        rows = self.rows(now)
        for key in rows:
            table.add_row(*self.cells(key, now), key="/".join(key))
        if selected is not None and selected in {"/".join(k) for k in rows}:
            table.move_cursor(row=table.get_row_index(selected), animate=False)
        table.border_title = f"Watch board {len(rows):,} of {len(self.pins):,}"
        requests = self.result.requests if self.result else 0
        table.border_subtitle = f"{requests} request{'s' if requests != 1 else ''} per refresh"
        self.highlights = {k: v for k, v in self.highlights.items() if v > now}

    # -- actions --------------------------------------------------------------------
    def selected_key(self) -> Key | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        value = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        vc, _, sid = value.partition("/")
        return (vc, sid)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        key = self.selected_key()
        if key:
            self.app.open_session(*key)  # type: ignore[attr-defined]

    def action_unpin(self) -> None:
        key = self.selected_key()
        if key:
            self.app.toggle_pin(key)  # type: ignore[attr-defined]
            self.render_rows()

    def parent_screen(self) -> Screen[None]:
        """Back from the board opened at start: the screen asked for on the command line."""
        return self.app.start_screen()  # type: ignore[attr-defined,no-any-return]

    def action_back(self) -> None:
        self.app.go_back()  # type: ignore[attr-defined]
