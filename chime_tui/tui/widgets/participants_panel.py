from __future__ import annotations

from datetime import datetime

from rich.console import RenderableType
from rich.table import Table

from chime_tui.humanfmt import phone
from chime_tui.models import ProxySession
from chime_tui.tui.widgets.cells import lit
from chime_tui.tui.widgets.panel import SessionPanel


class ParticipantsPanel(SessionPanel):
    TITLE = "Participants"

    def render_session(self, session: ProxySession, now: datetime) -> RenderableType:
        self.border_subtitle = f"{len(session.participants)}"
        if not session.participants:
            return "no participants"
        table = Table(box=None, pad_edge=False, expand=False)
        table.add_column("#", style="dim")
        table.add_column("Phone number")
        table.add_column("Proxy phone number")
        for i, p in enumerate(session.participants, 1):
            table.add_row(str(i), lit(phone(p.phone_number, self.redact)),
                          lit(phone(p.proxy_phone_number, self.redact)))
        return table
