"""What changed, what matters, and what to keep: plain Python, no widgets.

`SessionTracker` sees every fetched session (from the detail screen or the
watch board), keeps a per-session timeline of field changes, and raises each
alert once: a status transition, a session that disappears, time to expiry
crossing the threshold. `EventsWriter` appends timeline events to a JSON-lines
file for the incident record. `fetch_board` refreshes pinned sessions with
ListProxySessions pages where that costs fewer requests than one
GetProxySession per pin.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable

from chime_tui.aws.errors import ChimeError, NotFound
from chime_tui.files import check_writable, open_private
from chime_tui.models import ExpiryState, ProxySession
from chime_tui.monitor import Change, diff_sessions

Key = tuple[str, str]


@dataclass(frozen=True)
class Alert:
    at: datetime
    key: Key
    kind: str  # "status" | "gone" | "expiring"
    message: str


@dataclass
class SessionTracker:
    threshold: timedelta = timedelta(minutes=5)
    last: dict[Key, ProxySession] = field(default_factory=dict)
    timelines: dict[Key, list[Change]] = field(default_factory=lambda: defaultdict(list))
    last_change_at: dict[Key, datetime] = field(default_factory=dict)
    gone: set[Key] = field(default_factory=set)
    warned: set[Key] = field(default_factory=set)
    listeners: list[Callable[[Change], None]] = field(default_factory=list)

    def _record(self, change: Change) -> None:
        key = (change.voice_connector_id, change.proxy_session_id)
        self.timelines[key].append(change)
        self.last_change_at[key] = change.at
        for listener in self.listeners:
            listener(change)

    def observe(self, session: ProxySession, now: datetime) -> tuple[list[Change], list[Alert]]:
        key = session.key
        old = self.last.get(key)
        self.last[key] = session
        alerts: list[Alert] = []
        if key in self.gone:  # it came back
            self.gone.discard(key)
        changes = diff_sessions(old, session, now)
        for change in changes:
            self._record(change)
            if change.field == "Status":
                alerts.append(Alert(now, key, "status",
                                    f"session {key[1]}: {change.old} → {change.new}"))
        alerts.extend(self.check_expiry(now, [key]))
        return changes, alerts

    def observe_gone(self, key: Key, now: datetime) -> list[Alert]:
        if key in self.gone:
            return []
        self.gone.add(key)
        old = self.last.get(key)
        self._record(Change(now, key[0], key[1], "Session", old.status if old else "known",
                            "not found"))
        return [Alert(now, key, "gone", f"session {key[1]} not found: it ended or was deleted")]

    def check_expiry(self, now: datetime, keys: Iterable[Key] | None = None) -> list[Alert]:
        """Alert once per session when its time to expiry falls under the threshold."""
        alerts = []
        for key in list(keys if keys is not None else self.last):
            s = self.last.get(key)
            if s is None or key in self.warned or key in self.gone:
                continue
            left = s.time_to_expiry(now)
            if s.expiry_state(now) is ExpiryState.COUNTING and left is not None \
                    and left <= self.threshold:
                self.warned.add(key)
                minutes = max(1, math.ceil(left.total_seconds() / 60))
                alerts.append(Alert(now, key, "expiring",
                                    f"session {key[1]} expires in {minutes} min"))
        return alerts


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
                fh.write(json.dumps(self.transform(change.to_json()), ensure_ascii=False) + "\n")
            self.error = None
        except OSError as exc:
            self.error = f"cannot write events to {self.path}: {exc.strerror or exc}"


# -- the watch board's refresh -------------------------------------------------------

@dataclass
class BoardResult:
    sessions: dict[Key, ProxySession]
    missing: set[Key]
    requests: int


@dataclass
class BoardFetcher:
    """Refresh pinned sessions with the fewest requests: list pages or gets, per connector."""

    client: Any
    totals: dict[str, int] = field(default_factory=dict)  # sessions per connector, last seen
    concurrency: int = 8

    async def fetch(self, pins: Iterable[Key], skip: set[Key] | None = None) -> BoardResult:
        """Fetch the pins; `skip` (sessions known to be gone) are not asked for again."""
        by_vc: dict[str, list[str]] = defaultdict(list)
        for vc, sid in pins:
            if skip and (vc, sid) in skip:
                continue
            if sid not in by_vc[vc]:
                by_vc[vc].append(sid)
        before = self.client.request_count
        found: dict[Key, ProxySession] = {}
        missing: set[Key] = set()
        for vc, sids in by_vc.items():
            total = self.totals.get(vc)
            pages = math.ceil(total / 100) if total is not None else None
            if pages is not None and len(sids) < pages:
                await self._by_get(vc, sids, found, missing)
            else:
                await self._by_list(vc, sids, found, missing)
        return BoardResult(found, missing, self.client.request_count - before)

    async def _by_list(self, vc: str, sids: list[str], found: dict[Key, ProxySession],
                       missing: set[Key]) -> None:
        wanted = set(sids)
        total = 0
        try:
            async for page in self.client.iter_proxy_session_pages(vc):
                total += len(page)
                for s in page:
                    if s.proxy_session_id in wanted:
                        found[(vc, s.proxy_session_id)] = s
        except NotFound:
            missing.update((vc, sid) for sid in sids)  # the connector itself is gone
            return
        self.totals[vc] = total
        missing.update((vc, sid) for sid in sids if (vc, sid) not in found)

    async def _by_get(self, vc: str, sids: list[str], found: dict[Key, ProxySession],
                      missing: set[Key]) -> None:
        gate = asyncio.Semaphore(self.concurrency)

        async def one(sid: str) -> ProxySession | ChimeError:
            async with gate:
                try:
                    return await self.client.get_proxy_session(vc, sid)
                except NotFound as exc:
                    return exc

        for sid, result in zip(sids, await asyncio.gather(*(one(s) for s in sids))):
            if isinstance(result, ProxySession):
                found[(vc, sid)] = result
            else:
                missing.add((vc, sid))
