from __future__ import annotations

from datetime import datetime

from rich.console import RenderableType
from rich.table import Table

from chime_tui.humanfmt import ago_minutes, utc_clock
from chime_tui.models import ProxySession
from chime_tui.textsafe import clip
from chime_tui.tui.widgets.cells import lit
from chime_tui.tui.widgets.panel import SessionPanel


class DetailsPanel(SessionPanel):
    TITLE = "Details"

    def time_key(self, session: ProxySession, now: datetime) -> object:
        return tuple(ago_minutes(t, now) for t in (session.created, session.updated, session.ended))

    def render_session(self, session: ProxySession, now: datetime) -> RenderableType:
        t = Table.grid(padding=(0, 1))
        t.add_column(style="dim", no_wrap=True)
        t.add_column()
        geo = session.geo_match_params
        rows = [
            ("Name", session.name or "—"),
            ("Session ID", session.proxy_session_id or "—"),
            ("Voice connector", session.voice_connector_id or "—"),
            ("Expiry minutes", str(session.expiry_minutes) if session.expiry_minutes else "—"),
            ("Created", _when(session, "CreatedTimestamp", session.created, now)),
            ("Updated", _when(session, "UpdatedTimestamp", session.updated, now)),
            ("Ended", _when(session, "EndedTimestamp", session.ended, now)),
            ("Number selection", session.number_selection_behavior or "—"),
            ("Geo match level", session.geo_match_level or "—"),
            ("Geo match params", f"country {geo.country or '—'}, area code {geo.area_code or '—'}"
             if geo else "—"),
        ]
        for label, value in rows:
            t.add_row(label, lit(value))
        return t


def _when(session: ProxySession, field: str, dt: datetime | None, now: datetime) -> str:
    """The time and its age; what the service sent, said to be no date, when it is not
    one (it was shown as '—', as if it had sent nothing: walk 4 #12, walk 6 #5); '—'."""
    if dt is not None:
        return f"{utc_clock(dt)} ({ago_minutes(dt, now)})"
    sent = session.raw.get(field)  # (`raw` is made afresh: asked once)
    if sent is None or sent == "":
        return "—"
    return f"{clip(str(sent), 80)} (not a date)"
