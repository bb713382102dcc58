"""What every write (Create/Update/DeleteProxySession) shares, for the commands and the app.

Writes are never retried automatically: the client that sends them is made with
one attempt (`no_retries`), so a throttled, failed or timed-out write is reported
once and the person decides. A CreateProxySession that timed out or lost its
connection after it was sent may have created a session: `after_failure` turns
that into `MaybeCreated`, which says to list the connector rather than try again.
No asyncio, no botocore here.
"""

from __future__ import annotations

from chime_tui.aws.errors import AccessDenied, ChimeError, Unreachable
from chime_tui.aws.settings import AwsSettings

WRITES = {"create_proxy_session": "CreateProxySession",
          "update_proxy_session": "UpdateProxySession",
          "delete_proxy_session": "DeleteProxySession"}
# Failures after which the request may have reached the service and done its work.
_SENT = ("ReadTimeoutError", "ConnectionClosedError")


class MaybeCreated(Unreachable):
    """A CreateProxySession whose answer never came: the session may exist now."""

    kind = "maybe created"


def no_retries(settings: AwsSettings) -> AwsSettings:
    """The settings of the client that sends writes: one attempt, no automatic retry."""
    return settings.with_(max_attempts=1)


def after_failure(operation: str, exc: ChimeError, voice_connector_id: str | None
                  ) -> ChimeError:
    """The error to report for a failed write: a create whose answer was lost becomes
    MaybeCreated; a 401/403 says which permission a write needs."""
    if operation == "create_proxy_session" and exc.code in _SENT:
        vc = voice_connector_id or "the voice connector"
        return _keep(exc, MaybeCreated(
            f"{exc.message}. The session may have been created: list {vc}'s sessions "
            f"(chime-tui list-proxy-sessions --voice-connector-id {vc}) before trying again; "
            "writes are never retried automatically", code=exc.code, status=exc.status))
    if isinstance(exc, AccessDenied) and exc.status == 403 and operation in WRITES:
        return _keep(exc, AccessDenied(
            "your role may read but not write proxy sessions: needs "
            f"chime:{WRITES[operation]} ({exc.message})", code=exc.code, status=exc.status,
            detail=exc.detail))
    return exc


def _keep(old: ChimeError, new: ChimeError) -> ChimeError:
    new.service_message = old.service_message
    new.detail = new.detail or old.detail
    return new
