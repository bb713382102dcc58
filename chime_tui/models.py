"""Plain typed data for proxy sessions and voice connectors.

No Textual and no AWS imports: these are built from the service's JSON (as
botocore returns it, timestamps kept as strings or already parsed) and hold
the expiry arithmetic the screens and the CLI share.
"""

from __future__ import annotations

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
            proxy_phone_number=_str_or_none(data.get("ProxyPhoneNumber")),
        )


@dataclass(frozen=True, slots=True)
class GeoMatchParams:
    country: str | None = None
    area_code: str | None = None

    @classmethod
    def from_api(cls, data: Any) -> GeoMatchParams | None:
        if not _is_mapping(data):
            return None
        return cls(
            country=_str_or_none(data.get("Country")),
            area_code=_str_or_none(data.get("AreaCode")),
        )


@dataclass(frozen=True, slots=True)
class ProxySession:
    """Every field of GetProxySession's OUTPUT, tolerant of missing ones.

    Enum-like fields (status, capabilities, selection behaviour, geo match level)
    are kept as the strings the service sent, so values this tool has never
    seen are shown as they are.
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
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_api(cls, data: Any) -> ProxySession:
        if not _is_mapping(data):
            raise ValueError("a proxy session must be a JSON object")
        caps = data.get("Capabilities")
        parts = data.get("Participants")
        return cls(
            voice_connector_id=_str_or_none(data.get("VoiceConnectorId")),
            proxy_session_id=_str_or_none(data.get("ProxySessionId")),
            name=_str_or_none(data.get("Name")),
            status=_str_or_none(data.get("Status")),
            expiry_minutes=_int_or_none(data.get("ExpiryMinutes")),
            capabilities=tuple(str(c) for c in caps) if isinstance(caps, list) else (),
            created=parse_timestamp(data.get("CreatedTimestamp")),
            updated=parse_timestamp(data.get("UpdatedTimestamp")),
            ended=parse_timestamp(data.get("EndedTimestamp")),
            participants=tuple(Participant.from_api(p) for p in parts)
            if isinstance(parts, list)
            else (),
            number_selection_behavior=_str_or_none(data.get("NumberSelectionBehavior")),
            geo_match_level=_str_or_none(data.get("GeoMatchLevel")),
            geo_match_params=GeoMatchParams.from_api(data.get("GeoMatchParams")),
            raw=data if isinstance(data, dict) else dict(data),
        )

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
