"""What a refresh parsed the last time, for the next one: the same answer is not parsed
again. No aiobotocore import here (the client imports this before aiobotocore loads).

A board or a session list lists its connector every few seconds, and the service says
the same of almost every session each time. Two memos, each exact (equal input gives
an equal output) and bounded:

- `ParsedBodies` (botocore's parse, through the public `response_parser_factory`
  component): a 2xx REST-JSON body equal, byte for byte, to one parsed lately for the
  same output shape gives the same members again, from a `marshal` snapshot (fresh
  dicts and lists, every type kept: marshal takes only the exact built-in types, and
  refuses the rest, which are then not remembered; it would write a bytearray as bytes,
  but botocore's parse gives none: a blob is bytes); the answer's metadata is botocore's
  parse of this response (`parse(response, None)`: its headers, status and log lines).
- `SessionMemo` (`ProxySession.from_api`): a listed item equal to one parsed lately
  gives back the model made then (immutable).

And the two together: once the client has made a body's models (`Parsed.models`, the
models of its one list member, immutable, in order), the same body again gives those
models in a new list instead of a copy of the items (`MemoParser`): an unchanged page
of a refresh costs no copy and no item-by-item lookup. The client finds a page's
`Parsed` in `LAST_PARSED` (`client.parsed_pages`); a page of models is told from one of
items by its items' type (`client.parse_sessions`).
"""

from __future__ import annotations

import marshal
from contextvars import ContextVar
from typing import Any

from chime_tui.aws.plain import (
    DECODED,
    METADATA,
    PlainParserFactory,
    body_members_only,
    install,
    plain_members,
)
from chime_tui.models import ProxySession

MEMO_SIZE = 2000  # sessions per generation (two generations: 4,000 at most)
MAX_KEY = 2048  # characters: a larger item (a session is about 500) is parsed, not kept
PARSED_BUDGET = 1 << 20  # bytes of bodies and snapshots (a page of 100 sessions: ~75 KB)
# The `Parsed` of the last body parsed in this task (`client.call` awaits the parse in
# its own task); None: not a remembered body.
LAST_PARSED: ContextVar[Parsed | None] = ContextVar("chime_tui_last_parsed", default=None)
_SCALARS = (str, int, float, bool, type(None))


class SessionMemo:
    """The models of listed items, by the item's `repr`. The items are botocore's parse
    of a JSON body: dicts, lists, str, int, float, bool and None, for which `repr` is
    one-to-one (it tells 1 from 1.0 and True, a string from a number, and keeps the
    order of a dict's keys, which `ProxySession.sent` keeps too): equal keys are equal
    items, and equal items give equal models.

    Two generations of at most `size` keys: a key found in the older one moves to the
    newer; when the newer is full, the older is dropped and the newer becomes the older.
    So at most 2 * size models are held, and a session listed at every refresh stays
    while others come and go. An item whose key is longer than MAX_KEY is parsed and
    not kept (a hostile service's huge items would weigh twice)."""

    def __init__(self, size: int = MEMO_SIZE) -> None:
        self.size = size
        self.newer: dict[str, ProxySession] = {}
        self.older: dict[str, ProxySession] = {}
        self.made = 0  # models made by from_api (the rest came from the memo)

    def __len__(self) -> int:
        return len(self.newer) + len(self.older)

    def session(self, item: Any) -> ProxySession:
        """`ProxySession.from_api(item)`, or the equal model made of an equal item lately.
        Raises what from_api raises (nothing is remembered then)."""
        key = repr(item)
        if len(key) > MAX_KEY:
            self.made += 1
            return ProxySession.from_api(item)
        found = self.newer.get(key)
        if found is not None:
            return found
        found = self.older.pop(key, None)
        if found is None:
            found = ProxySession.from_api(item)
            self.made += 1
        newer = self.newer
        newer[key] = found
        if len(newer) >= self.size:
            self.older, self.newer = newer, {}
        return found


class Parsed:
    """A body botocore parsed: a `marshal` snapshot of its members; its scalar members
    (immutable: shared as they are); the name of its one list member, if its members
    are that list and scalars; and, once the client made them, that list's models."""

    __slots__ = ("snapshot", "scalars", "listed", "models")

    def __init__(self, snapshot: bytes, members: dict[str, Any]) -> None:
        self.snapshot = snapshot
        self.scalars = {k: v for k, v in members.items() if type(v) in _SCALARS}
        lists = [k for k, v in members.items() if type(v) is list]
        self.listed = lists[0] if len(lists) == 1 and \
            len(self.scalars) + 1 == len(members) else None
        self.models: tuple[Any, ...] | None = None

    def members(self) -> dict[str, Any]:
        """The members, a fresh copy."""
        members: dict[str, Any] = marshal.loads(self.snapshot)
        return members


class ParsedBodies:
    """Bodies parsed lately, by output shape (the object: held, so never mistaken for
    another): a `Parsed` of each. The least recently used go first once bodies and
    snapshots weigh more than `budget` bytes (models are not counted: the listings
    and the session memo hold them anyway)."""

    def __init__(self, budget: int = PARSED_BUDGET) -> None:
        self.budget = budget
        self.size = 0
        self.entries: dict[tuple[Any, bytes], Parsed] = {}  # least recently used first
        self.hits = 0

    def find(self, shape: Any, body: bytes) -> Parsed | None:
        """This body's `Parsed`, if it was parsed lately (then the most recently used)."""
        key = (shape, body)
        found = self.entries.pop(key, None)
        if found is None:
            return None
        self.entries[key] = found
        self.hits += 1
        return found

    def get(self, shape: Any, body: bytes) -> dict[str, Any] | None:
        """The members parsed from this body lately (a fresh copy), or None."""
        found = self.find(shape, body)
        return None if found is None else found.members()

    def add(self, shape: Any, body: bytes, members: dict[str, Any]) -> Parsed | None:
        """Remember a body's members; its `Parsed`, or None if not kept."""
        try:
            snapshot = marshal.dumps(members)
        except ValueError:  # a type marshal does not keep exactly: not remembered
            return None
        weight = len(body) + len(snapshot)
        key = (shape, body)
        if weight > self.budget // 4 or key in self.entries:
            return None
        parsed = self.entries[key] = Parsed(snapshot, members)
        self.size += weight
        while self.size > self.budget:
            oldest = next(iter(self.entries))
            self.size -= len(oldest[1]) + len(self.entries.pop(oldest).snapshot)
        return parsed

    def clear(self) -> None:
        self.entries.clear()
        self.size = 0


class MemoParser:
    """An aiobotocore REST-JSON parser that does not parse a body it parsed lately, nor
    walk one the check found plain (`plain_members`)."""

    def __init__(self, parser: Any, bodies: ParsedBodies,
                 factory: MemoParserFactory | None = None) -> None:
        self.parser = parser
        self.bodies = bodies
        self.factory = factory

    async def parse(self, response: dict[str, Any], shape: Any) -> Any:
        body = response.get("body")
        status = response.get("status_code") or 0
        if not (200 <= status < 300 and type(body) is bytes and body_members_only(shape)):
            response.pop(DECODED, None)
            return await self.parser.parse(response, shape)
        found = self.bodies.find(shape, body)
        if found is None:
            kept = self.factory is not None and self.factory.timestamps_kept
            members = plain_members(response, shape) if kept else None
            if members is None:
                response.pop(DECODED, None)
                parsed = await self.parser.parse(response, shape)
            else:
                parsed = await self.parser.parse(response, None)
                parsed.update(members)
            if type(parsed) is dict:
                found = self.bodies.add(shape, body,
                                        {k: v for k, v in parsed.items() if k != METADATA})
                if found is not None:
                    LAST_PARSED.set(found)
            return parsed
        response.pop(DECODED, None)
        parsed = await self.parser.parse(response, None)  # the metadata, and the log lines
        models = found.models
        if models is not None and found.listed is not None:
            parsed.update(found.scalars)
            parsed[found.listed] = list(models)  # (a new list: a reader may change it)
        else:
            parsed.update(found.members())
        LAST_PARSED.set(found)
        return parsed


class MemoParserFactory(PlainParserFactory):
    """The (aiobotocore) session's `response_parser_factory`, with a memo for REST-JSON
    answers. `timestamps_kept`: as `PlainParserFactory`'s."""

    def __init__(self, factory: Any, budget: int = PARSED_BUDGET,
                 timestamps_kept: bool = False) -> None:
        super().__init__(factory, timestamps_kept)
        self.bodies = ParsedBodies(budget)

    def set_parser_defaults(self, **kwargs: Any) -> None:
        super().set_parser_defaults(**kwargs)
        self.bodies.clear()  # (parsed with other defaults)

    def create_parser(self, protocol_name: str) -> Any:
        parser = self.factory.create_parser(protocol_name)
        return MemoParser(parser, self.bodies, self) if protocol_name == "rest-json" \
            else parser


def install_parsers(session: Any) -> MemoParserFactory:
    """Parse the answers of `session`'s clients through a `MemoParserFactory`; the
    session's timestamps are kept as sent (`factory.prepare_session` ran)."""
    return install(session, MemoParserFactory)
