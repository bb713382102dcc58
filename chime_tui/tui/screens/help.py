"""This app's keys for the screen underneath, grouped (from the declared bindings)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="close_help"),
    ]

    def __init__(self, groups: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static("Keys", id="help-title")
            table: DataTable[str] = DataTable(cursor_type="row", id="help-table")
            yield table
            yield Static("ctrl+p opens the command palette · Esc closes", id="help-hint")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Key", "Action")
        for i, (group, rows) in enumerate(self.groups):
            if i:
                table.add_row("", "")
            table.add_row(Text(group, style="bold"), "")
            for key, description in rows:
                table.add_row(Text(key), Text(description))
        table.focus()
