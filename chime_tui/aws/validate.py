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
from collections.abc import Callable
from typing import Any, TypeVar

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


METADATA = "ResponseMetadata"  # the key of botocore's metadata in a parsed answer


def body_members_only(shape: Any) -> bool:
    """Whether botocore's REST parse of a 2xx answer of this shape is its metadata and
    the members parsed from the JSON body alone (no header, status or payload member)."""
    if getattr(shape, "type_name", None) != "structure" or METADATA in shape.members \
            or "payload" in shape.serialization or shape.serialization.get("eventstream"):
        return False
    return all(not m.serialization.get("location") and not m.serialization.get("eventstream")
               for m in shape.members.values())


# The key of a checked answer (`response_dict`) under which the check leaves the body it
# read and its JSON, `(body, data)`, when botocore's parse of that body would be the JSON
# itself (`plain`): the parsers (`chime_tui.aws.memo`) then do not walk it again.
DECODED = "chime-tui-decoded"


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
    data, as_botocore = _decode(body)
    # Plain (every key a member, in the model's order, no null, the exact JSON types):
    # fits the model all the way down, and is what botocore's parse gives back.
    plain = as_botocore and _plain_for(shape)(data)
    taken = _check_body(body, data, members, leave_out, checked=plain)
    if taken is None:
        if passed is not None and type(body) is bytes:
            passed.add(operation_model, body)
        if plain:
            response_dict[DECODED] = (response_dict.get("body"), data)
        return
    # Some listed items are not what the model says: botocore parses the rest, and the
    # answer names what was taken out. (Not remembered: checked again each time.)
    new_body, unreadable = taken
    response_dict["body"] = new_body
    response_dict.setdefault("headers", {})[UNREADABLE] = json.dumps(unreadable)


def _decode(body: bytes) -> tuple[Any, bool]:
    """The body's JSON, and whether it was read as botocore reads it (UTF-8 text, then
    JSON); raises BadResponse if it is not JSON at all."""
    if not body.strip():
        raise _bad("an empty body", body)
    try:
        return json.loads(body.decode("utf-8")), True
    except ValueError:  # (UnicodeDecodeError too) botocore would not read it as this
        pass
    try:
        return json.loads(body), False
    except (ValueError, UnicodeDecodeError):
        raise _bad("the body is not JSON", body) from None


def _check_body(body: bytes, data: Any, members: dict[str, Any], leave_out: bool = False,
                checked: bool = False) -> tuple[bytes, list[dict[str, Any]]] | None:
    """None if the body (`data`, its JSON) is this operation's answer; a BadResponse if
    it is not; a body without the listed items that are not what the model says, and
    those items named, if only some of a list's items are wrong. `checked`: the members
    are known to fit the model (a plain body)."""
    if not isinstance(data, dict):
        raise _bad("the body is not a JSON object", body)
    known = [k for k in data if k in members]
    if data and not known:
        raise _bad(f"none of {', '.join(sorted(members))} in the body", body)
    unreadable: list[dict[str, Any]] = []
    for key in () if checked else known:
        where = _mismatch(data[key], members[key])
        if where is None:
            continue
        if leave_out and _listed(data[key], members[key], where):
            kept, taken = _split(data[key], members[key], key)
            if kept:
                data[key] = kept
                unreadable.extend({"member": key, **t} for t in taken)
                continue
        bad = _bad(f"{key}{where}{_whose(data[key], where)} is not what the service "
                   "model says", body)
        bad.field = f"{key}{where}"
        raise bad
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
        where = "" if item is None else _mismatch(item, shape.member)
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
    return _check_for(shape)(value)


F = TypeVar("F")
Check = Callable[[Any], "str | None"]
Plain = Callable[[Any], bool]
# Per shape, a function made once: the check (`_mismatch`) and the plain test. Keyed by
# the shape's id, with the shape held so that the id is never another's.
_CHECKS: dict[int, tuple[Any, Check]] = {}
_PLAINS: dict[int, tuple[Any, Plain]] = {}
# The exact types of a JSON value that fit a scalar of the model as they are (the check
# of any other value, a subclass or None, is the general one), and that botocore's parse
# gives back as they are (with timestamps kept as sent: see chime_tui.aws.plain).
_EXACT = {"string": frozenset({str}), "integer": frozenset({int}), "long": frozenset({int}),
          "boolean": frozenset({bool}), "float": frozenset({int, float}),
          "double": frozenset({int, float}), "timestamp": frozenset({str, int, float})}
_AS_PARSED = {**_EXACT, "float": frozenset({float}), "double": frozenset({float})}
_NONE: frozenset[type] = frozenset()


def _made(made: dict[int, tuple[Any, F]], shape: Any) -> F | None:
    """The function made for `shape` in `made` (`_CHECKS`, `_PLAINS`), or None."""
    hit = made.get(id(shape))
    return hit[1] if hit is not None and hit[0] is shape else None


def _check_for(shape: Any) -> Check:
    if (made := _made(_CHECKS, shape)) is not None:
        return made
    kind = shape.type_name
    allowed = _JSON_TYPES.get(kind)
    check: Check
    if allowed is None:
        check = _fits
    elif kind in _EXACT:
        check = _scalar_check(allowed)
    else:
        # Registered before its members are: a shape may hold itself.
        subs: dict[str, tuple[frozenset[type], Check]] = {}
        check = _container_check(kind, allowed, subs)
        _CHECKS[id(shape)] = (shape, check)
        inner = (dict(shape.members) if kind == "structure" else
                 {"": shape.member if kind == "list" else shape.value})
        subs.update({key: (_EXACT.get(sub.type_name, _NONE) | {type(None)}, _check_for(sub))
                     for key, sub in inner.items()})
        return check
    _CHECKS[id(shape)] = (shape, check)
    return check


def _fits(value: Any) -> str | None:
    return None


def _scalar_check(allowed: tuple[type, ...]) -> Check:
    bool_ok = bool in allowed

    def check(value: Any) -> str | None:
        if value is None or isinstance(value, allowed) and (
                bool_ok or not isinstance(value, bool)):
            return None
        return ""
    return check


def _container_check(kind: str, allowed: tuple[type, ...],
                     subs: dict[str, tuple[frozenset[type], Check]]) -> Check:
    if kind == "structure":
        def check(value: Any) -> str | None:
            if value is None:
                return None
            if not isinstance(value, allowed):
                return ""
            fields: Any = value
            for key, item in fields.items():
                sub = subs.get(key)
                if sub is not None and type(item) not in sub[0] and (
                        where := sub[1](item)) is not None:
                    return f".{key}{where}"
            return None
        return check

    def check_items(value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, allowed):
            return ""
        exact, sub = subs[""]
        items: Any = value
        if kind == "list":
            for i, item in enumerate(items):
                # A null item is none of the model's values (a null member is an absent
                # one): shown, it would be a capability or a participant called "None".
                if item is None:
                    return f"[{i}]"
                if type(item) not in exact and (where := sub(item)) is not None:
                    return f"[{i}]{where}"
            return None
        for key, item in items.items():
            if type(item) not in exact and (where := sub(item)) is not None:
                return f".{key}{where}"
        return None
    return check_items


def _plain_for(shape: Any) -> Plain:
    """A test of a JSON value: True if it fits `shape` and botocore's REST-JSON parse of
    it (timestamps kept as sent) is the value itself, in every type and key order:
    structures whose keys are all members, in the model's order, none null; lists, no
    item null (the check refuses those); strings, integers, booleans, floats and
    timestamps as their exact JSON types. Maps, blobs, documents, unions, members named
    otherwise in the JSON or carried outside the body: never plain (botocore's parse
    then runs)."""
    if (made := _made(_PLAINS, shape)) is not None:
        return made
    kind = shape.type_name
    plain: Plain
    if kind == "structure" and _plain_structure(shape):
        subs: dict[str, tuple[int, frozenset[type], Plain]] = {}
        plain = _structure_plain(subs)
        _PLAINS[id(shape)] = (shape, plain)
        subs.update({name: (i, _AS_PARSED.get(sub.type_name, _NONE), _plain_for(sub))
                     for i, (name, sub) in enumerate(shape.members.items())})
        return plain
    if kind == "list":
        cell: list[tuple[frozenset[type], Plain]] = []
        plain = _list_plain(cell)
        _PLAINS[id(shape)] = (shape, plain)
        member = shape.member
        cell.append((_AS_PARSED.get(member.type_name, _NONE), _plain_for(member)))
        return plain
    exact = _AS_PARSED.get(kind)
    if exact is None or shape.serialization.get("location"):
        plain = _never
    else:
        def plain(value: Any) -> bool:
            return type(value) in exact
    _PLAINS[id(shape)] = (shape, plain)
    return plain


def _plain_structure(shape: Any) -> bool:
    """A structure botocore parses member by member from the body, each under its own
    name (`body_members_only`, not a document nor a union, no member renamed)."""
    return body_members_only(shape) and not shape.is_document_type \
        and not shape.is_tagged_union \
        and all(m.serialization.get("name", name) == name for name, m in shape.members.items())


def _never(value: Any) -> bool:
    return False


def _structure_plain(subs: dict[str, tuple[int, frozenset[type], Plain]]) -> Plain:
    def plain(value: Any) -> bool:
        if type(value) is not dict:
            return False
        last = -1
        for key, item in value.items():
            sub = subs.get(key)
            if sub is None or sub[0] <= last:
                return False  # not a member, or out of the model's order
            last = sub[0]
            if type(item) not in sub[1] and (item is None or not sub[2](item)):
                return False
        return True
    return plain


def _list_plain(cell: list[tuple[frozenset[type], Plain]]) -> Plain:
    def plain(value: Any) -> bool:
        if type(value) is not list:
            return False
        exact, sub = cell[0]
        return all(type(item) in exact or sub(item) for item in value)
    return plain


def register(events: Any, service_id: str = "chime-sdk-voice",
             passed: PassedBodies | None = None, leave_out: bool = False) -> None:
    """Check every answer of a client (`client.meta.events`); with `passed`, a body
    that passed lately is not checked again; with `leave_out`, a listing's items that
    are not right are left out and named instead of failing it."""
    handler = check_response if passed is None and not leave_out else functools.partial(
        check_response, passed=passed, leave_out=leave_out)
    events.register(f"before-parse.{service_id}.*", handler,
                    unique_id="chime-tui-check-response")
