"""The local endpoint's data: voice connectors, proxy sessions, their lifecycle and fault knobs.

Plain Python, no aiohttp: the server turns requests into calls on `EmulatorState`.
Sessions move Open -> InProgress -> Closed as the (injectable) clock passes
their scheduled times; a session past CreatedTimestamp + ExpiryMinutes closes
with an EndedTimestamp. Everything generated is deterministic for a given seed
and start time.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from chime_tui.models import utcnow

SEED_CONNECTOR_ID = "abcdef1ghij2klmno3pqr4"
SEED_SESSION_ID = "123a4bc5-67d8-901e-2f3g-h4ghjk56789l"

Clock = Callable[[], datetime]


def iso(dt: datetime) -> str:
    """Render a timestamp the way the service does: '2020-04-15T16:10:10.288Z'."""
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


@dataclass
class Session:
    voice_connector_id: str
    proxy_session_id: str
    created: datetime
    updated: datetime
    status: str = "Open"
    name: str | None = None
    expiry_minutes: int | None = 60
    capabilities: list[str] = field(default_factory=lambda: ["Voice", "SMS"])
    participants: list[dict[str, str]] = field(default_factory=list)
    number_selection_behavior: str | None = None
    geo_match_level: str | None = None
    geo_match_params: dict[str, str] | None = None
    ended: datetime | None = None
    progress_at: datetime | None = None  # when Open becomes InProgress
    lifecycle: bool = True  # False: frozen as given (the seed's example)
    extra: dict[str, Any] = field(default_factory=dict)  # fields served as given (hostile)

    def advance(self, now: datetime) -> None:
        if not self.lifecycle or self.status == "Closed":
            return
        if self.expiry_minutes is not None:
            expires = self.created + timedelta(minutes=self.expiry_minutes)
            if now >= expires:
                self.status = "Closed"
                self.ended = expires
                self.updated = expires
                return
        if self.status == "Open" and self.progress_at is not None and now >= self.progress_at:
            self.status = "InProgress"
            self.updated = self.progress_at

    def to_api(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "VoiceConnectorId": self.voice_connector_id,
            "ProxySessionId": self.proxy_session_id,
        }
        if self.name is not None:
            out["Name"] = self.name
        out["Status"] = self.status
        if self.expiry_minutes is not None:
            out["ExpiryMinutes"] = self.expiry_minutes
        out["Capabilities"] = list(self.capabilities)
        out["CreatedTimestamp"] = iso(self.created)
        out["UpdatedTimestamp"] = iso(self.updated)
        if self.ended is not None:
            out["EndedTimestamp"] = iso(self.ended)
        out["Participants"] = [dict(p) for p in self.participants]
        if self.number_selection_behavior is not None:
            out["NumberSelectionBehavior"] = self.number_selection_behavior
        if self.geo_match_level is not None:
            out["GeoMatchLevel"] = self.geo_match_level
        if self.geo_match_params is not None:
            out["GeoMatchParams"] = dict(self.geo_match_params)
        if self.extra:
            out.update(self.extra)
        return out


@dataclass
class Connector:
    voice_connector_id: str
    name: str
    aws_region: str
    created: datetime
    require_encryption: bool = True
    extra: dict[str, Any] = field(default_factory=dict)  # fields served as given (hostile)
    # The connector's proxy settings (GetVoiceConnectorProxy's `Proxy`), None: not configured.
    proxy: dict[str, Any] | None = None

    def to_api(self) -> dict[str, Any]:
        out = {
            "VoiceConnectorId": self.voice_connector_id,
            "AwsRegion": self.aws_region,
            "Name": self.name,
            "OutboundHostName": f"{self.voice_connector_id}.voiceconnector.chime.aws",
            "RequireEncryption": self.require_encryption,
            "CreatedTimestamp": iso(self.created),
            "UpdatedTimestamp": iso(self.created),
            "VoiceConnectorArn": (
                f"arn:aws:chime:{self.aws_region}:111122223333:vc/{self.voice_connector_id}"
            ),
        }
        out.update(self.extra)
        return out


@dataclass
class Faults:
    """Fault knobs. Counts are requests left to fault; -1 means until cleared.

    `status`: answer with this HTTP error (401, 403, 404, 500, 503...).
    `throttle`: answer 429 ThrottledClientException.
    `latency`: seconds added before every answer.
    `drop`: close the connection without an answer.
    `malformed`: 'html', 'truncated' or 'types' instead of a good body.
    `only_path`: apply status/throttle/drop/malformed only to paths containing this.
    `schedule`: per-request rules (see `EmulatorState.add_rule`), each
      `{"from": N, "to": M or None, <one fault>}` over the data requests' numbers.
    `paging`: 'endless' (every list page has a new NextToken, forever) or 'repeat'
      (the second page's NextToken is the same as the first's, forever).
    """

    throttle: int = 0
    status: int | None = None
    status_count: int = 0
    latency: float = 0.0
    drop: int = 0
    malformed: str | None = None
    malformed_count: int = 0
    only_path: str | None = None
    deny_keys: list[str] = field(default_factory=list)  # access key IDs answered with 403
    schedule: list[dict[str, Any]] = field(default_factory=list)
    paging: str | None = None

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]


@dataclass(frozen=True)
class RequestRecord:
    at: datetime
    method: str
    path: str
    query: str
    status: int
    authorization: bool


class EmulatorState:
    """Thread-safe store of connectors and sessions, with lifecycle and faults."""

    def __init__(self, clock: Clock = utcnow) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.connectors: dict[str, Connector] = {}
        self.sessions: dict[str, dict[str, Session]] = {}
        self.faults = Faults()
        self.requests: list[RequestRecord] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.served = 0  # data requests received (not the /_emulator knobs); never reset
        self._advanced: dict[str, datetime] = {}
        # New sessions' IDs (tests make them predictable to compare two clients' output).
        self.new_session_id: Callable[[], str] = lambda: str(uuid.uuid4())
        # Sessions served exactly as given (any shape the model allows), for property tests.
        self.raw: dict[str, dict[str, dict[str, Any]]] = {}
        # The demo's churn: every `churn` seconds a new session on each connector whose
        # proxying is on (not the seed's example connector); None: no new sessions.
        self.churn: float | None = None
        self._churned: dict[str, datetime] = {}
        self._churn_rng = random.Random(11)

    # -- population ---------------------------------------------------------------
    def add_connector(self, connector: Connector) -> Connector:
        with self.lock:
            self.connectors[connector.voice_connector_id] = connector
            self.sessions.setdefault(connector.voice_connector_id, {})
            return connector

    def add_session(self, session: Session) -> Session:
        with self.lock:
            self.sessions.setdefault(session.voice_connector_id, {})[
                session.proxy_session_id
            ] = session
            return session

    def put_raw(self, vc_id: str, session: dict[str, Any]) -> None:
        with self.lock:
            self.raw.setdefault(vc_id, {})[str(session.get("ProxySessionId"))] = session

    # -- reads --------------------------------------------------------------------
    def _advance(self, vc_id: str) -> None:
        now = self.clock()
        # Lifecycle moves in steps of a quarter second: paging 10,000 sessions does not
        # walk them all on every page.
        if self._advanced.get(vc_id) is not None and \
                abs((now - self._advanced[vc_id]).total_seconds()) < 0.25:
            return
        self._advanced[vc_id] = now
        if self.churn:
            self._new_sessions(vc_id, now)
        for s in self.sessions.get(vc_id, {}).values():
            s.advance(now)

    def _new_sessions(self, vc_id: str, now: datetime) -> None:
        """The demo's new sessions since the last look (at most 50 at once)."""
        c = self.connectors.get(vc_id)
        if c is None or vc_id == SEED_CONNECTOR_ID or not c.proxy or c.proxy.get("Disabled"):
            return
        step = timedelta(seconds=self.churn or 0)
        last = self._churned.setdefault(vc_id, now)
        for _ in range(50):
            if now - last < step:
                break
            last += step
            self.add_session(_new_session(self._churn_rng, vc_id, last,
                                          int(c.proxy.get("DefaultSessionExpiryMinutes", 60))))
        self._churned[vc_id] = last

    def list_connectors(self) -> list[dict[str, Any]]:
        with self.lock:
            return [c.to_api() for c in self.connectors.values()]

    def get_connector(self, vc_id: str) -> dict[str, Any] | None:
        with self.lock:
            c = self.connectors.get(vc_id)
            return c.to_api() if c else None

    def list_sessions(self, vc_id: str, status: str | None = None) -> list[dict[str, Any]] | None:
        items = self.session_items(vc_id, status)
        return None if items is None else [to_api(i) for i in items]

    def session_items(self, vc_id: str, status: str | None = None
                      ) -> list[Session | dict[str, Any]] | None:
        """A connector's sessions in order, unserialized (the server renders one page)."""
        with self.lock:
            if vc_id not in self.connectors:
                return None
            self._advance(vc_id)
            items: list[Session | dict[str, Any]] = [
                s for s in self.sessions[vc_id].values() if status is None or s.status == status]
            items += [r for r in self.raw.get(vc_id, {}).values()
                      if status is None or r.get("Status") == status]
            return items

    def get_session(self, vc_id: str, sid: str) -> dict[str, Any] | None:
        with self.lock:
            self._advance(vc_id)
            if sid in self.raw.get(vc_id, {}):
                return self.raw[vc_id][sid]
            s = self.sessions.get(vc_id, {}).get(sid)
            return s.to_api() if s else None

    # -- connector proxy settings ----------------------------------------------------
    def get_proxy(self, vc_id: str) -> dict[str, Any] | None:
        """The connector's `Proxy` as GetVoiceConnectorProxy answers it; None when the
        connector is unknown or has no proxy settings (both 404 NotFound)."""
        with self.lock:
            c = self.connectors.get(vc_id)
            return dict(c.proxy) if c is not None and c.proxy is not None else None

    def put_proxy(self, vc_id: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """PutVoiceConnectorProxy (the body checked already); None: no such connector."""
        with self.lock:
            c = self.connectors.get(vc_id)
            if c is None:
                return None
            c.proxy = proxy_settings(body["DefaultSessionExpiryMinutes"],
                                     body["PhoneNumberPoolCountries"],
                                     body.get("FallBackPhoneNumber"),
                                     bool(body.get("Disabled", False)))
            return dict(c.proxy)

    def delete_proxy(self, vc_id: str) -> bool:
        with self.lock:
            c = self.connectors.get(vc_id)
            if c is None or c.proxy is None:
                return False
            c.proxy = None
            return True

    # -- writes -------------------------------------------------------------------
    def create_session(self, vc_id: str, body: dict[str, Any]) -> dict[str, Any] | None:
        with self.lock:
            if vc_id not in self.connectors:
                return None
            now = self.clock()
            numbers = body.get("ParticipantPhoneNumbers") or []
            proxy = "+1913555" + f"{len(self.sessions[vc_id]) % 10000:04d}"
            expiry = body.get("ExpiryMinutes")
            settings = self.connectors[vc_id].proxy
            if expiry is None and settings is not None:
                expiry = settings.get("DefaultSessionExpiryMinutes")
            s = Session(
                voice_connector_id=vc_id,
                proxy_session_id=self.new_session_id(),
                created=now,
                updated=now,
                name=body.get("Name"),
                expiry_minutes=expiry,
                capabilities=list(body.get("Capabilities") or []),
                participants=[{"PhoneNumber": n, "ProxyPhoneNumber": proxy} for n in numbers],
                number_selection_behavior=body.get("NumberSelectionBehavior"),
                geo_match_level=body.get("GeoMatchLevel"),
                geo_match_params=body.get("GeoMatchParams"),
            )
            self.sessions[vc_id][s.proxy_session_id] = s
            return s.to_api()

    def update_session(self, vc_id: str, sid: str, body: dict[str, Any]) -> dict[str, Any] | None:
        with self.lock:
            self._advance(vc_id)
            s = self.sessions.get(vc_id, {}).get(sid)
            if s is None:
                return None
            if "Capabilities" in body:
                s.capabilities = list(body["Capabilities"])
            if "ExpiryMinutes" in body:
                s.expiry_minutes = body["ExpiryMinutes"]
            s.updated = self.clock()
            return s.to_api()

    def delete_session(self, vc_id: str, sid: str) -> bool:
        with self.lock:
            return self.sessions.get(vc_id, {}).pop(sid, None) is not None

    def set_status(self, vc_id: str, sid: str, status: str) -> None:
        """Test and demo hook: force a session's status now."""
        with self.lock:
            self._advanced.clear()
            s = self.sessions[vc_id][sid]
            s.status = status
            s.updated = self.clock()
            if status == "Closed" and s.ended is None:
                s.ended = s.updated
            s.lifecycle = False

    # -- hostile data and per-request fault schedules -------------------------------
    def clear_fields(self) -> None:
        """Serve every session and connector as kept again (no value set by `set_fields`)."""
        with self.lock:
            for connector in self.connectors.values():
                connector.extra.clear()
            for sessions in self.sessions.values():
                for session in sessions.values():
                    session.extra.clear()

    def set_fields(self, vc_id: str, sid: str | None, values: dict[str, Any]) -> None:
        """Serve these fields as given (any value, any type) on a session, or on the
        connector when `sid` is None. A value of None removes the field."""
        with self.lock:
            if sid is None:
                target = self.connectors[vc_id].extra
            elif sid in self.raw.get(vc_id, {}):
                target = self.raw[vc_id][sid]
            else:
                target = self.sessions[vc_id][sid].extra
            target.update(values)

    def add_rule(self, rule: dict[str, Any]) -> dict[str, Any]:
        """Fault a range of data requests, numbered from 1 as they arrive (`served`).

        `after`: requests to answer normally first (from now); `count`: how many to
        fault (default: all after). Or absolute `from`/`to` (inclusive) numbers. The
        fault is one of `status` (an HTTP error), `malformed` ('html', 'truncated',
        'types', 'shape'), `throttle: true`, `drop: true` or `latency` (seconds);
        `path` limits the rule to paths containing it; `message` is the error's Message
        (any text: hostile ones too) with `status`. Returns the stored rule.
        """
        known = {"after", "count", "from", "to", "status", "malformed", "throttle", "drop",
                 "latency", "path", "message"}
        if unknown := set(rule) - known:
            raise ValueError(f"unknown schedule keys {sorted(unknown)}")
        faults = [k for k in ("status", "malformed", "throttle", "drop", "latency") if k in rule]
        if len(faults) != 1:
            raise ValueError("a schedule rule needs exactly one of status, malformed, throttle, "
                             "drop, latency")
        with self.lock:
            out = {k: rule[k] for k in (*faults, "path", "message") if k in rule}
            if "from" in rule:
                out["from"], out["to"] = int(rule["from"]), rule.get("to")
            else:
                out["from"] = self.served + int(rule.get("after", 0)) + 1
                count = int(rule.get("count", -1))
                out["to"] = None if count < 0 else out["from"] + count - 1
            self.faults.schedule.append(out)
            return out

    def next_request(self, path: str) -> dict[str, Any] | None:
        """Count one data request; the schedule's rule for it, if any (the first match)."""
        with self.lock:
            self.served += 1
            n = self.served
            for rule in self.faults.schedule:
                if rule["from"] <= n and (rule["to"] is None or n <= rule["to"]) and \
                        rule.get("path", "") in path:
                    return rule
            return None

    def record(self, rec: RequestRecord) -> None:
        with self.lock:
            self.requests.append(rec)
            if len(self.requests) > 100_000:
                del self.requests[:50_000]

    def request_count(self, path_contains: str = "", since: datetime | None = None) -> int:
        with self.lock:
            return sum(
                1
                for r in self.requests
                if path_contains in r.path and (since is None or r.at >= since)
            )


def to_api(item: Session | dict[str, Any]) -> dict[str, Any]:
    return item.to_api() if isinstance(item, Session) else item


def proxy_settings(default_minutes: int, countries: list[str], fallback: str | None = None,
                   disabled: bool = False) -> dict[str, Any]:
    """A connector's `Proxy`, keys in the service model's order."""
    out: dict[str, Any] = {"DefaultSessionExpiryMinutes": default_minutes, "Disabled": disabled}
    if fallback is not None:
        out["FallBackPhoneNumber"] = fallback
    out["PhoneNumberCountries"] = list(countries)
    return out


# -- deterministic demo data ------------------------------------------------------

_REGIONS = ["us-east-1", "us-west-2", "eu-central-1", "ap-southeast-2", "eu-west-2"]
_NAMES = ["support line", "rides eu", "deliveries", "marketplace", "clinic callbacks"]
_AREA = {"US": ["206", "401", "913", "212", "415"], "GB": ["020", "161"], "DE": ["030"]}


def _vc_id(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(22))


def _session_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _number(rng: random.Random, area: str) -> str:
    return f"+1{area}555{rng.randrange(100, 200):04d}"


def seed_example() -> tuple[Connector, Session]:
    """The seed document's example session, exactly as its Output shows it."""
    ts = datetime(2020, 4, 15, 16, 10, 10, 288000, tzinfo=UTC)
    conn = Connector(SEED_CONNECTOR_ID, "seed example", "us-east-1", ts,
                     proxy=proxy_settings(60, ["US"]))
    sess = Session(
        voice_connector_id=SEED_CONNECTOR_ID,
        proxy_session_id=SEED_SESSION_ID,
        created=ts,
        updated=ts,
        status="Open",
        expiry_minutes=60,
        capabilities=["SMS", "Voice"],
        participants=[
            {"PhoneNumber": "+12065550100", "ProxyPhoneNumber": "+19135550199"},
            {"PhoneNumber": "+14015550101", "ProxyPhoneNumber": "+19135550199"},
        ],
        lifecycle=False,
    )
    return conn, sess


def populate(
    state: EmulatorState,
    *,
    seed: int = 7,
    connectors: int = 4,
    sessions: int = 40,
    big_connector_sessions: int = 0,
) -> EmulatorState:
    """Fill `state` with realistic, deterministic data relative to its clock's now.

    The seed's example connector and session come first. Each other connector
    gets `sessions` sessions in a mix of states, some of which change in the
    first minutes (InProgress, expiring) so the demo shows a live lifecycle.
    `big_connector_sessions` adds one connector with that many sessions.

    Proxy settings (GetVoiceConnectorProxy): every connector has them, enabled,
    except the third (proxying disabled) and the fourth (none: NotFound), so the
    default four show all three states.
    """
    rng = random.Random(seed)
    now = state.clock()
    conn, sess = seed_example()
    state.add_connector(conn)
    state.add_session(sess)
    for i in range(connectors - 1):
        c = state.add_connector(
            Connector(_vc_id(rng), _NAMES[i % len(_NAMES)], _REGIONS[i % len(_REGIONS)],
                      now - timedelta(days=rng.randrange(30, 900)),
                      proxy=_demo_proxy(i))
        )
        for _ in range(sessions):
            state.add_session(_random_session(rng, c.voice_connector_id, now))
    if big_connector_sessions:
        c = state.add_connector(
            Connector(_vc_id(rng), "load test", "us-east-1", now - timedelta(days=3),
                      proxy=proxy_settings(60, ["US"]))
        )
        for _ in range(big_connector_sessions):
            state.add_session(_random_session(rng, c.voice_connector_id, now))
    return state


def _demo_proxy(i: int) -> dict[str, Any] | None:
    """The i-th generated connector's proxy settings (no random draw: the sessions a
    seed generates stay the same)."""
    if i == 2:
        return None  # not configured: GetVoiceConnectorProxy answers NotFound
    countries = [["US"], ["GB", "DE", "US"], ["US", "CA"]][i % 3]
    return proxy_settings([60, 30, 120][i % 3], countries, f"+1206555{199 - i:04d}",
                          disabled=i == 1)


def _new_session(rng: random.Random, vc_id: str, at: datetime, expiry: int) -> Session:
    """A session just created (the demo's churn): Open, InProgress a little later."""
    area = rng.choice(_AREA["US"])
    proxy = _number(rng, rng.choice(_AREA["US"]))
    return Session(
        voice_connector_id=vc_id, proxy_session_id=_session_id(rng), created=at, updated=at,
        name=rng.choice([None, "order 1042", "ride 77", "callback"]), expiry_minutes=expiry,
        participants=[{"PhoneNumber": _number(rng, area), "ProxyPhoneNumber": proxy}
                      for _ in range(2)],
        progress_at=at + timedelta(seconds=rng.randrange(15, 180)))


def _random_session(rng: random.Random, vc_id: str, now: datetime) -> Session:
    expiry = rng.choice([15, 30, 60, 60, 120, 240, 1440, None])
    if expiry is None:
        age = timedelta(minutes=rng.randrange(1, 600))
    else:
        # Most sessions are well inside their window; some expire in the next minutes.
        left = rng.choice([rng.uniform(0.5, 8), rng.uniform(5, expiry), rng.uniform(-120, 0)])
        age = timedelta(minutes=max(0.2, expiry - left))
    created = now - age
    kind = rng.random()
    progress_at = None
    status = "Open"
    if kind < 0.45:
        status = "InProgress"
    elif kind < 0.75:
        progress_at = now + timedelta(seconds=rng.randrange(10, 600))
    country = rng.choice(["US", "US", "US", "GB", "DE"])
    area = rng.choice(_AREA["US"])
    proxy = _number(rng, rng.choice(_AREA["US"]))
    n_parts = 2 if rng.random() < 0.95 else rng.choice([0, 1])
    geo_level = rng.choice([None, "Country", "AreaCode"])
    s = Session(
        voice_connector_id=vc_id,
        proxy_session_id=_session_id(rng),
        created=created,
        updated=created + (progress_at - created if progress_at and progress_at < now else timedelta(0)),
        status=status,
        name=rng.choice([None, "", "order 1042", "ride 77", "callback", "dispatch"]),
        expiry_minutes=expiry,
        capabilities=rng.choice([["Voice", "SMS"], ["Voice"], ["SMS"]]),
        participants=[
            {"PhoneNumber": _number(rng, area), "ProxyPhoneNumber": proxy} for _ in range(n_parts)
        ],
        number_selection_behavior=rng.choice([None, "PreferSticky", "AvoidSticky"]),
        geo_match_level=geo_level,
        geo_match_params={"Country": country, "AreaCode": area} if geo_level else None,
        progress_at=progress_at,
    )
    if status == "InProgress":
        s.updated = created + (now - created) / 3
    s.advance(now)
    return s
