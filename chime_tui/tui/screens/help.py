"""This app's keys for the screen underneath, grouped (from the declared bindings).

A table to move in like the others (↑ ↓ j k, PgUp PgDn, Home End), so every group
is reachable in a small terminal; q quits from here too."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from chime_tui.tui.widgets.keyed_table import Cell, Column, KeyedTable

COLUMNS = (Column("key", "Key", max_width=24, shrink_to=10), Column("action", "Action"))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark", "dismiss", "Close", id="close_help"),
        # q quits anywhere (a modal screen hides the app's own bindings)
        Binding("q", "app.quit", "Quit", id="quit"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self, groups: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static("Keys", id="help-title")
            yield KeyedTable(COLUMNS, fit=True, id="help-table")
            yield Static("↑↓ j k PgUp PgDn Home End · ^p palette · Esc closes · q quits",
                         id="help-hint")

    def on_mount(self) -> None:
        table = self.query_one(KeyedTable)
        rows: list[tuple[str, tuple[Cell, ...]]] = []
        for i, (group, entries) in enumerate(self.groups):
            if i:
                rows.append((f"gap{i}", ("", "")))
            rows.append((f"group{i}", (Text(group, style="bold"), "")))
            for j, (key, description) in enumerate(entries):
                rows.append((f"row{i}.{j}", (Text(key), Text(description))))
        table.set_rows(rows)
        table.focus()

    def action_cursor_down(self) -> None:
        self.query_one(KeyedTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(KeyedTable).action_cursor_up()
