"""What changed, what matters, and what to keep: plain Python, no widgets.

`SessionTracker` sees every fetched session of the detail screen and the watch
board, and the watched ones of the session list; it keeps a per-session timeline
of field changes, and raises each alert once: a status transition, a session that
disappears (and one that answers again after that), time to expiry crossing the
threshold. A session is "gone" only when it was seen this run and its NotFound is
confirmed: by a second request after the service answered normally
(`BoardFetcher`), or, failing that, by NotFound lasting a while (`observe_missing`);
until then it is only suspected, with no alert and no event. A confirmed NotFound for
a session never seen is "not found" (a mistyped or old ID): no alert, no event.
`EventsWriter` appends timeline events to a JSON-lines file for the incident record.
`BoardFetcher` refreshes pinned sessions with ListProxySessions pages where that costs
fewer requests than one GetProxySession per pin.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from chime_tui.aws.errors import BadResponse, ChimeError, NotFound
from chime_tui.aws.factory import PAGE_SIZE
from chime_tui.documents import PHONE_KEYS, redact
from chime_tui.files import check_writable, open_private
from chime_tui.humanfmt import expiry_sentence
from chime_tui.models import ExpiryState, ProxySession, SessionKey, redact_phone
from chime_tui.monitor import Change, changed_at, diff_sessions
from chime_tui.textsafe import json_safe


@dataclass(frozen=True)
class Alert:
    at: datetime
    key: SessionKey
    kind: str  # "status" | "gone" | "back" | "expiring"; "settings" (a settings file problem);
    # "left out" (of a listing: not what the service model says, or listed twice)
    message: str


@dataclass
class SessionTracker:
    threshold: timedelta = timedelta(minutes=5)
    last: dict[SessionKey, ProxySession] = field(default_factory=dict)
    seen_at: dict[SessionKey, datetime] = field(default_factory=dict)  # when `last` came
    timelines: dict[SessionKey, list[Change]] = field(default_factory=lambda: defaultdict(list))
    last_change_at: dict[SessionKey, datetime] = field(default_factory=dict)
    gone: set[SessionKey] = field(default_factory=set)  # seen, then NotFound (confirmed)
    not_found: set[SessionKey] = field(default_factory=set)  # never seen, NotFound (confirmed)
    suspect: dict[SessionKey, datetime] = field(default_factory=dict)  # first unconfirmed NotFound
    # The sessions alerted as expiring, with the expiry they were alerted for: one whose
    # expiry moves (extended) is alerted again if it falls under the threshold again.
    warned: dict[SessionKey, datetime | None] = field(default_factory=dict)
    listeners: list[Callable[[Change], None]] = field(default_factory=list)
    # Per session: the answer and threshold last seen, and from when an alert can be due.
    due: dict[SessionKey, tuple[ProxySession, timedelta, datetime | None]] = field(
        default_factory=dict, repr=False)

    def _record(self, change: Change) -> None:
        key = (change.voice_connector_id, change.proxy_session_id)
        self.timelines[key].append(change)
        self.last_change_at[key] = change.at
        for listener in self.listeners:
            listener(change)

    def observe(self, session: ProxySession, now: datetime) -> tuple[list[Change], list[Alert]]:
        key = session.key
        old = self.last.get(key)
        old_seen = self.seen_at.get(key)
        self.last[key] = session
        self.seen_at[key] = now
        alerts: list[Alert] = []
        self.suspect.pop(key, None)
        self.not_found.discard(key)
        if key in self.gone:
            # It answers again: say so in the timeline (and the events file) and in one
            # alert, as its "gone" was one (a burst of 404s that lasted, or a deletion
            # that did not happen: whatever it was, the session is there).
            self.gone.discard(key)
            self._record(Change(now, key[0], key[1], "Session", "not found",
                                session.status or "found"))
            alerts.append(Alert(now, key, "back",
                                f"session {key[1]} answers again"
                                f" ({session.status or 'no status'}): it was not deleted"))
        changes = diff_sessions(old, session, now, old_seen)
        for change in changes:
            self._record(change)
            if change.field == "Status":
                # (A status missing from the answer is "—", as the tables show it.)
                old_status = "—" if change.old is None else change.old
                new_status = "—" if change.new is None else change.new
                alerts.append(Alert(now, key, "status",
                                    f"session {key[1]}: {old_status} → {new_status}"))
        if (at := changed_at(changes, now)) is not None:
            # When it changed, as the service says, not when the app saw it: the time in
            # status beside it says the same instant (walk 4 #4).
            self.last_change_at[key] = at
        alerts.extend(self.check_expiry(now, [key]))
        return changes, alerts

    def record_action(self, key: SessionKey, now: datetime, what: str, old: Any, new: Any,
                      ended: bool = False) -> None:
        """A write of ours that succeeded ("extended by you", ...), in the session's
        timeline (and the events file). `ended`: the session was deleted by it, so it is
        gone from now on without a "gone" alert (we know why)."""
        self._record(Change(now, key[0], key[1], what, old, new))
        if ended:
            self.suspect.pop(key, None)
            self.gone.add(key)

    def observe_missing(self, key: SessionKey, now: datetime, confirm_after: timedelta
                        ) -> list[Alert]:
        """An unconfirmed NotFound (e.g. a 404 to the connector's listing): suspected
        at first, gone only if NotFound is still the answer on a try `confirm_after`
        later with no sighting in between (a burst of 404s is not a deletion)."""
        if key in self.gone or key in self.not_found:
            return []
        since = self.suspect.setdefault(key, now)
        if now - since >= confirm_after:
            return self.observe_gone(key, now)
        return []

    def observe_gone(self, key: SessionKey, now: datetime) -> list[Alert]:
        """A confirmed NotFound: for a session seen this run, gone: one timeline entry
        and one alert, however often seen. For one never seen, not found: nothing ended
        (no alert, no timeline entry, no event)."""
        self.suspect.pop(key, None)
        if key in self.gone:
            return []
        if key not in self.last:
            self.not_found.add(key)
            return []
        self.gone.add(key)
        old = self.last.get(key)
        self._record(Change(now, key[0], key[1], "Session", old.status if old else "known",
                            "not found"))
        return [Alert(now, key, "gone", f"session {key[1]} not found: it ended or was deleted")]

    def check_expiry(self, now: datetime, keys: Iterable[SessionKey] | None = None) -> list[Alert]:
        """Alert once per session and expiry when its time to expiry falls under the
        threshold (again if its expiry moved since: someone extended it).

        Called every second for every session seen: a session's earliest alert time
        (`alert_from`) is worked out once per answer and threshold, and until then the
        session costs one comparison."""
        alerts = []
        due = self.due
        threshold = self.threshold
        for key in list(keys if keys is not None else self.last):
            s = self.last.get(key)
            if s is None or key in self.gone:
                continue
            if key in self.warned and self.warned[key] == s.expires_at:
                continue
            known = due.get(key)
            if known is None or known[0] is not s or known[1] != threshold:
                known = due[key] = (s, threshold, alert_from(s, threshold))
            if known[2] is None or now < known[2]:
                continue  # not counting down, or more than `threshold` left
            left = s.time_to_expiry(now)
            if s.expiry_state(now) is ExpiryState.COUNTING and left is not None \
                    and left <= self.threshold:
                before = self.warned.get(key)
                self.warned[key] = s.expires_at
                # The same words as the Expiry panel's (one formatter for both).
                said = f"session {key[1]} {expiry_sentence(s, now)}"
                if before is not None:
                    said += f" (again: its expiry moved from {before:%H:%M} UTC)"
                alerts.append(Alert(now, key, "expiring", said))
        return alerts


def alert_from(session: ProxySession, threshold: timedelta) -> datetime | None:
    """The earliest time `session` (this answer) can be under `threshold` from its
    expiry: before it, more than `threshold` is left. None: never (closed, or no known
    expiry: no countdown whatever the time)."""
    if session.is_closed:
        return None
    expires = session.expires_at
    if expires is None:
        return None
    try:
        return expires - threshold
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC)  # (checked every time)


# -- a change for people: the timeline's words ------------------------------------

@dataclass(frozen=True, slots=True)
class Entry:
    """One timeline entry for people: `label` (the field, or `participant 2`) and what
    happened, as words of ours and values: `(text, True)` is the server's (cut and made
    visible where it is drawn), `(text, False)` ours."""

    label: str
    parts: tuple[tuple[str, bool], ...]

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.parts)


def shown(value: Any, redacted: bool) -> str:
    """A field's value as one line: lists and objects as compact JSON (phone numbers
    masked when `redacted`), a missing value as a dash."""
    if isinstance(value, (list, dict)):
        return json.dumps(redact(value) if redacted else value, ensure_ascii=False,
                          separators=(",", ":"))
    return "—" if value is None else str(value)


def describe(change: Change, redacted: bool) -> list[Entry]:
    """What `change` says, for people: `Field old → new`; a Participants change as one
    entry per participant that changed, was added or was removed (the JSON of the whole
    list, cut at the panel's edge, hid what changed). The events file keeps the raw
    old and new lists."""
    if change.field == "Participants":
        entries = _participants(change.old, change.new, redacted)
        if entries:
            return entries
    return [Entry(change.field, ((shown(change.old, redacted), True), (" → ", False),
                                 (shown(change.new, redacted), True)))]


_PARTICIPANT_WORDS = {"PhoneNumber": "number", "ProxyPhoneNumber": "proxy"}


def _number(participant: Any, key: str, redacted: bool) -> str:
    value = participant.get(key) if isinstance(participant, dict) else participant
    if redacted and key in PHONE_KEYS and isinstance(value, str):
        return redact_phone(value) or ""
    return shown(value, redacted)


def _participants(old: Any, new: Any, redacted: bool) -> list[Entry] | None:
    """Per participant, matched by phone number (one removed from the middle is
    `removed`, not every later one `changed`); None if either side is not a list."""
    old = [] if old is None else old
    new = [] if new is None else new
    if not isinstance(old, list) or not isinstance(new, list):
        return None

    def who(p: Any) -> str:
        return _number(p, "PhoneNumber", False)

    entries: list[Entry] = []
    matcher = SequenceMatcher(None, [who(p) for p in old], [who(p) for p in new],
                              autojunk=False)
    for _, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs = list(zip(range(i1, i2), range(j1, j2)))
        entries += [_participant_changed(j, old[i], new[j], redacted)
                    for i, j in pairs if old[i] != new[j]]
        entries += [_participant_one(i, "removed", old[i], redacted)
                    for i in range(i1 + len(pairs), i2)]
        entries += [_participant_one(j, "added", new[j], redacted)
                    for j in range(j1 + len(pairs), j2)]
    return entries


def _participant_one(index: int, verb: str, p: Any, redacted: bool) -> Entry:
    parts: list[tuple[str, bool]] = [(f"{verb} ", False),
                                     (_number(p, "PhoneNumber", redacted), True)]
    if isinstance(p, dict) and p.get("ProxyPhoneNumber") is not None:
        parts += [(" (proxy ", False), (_number(p, "ProxyPhoneNumber", redacted), True),
                  (")", False)]
    return Entry(f"participant {index + 1}", tuple(parts))


def _participant_changed(index: int, a: Any, b: Any, redacted: bool) -> Entry:
    parts: list[tuple[str, bool]] = []
    if isinstance(a, dict) and isinstance(b, dict):
        keys = [*_PARTICIPANT_WORDS, *sorted((a.keys() | b.keys()) - _PARTICIPANT_WORDS.keys())]
        for key in keys:
            if a.get(key) == b.get(key):
                continue
            if parts:
                parts.append((", ", False))
            word = _PARTICIPANT_WORDS.get(key)
            parts += [(f"{word} ", False)] if word else [(key, True), (" ", False)]
            parts += [(_number(a, key, redacted), True), (" → ", False),
                      (_number(b, key, redacted), True)]
    if not parts:  # not objects, or a key there with null against one missing
        parts = [(shown(a, redacted), True), (" → ", False), (shown(b, redacted), True)]
    return Entry(f"participant {index + 1}", tuple(parts))


class EventsWriter:
    """Append timeline events as JSON lines; a failure to write is reported, never raised.

    The file is created 0600 (it may hold phone numbers). `check()` tells at start-up
    whether the path can be written at all."""

    def __init__(self, path: Path, transform: Callable[[Any], Any] = lambda d: d) -> None:
        self.path = path
        self.transform = transform
        self.error: str | None = None

    def check(self) -> str | None:
        """None if the file can be appended to, else one line saying why not."""
        reason = check_writable(self.path)
        return f"cannot write events to {self.path}: {reason}" if reason else None

    def __call__(self, change: Change) -> None:
        try:
            with open_private(self.path, "a") as fh:  # phone numbers: 0600
                # json_safe: C1 and bidi characters, which json.dumps leaves raw, escaped
                # too (people tail -f the incident record).
                fh.write(json_safe(json.dumps(self.transform(change.to_json()),
                                              ensure_ascii=False)) + "\n")
            self.error = None
        except OSError as exc:
            self.error = f"cannot write events to {self.path}: {exc.strerror or exc}"


# -- the watch board's refresh -------------------------------------------------------

@dataclass
class BoardResult:
    sessions: dict[SessionKey, ProxySession]
    missing: set[SessionKey]  # answered NotFound in this refresh (confirmed or not)
    requests: int  # what the refresh itself cost (list pages, gets)
    confirmed: set[SessionKey] = field(default_factory=set)  # NotFound, confirmed: gone
    confirm_requests: int = 0  # one-off requests spent confirming a NotFound
    # Connectors whose requests failed in this refresh (the others answered): their
    # pins keep their last answer, shown as stale.
    failed: dict[str, ChimeError] = field(default_factory=dict)
    # Pins that a complete listing had, but left out as not what the service model says
    # (why): the session is there, its answer could not be read. Not missing: they keep
    # their last answer, shown as stale.
    unreadable: dict[SessionKey, str] = field(default_factory=dict)


CONNECTORS_AT_ONCE = 4  # connectors a board refresh asks at the same time


@dataclass
class BoardFetcher:
    """Refresh pinned sessions with the fewest requests: list pages or gets, per connector.

    A NotFound is confirmed in the same refresh by a second request made after the
    service answered normally: a session missing from a complete listing is asked
    for with GetProxySession; a GetProxySession NotFound is asked again after
    GetVoiceConnector answered. Answers that do not parse, and 404s to everything
    (the connector's listing too), confirm nothing."""

    client: Any
    totals: dict[str, int] = field(default_factory=dict)  # sessions per connector, last seen
    concurrency: int = 8

    async def fetch(self, pins: Iterable[SessionKey], skip: set[SessionKey] | None = None,
                    known_gone: set[SessionKey] | None = None) -> BoardResult:
        """Fetch the pins. `skip` (gone sessions not due for a re-check) cost no request
        of their own, but are looked for in listings made anyway. `known_gone` are not
        confirmed again."""
        by_vc: dict[str, list[str]] = defaultdict(list)
        free: dict[str, set[str]] = defaultdict(set)
        for vc, sid in pins:
            if skip and (vc, sid) in skip:
                free[vc].add(sid)
            elif sid not in by_vc[vc]:
                by_vc[vc].append(sid)
        before = self.client.request_count
        found: dict[SessionKey, ProxySession] = {}
        weak: set[SessionKey] = set()  # NotFound with no normal answer to confirm it
        absent: dict[str, list[str]] = defaultdict(list)  # not in a complete listing
        not_got: dict[str, list[str]] = defaultdict(list)  # GetProxySession: NotFound
        failed: dict[str, ChimeError] = {}
        unreadable: dict[SessionKey, str] = {}
        gate = asyncio.Semaphore(CONNECTORS_AT_ONCE)

        async def one(vc: str, sids: list[str]) -> None:
            total = self.totals.get(vc)
            pages = math.ceil(total / PAGE_SIZE) if total is not None else None
            try:
                async with gate:
                    if pages is not None and len(sids) < pages:
                        not_got[vc] = await self._by_get(vc, sids, found, unreadable)
                    else:
                        absent[vc] = await self._by_list(vc, sids, free.get(vc, set()),
                                                         found, weak, unreadable)
            except ChimeError as exc:
                # One connector failing (a 500, throttling, garbage) does not stop the
                # others: their pins are fresh, its own keep their last answer. Only a
                # refresh where every connector failed is a failed refresh.
                failed[vc] = exc
                for key in [k for k in found if k[0] == vc]:
                    del found[key]  # (pages before the failure: shown as stale too)
                for key in [k for k in unreadable if k[0] == vc]:
                    del unreadable[key]

        # The connectors at once (a few at a time): one that hangs until the read
        # timeout holds the refresh for one timeout, not one per connector.
        await asyncio.gather(*(one(vc, sids) for vc, sids in by_vc.items()))
        if by_vc and len(failed) == len(by_vc):
            raise next(iter(failed.values()))
        if unreadable and not found and all(
                (vc, sid) in unreadable or vc in failed for vc, sids in by_vc.items()
                for sid in sids):
            # Every pin asked for is there but could not be read: nothing was updated.
            # A failed refresh, so that nothing says it was (the top line's time, the
            # stale line's age); each row keeps its answer and says its own age.
            (_, sid), why = next(iter(unreadable.items()))
            more = f" (and {len(unreadable) - 1} more)" if len(unreadable) > 1 else ""
            raise BadResponse(f"no pinned session could be read: session {sid}: {why}{more}",
                              code="BadResponse")
        requests = self.client.request_count - before
        gone = known_gone or set()
        confirmed: set[SessionKey] = set()
        for vc in {*absent, *not_got}:
            fresh = [s for s in (*absent.get(vc, ()), *not_got.get(vc, ())) if (vc, s) not in gone]
            done = await self._confirm(vc, fresh, found, corroborate=bool(not_got.get(vc)))
            confirmed.update((vc, s) for s in done)
            weak.update((vc, s) for s in (*absent.get(vc, ()), *not_got.get(vc, ()))
                        if (vc, s) not in found)
        missing = (weak | confirmed) - found.keys()
        return BoardResult(found, missing, requests, confirmed,
                           self.client.request_count - before - requests, failed, unreadable)

    async def _by_list(self, vc: str, sids: list[str], free: set[str],
                       found: dict[SessionKey, ProxySession], weak: set[SessionKey],
                       unreadable: dict[SessionKey, str]) -> list[str]:
        """List the connector; the pins missing from a complete listing. A pin the
        listing left out as not what the service model says is `unreadable`, not
        missing: asking for it by its ID would be the same error, and a session that
        is there must never be suspected, or confirmed, gone."""
        wanted = set(sids) | free
        total = 0
        try:
            async for page in self.client.iter_proxy_session_pages(vc):
                total += len(page)
                for s in page:
                    if s.proxy_session_id in wanted:
                        found[(vc, s.proxy_session_id)] = s
        except NotFound:
            # The connector's listing says 404: a deleted connector, or a burst of 404s.
            # Nothing confirms it in this refresh.
            weak.update((vc, sid) for sid in sids if (vc, sid) not in found)
            return []
        from chime_tui.aws.client import DUPLICATE, ambiguous

        left_out = self.client.left_out.get(vc) or {}
        for sid in ambiguous(left_out):
            # Listed twice with different values: asked for by its ID instead.
            found.pop((vc, sid), None)
        self.totals[vc] = total
        for sid in sids:
            why = left_out.get(sid)
            if (vc, sid) not in found and why is not None and why != DUPLICATE:
                unreadable[(vc, sid)] = why
        return [sid for sid in sids if (vc, sid) not in found and (vc, sid) not in unreadable]

    async def _gets(self, vc: str, sids: list[str]) -> list[ProxySession | ChimeError]:
        """GetProxySession for each: the session, or its NotFound or BadResponse (any
        other error is raised)."""
        gate = asyncio.Semaphore(self.concurrency)

        async def one(sid: str) -> ProxySession | ChimeError:
            async with gate:
                try:
                    session: ProxySession = await self.client.get_proxy_session(vc, sid)
                    return session
                except (NotFound, BadResponse) as exc:
                    return exc

        return await asyncio.gather(*(one(s) for s in sids))

    async def _by_get(self, vc: str, sids: list[str], found: dict[SessionKey, ProxySession],
                      unreadable: dict[SessionKey, str]) -> list[str]:
        """One GetProxySession per pin; the pins that answered NotFound. A pin whose
        answer could not be read is `unreadable` when the service answered: another
        pin's answer was read, or this one is the session's answer with a value of the
        wrong type (`BadResponse.field`). When no answer was the service's (a proxy's
        HTML page to every request), it is the connector's failure (raised: backoff,
        every pin stale)."""
        results = await self._gets(vc, sids)
        bad = [r for r in results if isinstance(r, BadResponse) and r.field is None]
        if bad and len(bad) == len(results):
            raise bad[0]
        not_found = []
        for sid, result in zip(sids, results):
            if isinstance(result, ProxySession):
                found[(vc, sid)] = result
            elif isinstance(result, BadResponse):
                unreadable[(vc, sid)] = f"{result.field} is not what the service model says" \
                    if result.field else result.message
            else:
                not_found.append(sid)
        return not_found

    async def _confirm(self, vc: str, sids: list[str], found: dict[SessionKey, ProxySession],
                       corroborate: bool) -> set[str]:
        """Ask again, once the service has answered for the connector normally (its
        listing did, or GetVoiceConnector does now): the sessions NotFound again."""
        if not sids:
            return set()
        try:
            if corroborate:
                await self.client.get_voice_connector(vc)
            results = await self._gets(vc, sids)
        except ChimeError:  # throttled, garbage, 404 to the connector...: not confirmed
            return set()
        confirmed = set()
        for sid, result in zip(sids, results):
            if isinstance(result, ProxySession):
                found[(vc, sid)] = result  # it is there after all
            elif isinstance(result, NotFound):
                confirmed.add(sid)
        return confirmed
