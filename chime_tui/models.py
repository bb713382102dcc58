"""Plain typed data for proxy sessions and voice connectors.

No Textual and no AWS imports: these are built from the service's JSON (as
botocore returns it, timestamps kept as strings or already parsed) and hold
the expiry arithmetic the screens and the CLI share.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

# The ID checks live in chime_tui.ids (the one-shot commands import only them); their
# names here too, where the rest of the code looks for them.
from chime_tui.ids import PROXY_SESSION_ID_MAX as PROXY_SESSION_ID_MAX
from chime_tui.ids import PROXY_SESSION_ID_RE as PROXY_SESSION_ID_RE
from chime_tui.ids import VOICE_CONNECTOR_ID_RE as VOICE_CONNECTOR_ID_RE
from chime_tui.ids import validate_proxy_session_id as validate_proxy_session_id
from chime_tui.ids import validate_voice_connector_id as validate_voice_connector_id

SessionKey = tuple[str, str]  # (voice connector ID, proxy session ID)


def utcnow() -> datetime:
    """The wall clock, aware UTC (the default clock everywhere; tests inject their own)."""
    return datetime.now(UTC)


STATUSES = ("Open", "InProgress", "Closed")


def parse_timestamp(value: Any) -> datetime | None:
    """Parse an ISO 8601 timestamp (string or datetime) into an aware UTC datetime.

    Accepts 'Z' or offsets, with or without fractional seconds. Naive values are
    taken as UTC. Anything unparseable becomes None rather than an exception.
    """
    if type(value) is str and value:  # the common case first: lists parse 30,000 of these
        try:
            dt = datetime.fromisoformat(value)
        except ValueError:
            dt = None
        if dt is not None and dt.tzinfo is UTC:
            return dt
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    elif isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def _str_or_none(value: Any) -> str | None:
    if value is None or type(value) is str:
        return value
    return value if isinstance(value, str) else str(value)


def _is_mapping(value: Any) -> bool:
    return type(value) is dict or isinstance(value, Mapping)


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


class ExpiryState(str, Enum):
    """How a session stands against its expiry."""

    COUNTING = "counting"  # open or in progress, expiry in the future
    EXPIRED = "expired"  # not closed, but past CreatedTimestamp + ExpiryMinutes
    ENDED = "ended"  # closed or has an EndedTimestamp: no countdown
    UNKNOWN = "unknown"  # no ExpiryMinutes or no CreatedTimestamp


# ProxySession's members in the service model's order: botocore's parser (the app's
# client and the start-up helper alike) gives a session's keys in this order.
SESSION_KEYS = ("VoiceConnectorId", "ProxySessionId", "Name", "Status", "ExpiryMinutes",
                "Capabilities", "CreatedTimestamp", "UpdatedTimestamp", "EndedTimestamp",
                "Participants", "NumberSelectionBehavior", "GeoMatchLevel", "GeoMatchParams")
PARTICIPANT_KEYS = ("PhoneNumber", "ProxyPhoneNumber")
GEO_KEYS = ("Country", "AreaCode")
_ORDERED: dict[tuple[str, ...], bool] = {}  # key tuples seen: in SESSION_KEYS' order?
_SHARED_TUPLES: dict[tuple[str, ...], tuple[str, ...]] = {}  # capabilities, one object each


def _in_order(keys: tuple[str, ...], order: tuple[str, ...]) -> bool:
    """Whether `keys` are some of `order`, in that order."""
    at = 0
    for key in keys:
        try:
            at = order.index(key, at) + 1
        except ValueError:
            return False
    return True


def _session_keys_ok(keys: tuple[str, ...]) -> bool:
    ok = _ORDERED.get(keys)
    if ok is None:
        ok = _in_order(keys, SESSION_KEYS)
        if len(_ORDERED) < 256:  # a service sends few shapes; a hostile one, many
            _ORDERED[keys] = ok
    return ok


def _shared(value: Any) -> str | None:
    """A short enum-like string (a status, a capability, a connector ID) as one object
    for every session that has it: 10,000 sessions say "InProgress" 10,000 times."""
    if type(value) is str and len(value) <= 64:
        return sys.intern(value)
    return _str_or_none(value)


def _shared_tuple(values: list[Any]) -> tuple[str, ...]:
    items = tuple(sys.intern(v) if type(v) is str and len(v) <= 64 else str(v)
                  for v in values)
    shared = _SHARED_TUPLES.get(items)
    if shared is None:
        if len(_SHARED_TUPLES) >= 256:
            _SHARED_TUPLES.clear()
        shared = _SHARED_TUPLES[items] = items
    return shared


def iso_ms(value: datetime) -> str:
    """A UTC time as the service writes it: 2020-04-15T16:10:10.288Z (the year in four
    digits, as 0001). datetime's own isoformat: strftime took three times as long, for
    each of the 20,000-30,000 timestamps of a 10,000-session listing."""
    if value.tzinfo is UTC:  # (what parse_timestamp gives)
        return value.isoformat(timespec="milliseconds")[:-6] + "Z"
    return value.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def _all_str(values: Any) -> bool:
    return all(type(v) is str for v in values)


def _plain_dict(value: Any, keys: tuple[str, ...]) -> bool:
    """A dict of some of `keys`, in order, each a str: what its model gives back exactly."""
    return type(value) is dict and _in_order(tuple(value), keys) and _all_str(value.values())


def _rebuildable(data: dict[str, Any], session: ProxySession) -> bool:
    """Whether `session`'s fields (and the keys) give back exactly `data`: every value of
    the type and form its field keeps (a timestamp as the service writes them, lists as
    lists, no None inside a participant), the keys in the service model's order. Most
    answers are; the others are kept as they came."""
    if not _session_keys_ok(tuple(data)):
        return False
    for key, value in data.items():
        if value is None:
            if key in ("Capabilities", "Participants"):
                return False  # the field is () for None and for []: which was it?
            continue
        kind = type(value)
        if key in ("CreatedTimestamp", "UpdatedTimestamp", "EndedTimestamp"):
            parsed = getattr(session, _TIMESTAMP_FIELDS[key])
            if kind is not str or parsed is None or iso_ms(parsed) != value:
                return False
        elif key == "ExpiryMinutes":
            if kind is not int:
                return False
        elif key == "Capabilities":
            if kind is not list or not _all_str(value):
                return False
        elif key == "Participants":
            if kind is not list or not all(_plain_dict(p, PARTICIPANT_KEYS) for p in value):
                return False
        elif key == "GeoMatchParams":
            if not _plain_dict(value, GEO_KEYS):
                return False
        elif kind is not str:
            return False
    return True


_TIMESTAMP_FIELDS = {"CreatedTimestamp": "created", "UpdatedTimestamp": "updated",
                     "EndedTimestamp": "ended"}


@dataclass(frozen=True, slots=True)
class Participant:
    phone_number: str | None = None
    proxy_phone_number: str | None = None

    @classmethod
    def from_api(cls, data: Any) -> Participant:
        if not _is_mapping(data):
            return cls()
        return cls(
            phone_number=_str_or_none(data.get("PhoneNumber")),
            proxy_phone_number=_shared(data.get("ProxyPhoneNumber")),  # a connector's few
        )

    def to_api(self) -> dict[str, str]:
        """The answer it was made of (when that had only strings: see `_rebuildable`)."""
        out = {}
        if self.phone_number is not None:
            out["PhoneNumber"] = self.phone_number
        if self.proxy_phone_number is not None:
            out["ProxyPhoneNumber"] = self.proxy_phone_number
        return out


@dataclass(frozen=True, slots=True)
class GeoMatchParams:
    country: str | None = None
    area_code: str | None = None

    @classmethod
    def from_api(cls, data: Any) -> GeoMatchParams | None:
        if not _is_mapping(data):
            return None
        return cls(
            country=_shared(data.get("Country")),
            area_code=_shared(data.get("AreaCode")),
        )

    def to_api(self) -> dict[str, str]:
        """The answer it was made of (when that had only strings: see `_rebuildable`)."""
        out = {}
        if self.country is not None:
            out["Country"] = self.country
        if self.area_code is not None:
            out["AreaCode"] = self.area_code
        return out


@dataclass(frozen=True, slots=True)
class ProxySession:
    """Every field of GetProxySession's OUTPUT, tolerant of missing ones.

    Enum-like fields (status, capabilities, selection behaviour, geo match level)
    are kept as the strings the service sent, so values this tool has never
    seen are shown as they are.

    `raw` is the answer exactly as the service sent it. It is not kept twice: when the
    fields give it back exactly (almost always), only its keys are kept (`sent`) and
    `raw` is made from the fields when asked for; else `sent` is the answer itself.
    10,000 listed sessions weigh about a third of what the answers and the fields did.
    """

    voice_connector_id: str | None = None
    proxy_session_id: str | None = None
    name: str | None = None
    status: str | None = None
    expiry_minutes: int | None = None
    capabilities: tuple[str, ...] = ()
    created: datetime | None = None
    updated: datetime | None = None
    ended: datetime | None = None
    participants: tuple[Participant, ...] = ()
    number_selection_behavior: str | None = None
    geo_match_level: str | None = None
    geo_match_params: GeoMatchParams | None = None
    # The answer's keys, in order (the fields give back the rest), or the answer itself.
    sent: tuple[str, ...] | Mapping[str, Any] = field(default=(), compare=False, repr=False)

    @classmethod
    def from_api(cls, data: Any) -> ProxySession:
        if not _is_mapping(data):
            raise ValueError("a proxy session must be a JSON object")
        caps = data.get("Capabilities")
        parts = data.get("Participants")
        session = cls(
            voice_connector_id=_shared(data.get("VoiceConnectorId")),
            proxy_session_id=_str_or_none(data.get("ProxySessionId")),
            name=_str_or_none(data.get("Name")),
            status=_shared(data.get("Status")),
            expiry_minutes=_int_or_none(data.get("ExpiryMinutes")),
            capabilities=_shared_tuple(caps) if isinstance(caps, list) else (),
            created=parse_timestamp(data.get("CreatedTimestamp")),
            updated=parse_timestamp(data.get("UpdatedTimestamp")),
            ended=parse_timestamp(data.get("EndedTimestamp")),
            participants=tuple(Participant.from_api(p) for p in parts)
            if isinstance(parts, list)
            else (),
            number_selection_behavior=_shared(data.get("NumberSelectionBehavior")),
            geo_match_level=_shared(data.get("GeoMatchLevel")),
            geo_match_params=GeoMatchParams.from_api(data.get("GeoMatchParams")),
        )
        if type(data) is dict and _rebuildable(data, session):
            sent: tuple[str, ...] | Mapping[str, Any] = _shared_keys(tuple(data))
        else:
            sent = data if isinstance(data, dict) else dict(data)
        object.__setattr__(session, "sent", sent)
        return session

    @property
    def raw(self) -> Mapping[str, Any]:
        """The answer as the service sent it (a new dict each time when made from the
        fields: read it once)."""
        sent = self.sent
        if not isinstance(sent, tuple):
            return sent
        return {key: self._sent_value(key) for key in sent}

    def _sent_value(self, key: str) -> Any:
        if key in _TIMESTAMP_FIELDS:
            value = getattr(self, _TIMESTAMP_FIELDS[key])
            return None if value is None else iso_ms(value)
        if key == "Capabilities":
            return list(self.capabilities)
        if key == "Participants":
            return [p.to_api() for p in self.participants]
        if key == "GeoMatchParams":
            geo = self.geo_match_params
            return None if geo is None else geo.to_api()
        return getattr(self, _FIELD_OF[key])

    def same_answer(self, other: ProxySession) -> bool:
        """Whether both answers said the same (`raw == other.raw`), cheaply when both
        are kept as fields, and at once for the same object (a refresh's unchanged
        sessions are the models made before: chime_tui.aws.memo)."""
        if self is other:
            return True
        if isinstance(self.sent, tuple) and isinstance(other.sent, tuple):
            return self.sent == other.sent and self == other
        return self.raw == other.raw

    @property
    def key(self) -> SessionKey:
        return (self.voice_connector_id or "", self.proxy_session_id or "")

    @property
    def is_closed(self) -> bool:
        return self.status == "Closed" or self.ended is not None

    @property
    def expires_at(self) -> datetime | None:
        if self.created is None or self.expiry_minutes is None:
            return None
        try:
            return self.created + timedelta(minutes=self.expiry_minutes)
        except OverflowError:
            return None

    def expiry_state(self, now: datetime) -> ExpiryState:
        if self.is_closed:
            return ExpiryState.ENDED
        expires = self.expires_at
        if expires is None:
            return ExpiryState.UNKNOWN
        return ExpiryState.COUNTING if expires > now else ExpiryState.EXPIRED

    def time_to_expiry(self, now: datetime) -> timedelta | None:
        """Time left for an open session; zero once past; None when closed or unknown."""
        if self.is_closed:
            return None
        expires = self.expires_at  # computed once: lists sort 10,000 sessions by this
        if expires is None:
            return None
        return expires - now if expires > now else timedelta(0)

    def elapsed_fraction(self, now: datetime) -> float | None:
        """Share of ExpiryMinutes used, 0.0 to 1.0 (for the expiry bar)."""
        expires = self.expires_at
        if expires is None or self.created is None or not self.expiry_minutes:
            return None
        end = self.ended or now
        total = (expires - self.created).total_seconds()
        used = (end - self.created).total_seconds()
        return max(0.0, min(1.0, used / total)) if total > 0 else None


_FIELD_OF = {"VoiceConnectorId": "voice_connector_id", "ProxySessionId": "proxy_session_id",
             "Name": "name", "Status": "status", "ExpiryMinutes": "expiry_minutes",
             "NumberSelectionBehavior": "number_selection_behavior",
             "GeoMatchLevel": "geo_match_level"}
_KEY_TUPLES: dict[tuple[str, ...], tuple[str, ...]] = {}


def _shared_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    """One tuple object per set of keys (checked by `_session_keys_ok`: a few at most)."""
    if len(_KEY_TUPLES) >= 256:
        return keys
    return _KEY_TUPLES.setdefault(keys, keys)


@dataclass(frozen=True, slots=True)
class VoiceConnector:
    voice_connector_id: str | None = None
    name: str | None = None
    aws_region: str | None = None
    outbound_host_name: str | None = None
    require_encryption: bool | None = None
    created: datetime | None = None
    updated: datetime | None = None
    arn: str | None = None

    @classmethod
    def from_api(cls, data: Any) -> VoiceConnector:
        if not isinstance(data, Mapping):
            raise ValueError("a voice connector must be a JSON object")
        enc = data.get("RequireEncryption")
        return cls(
            voice_connector_id=_str_or_none(data.get("VoiceConnectorId")),
            name=_str_or_none(data.get("Name")),
            aws_region=_str_or_none(data.get("AwsRegion")),
            outbound_host_name=_str_or_none(data.get("OutboundHostName")),
            require_encryption=enc if isinstance(enc, bool) else None,
            created=parse_timestamp(data.get("CreatedTimestamp")),
            updated=parse_timestamp(data.get("UpdatedTimestamp")),
            arn=_str_or_none(data.get("VoiceConnectorArn")),
        )


@dataclass(frozen=True, slots=True)
class VoiceConnectorProxy:
    """A voice connector's proxy settings (GetVoiceConnectorProxy's `Proxy`).

    `disabled` True: the connector does not proxy (no new sessions). A connector
    without proxy settings has no VoiceConnectorProxy at all (the call is NotFound;
    the client returns None)."""

    default_session_expiry_minutes: int | None = None
    disabled: bool | None = None
    fall_back_phone_number: str | None = None
    phone_number_countries: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_api(cls, data: Any) -> VoiceConnectorProxy:
        if not _is_mapping(data):
            raise ValueError("a voice connector's proxy settings must be a JSON object")
        disabled = data.get("Disabled")
        countries = data.get("PhoneNumberCountries")
        return cls(
            default_session_expiry_minutes=_int_or_none(data.get("DefaultSessionExpiryMinutes")),
            disabled=disabled if isinstance(disabled, bool) else None,
            fall_back_phone_number=_str_or_none(data.get("FallBackPhoneNumber")),
            phone_number_countries=tuple(str(c) for c in countries)
            if isinstance(countries, list) else (),
            raw=data if isinstance(data, dict) else dict(data),
        )

    @property
    def state(self) -> str:
        """'on' or 'off' (a connector without settings: see `proxy_state`)."""
        return "off" if self.disabled else "on"


def proxy_state(proxy: VoiceConnectorProxy | None) -> str:
    """What a "Proxy" column shows: 'on', 'off' (Disabled), or 'not configured' (the
    client's get_voice_connector_proxy returned None: the service said NotFound)."""
    return "not configured" if proxy is None else proxy.state


def redact_phone(number: str | None) -> str | None:
    """Mask a phone number, keeping the country code and the last two digits.

    '+12065550100' -> '+1*******00'. The mask has a fixed width so it does not
    reveal the number's length either. The country code is taken as '1' or '7'
    alone and as the first two digits otherwise (a display heuristic: it never
    shows more than four digits of a number).
    """
    if not number:
        return number
    plus = number.startswith("+")
    digits = number[1:] if plus else number
    if len(digits) <= 4:
        return ("+" if plus else "") + "*" * 7
    cc_len = 1 if digits.startswith(("1", "7")) else 2
    return ("+" if plus else "") + digits[:cc_len] + "*" * 7 + digits[-2:]
