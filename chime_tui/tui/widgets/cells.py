"""Rich cells shared by tables and panels."""

from __future__ import annotations

from rich.text import Text

from chime_tui.textsafe import clip

STATUS_STYLE = {"Open": "bold green", "InProgress": "bold cyan", "Closed": "dim"}


def status_text(status: str | None) -> Text:
    if not status:
        return Text("—", style="dim")
    return Text(clip(status, 64), style=STATUS_STYLE.get(status, "bold yellow"))


def capabilities_text(caps: tuple[str, ...]) -> str:
    """Each capability once, in the order first given (as the detail screen shows them:
    a repeated value in the answer is not a second capability)."""
    return ", ".join(dict.fromkeys(caps)) if caps else "—"


def lit(value: object, limit: int = 512) -> Text:
    """Server data as literal text for a Rich renderable: a str handed to a Rich table
    would be read as markup (`[/]` raises); control characters made visible, huge
    values cut."""
    return Text(clip(str(value), limit))
