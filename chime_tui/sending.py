"""Sending a planned write (chime_tui.actions) once, and what to say after it.

`perform` sends it through the client (which never retries a write) and appends the
attempt and its outcome to the events file (`chime_tui.audit.record_write`, phone
numbers masked with redaction on); `failure_message` / `success_message` are the
words a dialog shows; `timeline_entry` is the session's timeline line ("extended by
you") after a write that succeeded. Plain Python: no Textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chime_tui.actions import DONE, Key, Planned
from chime_tui.aws.errors import AccessDenied, ChimeError, InvalidInput, NotFound, Throttled
from chime_tui.aws.writes import MaybeCreated
from chime_tui.models import ProxySession
from chime_tui.textsafe import clip


@dataclass(frozen=True)
class Outcome:
    planned: Planned
    session: ProxySession | None = None  # the answer of an update or a create
    error: ChimeError | None = None
    audit_error: str | None = None  # the events file could not be written

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def maybe_created(self) -> bool:
        return isinstance(self.error, MaybeCreated)

    @property
    def may_retry(self) -> bool:
        """May the person confirm the same change again (never automatic)? Not after a
        create that may have happened, nor for a session that is gone."""
        return not self.ok and not self.maybe_created and not isinstance(self.error, NotFound)


@dataclass(frozen=True)
class Audit:
    """Where the write attempts go (`--events-file`), and whether numbers are masked."""

    path: Path | None
    redact: bool = False


async def perform(client: Any, planned: Planned, audit: Audit | None = None) -> Outcome:
    """Send the write once (the client never retries writes) and append the attempt and its
    outcome to the events file. Never raises a ChimeError: it is in the outcome."""
    from chime_tui.aws.errors import classify

    session: ProxySession | None = None
    error: ChimeError | None = None
    p = planned.params
    if planned.kind == "extend":
        # The Capabilities sent with an extend are the dialog's view of the session: asked
        # again first, so that a change made meanwhile (another on-call, a script) is not
        # undone by this one (walk 4 #18). A difference stops it: nothing is sent.
        try:
            current = await client.get_proxy_session(p["VoiceConnectorId"], p["ProxySessionId"])
        except ChimeError as exc:
            return Outcome(planned, None, exc)
        except Exception as exc:
            return Outcome(planned, None, classify(exc))
        if (moved := changed_meanwhile(planned, current)) is not None:
            return Outcome(planned, None, ChangedMeanwhile(moved, code="ChangedMeanwhile"))
    try:
        if planned.kind == "end":
            await client.delete_proxy_session(p["VoiceConnectorId"], p["ProxySessionId"])
        elif planned.kind == "create":
            optional = {k: v for k, v in p.items() if k not in (
                "VoiceConnectorId", "ParticipantPhoneNumbers", "Capabilities")}
            session = await client.create_proxy_session(
                p["VoiceConnectorId"], list(p["ParticipantPhoneNumbers"]),
                list(p["Capabilities"]), **optional)
        else:
            session = await client.update_proxy_session(
                p["VoiceConnectorId"], p["ProxySessionId"], list(p["Capabilities"]),
                p.get("ExpiryMinutes"))
    except ChimeError as exc:
        error = exc
    except Exception as exc:  # anything else is still one failed attempt, said calmly
        error = classify(exc)
    audit_error = record(client, planned, session, error, audit)
    return Outcome(planned, session, error, audit_error)


class ChangedMeanwhile(ChimeError):
    """The session changed between the dialog's view and the write: nothing was sent."""

    kind = "changed meanwhile"


def changed_meanwhile(planned: Planned, current: ProxySession) -> str | None:
    """What of an extend's view (its ExpiryMinutes, the Capabilities it sends, the
    session being live) the service no longer says; None: nothing."""
    said = []
    if current.is_closed:
        said.append(f"it has ended ({clip(current.status or 'ended', 30)})")
    sent = list(planned.params.get("Capabilities", ()))
    if sorted(current.capabilities) != sorted(sent):
        said.append("Capabilities now " + (", ".join(clip(c, 30) for c in current.capabilities)
                                           or "none"))
    if current.expiry_minutes != planned.old:
        now = "—" if current.expiry_minutes is None else f"{current.expiry_minutes:,}"
        said.append(f"ExpiryMinutes now {now}")
    return "; ".join(said) if said else None


def record(client: Any, planned: Planned, session: ProxySession | None,
           error: ChimeError | None, audit: Audit | None) -> str | None:
    """The audit line of one attempt; the reason it could not be written, or None."""
    if audit is None or audit.path is None:
        return None
    from chime_tui.audit import outcome, record_write
    from chime_tui.aws.settings import profile_in_use

    extra: dict[str, Any] = {}
    if planned.kind == "create" and session is not None and session.proxy_session_id:
        extra["ProxySessionId"] = session.proxy_session_id
    status = getattr(client, "last_status", None) if error is None else None
    settings = getattr(client, "settings", None)
    try:
        record_write(audit.path, planned.operation,
                     voice_connector_id=planned.voice_connector_id,
                     proxy_session_id=planned.proxy_session_id, change=planned.change,
                     result=outcome(error, status, **extra),
                     profile=profile_in_use(settings) if settings is not None else None,
                     region=getattr(client, "region", None),
                     endpoint=getattr(client, "endpoint", None), redact=audit.redact)
    except OSError as exc:
        return f"could not append to the events file {clip(str(audit.path), 200)}: " \
               f"{exc.strerror or exc}"
    return None


def failure_message(outcome: Outcome) -> str:
    """What the dialog says about a failed write: plain text (the service's words are
    data, made visible), with what was done and what the person can do."""
    error = outcome.error
    if error is None:
        return ""
    planned = outcome.planned
    if isinstance(error, ChangedMeanwhile):
        return (f"The session changed since this dialog opened ({error.message}): nothing "
                "was sent. Look at it again (Esc), then extend it if you still mean to.")
    if isinstance(error, MaybeCreated):
        return (f"No answer from the service: the session may have been created. List "
                f"{planned.voice_connector_id}'s sessions before trying again (writes are "
                "never retried automatically).")
    if isinstance(error, NotFound):
        if planned.kind == "create":
            return "Voice connector not found: check the ID and the region. Nothing was created."
        return "Session already gone: it ended or was deleted. Nothing was changed."
    if isinstance(error, AccessDenied):
        return f"Refused (HTTP {error.status or 'auth'}): {clip(error.message, 400)}"
    if isinstance(error, InvalidInput):
        said = error.service_message or error.message
        return f"The service refused the request (HTTP {error.status or 400}): {clip(said, 600)}"
    if isinstance(error, Throttled):
        return ("Throttled by the service: nothing was changed. Writes are never retried "
                "automatically: confirm again in a moment.")
    if planned.kind != "create" and error.kind in ("unreachable",):
        return (f"No answer from the service ({clip(error.message, 200)}): the change may or "
                "may not have been made; the screen refreshes to show which.")
    return f"{error.kind}: {clip(error.message, 400)}"


def success_message(outcome: Outcome) -> str:
    planned = outcome.planned
    sid = planned.proxy_session_id
    if planned.kind == "extend":
        return f"Session {sid}: ExpiryMinutes {planned.old} → {planned.new}"
    if planned.kind == "capabilities":
        return f"Session {sid}: capabilities {', '.join(planned.new)}"
    if planned.kind == "end":
        return f"Session {sid} ended (deleted)"
    new_id = outcome.session.proxy_session_id if outcome.session else None
    return f"Created session {new_id or '(no ID in the answer)'} on {planned.voice_connector_id}"


def timeline_entry(outcome: Outcome) -> tuple[Key, str, Any, Any] | None:
    """(session, field, old, new) for the session's timeline after a write that
    succeeded: "extended by you" (or "shortened by you"), "capabilities changed by you",
    ..."""
    if not outcome.ok:
        return None
    planned = outcome.planned
    key = planned.key
    if planned.kind == "create":
        if outcome.session is None or not outcome.session.proxy_session_id:
            return None
        key = (planned.voice_connector_id, outcome.session.proxy_session_id)
    return key, _done(planned), planned.old, planned.new


def _done(planned: Planned) -> str:
    """The timeline's words: "extended" only for a longer ExpiryMinutes (a shorter one can
    end the session; the extend dialog refuses it, but the words do not rely on that)."""
    if planned.kind != "extend":
        return DONE[planned.kind]
    old, new = planned.old, planned.new
    if isinstance(old, int) and isinstance(new, int):
        if new > old:
            return DONE["extend"]
        if new < old:
            return "shortened by you"
    return "ExpiryMinutes changed by you"

