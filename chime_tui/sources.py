"""The data behind the screens: what to ask, how to parse and sort it, how often to ask,
and what changed. Plain asyncio, no Textual: a screen makes a source, polls it (a
`monitor.Poller` runs `fetch`, paced by `pace`) and draws what it gives.

- `OneSession`: one proxy session (the session screen): the start-up helper's answer
  first, then GetProxySession; each answer tracked (timeline, alerts); a seen
  session's NotFound suspected, then confirmed.
- `ConnectorSessions`: the sessions of one voice connector (the session list): the
  helper's pages or our own listing, each page handed out as it arrives on the first
  load, the whole listing sorted; large listings polled less often; the watched
  sessions in it (pinned, or followed by the tracker) tracked.
- `PinnedSessions`: the watch board's pins, with the fewest requests
  (`tracking.BoardFetcher`), each answer tracked, gone pins re-checked now and then.
- `CallSource`: one call (the connector picker's list of connectors).

What a source needs from its owner (the app: the AWS client, the tracker, the clock,
the helper's hand-off, where alerts go) is the `Host` protocol.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from chime_tui.aws.client import ChimeVoiceClient, parse_sessions, unambiguous, unique
from chime_tui.aws.errors import ChimeError, NotFound
from chime_tui.models import ProxySession, SessionKey
from chime_tui.monitor import Change
from chime_tui.pins import PinStore
from chime_tui.prefetch import Prefetch, PrefetchFailed
from chime_tui.tracking import Alert, BoardFetcher, BoardResult, SessionTracker

T = TypeVar("T")

SORT_CHUNK = 2000  # sort keys computed between turns of the event loop
HELPER_LIST_HANDOFF = 2.0  # seconds after the helper's listing before our client opens
HELPER_GET_HANDOFF = 0.5  # ... after its session
RECHECK_SECONDS = 5.0  # a seen session's NotFound is confirmed by one more try this later
CONFIRM_AFTER = 30.0  # board: seconds of unconfirmed NotFound (404s to everything) before "gone"
RECHECK_GONE = 30.0  # seconds between the checks of a gone session (see recheck_gone_every)


def recheck_gone_every(interval: float) -> float:
    """Seconds between the checks of a gone session, for a screen refreshed every
    `interval` seconds: the board's gone pins and the session screen's gone session are
    asked for as often, so the two never disagree for long about the same session."""
    return max(RECHECK_GONE, 6 * interval)


class Host(Protocol):
    """What the sources use of their owner (the app)."""

    service: ChimeVoiceClient
    pins: PinStore
    clock: Callable[[], datetime]
    timer: Callable[[], float]

    @property
    def tracker(self) -> SessionTracker: ...

    @property
    def prefetch_timeout(self) -> float: ...

    def take_prefetch(self, vc: str, sid: str | None) -> Prefetch | None: ...

    def open_client_later(self, delay: float) -> None: ...

    def raise_alerts(self, alerts: list[Alert]) -> None: ...

    def track(self, session: ProxySession) -> list[Change]:
        """Observe an answer (timeline, alerts raised); what changed since the last."""
        ...


class Source(Generic[T]):
    """Something to poll: `fetch()` asks the service, `interval` is how often, and
    `pace` (None: the interval stays) the interval after a fetch of a given latency."""

    pace_factor: float | None = None  # set: a fetch of L seconds makes the interval >= factor * L

    def __init__(self, interval: float) -> None:
        self.interval = interval

    async def fetch(self) -> T:
        raise NotImplementedError

    def fetch_cost(self, latency: float) -> float:
        """The part of a fetch's `latency` that pacing counts (by default, all of it)."""
        return latency

    @property
    def pace(self) -> Callable[[float], float] | None:
        factor = self.pace_factor
        if factor is None:
            return None
        # From the very next poll: a fetch never takes more than 1/factor of the time.
        return lambda latency: max(self.interval, factor * self.fetch_cost(latency))


class CallSource(Source[T]):
    """A source that is one call (`fetch`), polled every `interval` seconds."""

    def __init__(self, fetch: Callable[[], Awaitable[T]], interval: float) -> None:
        super().__init__(interval)
        self._fetch = fetch

    async def fetch(self) -> T:
        return await self._fetch()


# -- one session ------------------------------------------------------------------------

@dataclass(frozen=True)
class SessionUpdate:
    """One answer for a session, and what changed since the last (already tracked)."""

    session: ProxySession
    changes: list[Change]


class OneSession(Source[SessionUpdate]):
    """One proxy session. NotFound for a session never seen this run says so (a
    mistyped or old ID); for a seen one (here, or on the board or the list: the
    tracker's) it is suspected, and gone once a try `recheck_seconds` later says
    NotFound again (the caller asks for that try: the schedule stops on NotFound). A
    gone session is asked for again every `recheck_gone_seconds` (as the board asks for
    a gone pin): a session that answers again is shown again (the tracker clears "gone"
    and says it answers again)."""

    def __init__(self, host: Host, voice_connector_id: str, proxy_session_id: str,
                 interval: float, recheck_seconds: float = RECHECK_SECONDS) -> None:
        super().__init__(interval)
        self.host = host
        self.key: SessionKey = (voice_connector_id, proxy_session_id)
        self.recheck_seconds = recheck_seconds
        # The last answer; to begin with, what the app last saw of it elsewhere.
        self.seen: ProxySession | None = host.tracker.last.get(self.key)

    @property
    def recheck_gone_seconds(self) -> float:
        return recheck_gone_every(self.interval)

    @property
    def gone(self) -> bool:
        """Seen, then NotFound, confirmed: it ended or was deleted."""
        return self.key in self.host.tracker.gone

    async def fetch(self) -> SessionUpdate:
        host = self.host
        try:
            session = await self._get()
        except NotFound as exc:
            if self.seen is not None:
                host.raise_alerts(host.tracker.observe_missing(
                    self.key, host.clock(), timedelta(seconds=0.8 * self.recheck_seconds)))
                if self.gone:
                    raise NotFound("session not found: it ended or was deleted",
                                   code=exc.code, status=exc.status) from None
            raise
        self.seen = session
        return SessionUpdate(session, host.track(session))

    async def _get(self) -> ProxySession:
        host = self.host
        vc, sid = self.key
        prefetch = host.take_prefetch(vc, sid)
        if prefetch is not None:
            raw = await asyncio.to_thread(prefetch.result, host.prefetch_timeout)
            if raw is not None:
                host.open_client_later(HELPER_GET_HANDOFF)
                return ProxySession.from_api(raw)
        try:
            return await host.service.get_proxy_session(vc, sid)
        except NotFound as exc:
            if self.seen is not None:
                raise  # seen, then missing: it ended or was deleted
            raise NotFound("session not found: no session with this ID on this voice "
                           "connector", code=exc.code, status=exc.status) from None


# -- the sessions of a connector ----------------------------------------------------------

def _expiry_key(now: datetime) -> Callable[[ProxySession], tuple[int, float]]:
    """Sessions with a countdown, soonest first (one past its expiry but not closed
    yet is due now: first, the longest overdue on top); then live sessions with no
    expiry; then ended ones (closed or with an EndedTimestamp). The one order of the
    session lists and the watch board."""
    def key(s: ProxySession) -> tuple[int, float]:
        if s.is_closed:
            return EXPIRY_ENDED
        expires = s.expires_at
        if expires is None:
            return EXPIRY_NONE
        return (0, (expires - now).total_seconds())  # a float: quick to compare
    return key


EXPIRY_NONE = (1, 0.0)  # live, no ExpiryMinutes (or no CreatedTimestamp)
EXPIRY_ENDED = (2, 0.0)
EXPIRY_UNKNOWN = (3, 0.0)  # no data yet (a pin not fetched)


STATUS_RANK = {"Open": 0, "InProgress": 1, "Closed": 2}  # active sessions first
SORTS: dict[str, Callable[[datetime], Callable[[ProxySession], Any]]] = {
    "expiry": _expiry_key,
    "status": lambda now: lambda s: (STATUS_RANK.get(s.status or "", 3), s.status or "",
                                     s.proxy_session_id or ""),
    "created": lambda now: lambda s: -(s.created.timestamp() if s.created else 0),
    "id": lambda now: lambda s: s.proxy_session_id or "",
    "name": lambda now: lambda s: ((s.name or "").lower(), s.proxy_session_id or ""),
    "parts": lambda now: lambda s: (len(s.participants), s.proxy_session_id or ""),
}


async def sort_sessions(sessions: list[ProxySession], order: str, now: datetime
                        ) -> list[ProxySession]:
    """`sessions` in `order` (a SORTS name): the keys (the costly part for 10,000
    sessions) a chunk per turn of the event loop, then one sort of plain values."""
    key = SORTS[order](now)
    keys: list[Any] = []
    for start in range(0, len(sessions), SORT_CHUNK):
        await asyncio.sleep(0)
        keys.extend(map(key, sessions[start:start + SORT_CHUNK]))
    return [sessions[i] for i in sorted(range(len(sessions)), key=keys.__getitem__)]


@dataclass(frozen=True)
class Listing:
    """A complete listing of a connector's sessions, sorted by `sorted_by`."""

    sessions: list[ProxySession]
    sorted_by: str


class ConnectorSessions(Source[Listing]):
    """The proxy sessions of one voice connector, every page. Until one listing has
    been complete, each page is also handed to `on_page` as it arrives (the list fills
    while the rest comes). Sorted in the fetch by `order()`, so the caller's update stays
    short. Large lists take long to page through: they are refreshed less often (the
    client's opening, once, does not count)."""

    pace_factor = 4.0

    def __init__(self, host: Host, voice_connector_id: str, interval: float,
                 order: Callable[[], str] = lambda: "expiry",
                 on_page: Callable[[list[ProxySession]], object] | None = None) -> None:
        super().__init__(interval)
        self.host = host
        self.voice_connector_id = voice_connector_id
        self.order = order
        self.on_page = on_page
        self.complete = False  # a complete listing has been fetched
        self.setup_time = 0.0  # the last fetch's time before its listing began (not paced)
        # The last complete listing, by ID: a refresh keeps these objects for the sessions
        # the service says the same of, so it holds one page of new ones at a time, not a
        # second copy of every session (10,000 of them: ~20 MiB more at the peak).
        self.held: dict[str, ProxySession] = {}

    async def fetch(self) -> Listing:
        host = self.host
        stream = not self.complete
        started = host.timer()
        self.setup_time = 0.0
        sessions = await self._from_helper(stream)
        if sessions is None:
            # Opening the client (its import, once) is not the listing's cost: a small
            # list is not refreshed less often because the first fetch opened it.
            service = host.service
            await service.open()
            self.setup_time = host.timer() - started
            sessions = []
            async for page in service.iter_proxy_session_pages(self.voice_connector_id):
                page = self.same_as_held(page)
                sessions.extend(page)
                if stream:
                    self._hand_out(page)
        # Listed twice with different values: neither is known to be the session.
        sessions = unambiguous(sessions, host.service.left_out.get(self.voice_connector_id))
        await self.track_watched(sessions)
        order = self.order()
        sessions = await sort_sessions(sessions, order, host.clock())
        self.complete = True
        self.held = {s.proxy_session_id or "": s for s in sessions}
        return Listing(sessions, order)

    def same_as_held(self, page: list[ProxySession]) -> list[ProxySession]:
        """The page with each session the service says the same of as in the last
        listing replaced by the object held from then (the new one is dropped now)."""
        held = self.held
        if not held:
            return page
        out = []
        for session in page:
            old = held.get(session.proxy_session_id or "")
            out.append(old if old is not None and old.same_answer(session) else session)
        return out

    async def track_watched(self, sessions: list[ProxySession]) -> None:
        """The watched sessions of a complete listing (pinned, or already followed by the
        tracker) are tracked as the board and the session screen track them: a change
        seen here joins the timeline, the board's "Last change", the alerts and the
        events file. The others are not: alerts for sessions nobody watches are noise.
        A watched session seen before and missing from the listing is asked for once
        (as the board does): NotFound after the listing answered normally is gone."""
        host = self.host
        tracker = host.tracker
        vc = self.voice_connector_id
        watched = {sid for v, sid in host.pins.pins if v == vc}
        watched.update(sid for v, sid in tracker.last if v == vc)
        if not watched:
            return
        listed = set()
        for session in sessions:
            if session.proxy_session_id in watched:
                listed.add(session.proxy_session_id)
                host.track(session)
        for sid in sorted(watched - listed):
            key = (vc, sid)
            if key not in tracker.last or key in tracker.gone:
                continue  # never seen (a pin the board looks for), or gone already
            try:
                host.track(await host.service.get_proxy_session(vc, sid))
            except NotFound:
                host.raise_alerts(tracker.observe_gone(key, host.clock()))
            except ChimeError:
                pass  # throttled, garbage...: nothing confirmed; the next listing asks again

    async def _from_helper(self, stream: bool) -> list[ProxySession] | None:
        """The start-up helper's listing of this connector, if it was started for it and
        finishes; None: list it ourselves (from the first page again)."""
        host = self.host
        prefetch = host.take_prefetch(self.voice_connector_id, None)
        if prefetch is None:
            return None
        sessions: list[ProxySession] = []
        seen: dict[str, ProxySession] = {}
        left_out: dict[str, str] = {}
        try:
            async for items in prefetch.session_pages(host.prefetch_timeout):
                page = self.same_as_held(unique(parse_sessions(items), seen, left_out))
                sessions.extend(page)
                if stream:
                    self._hand_out(page)
        except (PrefetchFailed, ChimeError):
            return None
        host.service.left_out[self.voice_connector_id] = left_out  # as its own listing
        host.open_client_later(HELPER_LIST_HANDOFF)  # once the rows are in
        return sessions

    def _hand_out(self, page: list[ProxySession]) -> None:
        if self.on_page is not None:
            self.on_page(page)

    def fetch_cost(self, latency: float) -> float:
        return max(0.0, latency - self.setup_time)

    @staticmethod
    def keep() -> None:
        """The sessions handed out so far, and the rows made of them, live as long as
        the list: keep them out of the cyclic collector, whose full passes over a
        growing heap would stall the screen (call after each batch is shown)."""
        gc.freeze()


# -- the watch board --------------------------------------------------------------------

@dataclass(frozen=True)
class BoardUpdate:
    """One refresh of the pins, already tracked: what changed per pin, and the pins
    whose health changed (newly suspected missing, or gone)."""

    result: BoardResult
    changes: dict[SessionKey, list[Change]]
    health: set[SessionKey]


class PinnedSessions(Source[BoardUpdate]):
    """The pinned sessions of every connector (`host.pins`). A pin that answers
    NotFound is suspected until the NotFound is confirmed (see `BoardFetcher`; or it
    lasts `CONFIRM_AFTER`), then gone, with one alert; or, if it was never seen this
    run, not found (no alert), and looked for as rarely as a gone one. Gone pins are
    still looked for: for free in listings made anyway, else every `recheck_gone_every`, and
    at once after `recheck_gone()`."""

    def __init__(self, host: Host, interval: float) -> None:
        super().__init__(interval)
        self.host = host
        self.fetcher: BoardFetcher | None = None
        self.rechecked: dict[SessionKey, datetime] = {}  # gone pins: when last asked for
        self.recheck_all = False  # every pin on the next fetch, the gone ones too
        self.unreadable: set[SessionKey] = set()  # as the last refresh found them

    def recheck_gone(self) -> None:
        self.recheck_all = True

    async def fetch(self) -> BoardUpdate:
        host = self.host
        if self.fetcher is None or self.fetcher.client is not host.service:
            self.fetcher = BoardFetcher(host.service)
        now = host.clock()
        pins = list(host.pins.pins)
        tracker = host.tracker
        # Gone pins, and pins never seen that the service says do not exist: asked for
        # now and then only (and at once after `recheck_gone`).
        gone = (tracker.gone | tracker.not_found) & set(pins)
        every = timedelta(seconds=recheck_gone_every(self.interval))
        if self.recheck_all:
            due, self.recheck_all = set(gone), False
        else:
            due = {k for k in gone if (t := self.rechecked.get(k)) is None or now - t >= every}
        for key in due:
            self.rechecked[key] = now
        result = await self.fetcher.fetch(pins, skip=gone - due, known_gone=set(gone))
        return self.track(result)

    def track(self, result: BoardResult) -> BoardUpdate:
        host = self.host
        tracker = host.tracker
        now = host.clock()
        changes: dict[SessionKey, list[Change]] = {}
        for key, session in result.sessions.items():
            self.rechecked.pop(key, None)
            changes[key] = host.track(session)  # clears "missing?" and "gone"
        confirm_after = timedelta(seconds=max(CONFIRM_AFTER, 4 * self.interval))
        # Listed, but not readable: there, so not suspected missing (its row keeps the
        # last answer, stale); its Health changes when it becomes so or stops being so.
        health = set(result.unreadable.keys() ^ self.unreadable)
        self.unreadable = set(result.unreadable)
        for key in result.unreadable:
            tracker.suspect.pop(key, None)
        for key in result.missing:
            if key in tracker.gone or key in tracker.not_found:
                continue
            first = key not in tracker.suspect
            if key in result.confirmed:
                host.raise_alerts(tracker.observe_gone(key, now))
            else:
                host.raise_alerts(tracker.observe_missing(key, now, confirm_after))
            settled = key in tracker.gone or key in tracker.not_found
            if settled:
                self.rechecked[key] = now
            if first or settled:
                health.add(key)
        return BoardUpdate(result, changes, health)
