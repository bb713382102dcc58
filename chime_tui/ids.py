"""Voice connector and proxy session IDs checked against the service model, before any
request: the one-shot commands check them first thing, so this module is all they
import of the models (the dataclasses in `chime_tui.models` cost a few ms to build)."""

from __future__ import annotations

import re

# Patterns from the botocore service model (chime-sdk-voice 2022-08-03).
VOICE_CONNECTOR_ID_RE = re.compile(
    r"([a-z0-9]{21,22}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
)
PROXY_SESSION_ID_RE = re.compile(r".*\S.*")
PROXY_SESSION_ID_MAX = 128


def validate_voice_connector_id(value: str) -> str | None:
    """Return a reason the ID breaks the service model's pattern, or None."""
    if not value:
        return "voice connector ID is empty"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "voice connector ID contains control characters"
    if not VOICE_CONNECTOR_ID_RE.fullmatch(value):
        return (
            "voice connector ID must be 21-22 lowercase letters and digits, or a UUID "
            f"(got {len(value)} characters)"
        )
    return None


def validate_proxy_session_id(value: str) -> str | None:
    """Return a reason the ID breaks the service model's constraints, or None."""
    if not value:
        return "proxy session ID is empty"
    if len(value) > PROXY_SESSION_ID_MAX:
        return f"proxy session ID is longer than {PROXY_SESSION_ID_MAX} characters"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "proxy session ID contains control characters"
    if not PROXY_SESSION_ID_RE.fullmatch(value):
        return "proxy session ID must contain a non-blank character"
    if "/" in value or "?" in value or "#" in value:
        return "proxy session ID must not contain '/', '?' or '#'"
    return None
