"""Cells for the fleet's columns: a connector's proxy state, its counts, a session's
participants (phone numbers, redacted as the app says)."""

from __future__ import annotations

from rich.text import Text

from chime_tui.fleet import ConnectorWatch
from chime_tui.humanfmt import phone
from chime_tui.models import ProxySession, proxy_state
from chime_tui.textsafe import clip


def proxy_cell(watch: ConnectorWatch | None) -> Text:
    """'on', '⚠ off' (Disabled: a warning), 'not configured'; '…' before the first
    read; a failed read keeps the last state, marked '?'."""
    if watch is None or not watch.proxy_known:
        if watch is not None and watch.proxy_error:
            return Text(f"? {watch.proxy_error}", style="yellow")  # e.g. '? access denied'
        return Text("…", style="dim")
    state = proxy_state(watch.proxy)
    stale = "?" if watch.proxy_error else ""
    if state == "off":
        return Text(f"⚠ off{stale}", style="bold yellow")
    if state == "on":
        return Text(f"on{stale}", style="green")
    return Text(f"{state}{stale}", style="dim")


def fallback_cell(watch: ConnectorWatch | None, redact: bool) -> str:
    if watch is None or watch.proxy is None:
        return "—"
    return phone(watch.proxy.fall_back_phone_number, redact)


def count_cells(watch: ConnectorWatch | None) -> tuple[str, str, str]:
    """Open, InProgress and Closed of the last complete listing; '—' until one."""
    latest = watch.latest if watch is not None else None
    if latest is None:
        return ("—", "—", "—")
    return (f"{latest.open:,}", f"{latest.in_progress:,}", f"{latest.closed:,}")


def participants_cell(session: ProxySession, redact: bool) -> str:
    numbers = [phone(p.phone_number, redact) for p in session.participants]
    return clip(", ".join(numbers), 80) if numbers else "—"
