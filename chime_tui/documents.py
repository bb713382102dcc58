"""A session as a document for people and files: phone numbers redacted on request,
the JSON that `get-proxy-session` prints. Core: the commands and the dashboard (copy,
export, the events file, the timeline) share it."""

from __future__ import annotations

import json
from typing import Any

from chime_tui.models import ProxySession, redact_phone

PHONE_KEYS = ("PhoneNumber", "ProxyPhoneNumber", "FallBackPhoneNumber")


def redact(data: Any) -> Any:
    """A copy of an API response with every phone number masked."""
    if isinstance(data, dict):
        return {k: (redact_phone(v) if k in PHONE_KEYS and isinstance(v, str) else redact(v))
                for k, v in data.items()}
    if isinstance(data, list):
        return [redact(v) for v in data]
    return data


def session_document(session: ProxySession, redacted: bool) -> str:
    """A session as `get-proxy-session` prints it (JSON), for copies and exports."""
    from chime_tui.textsafe import json_safe

    data: Any = {"ProxySession": dict(session.raw)}
    # The same JSON value, with no raw C1 or bidi characters in a copy or a file.
    return json_safe(json.dumps(redact(data) if redacted else data, indent=4,
                                ensure_ascii=False)) + "\n"
