"""The whole fleet: connector proxy settings, status counts over time, what expires next.

Plain Python, no widgets (the screens only draw what this module keeps):

- `FleetWatch` keeps, per voice connector, the status counts of every complete
  listing the app made (a sample each), the sessions' creation times (for
  "created per minute over the watched time") and the last proxy settings seen,
  and says when `Disabled` changed while watched (an `Alert`).
- `list_fleet` lists the sessions of several connectors, every page (ceil(N/100)
  requests each: counting costs what listing costs), and counts its requests.
- `expiring_next` merges listings into one list, soonest expiry first.
- `ConnectorsOverview` (the picker's source: connectors, each one's proxy settings,
  and every connector's sessions when fleet-wide counts are asked for) and
  `ExpiringSessions` (expiring next's: connectors, then the marked ones' or every
  one's sessions) are `chime_tui.sources.Source`s; each answer says its requests.
- `in_status` says how long a session has been in its status, and whether that is
  known (the app saw it change, or its EndedTimestamp says) or only a lower bound
  (since its UpdatedTimestamp: nothing changed after that, so at least that long).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import takewhile
from typing import Any

from chime_tui.aws.errors import ChimeError
from chime_tui.models import (
    ProxySession,
    VoiceConnector,
    VoiceConnectorProxy,
    parse_timestamp,
    proxy_state,
)
from chime_tui.monitor import Change, changed_at
from chime_tui.sources import SORTS, Source
from chime_tui.tracking import Alert

STATUSES = ("Open", "InProgress", "Closed")
ACTIVE = ("Open", "InProgress")
MAX_SAMPLES = 360  # listings kept per connector (at a 5 s refresh: the last half hour)
MAX_MINUTES = 60  # created-per-minute buckets kept (the last hour watched)
CONCURRENCY = 4  # connectors listed at once


# -- counts -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Sample:
    """One complete listing's counts, by status."""

    at: datetime
    open: int = 0
    in_progress: int = 0
    closed: int = 0
    other: int = 0  # a status this tool does not know, or none

    @property
    def total(self) -> int:
        return self.open + self.in_progress + self.closed + self.other


def count_statuses(sessions: Iterable[ProxySession], at: datetime) -> Sample:
    counts = dict.fromkeys(STATUSES, 0)
    other = 0
    for s in sessions:
        if s.status in counts:
            counts[s.status or ""] += 1
        else:
            other += 1
    return Sample(at, counts["Open"], counts["InProgress"], counts["Closed"], other)


def minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


@dataclass
class ConnectorWatch:
    """What the app has seen of one connector."""

    first_listed: datetime | None = None
    samples: deque[Sample] = field(default_factory=lambda: deque(maxlen=MAX_SAMPLES))
    created: dict[str, datetime] = field(default_factory=dict)  # session ID -> created
    proxy_known: bool = False  # the proxy settings were read at least once
    proxy: VoiceConnectorProxy | None = None  # None (when known): not configured
    proxy_at: datetime | None = None
    proxy_error: str | None = None  # the last read failed: why (the last good one stays)

    @property
    def latest(self) -> Sample | None:
        return self.samples[-1] if self.samples else None

    def series(self, status: str) -> list[float]:
        """One status's counts, a value per listing, oldest first."""
        name = {"Open": "open", "InProgress": "in_progress", "Closed": "closed"}[status]
        return [float(getattr(s, name)) for s in self.samples]

    def created_per_minute(self, now: datetime, limit: int = MAX_MINUTES) -> list[int]:
        """Sessions created in each minute of the watched time (from the first listing's
        minute to now's), oldest first, at most `limit` minutes; [] before a listing."""
        if self.first_listed is None:
            return []
        start = minute(self.first_listed)
        end = minute(now)
        n = int((end - start).total_seconds() // 60) + 1
        if n > limit:
            start += timedelta(minutes=n - limit)
            n = limit
        buckets = [0] * max(n, 1)
        lower = max(start, self.first_listed)  # created before the app watched: not counted
        for created in self.created.values():
            if created < lower or created > now:
                continue
            i = int((created - start).total_seconds() // 60)
            if 0 <= i < len(buckets):
                buckets[i] += 1
        return buckets


@dataclass
class FleetWatch:
    """Every connector's counts history and proxy settings, and the marked connectors."""

    connectors: dict[str, ConnectorWatch] = field(default_factory=dict)
    marked: set[str] = field(default_factory=set)

    def of(self, vc: str) -> ConnectorWatch:
        return self.connectors.setdefault(vc, ConnectorWatch())

    def observe_listing(self, vc: str, sessions: Sequence[ProxySession], at: datetime) -> Sample:
        """A complete listing of the connector's sessions (every page)."""
        watch = self.of(vc)
        if watch.first_listed is None:
            watch.first_listed = at
        sample = count_statuses(sessions, at)
        watch.samples.append(sample)
        for s in sessions:
            if s.proxy_session_id and s.created is not None:
                watch.created[s.proxy_session_id] = s.created
        return sample

    def observe_proxy(self, vc: str, proxy: VoiceConnectorProxy | None, at: datetime,
                      name: str | None = None) -> list[Alert]:
        """The connector's proxy settings as just read (None: not configured). An alert
        when their state (on, off, not configured) differs from the last one read."""
        watch = self.of(vc)
        before = proxy_state(watch.proxy) if watch.proxy_known else None
        watch.proxy_known, watch.proxy, watch.proxy_at = True, proxy, at
        watch.proxy_error = None
        after = proxy_state(proxy)
        if before is None or before == after:
            return []
        label = f"voice connector {name} ({vc})" if name else f"voice connector {vc}"
        what = {"off": "proxying DISABLED (Disabled: true)",
                "on": "proxying enabled (Disabled: false)",
                "not configured": "proxy settings removed (not configured)"}[after]
        return [Alert(at, (vc, ""), "proxy", f"{label}: {what}, was {before}")]

    def proxy_failed(self, vc: str, reason: str) -> None:
        self.of(vc).proxy_error = reason

    def toggle_mark(self, vc: str) -> bool:
        if vc in self.marked:
            self.marked.discard(vc)
            return False
        self.marked.add(vc)
        return True


def proxy_summary(proxy: VoiceConnectorProxy | None, fallback: str | None) -> str:
    """One line of a connector's proxy settings; `fallback` is the number as it may be
    shown (redacted or not: the caller decides)."""
    if proxy is None:
        return "proxy: not configured (GetVoiceConnectorProxy: NotFound)"
    parts = ["proxy: DISABLED (Disabled: true)" if proxy.disabled else "proxy: on"]
    minutes = proxy.default_session_expiry_minutes
    parts.append(f"default expiry {minutes} min" if minutes is not None
                 else "default expiry —")
    countries = ", ".join(proxy.phone_number_countries) or "—"
    parts.append(f"countries {countries}")
    parts.append(f"fallback {fallback or '—'}")
    return " · ".join(parts)


# -- listing several connectors -----------------------------------------------------------
@dataclass
class FleetListing:
    """Several connectors' sessions (each complete, or the error that stopped it)."""

    sessions: dict[str, list[ProxySession]] = field(default_factory=dict)
    errors: dict[str, ChimeError] = field(default_factory=dict)
    requests: int = 0


async def list_fleet(service: Any, vcs: Sequence[str]) -> FleetListing:
    """Every page of every connector's sessions, CONCURRENCY connectors at a time.
    `service` is a ChimeVoiceClient (its iter_proxy_session_pages). Each page is one
    request; a failed one counts too."""
    out = FleetListing()
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(vc: str) -> None:
        async with gate:
            sessions: list[ProxySession] = []
            try:
                async for page in service.iter_proxy_session_pages(vc):
                    out.requests += 1
                    sessions.extend(page)
            except ChimeError as exc:
                out.requests += 1
                out.errors[vc] = exc
                return
            from chime_tui.aws.client import unambiguous

            out.sessions[vc] = unambiguous(sessions, getattr(service, "left_out", {}).get(vc))

    await asyncio.gather(*(one(vc) for vc in vcs))
    out.sessions = {vc: out.sessions[vc] for vc in vcs if vc in out.sessions}
    return out


async def read_proxies(service: Any, vcs: Sequence[str]
                       ) -> tuple[dict[str, VoiceConnectorProxy | None], dict[str, ChimeError]]:
    """GetVoiceConnectorProxy for each connector (one request each)."""
    found: dict[str, VoiceConnectorProxy | None] = {}
    errors: dict[str, ChimeError] = {}
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(vc: str) -> None:
        async with gate:
            try:
                found[vc] = await service.get_voice_connector_proxy(vc)
            except ChimeError as exc:
                errors[vc] = exc

    await asyncio.gather(*(one(vc) for vc in vcs))
    return found, errors


# -- the picker's and expiring next's sources ----------------------------------------------
@dataclass
class Overview:
    """The picker's answer: the connectors, their proxy settings, and (fleet-wide counts
    asked for) every connector's sessions."""

    connectors: list[VoiceConnector]
    proxies: dict[str, VoiceConnectorProxy | None] = field(default_factory=dict)
    proxy_errors: dict[str, ChimeError] = field(default_factory=dict)
    listing: FleetListing | None = None
    requests: int = 0


class ConnectorsOverview(Source[Overview]):
    """ListVoiceConnectors, one GetVoiceConnectorProxy per connector listed, and, while
    `count_all` is set, every page of every connector's sessions. `service` is the app's
    ChimeVoiceClient."""

    def __init__(self, service: Any, interval: float) -> None:
        super().__init__(interval)
        self.service = service
        self.count_all = False

    async def fetch(self) -> Overview:
        service = self.service
        before = service.request_count
        connectors = await service.list_voice_connectors()
        out = Overview(connectors, requests=service.request_count - before)
        vcs = list(dict.fromkeys(c.voice_connector_id for c in connectors
                                 if c.voice_connector_id))
        out.proxies, out.proxy_errors = await read_proxies(service, vcs)
        out.requests += len(vcs)
        if self.count_all:
            out.listing = await list_fleet(service, vcs)
            out.requests += out.listing.requests
        return out


@dataclass
class ExpiringAnswer:
    names: dict[str, str]  # connector ID -> its name (its ID when it has none)
    scope: list[str]  # the connectors listed
    marked: bool  # the scope is the marked connectors
    listing: FleetListing
    requests: int


class ExpiringSessions(Source[ExpiringAnswer]):
    """ListVoiceConnectors, then every page of the marked connectors' sessions (of every
    connector when none is marked). Many connectors take long to list: refreshed less
    often (pace_factor)."""

    pace_factor = 4.0

    def __init__(self, service: Any, marked: set[str], interval: float) -> None:
        super().__init__(interval)
        self.service = service
        self.marked = marked  # the app's FleetWatch.marked (read at each fetch)

    async def fetch(self) -> ExpiringAnswer:
        service = self.service
        before = service.request_count
        connectors = await service.list_voice_connectors()
        requests = service.request_count - before
        names = {c.voice_connector_id: c.name or c.voice_connector_id
                 for c in connectors if c.voice_connector_id}
        marked = [vc for vc in names if vc in self.marked]
        scope = marked or list(names)
        listing = await list_fleet(service, scope)
        return ExpiringAnswer(names, scope, bool(marked), listing, requests + listing.requests)


# -- expiring next ------------------------------------------------------------------------
@dataclass(frozen=True)
class ExpiringRow:
    voice_connector_id: str
    connector_name: str
    session: ProxySession

    @property
    def key(self) -> str:
        return f"{self.voice_connector_id}/{self.session.proxy_session_id or ''}"


def expiring_next(listings: Mapping[str, Sequence[ProxySession]], names: Mapping[str, str],
                  now: datetime) -> list[ExpiringRow]:
    """The Open and InProgress sessions of every listing in the lists' one expiry order
    (`chime_tui.sources.SORTS["expiry"]`): one past its expiry that the service still
    calls Open or InProgress is due now (first, the longest overdue on top), then the
    others soonest first, then those with no expiry; ties by connector and session ID."""
    rows = [ExpiringRow(vc, names.get(vc) or vc, s)
            for vc, sessions in listings.items() for s in sessions if s.status in ACTIVE]
    expiry = SORTS["expiry"](now)
    return sorted(rows, key=lambda row: (expiry(row.session), row.voice_connector_id,
                                         row.session.proxy_session_id or ""))


# -- time in status -----------------------------------------------------------------------
@dataclass(frozen=True)
class InStatus:
    status: str
    since: datetime
    exact: bool  # True: seen changing (or ended then); False: at least since `since`
    source: str  # "seen" | "changed" | "ended" | "updated"


def in_status(session: ProxySession, timeline: Sequence[Change] = (),
              seen: datetime | None = None) -> InStatus | None:
    """How long `session` has been in its status: from its EndedTimestamp (Closed),
    else from the last Status change the app saw (into this status: the service's time
    of it when the same answer moved UpdatedTimestamp, see `_status_changed`), else at
    least since its UpdatedTimestamp (any change updates it, so the status is at least
    that old). `seen`: when the app had `session` (at the latest); an EndedTimestamp
    after it is no time of the end ("in status 0s" of a close dated 2030)."""
    status = session.status
    if not status:
        return None
    if status == "Closed" and session.ended is not None \
            and (seen is None or session.ended <= seen):
        # The service's own time of the end: the app's sighting of the change comes up
        # to a refresh later (the panel said "ended 8 seconds ago" beside "in status 5s").
        return InStatus(status, session.ended, True, "ended")
    # The UpdatedTimestamps of earlier answers in this status (not of the answer before
    # a Status change: that one was in the other status).
    earlier: list[tuple[datetime, datetime]] = []  # (UpdatedTimestamp, seen at)
    for change in reversed(timeline):
        if change.field == "Status":
            if change.new == status:
                return _status_changed(status, change, timeline)
            earlier = [e for e in earlier if e[1] != change.at]
            break
        if change.field == "UpdatedTimestamp" and (old := parse_timestamp(change.old)):
            earlier.append((old, change.at))
    # Another field's change (an extend) moves UpdatedTimestamp on, not the status: an
    # earlier answer already in this status keeps the bound where it was, and still
    # holds when this one's UpdatedTimestamp is no date (walk 6 #5).
    bounds = [*([session.updated] if session.updated is not None else []),
              *(e[0] for e in earlier)]
    return InStatus(status, min(bounds), False, "updated") if bounds else None


def _status_changed(status: str, change: Change, timeline: Sequence[Change]) -> InStatus:
    """When the Status `change` the app saw happened. The app sees it up to a refresh
    late, or an outage late: "in status 2s (seen changing)" of a change made 27 s
    before (walk 4 #10). The UpdatedTimestamp its answer moved is the service's time of
    it (as EndedTimestamp is of a close: `monitor.changed_at`); else the sighting."""
    same_answer = takewhile(lambda other: other.at >= change.at, reversed(timeline))
    at = changed_at(same_answer, change.at)
    return InStatus(status, change.at, True, "seen") if at is None else \
        InStatus(status, at, True, "changed")


def duration_short(delta: timedelta) -> str:
    """'42s', '3m 05s', '2h 07m', '3d 4h'."""
    secs = max(0, int(delta.total_seconds()))
    if secs >= 30 * 86400:
        return _long(delta)
    if secs >= 86400:
        return f"{secs // 86400}d {secs % 86400 // 3600}h"
    if secs >= 3600:
        return f"{secs // 3600}h {secs % 3600 // 60:02d}m"
    if secs >= 60:
        return f"{secs // 60}m {secs % 60:02d}s"
    return f"{secs}s"


def _long(delta: timedelta) -> str:
    """A month or more, as people say it ('2 months', '6 years'): days and hours would
    be a precision nobody reads."""
    import humanize

    return str(humanize.naturaldelta(delta))


def in_status_short(value: InStatus | None, now: datetime) -> str:
    """A table cell: '3m 05s' when known, '≥ 3 min' when only a lower bound (minutes:
    seconds would claim a precision the bound does not have)."""
    if value is None:
        return "—"
    delta = now - value.since
    if value.exact:
        return duration_short(delta)
    mins = max(0, int(delta.total_seconds() // 60))
    if mins >= 30 * 1440:
        return f"≥ {_long(delta)}"
    if mins >= 1440:
        return f"≥ {mins // 1440}d {mins % 1440 // 60}h"
    if mins >= 60:
        return f"≥ {mins // 60}h {mins % 60:02d}m"
    return f"≥ {mins} min" if mins else f"≥ {max(0, int(delta.total_seconds()))}s"


def in_status_sentence(value: InStatus | None, now: datetime) -> str:
    """For the detail screen: the duration and where it comes from."""
    if value is None:
        return "time in status unknown"
    where = {"seen": "since the app saw it change",
             "changed": "since its UpdatedTimestamp when the app saw it change",
             "ended": "since its EndedTimestamp",
             "updated": "since its last update (UpdatedTimestamp); the app has not seen "
                        "it change"}[value.source]
    return f"{value.status} for {in_status_short(value, now)} ({where})"
