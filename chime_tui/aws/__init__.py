"""AWS access layer: aiobotocore client, typed errors. Never imports Textual."""

from chime_tui.aws.client import AwsSettings, ChimeVoiceClient
from chime_tui.aws.errors import (
    AccessDenied,
    BadResponse,
    ChimeError,
    InvalidInput,
    NotFound,
    ServiceFailure,
    Throttled,
    Unreachable,
    classify,
)

__all__ = [
    "AccessDenied", "AwsSettings", "BadResponse", "ChimeError", "ChimeVoiceClient",
    "InvalidInput", "NotFound", "ServiceFailure", "Throttled", "Unreachable", "classify",
]
