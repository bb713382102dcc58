"""Rich cells shared by tables and panels."""

from __future__ import annotations

from functools import lru_cache

from rich.text import Text

from chime_tui.textsafe import clip

STATUS_STYLE = {"Open": "bold green", "InProgress": "bold cyan", "Closed": "dim"}


def status_text(status: str | None) -> Text:
    if not status:
        return Text("—", style="dim")
    return Text(clip(status, 64), style=STATUS_STYLE.get(status, "bold yellow"))


@lru_cache(maxsize=64)
def status_cell(status: str | None) -> Text:
    """`status_text` for a table cell: one object for every row of a status (10,000
    rows, a few statuses). Shared: draw it, never change it (copy it first)."""
    return status_text(status)


@lru_cache(maxsize=256)
def capabilities_cell(caps: tuple[str, ...]) -> str:
    """`capabilities_text`, one string for every row with the same capabilities."""
    return capabilities_text(caps)


def capabilities_text(caps: tuple[str, ...]) -> str:
    """Each capability once, in the order first given (as the detail screen shows them:
    a repeated value in the answer is not a second capability)."""
    return ", ".join(dict.fromkeys(caps)) if caps else "—"


def lit(value: object, limit: int = 512) -> Text:
    """Server data as literal text for a Rich renderable: a str handed to a Rich table
    would be read as markup (`[/]` raises); control characters made visible, huge
    values cut."""
    return Text(clip(str(value), limit))


COUNTS = tuple(str(n) for n in range(100))


def count_text(n: int) -> str:
    """A small count as one shared string (a table's 10,000 rows say "2" 10,000 times)."""
    return COUNTS[n] if 0 <= n < len(COUNTS) else str(n)
