"""The audit trail of writes: one JSON line per write attempt, with its outcome.

Shared by the commands (`--events-file`) and the dashboard: every
Create/Update/DeleteProxySession that was sent is appended to the events file as

    {"time": "...Z", "event": "write", "operation": "UpdateProxySession",
     "profile": "oncall", "region": "us-east-1", "endpoint": "https://...",
     "VoiceConnectorId": "...", "ProxySessionId": "...",
     "change": {"Capabilities": ["Voice"], "ExpiryMinutes": 90},
     "result": {"outcome": "ok", "status": 201}}

`result.outcome` is "ok", "error" (with the error code, HTTP status and message),
or "unknown" when the answer was lost (a create may have happened). With
`redact`, phone numbers in the change are masked. The file is created 0600 (it
may hold phone numbers); every string is JSON with control characters escaped.
Plain Python: no Textual, no AWS client.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from chime_tui.documents import redact as redact_numbers
from chime_tui.files import open_private
from chime_tui.models import utcnow
from chime_tui.textsafe import clip, json_safe

WRITE_NAMES = {"create_proxy_session": "CreateProxySession",
               "update_proxy_session": "UpdateProxySession",
               "delete_proxy_session": "DeleteProxySession"}
_PHONE_LISTS = ("ParticipantPhoneNumbers",)


def redact_change(change: dict[str, Any]) -> dict[str, Any]:
    """A write's parameters with every phone number masked (the participants' numbers
    of a create, and the numbers of a returned session)."""
    from chime_tui.models import redact_phone

    out: dict[str, Any] = redact_numbers(change)
    for key in _PHONE_LISTS:
        if isinstance(out.get(key), list):
            out[key] = [redact_phone(v) if isinstance(v, str) else v for v in out[key]]
    return out


def outcome(error: Any = None, status: int | None = None, **extra: Any) -> dict[str, Any]:
    """The `result` of a write: ok (with the HTTP status), or the typed error's code,
    status and message ("unknown" if the request may have been done)."""
    if error is None:
        return {"outcome": "ok", **({"status": status} if status is not None else {}), **extra}
    kind = "unknown" if getattr(error, "kind", "") == "maybe created" else "error"
    out: dict[str, Any] = {"outcome": kind, "error": getattr(error, "code", None) or
                           type(error).__name__}
    if getattr(error, "status", None) is not None:
        out["status"] = error.status
    message = getattr(error, "service_message", None) or getattr(error, "message", str(error))
    out["message"] = clip(str(message), 500)
    out.update(extra)
    return out


def write_line(operation: str, *, voice_connector_id: str | None,
               proxy_session_id: str | None, change: dict[str, Any],
               result: dict[str, Any], profile: str | None = None,
               region: str | None = None, endpoint: str | None = None,
               redact: bool = False, now: datetime | None = None) -> str:
    """The JSON line (with its newline) for one write attempt."""
    now = now or utcnow()
    record = {
        "time": now.astimezone(UTC).isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "event": "write",
        "operation": WRITE_NAMES.get(operation, operation),
        "profile": profile or "default",
        "region": region,
        "endpoint": endpoint,
        "VoiceConnectorId": voice_connector_id,
        "ProxySessionId": proxy_session_id,
        "change": redact_change(change) if redact else change,
        "result": result,
    }
    return json_safe(json.dumps(record, ensure_ascii=False, default=str)) + "\n"


def record_write(path: Any, operation: str, **fields: Any) -> None:
    """Append one write attempt's line to the events file at `path` (created 0600).
    Raises OSError if it cannot be written (the caller says so; the write is done)."""
    line = write_line(operation, **fields)
    with open_private(path, "a") as fh:
        fh.write(line)
