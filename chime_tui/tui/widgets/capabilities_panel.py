from __future__ import annotations

from datetime import datetime

from rich.console import RenderableType
from rich.text import Text

from chime_tui.models import ProxySession
from chime_tui.textsafe import clip
from chime_tui.tui.widgets.panel import SessionPanel

KNOWN = ("Voice", "SMS")


class CapabilitiesPanel(SessionPanel):
    TITLE = "Capabilities"

    def render_session(self, session: ProxySession, now: datetime) -> RenderableType:
        t = Text()
        caps = set(session.capabilities)
        for cap in KNOWN:
            mark, style = ("✔", "bold green") if cap in caps else ("✘", "dim")
            t.append(f"{mark} {cap}\n", style=style)
        for cap in session.capabilities:
            if cap not in KNOWN:  # values this tool has never seen are shown as they are
                t.append(f"✔ {clip(cap, 64)}\n", style="bold yellow")
        t.rstrip()
        return t
