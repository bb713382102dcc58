"""Acting on sessions from the dashboard: what a write dialog sends, checked first.

The dialogs (tui/screens/dialogs.py) only draw; everything else is here, plain
Python with no Textual: building the request from a session and a change
(`plan_extend`, `plan_capabilities`, `plan_end`, `plan_create`), validating it
against the service model's constraints before anything is sent (`Invalid`),
the old → new lines a dialog shows (`Planned.steps`), and the guard that lets one
write at a time go to a session (`WriteGuard`). Sending it once, its audit line
and the words after it are chime_tui.sending's.

The constraints are the botocore service model's (chime-sdk-voice 2022-08-03);
tests/test_actions.py checks them against the model, and every request built
here against botocore's own validator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chime_tui.models import ProxySession, redact_phone
from chime_tui.textsafe import clip, quoted

# -- the service model's constraints ------------------------------------------------
EXPIRY_MIN = 1  # ExpiryMinutes: min 1
EXPIRY_MAX = 2**31 - 1  # no max in the model; the service's integers are 32-bit
CAPABILITIES = ("Voice", "SMS")
PARTICIPANTS = 2  # ParticipantPhoneNumbers: min 2, max 2
E164 = re.compile(r"^\+?[1-9]\d{1,14}$")
NAME = re.compile(r"^$|^[a-zA-Z0-9 ]{0,30}$")
SELECTION = ("PreferSticky", "AvoidSticky")
GEO_LEVELS = ("Country", "AreaCode")
COUNTRY = re.compile(r"^$|^[A-Z]{2,2}$")
AREA_CODE = re.compile(r"^$|^[0-9]{3,3}$")

PRESETS = (15, 60)  # the extend dialog's +15 / +60 buttons
CONFIRM_CHARS = 6  # "end" needs this many of the session ID's first characters typed
WRITES_OFF = ("Read-only: writes are off. Nothing was sent: start with --allow-writes "
              "or set allow_writes = true")

OPERATIONS = {"extend": "update_proxy_session", "capabilities": "update_proxy_session",
              "end": "delete_proxy_session", "create": "create_proxy_session"}
TITLES = {"extend": "Extend session", "capabilities": "Change capabilities",
          "end": "End session", "create": "Create a session"}
# What the session's timeline says after a write that succeeded.
DONE = {"extend": "extended by you", "capabilities": "capabilities changed by you",
        "end": "ended by you", "create": "created by you"}

Key = tuple[str, str]


class Invalid(ValueError):
    """The change cannot be sent as it is: one line per problem, (field, message).
    Nothing is sent."""

    def __init__(self, problems: Iterable[tuple[str, str]]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(message for _, message in self.problems))

    @classmethod
    def one(cls, message: str, where: str = "") -> Invalid:
        return cls([(where, message)])


@dataclass(frozen=True)
class Step:
    """One line of a dialog's preview: what changes, from what, to what."""

    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Planned:
    """A write ready to send: the request (IDs included), and what it changes."""

    kind: str  # extend | capabilities | end | create
    voice_connector_id: str
    proxy_session_id: str | None  # None: a create
    name: str | None
    params: Mapping[str, Any]
    steps: tuple[Step, ...]
    old: Any = None  # the timeline's old → new once it is done
    new: Any = None

    @property
    def operation(self) -> str:
        return OPERATIONS[self.kind]

    @property
    def key(self) -> Key:
        """Whose write this is, for the one-at-a-time guard (a create: the connector's)."""
        return (self.voice_connector_id, self.proxy_session_id or "")

    @property
    def change(self) -> dict[str, Any]:
        """The request's parameters but the IDs (the audit line's `change`)."""
        return {k: v for k, v in self.params.items()
                if k not in ("VoiceConnectorId", "ProxySessionId")}

    @property
    def confirm_prefix(self) -> str | None:
        """What must be typed to confirm (the session ID's first characters), if anything."""
        if self.kind != "end" or not self.proxy_session_id:
            return None
        return self.proxy_session_id[:CONFIRM_CHARS]

    def confirmed_by(self, typed: str) -> bool:
        prefix = self.confirm_prefix
        return prefix is None or typed.strip() == prefix


# -- building requests -----------------------------------------------------------------

def parse_minutes(text: str | int) -> int:
    """ExpiryMinutes as typed: a whole number within the model's bounds, written with
    the ASCII digits 0-9 only (Python's int() also reads '٣٠' or '１２０', which a person
    may not see as the number it is)."""
    if isinstance(text, bool):
        raise Invalid.one("ExpiryMinutes must be a whole number of minutes", "expiry")
    if isinstance(text, int):
        value = text
    else:
        raw = text.strip()
        if not raw:
            raise Invalid.one("type a number of minutes", "expiry")
        number = re.fullmatch(r"([+-]?)0*([0-9]+)", raw)
        if number is None:
            other = any(c.isdigit() and not "0" <= c <= "9" for c in raw)
            raise Invalid.one(f"ExpiryMinutes must be a whole number of minutes, not "
                              f"{quoted(raw, 40)}: "
                              + ("only the digits 0-9 are read, and it has other digits"
                                 if other else "type the digits 0-9 only"), "expiry")
        sign, digits = number.groups()
        if len(digits) > 30:  # far out of bounds: not turned into an int (or shown) whole
            raise Invalid.one(f"ExpiryMinutes must be from {EXPIRY_MIN} to {EXPIRY_MAX:,} "
                              f"(the service model's bounds), not {clip(raw, 40)}", "expiry")
        value = int(sign + digits)
    if not EXPIRY_MIN <= value <= EXPIRY_MAX:
        raise Invalid.one(f"ExpiryMinutes must be from {EXPIRY_MIN} to {EXPIRY_MAX:,} "
                          f"(the service model's bounds), not {value:,}", "expiry")
    return value


def preset(session: ProxySession, add: int) -> int:
    """The ExpiryMinutes of a +15 / +60 preset: the current value plus `add`."""
    if session.expiry_minutes is None:
        raise Invalid.one("the session has no ExpiryMinutes: type the new value", "expiry")
    return session.expiry_minutes + add


def _current_capabilities(session: ProxySession) -> list[str]:
    """The capabilities to send with an expiry change (the API requires them)."""
    caps = list(session.capabilities)  # as they are, in the service's order
    unknown = [c for c in caps if c not in CAPABILITIES]
    if unknown or not caps:
        shown = ", ".join(clip(c, 30) for c in session.capabilities) or "none"
        raise Invalid.one(f"the session's capabilities ({shown}) are not ones UpdateProxySession "
                          "accepts (Voice, SMS), and it requires them: change the capabilities "
                          "first", "capabilities")
    return caps


def _expires(session: ProxySession, minutes: int | None, now: datetime) -> str:
    if session.created is None or minutes is None:
        return "—"
    from datetime import timedelta

    from chime_tui.humanfmt import ago, day, in_words

    try:
        at = session.created + timedelta(minutes=minutes)
    except OverflowError:
        return "beyond the calendar"
    when = f"{day(at)} {at:%H:%M} UTC"
    return f"{when} ({in_words(at - now)})" if at > now else f"{when} (passed, {ago(at, now)})"


def _still_past(session: ProxySession, minutes: int, now: datetime) -> tuple[Step, ...]:
    """A warning step when the new expiry is already past and so was the old one (a
    session the service still calls open past its expiry): the change does not keep it
    open. A session with no expiry that would get one already past is refused: that
    "extend" would end it (walk 4 #2)."""
    if session.created is None:
        return ()
    from datetime import timedelta

    try:
        at = session.created + timedelta(minutes=minutes)
    except OverflowError:
        return ()
    if at > now:
        return ()
    if session.expiry_minutes is None:
        raise Invalid.one(f"ExpiryMinutes {minutes:,} would put the expiry at "
                          f"{_expires(session, minutes, now)}: the session has no expiry "
                          "now, and this would end it. Type more minutes (D ends a "
                          "session). Nothing was sent.", "expiry")
    return (Step("Warning", "", "the new expiry is already past: this does not keep the "
                                "session open (type more minutes for a time to come)"),)


def _session_ids(session: ProxySession) -> tuple[str, str]:
    vc, sid = session.voice_connector_id, session.proxy_session_id
    if not vc or not sid:
        raise Invalid.one("the session's IDs are not known yet: wait for it to load")
    return vc, sid


def _not_ended(session: ProxySession, what: str) -> None:
    """An ended session is not extended or changed: the service keeps it Closed (a
    preview promising a new expiry would read as fixed)."""
    if session.is_closed:
        status = clip(session.status or "ended", 30)
        raise Invalid.one(f"this session has ended ({status}): {what}; create a new "
                          "session instead. Nothing was sent.", "session")


def plan_extend(session: ProxySession, minutes: str | int, now: datetime) -> Planned:
    """UpdateProxySession with a new ExpiryMinutes and the session's current capabilities."""
    vc, sid = _session_ids(session)
    _not_ended(session, "an ended session is not extended")
    value = parse_minutes(minutes)
    if value == session.expiry_minutes:
        raise Invalid.one(f"ExpiryMinutes is {value} already: nothing would change", "expiry")
    if session.expiry_minutes is not None and value < session.expiry_minutes:
        # A shorter ExpiryMinutes can end the session at once: not an "extend" (D ends one).
        raise Invalid.one(f"Extend only lengthens: {value:,} is not more than the current "
                          f"{session.expiry_minutes:,} minutes. Nothing was sent.", "expiry")
    caps = _current_capabilities(session)
    old = session.expiry_minutes
    shown_old = "—" if old is None else str(old)
    delta = "" if old is None else f" ({value - old:+,} min)"
    steps = (Step("ExpiryMinutes", shown_old, f"{value}{delta}"),
             Step("Expires", _expires(session, old, now), _expires(session, value, now)),
             *_still_past(session, value, now),
             Step("Capabilities", "", ", ".join(caps) + " (sent unchanged: the API requires "
                                     "them)"))
    return Planned("extend", vc, sid, session.name,
                   {"VoiceConnectorId": vc, "ProxySessionId": sid, "Capabilities": caps,
                    "ExpiryMinutes": value}, steps, old, value)


def plan_capabilities(session: ProxySession, capabilities: Iterable[str]) -> Planned:
    """UpdateProxySession with new Capabilities (ExpiryMinutes left as it is)."""
    vc, sid = _session_ids(session)
    _not_ended(session, "its capabilities are not changed")
    chosen = set(capabilities)
    if bad := sorted(chosen - set(CAPABILITIES)):
        raise Invalid.one(f"unknown capability {quoted(bad[0], 30)} (Voice, SMS)", "capabilities")
    caps = [c for c in CAPABILITIES if c in chosen]
    if not caps:
        raise Invalid.one("choose Voice, SMS or both: a session needs one", "capabilities")
    old = list(session.capabilities)
    if sorted(old) == sorted(caps):
        raise Invalid.one(f"the capabilities are {', '.join(caps)} already: nothing would "
                          "change", "capabilities")
    steps = (Step("Capabilities", ", ".join(clip(c, 30) for c in old) or "none",
                  ", ".join(caps)),)
    return Planned("capabilities", vc, sid, session.name,
                   {"VoiceConnectorId": vc, "ProxySessionId": sid, "Capabilities": caps},
                   steps, old, caps)


def plan_end(session: ProxySession) -> Planned:
    """DeleteProxySession."""
    vc, sid = _session_ids(session)
    status = session.status or "—"
    steps = (Step("Session", status, "deleted (DeleteProxySession)"),)
    return Planned("end", vc, sid, session.name,
                   {"VoiceConnectorId": vc, "ProxySessionId": sid}, steps, status, "deleted")


@dataclass(frozen=True)
class CreateForm:
    """The create dialog's fields as typed (empty: not sent)."""

    participants: tuple[str, ...] = ("", "")
    capabilities: tuple[str, ...] = ("Voice",)
    expiry_minutes: str = ""
    name: str = ""
    number_selection: str = ""
    geo_match_level: str = ""
    country: str = ""
    area_code: str = ""


def plan_create(voice_connector_id: str, form: CreateForm, redact: bool = False) -> Planned:
    """CreateProxySession from the form, every problem named at once (nothing is sent)."""
    from chime_tui.models import validate_voice_connector_id

    problems: list[tuple[str, str]] = []
    if reason := validate_voice_connector_id(voice_connector_id):
        problems.append(("voice_connector", reason))
    numbers = [p.strip().replace(" ", "") for p in form.participants if p.strip()]
    if len(numbers) != PARTICIPANTS:
        problems.append(("participants", f"give exactly {PARTICIPANTS} participant phone "
                                         f"numbers (got {len(numbers)})"))
    for i, number in enumerate(numbers, 1):
        if not E164.match(number):
            problems.append((f"participant_{i}", f"participant {i}: {quoted(number, 30)} is "
                                                 "not an E.164 number such as +12065550100"))
    caps = [c for c in CAPABILITIES if c in form.capabilities]
    if not caps:
        problems.append(("capabilities", "choose Voice, SMS or both"))
    params: dict[str, Any] = {"VoiceConnectorId": voice_connector_id,
                              "ParticipantPhoneNumbers": numbers, "Capabilities": caps}
    if form.expiry_minutes.strip():
        try:
            params["ExpiryMinutes"] = parse_minutes(form.expiry_minutes)
        except Invalid as exc:
            problems.extend(exc.problems)
    name = form.name.strip()
    if name:
        if not NAME.match(name):
            problems.append(("name", f"name {quoted(name, 40)}: up to 30 letters, digits and "
                                     "spaces"))
        params["Name"] = name
    for key, value, allowed in (("NumberSelectionBehavior", form.number_selection, SELECTION),
                                ("GeoMatchLevel", form.geo_match_level, GEO_LEVELS)):
        if value:
            if value not in allowed:
                problems.append((key, f"{key} must be one of {', '.join(allowed)}"))
            params[key] = value
    country, area = form.country.strip(), form.area_code.strip()
    if country or area:
        if not country or not area:
            problems.append(("geo", "GeoMatchParams needs both a country and an area code "
                                    "(the service model requires both)"))
        if country and not COUNTRY.match(country):
            problems.append(("country", f"country {quoted(country, 20)}: two capital letters, "
                                        "such as US"))
        if area and not AREA_CODE.match(area):
            problems.append(("area_code", f"area code {quoted(area, 20)}: three digits, such "
                                          "as 206"))
        params["GeoMatchParams"] = {"Country": country, "AreaCode": area}
    if problems:
        raise Invalid(problems)

    def shown(n: str) -> str:
        return (redact_phone(n) or n) if redact else n

    steps = [Step("Participants", "", ", ".join(shown(n) for n in numbers)),
             Step("Capabilities", "", ", ".join(caps)),
             Step("ExpiryMinutes", "", str(params.get("ExpiryMinutes",
                                                      "the connector's default")))]
    for key in ("Name", "NumberSelectionBehavior", "GeoMatchLevel"):
        if key in params:
            steps.append(Step(key, "", str(params[key])))
    if "GeoMatchParams" in params:
        steps.append(Step("GeoMatchParams", "", f"Country={country}, AreaCode={area}"))
    return Planned("create", voice_connector_id, None, name or None, params, tuple(steps),
                   None, "Open")


# -- one write at a time per session ---------------------------------------------------

@dataclass
class WriteGuard:
    """Which sessions have a write in flight: a second one for the same session waits."""

    busy: set[Key] = field(default_factory=set)

    def begin(self, key: Key) -> bool:
        """Take the session for one write; False if one is already under way."""
        if key in self.busy:
            return False
        self.busy.add(key)
        return True

    def done(self, key: Key) -> None:
        self.busy.discard(key)
