from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.geometry import Size

from chime_tui.humanfmt import ago
from chime_tui.models import ProxySession
from chime_tui.monitor import Change
from chime_tui.tui.widgets.cells import lit
from chime_tui.tui.widgets.panel import SessionPanel

if TYPE_CHECKING:
    from chime_tui.tracking import Entry


def _what(entry: Entry) -> Text:
    """Our words as they are, the server's values made visible and each cut on its own
    (a huge old value must not hide the new one)."""
    return Text.assemble(*((lit(text, 160) if value else text) for text, value in entry.parts))


class TimelinePanel(SessionPanel):
    """Every change seen while watching: time, field, old → new (newest first); a
    Participants change as one entry per participant."""

    TITLE = "Timeline"
    changes: list[Change] = []

    def time_key(self, session: ProxySession, now: datetime) -> object:
        return tuple(ago(c.at, now) for c in self.changes[-50:])

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """Textual's grid measures an `auto` row at one column's width, even for a
        widget that spans all of them: the Timeline (full width, its "old → new" column
        wrapping when narrow) was measured as if a third as wide, its row made taller
        than the panel, and the rows below it left blank (issue 12.17). Measure at the
        width the panel really gets: its container's, less its own borders and padding."""
        span_width = container.width - self.styles.gutter.width
        return super().get_content_height(container, viewport, max(width, span_width))

    def set_changes(self, changes: list[Change], now: datetime) -> None:
        """Show `changes` as of `now` (the app's clock). The panel's own `now` moves only
        when a tick changes what it shows, which an empty timeline never does: drawn
        with that older time, a change just seen would read "9 seconds from now"."""
        self.changes = list(changes)
        self.now = now
        self.redraw()

    def render_session(self, session: ProxySession, now: datetime) -> RenderableType:
        n = len(self.changes)
        self.border_subtitle = f"{n:,} change{'' if n == 1 else 's'}"
        if not self.changes:
            return "no changes seen yet"
        table = Table.grid(padding=(0, 1))
        table.add_column(style="dim", no_wrap=True)
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        from chime_tui.tracking import describe  # (not before the first frame)

        for c in reversed(self.changes[-50:]):
            when = f"{c.at:%H:%M:%S} ({ago(c.at, now)})"
            for entry in describe(c, self.redact):
                table.add_row(when, lit(entry.label), _what(entry))
        return table
