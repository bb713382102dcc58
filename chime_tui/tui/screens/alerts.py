"""Every alert of this run, newest first: the toasts go, the history stays.

Full width; When, Kind, the session (named once) and What (the transition, e.g.
"Open → Closed"), last: a long What ("left out" names why, and where) is cut at
the right edge, and never pushes the session out of view (walk 17 F3). A narrow
terminal drops the age, then shortens the session ID, so a short What stays
readable without scrolling sideways. Enter opens the alert's session."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import getters
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from chime_tui.humanfmt import ago
from chime_tui.textsafe import visible
from chime_tui.tracking import Alert
from chime_tui.tui.widgets.keyed_table import Cell, Column, KeyedTable

if TYPE_CHECKING:
    from chime_tui.tui.app import ChimeTuiApp

COLUMNS = (Column("when", "When"),
           Column("ago", "Ago", drop_priority=1_500),  # (When says it too)
           Column("kind", "Kind"),
           Column("session", "Session", shrink_to=9),
           # A long What gives way first (cut, with an ellipsis), and gets back all the
           # room the others leave: the When, Kind and session stay whole.
           Column("what", "What", shrink_to=24, shrink_priority=2_000))


def _app_class() -> type[ChimeTuiApp]:
    from chime_tui.tui.app import ChimeTuiApp

    return ChimeTuiApp


def what(alert: Alert) -> str:
    """The alert's message without the session it names (a column of its own)."""
    head = f"session {alert.key[1]}"
    if alert.message.startswith(head):
        rest = alert.message[len(head):].lstrip(": ")
        return rest or alert.message
    return alert.message


class AlertsScreen(ModalScreen[None]):
    app = getters.app(_app_class)
    BINDINGS = [Binding("escape,a", "dismiss", "Close", id="close_alerts"),
                # q quits anywhere (a modal screen hides the app's own bindings)
                Binding("q", "app.quit", "Quit", id="quit"),
                Binding("j", "cursor_down", "Down", show=False),
                Binding("k", "cursor_up", "Up", show=False)]

    def __init__(self, alerts: Sequence[Alert], now: datetime) -> None:
        super().__init__()
        self.alerts = list(alerts)
        self.now = now
        self.by_row: dict[str, Alert] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="alerts-box"):
            yield Static(f"Alerts ({len(self.alerts)}), newest first", id="help-title")
            yield KeyedTable(COLUMNS, fit=True, id="alerts-table")
            yield Static("Enter opens the session · Esc closes · q quits", id="help-hint")

    def on_mount(self) -> None:
        table = self.query_one(KeyedTable)
        rows: list[tuple[str, tuple[Cell, ...]]] = []
        for i, alert in enumerate(reversed(self.alerts)):
            key = str(i)
            self.by_row[key] = alert
            rows.append((key, (f"{alert.at:%H:%M:%S}", ago(alert.at, self.now),
                               Text(visible(alert.kind)),
                               Text(visible(alert.key[1] or alert.key[0])),
                               Text(visible(what(alert))))))
        if not rows:
            rows.append(("none", ("—", "", "", "", "no alerts yet")))
        table.set_rows(rows)
        table.focus()

    def action_cursor_down(self) -> None:
        self.query_one(KeyedTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(KeyedTable).action_cursor_up()

    def on_keyed_table_selected(self, event: KeyedTable.Selected) -> None:
        alert = self.by_row.get(event.key)
        if alert is not None and alert.key[0]:  # a settings problem names no session
            self.dismiss()
            vc, sid = alert.key
            if sid:
                self.app.open_session(vc, sid)
            else:  # a connector's alert (its proxy settings): its sessions
                self.app.open_connector(vc)
