"""The list screens' base: one filterable table (the connector picker, sessions, board).

Kept apart from `base` so the session screen, the usual first screen, does not
import the table before its first frame.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input

from chime_tui.tui.screens.base import PollingScreen
from chime_tui.tui.widgets.kept import KeptFooter, KeptHeader, KeptInput, KeptVertical
from chime_tui.tui.widgets.keyed_table import Column, KeyedTable, LiveCells, LiveLayer


class ListScreen(PollingScreen):
    """A polling screen built around one filterable table; j/k move like the arrows."""

    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", id="filter"),
        Binding("j", "cursor_down", "Down", show=False, id="down"),
        Binding("k", "cursor_up", "Up", show=False, id="up"),
    ]

    filter_text = ""
    touched = False  # a key was pressed here: the cursor is the user's (see `on_key`)

    def on_key(self, event: events.Key) -> None:
        # Not a key handler (the bindings do that): a mark that the user has acted, so
        # the end of a first load does not move the cursor under them.
        self.touched = True

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self.touched = True  # (a click chooses a row as a key does)

    def render_rows(self) -> None:
        raise NotImplementedError

    @property
    def table(self) -> KeyedTable:
        return self.query_one(KeyedTable)

    def app_ticks(self) -> int:
        """The table's `live_stamp`: the live cells are the clock's until the app ticks
        again (each tick asks for them anew, `refresh_live`)."""
        return self.app.ticks

    def on_input_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self.render_rows()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.table.focus()

    def clear_filter(self) -> bool:
        """Esc's first job: drop the text filter if one is typed (True if it did)."""
        filt = self.query_one(Input)
        if not filt.value:
            return False
        filt.value = ""
        self.table.focus()
        return True

    row_noun = "Session"  # what a row is, for the notice below

    def filtering(self) -> bool:
        """Whether a filter hides rows (the typed one here; screens add their own)."""
        return bool(self.filter_text)

    def still_listed(self, key: str) -> bool:
        """Whether the API's last answer still has this row (hidden by a filter only)."""
        return False

    def on_keyed_table_cursor_displaced(self, event: KeyedTable.CursorDisplaced) -> None:
        """The selected row left the list: the cursor went to its neighbour; say so, so
        that Enter or m never acts on a row the user did not choose unawares. A row
        the user's own filter hid is still listed: the cursor moving is no news then
        (a notice per typed character would bury the screen)."""
        if self.still_listed(event.gone):
            return
        where = f"the cursor moved to {event.key}" if event.key else \
            "no row left in view" + (" (a filter is on)" if self.filtering() else "")
        self.notify(f"{self.row_noun} {event.gone} left the list; {where}", timeout=4)

    def action_focus_filter(self) -> None:
        self.query_one(Input).focus()

    def compose_list(self, placeholder: str, table_id: str, title: str,
                     columns: Sequence[Column], live: LiveCells | None = None,
                     tight_priority: int = 0, spare_sort_room: bool = False,
                     above_table: Sequence[Widget] = ()) -> ComposeResult:
        """The list screens' layout: status line, filter, (`above_table`), table, error
        line, keys (`tight_priority`, `spare_sort_room`: see `KeyedTable`)."""
        yield KeptHeader()
        yield self.make_status()
        yield KeptInput(placeholder=placeholder, id="filter")
        table = KeyedTable(columns, live=live, live_stamp=self.app_ticks, fit=True,
                           tight_priority=tight_priority,
                           spare_sort_room=spare_sort_room, id=table_id)
        table.border_title = title
        yield from above_table
        # The table and, over its live columns, the layer a tick repaints (the layer
        # is placed in the frame, which moves with the table).
        with KeptVertical(classes="table-frame"):
            yield table
            if live is not None:
                yield LiveLayer(table)
        yield self.make_alert_line()
        yield self.make_error_line()
        yield KeptFooter()

    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()
