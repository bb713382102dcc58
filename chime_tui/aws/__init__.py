"""AWS access layer: aiobotocore client, typed errors. Never imports Textual.

Names are resolved on first use, so `chime_tui.aws.settings` stays cheap to import
(the start-up path reads it before anything heavy is loaded).
"""

from __future__ import annotations

from typing import Any

_NAMES = {
    "AwsSettings": "chime_tui.aws.settings", "ChimeVoiceClient": "chime_tui.aws.client",
    "MaybeCreated": "chime_tui.aws.writes",
    **{name: "chime_tui.aws.errors" for name in (
        "AccessDenied", "BadResponse", "ChimeError", "InvalidInput", "NotFound",
        "ServiceFailure", "Throttled", "TlsUntrusted", "Unreachable", "classify")},
}
__all__ = sorted(_NAMES)


def __getattr__(name: str) -> Any:
    if name not in _NAMES:
        raise AttributeError(f"module 'chime_tui.aws' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_NAMES[name]), name)
