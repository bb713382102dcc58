"""Is a 2xx answer this operation's answer? Checked before botocore parses it.

botocore's REST-JSON parser takes a body that is not JSON as `{"message": body}`
and a JSON object with none of the output's members as an empty answer: an HTML
page from a proxy would be an empty last page of sessions. Here such a body is
a typed `BadResponse` instead, for aiobotocore's and botocore's clients alike
(`before-parse` event). No botocore import: the shapes come with the event.

A refresh lists the same pages every few seconds, mostly unchanged: the app's client
registers the check with a `PassedBodies`, and a body that passed lately for the same
operation passes again without being decoded and walked (the check is a function of
the operation's model, a 2xx status and the body alone). One-shot commands keep none.

For the app's client (`leave_out`), one listed item that is not what the model says (a
session with `"ExpiryMinutes": "sixty"`) does not fail the whole listing: the item is
taken out of the body before botocore parses it, and named (its ID, what is wrong) in
the answer's `UNREADABLE` header, so that the client can say which session it could not
read while the others show. A single structure (GetProxySession's answer) that is not
right is an error; so is any of it for the one-shot commands, which print what they get
(and so for the start-up helper: the app then lists the connector itself).
"""

from __future__ import annotations

import functools
import json
from typing import Any, cast

from chime_tui.aws.errors import BadResponse
from chime_tui.textsafe import clip

# A top-level member's model type -> the JSON types that may carry it.
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "structure": (dict,), "list": (list,), "map": (dict,), "string": (str,),
    "integer": (int,), "long": (int,), "boolean": (bool,), "float": (int, float),
    "double": (int, float), "timestamp": (str, int, float),
}


def _bad(why: str, body: bytes) -> BadResponse:
    return BadResponse(f"unexpected response from the service ({why})", code="BadResponse",
                       detail=body[:2000].decode("utf-8", "replace"))


# The answer's header (lower case, as botocore gives headers back) naming the listed items
# taken out of a body: JSON, [{"member": "ProxySessions", "id": ID or null, "why": ...}].
UNREADABLE = "x-chime-tui-unreadable"

PASSED_BUDGET = 1 << 20  # bytes of bodies remembered (a page of 100 sessions: ~45 KB)


class PassedBodies:
    """The bodies that passed the check lately, by operation model, the least recently
    seen dropped first once they weigh more than `budget` bytes. Exact: a key is the
    model object (held, so never confused with another) and the body's bytes."""

    def __init__(self, budget: int = PASSED_BUDGET) -> None:
        self.budget = budget
        self.size = 0
        self.bodies: dict[tuple[Any, bytes], None] = {}  # oldest first
        self.hits = 0

    def seen(self, operation_model: Any, body: bytes) -> bool:
        """Whether this body passed lately for this operation (it is then the newest)."""
        key = (operation_model, body)
        if key not in self.bodies:
            return False
        del self.bodies[key]
        self.bodies[key] = None
        self.hits += 1
        return True

    def add(self, operation_model: Any, body: bytes) -> None:
        if len(body) > self.budget // 4 or (operation_model, body) in self.bodies:
            return
        self.bodies[(operation_model, body)] = None
        self.size += len(body)
        while self.size > self.budget:
            oldest = next(iter(self.bodies))
            del self.bodies[oldest]
            self.size -= len(oldest[1])


def check_response(operation_model: Any, response_dict: dict[str, Any],
                   passed: PassedBodies | None = None, leave_out: bool = False,
                   **_: Any) -> None:
    """Raise BadResponse unless a 2xx body is a JSON object shaped like the output.
    `passed`: the bodies that passed lately (they pass again, unread); None: none.
    `leave_out`: listed items that are not right are left out and named (see the
    module's doc), not an error: for the app, which says so on screen; the commands,
    which print what they get, stop on them."""
    status = response_dict.get("status_code") or 0
    shape = operation_model.output_shape
    if not 200 <= status < 300 or shape is None or operation_model.has_streaming_output:
        return
    members = {name: m for name, m in shape.members.items()
               if not m.serialization.get("location")}
    if not members:
        return
    body = response_dict.get("body") or b""
    if isinstance(body, str):
        body = body.encode()
    if passed is not None and type(body) is bytes and passed.seen(operation_model, body):
        return  # (a bytearray is not hashable: never remembered)
    taken = _check_body(body, members, leave_out)
    if taken is None:
        if passed is not None and type(body) is bytes:
            passed.add(operation_model, body)
        return
    # Some listed items are not what the model says: botocore parses the rest, and the
    # answer names what was taken out. (Not remembered: checked again each time.)
    new_body, unreadable = taken
    response_dict["body"] = new_body
    response_dict.setdefault("headers", {})[UNREADABLE] = json.dumps(unreadable)


def _check_body(body: bytes, members: dict[str, Any], leave_out: bool = False
                ) -> tuple[bytes, list[dict[str, Any]]] | None:
    """None if the body is this operation's answer; a BadResponse if it is not; a body
    without the listed items that are not what the model says, and those items named,
    if only some of a list's items are wrong."""
    if not body.strip():
        raise _bad("an empty body", body)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise _bad("the body is not JSON", body) from None
    if not isinstance(data, dict):
        raise _bad("the body is not a JSON object", body)
    known = [k for k in data if k in members]
    if data and not known:
        raise _bad(f"none of {', '.join(sorted(members))} in the body", body)
    unreadable: list[dict[str, Any]] = []
    for key in known:
        where = _mismatch(data[key], members[key])
        if where is None:
            continue
        if leave_out and _listed(data[key], members[key], where):
            kept, taken = _split(data[key], members[key], key)
            if kept:
                data[key] = kept
                unreadable.extend({"member": key, **t} for t in taken)
                continue
        raise _bad(f"{key}{where}{_whose(data[key], where)} is not what the service "
                   "model says", body)
    # A single structure (GetProxySession's ProxySession) is the whole answer.
    if len(members) == 1:
        (name, member), = members.items()
        if member.type_name == "structure" and not isinstance(data.get(name), dict):
            raise _bad(f"no {name} in the body", body)
    if unreadable:
        return json.dumps(data).encode(), unreadable
    return None


def _listed(value: Any, shape: Any, where: str) -> bool:
    """Whether the mismatch at `where` is inside one item of a list of structures (a
    listed session): that item can be left out and the rest read."""
    return (shape.type_name == "list" and isinstance(value, list)
            and shape.member.type_name == "structure" and where.startswith("["))


def _split(items: list[Any], shape: Any, name: str
           ) -> tuple[list[Any], list[dict[str, Any]]]:
    """The items that fit the list's item shape, and for each one that does not: its ID
    (None if it has no readable one) and what is wrong with it. An item's ID is its
    list's name made singular, with Id: ProxySessions' ProxySessionId."""
    id_key = name.removesuffix("s") + "Id"
    kept: list[Any] = []
    taken: list[dict[str, Any]] = []
    for item in items:
        where = _mismatch(item, shape.member)
        if where is None:
            kept.append(item)
            continue
        ident = None
        if isinstance(item, dict) and isinstance(item.get(id_key), str):
            ident = clip(item[id_key], 80)
        field = where.lstrip(".") or "the item"
        taken.append({"id": ident, "why": f"{field} is not what the service model says"})
    return kept, taken


def _whose(value: Any, where: str) -> str:
    """' (of session 0f4c…)' when `where` ('[26].ExpiryMinutes') is in a listed item
    that names itself: an index means nothing to a person."""
    if not where.startswith("[") or not isinstance(value, list):
        return ""
    try:
        item = value[int(where[1:where.index("]")])]
    except (ValueError, IndexError):
        return ""
    if isinstance(item, dict):
        for key, what in (("ProxySessionId", "session"), ("VoiceConnectorId", "voice connector")):
            if isinstance(item.get(key), str):
                return f" (of {what} {clip(item[key], 80)})"
    return ""


def _mismatch(value: Any, shape: Any) -> str | None:
    """None if `value` fits `shape` all the way down; else where it does not ('[3].Status')."""
    if value is None:
        return None
    kind = shape.type_name
    allowed = _JSON_TYPES.get(kind)
    if allowed is None:
        return None
    if not isinstance(value, allowed) or isinstance(value, bool) and bool not in allowed:
        return ""
    if kind == "structure":
        fields = _members(shape)
        for key, item in cast(dict[str, Any], value).items():
            sub = fields.get(key)
            if sub is not None and (where := _mismatch(item, sub)) is not None:
                return f".{key}{where}"
    elif kind == "list":
        member = shape.member
        if member.type_name in _SCALARS:
            allowed = _JSON_TYPES[member.type_name]
            for i, item in enumerate(cast(list[Any], value)):
                if item is not None and (not isinstance(item, allowed) or isinstance(
                        item, bool) and bool not in allowed):
                    return f"[{i}]"
        else:
            for i, item in enumerate(cast(list[Any], value)):
                if (where := _mismatch(item, member)) is not None:
                    return f"[{i}]{where}"
    elif kind == "map":
        for key, item in cast(dict[str, Any], value).items():
            if (where := _mismatch(item, shape.value)) is not None:
                return f".{key}{where}"
    return None


_SCALARS = {"string", "integer", "long", "boolean", "float", "double", "timestamp"}
_MEMBERS: dict[int, dict[str, Any]] = {}


def _members(shape: Any) -> dict[str, Any]:
    """A structure's members, looked up once per shape (botocore builds them per access)."""
    found = _MEMBERS.get(id(shape))
    if found is None:
        found = _MEMBERS[id(shape)] = dict(shape.members)
    return found


def register(events: Any, service_id: str = "chime-sdk-voice",
             passed: PassedBodies | None = None, leave_out: bool = False) -> None:
    """Check every answer of a client (`client.meta.events`); with `passed`, a body
    that passed lately is not checked again; with `leave_out`, a listing's items that
    are not right are left out and named instead of failing it."""
    handler = check_response if passed is None and not leave_out else functools.partial(
        check_response, passed=passed, leave_out=leave_out)
    events.register(f"before-parse.{service_id}.*", handler,
                    unique_id="chime-tui-check-response")
