"""Rich cells shared by tables and panels."""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text

STATUS_STYLE = {"Open": "bold green", "InProgress": "bold cyan", "Closed": "dim"}


def status_text(status: str | None) -> Text:
    if not status:
        return Text("—", style="dim")
    return Text(status, style=STATUS_STYLE.get(status, "bold yellow"))


STATUS_MARKUP = {"Open": "[bold green]Open[/]", "InProgress": "[bold cyan]InProgress[/]",
                 "Closed": "[dim]Closed[/]"}


def status_cell(status: str | None) -> str:
    """A table cell: markup for the known statuses, escaped text for anything else."""
    if not status:
        return "[dim]—[/]"
    return STATUS_MARKUP.get(status) or f"[bold yellow]{escape(status)}[/]"


def plain_cell(value: str) -> str:
    """A table cell showing `value` exactly (DataTable reads strings as markup)."""
    # Only "[" starts markup, and rich escapes a trailing backslash: else it is as is.
    return escape(value) if "[" in value or value.endswith("\\") else value


def capabilities_text(caps: tuple[str, ...]) -> str:
    return ", ".join(caps) if caps else "—"
