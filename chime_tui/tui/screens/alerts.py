"""Every alert of this run, newest first: the toasts go, the history stays."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from chime_tui.humanfmt import ago
from chime_tui.tracking import Alert


class AlertsScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,a,q", "dismiss", "Close", id="close_alerts")]

    def __init__(self, alerts: Sequence[Alert], now: object) -> None:
        super().__init__()
        self.alerts = list(alerts)
        self.now = now

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(f"Alerts ({len(self.alerts)})", id="help-title")
            yield DataTable(cursor_type="row", id="alerts-table")
            yield Static("Esc closes", id="help-hint")

    def on_mount(self) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        table.add_columns("When", "Kind", "Session", "What")
        for alert in reversed(self.alerts):
            table.add_row(Text(f"{alert.at:%H:%M:%S} ({ago(alert.at, self.now)})"),  # type: ignore[arg-type]
                          Text(alert.kind), Text(alert.key[1] or alert.key[0]),
                          Text(alert.message))
        if not self.alerts:
            table.add_row(Text("—"), Text(""), Text(""), Text("no alerts yet"))
        table.focus()
