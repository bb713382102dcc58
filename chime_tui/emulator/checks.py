"""The local endpoint's request checks for the write operations, from the service model.

botocore checks only types, required members, list lengths and integer minimums on
the client; the service checks the rest (patterns, enums). Failures are answered
as a BadRequestException whose message is in the style of AWS's request
validation ("1 validation error detected: Value '...' at 'name' failed to satisfy
constraint: Member must satisfy regular expression pattern: ..."), all of them
listed, joined by "; ". The exact words of the real service are not published: the
form is what AWS services built on the same validation layer answer.
"""

from __future__ import annotations

import re
from typing import Any

E164 = r"^\+?[1-9]\d{1,14}$"
NAME = r"^$|^[a-zA-Z0-9 ]{0,30}$"
COUNTRY = r"^$|^[A-Z]{2,2}$"
AREA_CODE = r"^$|^[0-9]{3,3}$"
CAPABILITIES = ("Voice", "SMS")
SELECTION = ("PreferSticky", "AvoidSticky")
GEO_LEVELS = ("Country", "AreaCode")


def _value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "'true'" if value else "'false'"
    if isinstance(value, list):
        return "'[" + ", ".join(str(v) for v in value) + "]'"
    return f"'{value}'"


class Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, value: Any, where: str, constraint: str) -> None:
        self.items.append(f"Value {_value(value)} at '{where}' failed to satisfy constraint: "
                          f"Member must {constraint}")

    def required(self, body: dict[str, Any], key: str, where: str) -> bool:
        if body.get(key) is None:
            self.add(None, where, "not be null")
            return False
        return True

    def pattern(self, value: Any, where: str, pattern: str) -> None:
        if not isinstance(value, str) or not re.search(pattern, value):
            self.add(value, where, f"satisfy regular expression pattern: {pattern}")

    def enum(self, value: Any, where: str, allowed: tuple[str, ...]) -> None:
        if value not in allowed:
            self.add(value, where, f"satisfy enum value set: [{', '.join(allowed)}]")

    def minimum(self, value: Any, where: str, low: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(value, where, "be an integer")
        elif value < low:
            self.add(value, where, f"have value greater than or equal to {low}")

    def string_list(self, value: Any, where: str) -> list[Any] | None:
        if not isinstance(value, list):
            self.add(value, where, "be a list")
            return None
        return value

    def message(self) -> str | None:
        n = len(self.items)
        if not n:
            return None
        return f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(self.items)


def _capabilities(body: dict[str, Any], p: Problems) -> None:
    if not p.required(body, "Capabilities", "capabilities"):
        return
    caps = p.string_list(body["Capabilities"], "capabilities")
    if caps is None:
        return
    if not caps:
        p.add(caps, "capabilities", "have length greater than or equal to 1")
    for i, cap in enumerate(caps, 1):
        p.enum(cap, f"capabilities.{i}.member", CAPABILITIES)


def check_create(body: dict[str, Any]) -> str | None:
    """CreateProxySession's body: None if the service would take it, else the message."""
    p = Problems()
    if p.required(body, "ParticipantPhoneNumbers", "participantPhoneNumbers"):
        numbers = p.string_list(body["ParticipantPhoneNumbers"], "participantPhoneNumbers")
        if numbers is not None:
            if len(numbers) != 2:
                p.add(numbers, "participantPhoneNumbers",
                      "have length less than or equal to 2" if len(numbers) > 2
                      else "have length greater than or equal to 2")
            for i, number in enumerate(numbers, 1):
                p.pattern(number, f"participantPhoneNumbers.{i}.member", E164)
    _capabilities(body, p)
    if body.get("Name") is not None:
        p.pattern(body["Name"], "name", NAME)
    if body.get("ExpiryMinutes") is not None:
        p.minimum(body["ExpiryMinutes"], "expiryMinutes", 1)
    if body.get("NumberSelectionBehavior") is not None:
        p.enum(body["NumberSelectionBehavior"], "numberSelectionBehavior", SELECTION)
    if body.get("GeoMatchLevel") is not None:
        p.enum(body["GeoMatchLevel"], "geoMatchLevel", GEO_LEVELS)
    geo = body.get("GeoMatchParams")
    if geo is not None:
        if not isinstance(geo, dict):
            p.add(geo, "geoMatchParams", "be a structure")
        else:
            if p.required(geo, "Country", "geoMatchParams.country"):
                p.pattern(geo["Country"], "geoMatchParams.country", COUNTRY)
            if p.required(geo, "AreaCode", "geoMatchParams.areaCode"):
                p.pattern(geo["AreaCode"], "geoMatchParams.areaCode", AREA_CODE)
    return p.message()


def check_update(body: dict[str, Any]) -> str | None:
    """UpdateProxySession's body: Capabilities required, ExpiryMinutes >= 1."""
    p = Problems()
    _capabilities(body, p)
    if body.get("ExpiryMinutes") is not None:
        p.minimum(body["ExpiryMinutes"], "expiryMinutes", 1)
    return p.message()


def check_put_proxy(body: dict[str, Any]) -> str | None:
    """PutVoiceConnectorProxy's body."""
    p = Problems()
    if p.required(body, "DefaultSessionExpiryMinutes", "defaultSessionExpiryMinutes"):
        value = body["DefaultSessionExpiryMinutes"]
        if isinstance(value, bool) or not isinstance(value, int):
            p.add(value, "defaultSessionExpiryMinutes", "be an integer")
    if p.required(body, "PhoneNumberPoolCountries", "phoneNumberPoolCountries"):
        countries = p.string_list(body["PhoneNumberPoolCountries"], "phoneNumberPoolCountries")
        if countries is not None:
            if not 1 <= len(countries) <= 100:
                p.add(countries, "phoneNumberPoolCountries",
                      "have length greater than or equal to 1" if not countries
                      else "have length less than or equal to 100")
            for i, country in enumerate(countries, 1):
                p.pattern(country, f"phoneNumberPoolCountries.{i}.member", COUNTRY)
    if body.get("FallBackPhoneNumber") is not None:
        p.pattern(body["FallBackPhoneNumber"], "fallBackPhoneNumber", E164)
    if body.get("Disabled") is not None and not isinstance(body["Disabled"], bool):
        p.add(body["Disabled"], "disabled", "be a boolean")
    return p.message()
