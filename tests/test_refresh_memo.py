"""Issue 14: a refresh does not parse again what the service says the same of
(chime_tui.aws.memo, and the response check's memo in chime_tui.aws.validate).

The requests are still sent; what is not repeated is botocore's parse of an unchanged
page, the check of its body, and `ProxySession.from_api` of an unchanged session.
Each memo is exact (what it gives back equals what parsing gives) and bounded. Against
the local endpoint over loopback, with real aiobotocore; counts, not timings.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chime_tui.aws import client as client_mod
from chime_tui.aws import memo, validate
from chime_tui.aws.client import ChimeVoiceClient
from chime_tui.aws.errors import BadResponse
from chime_tui.aws.memo import MemoParserFactory, ParsedBodies, SessionMemo
from chime_tui.emulator import EmulatorServer, EmulatorState, populate
from chime_tui.models import ProxySession, iso_ms
from chime_tui.sources import ConnectorSessions, PinnedSessions
from chime_tui.tracking import SessionTracker

from .conftest import FIXED_NOW, aws_for
from .test_sources import Host


def frozen_big(sessions: int = 250) -> tuple[EmulatorState, str]:
    """A connector of `sessions` (3 pages of 100), on a clock that stands still: nothing
    changes between two listings unless the test changes it."""
    state = populate(EmulatorState(clock=lambda: FIXED_NOW), seed=4, connectors=1,
                     big_connector_sessions=sessions)
    return state, next(vc for vc, c in state.connectors.items() if c.name == "load test")


class Counts:
    """What a refresh did: bodies parsed (walked by botocore, or taken as the check read
    them: `plain_members`), bodies decoded by the check, from_api calls."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: Counter[str] = Counter()
        decode = validate._decode

        def counted_decode(body: bytes) -> Any:
            self.calls["check"] += 1
            return decode(body)

        monkeypatch.setattr(validate, "_decode", counted_decode)
        plain = memo.plain_members

        def counted_plain(response: dict[str, Any], shape: Any) -> Any:
            members = plain(response, shape)
            if members is not None:
                self.calls["parsed"] += 1
            return members

        monkeypatch.setattr(memo, "plain_members", counted_plain)
        from_api = ProxySession.from_api

        def counted_from_api(data: Any) -> ProxySession:
            self.calls["from_api"] += 1
            return from_api(data)

        monkeypatch.setattr(ProxySession, "from_api", staticmethod(counted_from_api))

    def watch(self, client: ChimeVoiceClient) -> None:
        """Count botocore's parses of a body by this (open) client."""
        assert client.parsers is not None
        inner = client.parsers.factory
        calls = self.calls

        class Spy:
            def __init__(self, parser: Any) -> None:
                self.parser = parser

            async def parse(self, response: dict[str, Any], shape: Any) -> Any:
                if shape is not None:
                    calls["parsed"] += 1
                return await self.parser.parse(response, shape)

        class SpyFactory:
            def create_parser(self, protocol: str) -> Any:
                return Spy(inner.create_parser(protocol))

        client.parsers.factory = SpyFactory()

    def take(self) -> dict[str, int]:
        out = {k: self.calls[k] for k in ("parsed", "check", "from_api")}
        self.calls.clear()
        return out


async def test_an_unchanged_board_refresh_parses_no_page_and_no_session_again(monkeypatch):
    counts = Counts(monkeypatch)
    state, big = frozen_big()
    with EmulatorServer(state) as srv:
        host = Host(srv)
        await host.service.open()
        counts.watch(host.service)
        sids = [s.proxy_session_id for s in state.sessions[big].values()][:200]
        for sid in sids:
            host.pins.add((big, sid))
        board = PinnedSessions(host, 5.0)
        try:
            first = await board.fetch()
            assert counts.take() == {"parsed": 3, "check": 3, "from_api": 250}
            second = await board.fetch()
            # Sent again (3 pages), but nothing parsed again: the same models.
            assert counts.take() == {"parsed": 0, "check": 0, "from_api": 0}
            assert state.request_count("proxy-sessions") == 6
            assert second.result.sessions.keys() == first.result.sessions.keys()
            assert all(second.result.sessions[k] is s for k, s in first.result.sessions.items())
            assert not any(second.changes.values())
        finally:
            await host.service.close()


async def test_an_unchanged_page_is_given_as_its_models_without_a_copy_of_its_items(
        monkeypatch):
    """An unchanged page's body gives the models the client made of it the first time:
    no copy of its items is made, and no item is looked up in the session memo."""
    from chime_tui.aws import memo as memo_mod

    copies: Counter[str] = Counter()
    loads = memo_mod.marshal.loads

    class CountingMarshal:
        dumps = staticmethod(memo_mod.marshal.dumps)

        @staticmethod
        def loads(data: bytes) -> Any:
            copies["loads"] += 1
            return loads(data)

    monkeypatch.setattr(memo_mod, "marshal", CountingMarshal)
    state, big = frozen_big()
    with EmulatorServer(state) as srv:
        host = Host(srv)
        for sid in [s.proxy_session_id for s in state.sessions[big].values()][:200]:
            host.pins.add((big, sid))
        board = PinnedSessions(host, 5.0)
        try:
            first = await board.fetch()
            looked_up = Counter[str]()
            session = SessionMemo.session

            def counted(self: SessionMemo, item: Any) -> ProxySession:
                looked_up["item"] += 1
                return session(self, item)

            monkeypatch.setattr(SessionMemo, "session", counted)
            for _ in range(2):
                again = await board.fetch()
                assert copies["loads"] == 0 and looked_up["item"] == 0
                assert again.result.sessions.keys() == first.result.sessions.keys()
                assert all(again.result.sessions[k] is s
                           for k, s in first.result.sessions.items())
            # A session that changes: its page is parsed again, and only that page.
            changed = list(state.sessions[big])[150]
            state.set_status(big, changed, "Closed")
            changed_page = await board.fetch()
            assert looked_up["item"] == 100 and copies["loads"] == 0
            assert changed_page.result.sessions[(big, changed)].status == "Closed"
        finally:
            await host.service.close()


async def test_a_page_given_as_models_is_a_new_list_each_time(monkeypatch):
    """A reader that changes the list it got (the items of a page) changes no later
    answer: the models are shared (immutable), the list is not."""
    state, big = frozen_big(50)
    with EmulatorServer(state) as srv:
        async with ChimeVoiceClient(aws_for(srv)) as client:
            first = await client.list_proxy_sessions(big)
            pages = []
            for _ in range(2):
                async for items, parsed in client.parsed_pages(
                        "list_proxy_sessions", "ProxySessions", VoiceConnectorId=big,
                        MaxResults=100):
                    assert parsed is not None and parsed.models is not None
                    pages.append(items)
            assert pages[0] is not pages[1] and pages[0] == pages[1] == first
            pages[0].clear()
            assert await client.list_proxy_sessions(big) == first


async def test_a_changed_session_is_the_only_one_parsed_again_and_the_listing_is_exact(
        monkeypatch):
    counts = Counts(monkeypatch)
    state, big = frozen_big()
    with EmulatorServer(state) as srv:
        async with ChimeVoiceClient(aws_for(srv)) as client:
            counts.watch(client)
            await client.list_proxy_sessions(big)
            counts.take()
            changed = list(state.sessions[big])[150]  # on the second page
            state.set_status(big, changed, "Closed")
            memoized = await client.list_proxy_sessions(big)
            assert counts.take() == {"parsed": 1, "check": 1, "from_api": 1}
        # A new client, with nothing remembered, parses every page and session:
        async with ChimeVoiceClient(aws_for(srv)) as fresh:
            plain = [ProxySession.from_api(i) for i in state.list_sessions(big) or []]
            listed = await fresh.list_proxy_sessions(big)
    assert memoized == listed == plain
    assert [s.raw for s in memoized] == [s.raw for s in plain]
    assert next(s for s in memoized if s.proxy_session_id == changed).status == "Closed"


async def test_the_session_list_refresh_reuses_the_models_too(monkeypatch):
    counts = Counts(monkeypatch)
    state, big = frozen_big()
    with EmulatorServer(state) as srv:
        host = Host(srv)
        source = ConnectorSessions(host, big, 5.0, order=lambda: "id")
        try:
            first = await source.fetch()
            counts.take()
            again = await source.fetch()
            assert counts.take()["from_api"] == 0
            assert [a is b for a, b in zip(first.sessions, again.sessions)] == [True] * 250
        finally:
            await host.service.close()


async def test_a_listing_past_the_cap_is_parsed_plainly_after_it(monkeypatch):
    counts = Counts(monkeypatch)
    monkeypatch.setattr(client_mod, "MEMO_SIZE", 100)  # the first page only
    state, big = frozen_big()
    with EmulatorServer(state) as srv:
        async with ChimeVoiceClient(aws_for(srv)) as client:
            await client.list_proxy_sessions(big)
            assert len(client.memo) == 100
            counts.take()
            await client.list_proxy_sessions(big)
            assert counts.take()["from_api"] == 150  # pages 2 and 3: not remembered


# -- the memos on their own ----------------------------------------------------------------

ITEM = {"VoiceConnectorId": "vc1", "ProxySessionId": "s1", "Status": "Open",
        "ExpiryMinutes": 60, "Capabilities": ["Voice"],
        "CreatedTimestamp": "2026-11-27T12:00:00.000Z",
        "Participants": [{"PhoneNumber": "+12065550100", "ProxyPhoneNumber": "+12065550199"}]}


def test_the_session_memo_is_exact():
    memo = SessionMemo()
    first = memo.session({**ITEM, "ExpiryMinutes": 1})
    assert memo.session(json.loads(json.dumps({**ITEM, "ExpiryMinutes": 1}))) is first
    # Items equal to Python (1 == 1.0 == True) but not to the service: each parsed as
    # it came, each kept apart.
    for value in (1.0, True, "1"):
        other = memo.session({**ITEM, "ExpiryMinutes": value})
        assert other is not first and other.raw["ExpiryMinutes"] == value
        assert type(other.raw["ExpiryMinutes"]) is type(value)
        assert memo.session({**ITEM, "ExpiryMinutes": value}) is other
    swapped = {"ProxySessionId": "s1", "VoiceConnectorId": "vc1",
               **{k: v for k, v in ITEM.items() if k not in ("ProxySessionId", "VoiceConnectorId")}}
    assert list(memo.session(swapped).raw) == list(swapped)  # the keys' order kept
    assert list(first.raw) == list(ITEM)
    assert memo.made == 5 and first.expiry_minutes == 1


def test_the_session_memo_is_bounded_and_keeps_what_is_listed_every_time():
    memo = SessionMemo(size=10)
    kept = memo.session(dict(ITEM))
    for i in range(200):
        memo.session({**ITEM, "ProxySessionId": f"other{i}"})
        if i % 5 == 0:  # listed at every refresh
            assert memo.session(dict(ITEM)) is kept
        assert len(memo) <= 20
    assert memo.made == 201
    huge = {**ITEM, "Name": "x" * 5000}
    memo.session(huge)
    memo.session(huge)
    assert memo.made == 203 and len(memo) <= 20  # too big to keep: parsed each time


def service_model() -> Any:
    """botocore's model of the service (a new object each time, as each client's)."""
    import botocore.session

    return botocore.session.get_session().get_service_model("chime-sdk-voice")


def page_response(items: list[dict[str, Any]], request_id: str, token: str | None = None
                  ) -> dict[str, Any]:
    body = {"ProxySessions": items, **({"NextToken": token} if token else {})}
    return {"status_code": 200, "headers": {"x-amzn-requestid": request_id,
                                            "content-type": "application/json"},
            "body": json.dumps(body).encode(), "context": {"operation_name": "ListProxySessions"}}


async def test_a_remembered_body_gives_what_botocore_gives_fresh_and_its_own_metadata():
    from aiobotocore.parsers import AioResponseParserFactory

    from chime_tui.aws.factory import keep_as_sent

    shape = service_model().operation_model("ListProxySessions").output_shape
    plain = AioResponseParserFactory()
    plain.set_parser_defaults(timestamp_parser=keep_as_sent)
    memo = MemoParserFactory(AioResponseParserFactory())
    memo.set_parser_defaults(timestamp_parser=keep_as_sent)
    items = [ITEM, {**ITEM, "ProxySessionId": "s2", "Unknown": 1, "ExpiryMinutes": None}]
    first = await memo.create_parser("rest-json").parse(page_response(items, "r1", "t"), shape)
    first["ProxySessions"][0]["Status"] = "changed by its reader"
    response = page_response(items, "r2", "t")
    again = await memo.create_parser("rest-json").parse(response, shape)
    fresh = await plain.create_parser("rest-json").parse(response, shape)
    assert memo.bodies.hits == 1
    assert repr(again) == repr(fresh)  # types, order, metadata (this answer's RequestId)
    assert again["ResponseMetadata"]["RequestId"] == "r2"
    again["ProxySessions"].clear()  # a reader's change reaches no later answer
    third = await memo.create_parser("rest-json").parse(response, shape)
    assert repr(third) == repr(fresh) and memo.bodies.hits == 2
    other = await memo.create_parser("rest-json").parse(page_response(items[:1], "r3"), shape)
    assert memo.bodies.hits == 2 and other["ProxySessions"] == [ITEM]
    memo.set_parser_defaults(timestamp_parser=str)  # other defaults: parsed afresh
    assert not memo.bodies.entries


def test_parsed_bodies_are_bounded_least_recently_used_first():
    bodies = ParsedBodies(budget=4000)
    for i in range(50):
        bodies.add("shape", f"{i:0>400}".encode(), {"n": i})
        assert bodies.size <= 4000
        assert bodies.get("shape", b"0" * 400) == {"n": 0}  # used every time: kept
    assert len(bodies.entries) < 10
    assert bodies.get("shape", f"{1:0>400}".encode()) is None  # dropped long ago
    bodies.add("shape", b"x" * 2000, {})  # more than a quarter of the budget: not kept
    assert bodies.get("shape", b"x" * 2000) is None


def test_a_body_that_passed_the_check_is_not_decoded_again_and_a_bad_one_always_is(
        monkeypatch):
    counts = Counts(monkeypatch)
    operation = service_model().operation_model("ListProxySessions")
    passed = validate.PassedBodies()
    good = page_response([ITEM], "r1")
    for _ in range(3):
        validate.check_response(operation, dict(good), passed=passed)
    assert counts.take()["check"] == 1
    bad = page_response([{**ITEM, "ExpiryMinutes": "sixty"}], "r1")
    for _ in range(2):
        with pytest.raises(BadResponse):
            validate.check_response(operation, dict(bad), passed=passed)
    assert counts.take()["check"] == 2
    other = service_model().operation_model("ListProxySessions")  # another client's model
    validate.check_response(other, dict(good), passed=passed)
    assert counts.take()["check"] == 1
    for _ in range(2):  # a one-shot command's client keeps none
        validate.check_response(operation, dict(good))
    assert counts.take()["check"] == 2


def test_the_checked_bodies_are_bounded():
    passed = validate.PassedBodies(budget=1000)
    for i in range(100):
        passed.add("op", f"{i:0>100}".encode())
        assert passed.size <= 1000
    assert not passed.seen("op", f"{0:0>100}".encode())
    assert passed.seen("op", f"{99:0>100}".encode())
    passed.add("op", b"x" * 300)  # more than a quarter: not kept
    assert not passed.seen("op", b"x" * 300)


# -- the tracker's expiry check, every second for every session seen ------------------------

def counting_expires_at(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    calls: Counter[str] = Counter()
    prop = ProxySession.expires_at

    def counted(self: ProxySession) -> Any:
        calls["expires_at"] += 1
        return prop.fget(self)

    monkeypatch.setattr(ProxySession, "expires_at", property(counted))
    return calls


def session_at(sid: str, created: datetime, minutes: int | None, status: str = "Open"
               ) -> ProxySession:
    return ProxySession.from_api({**ITEM, "ProxySessionId": sid, "Status": status,
                                  "ExpiryMinutes": minutes, "CreatedTimestamp": iso_ms(created)})


def test_a_tick_works_out_no_expiry_for_sessions_far_from_theirs(monkeypatch):
    calls = counting_expires_at(monkeypatch)
    tracker = SessionTracker(timedelta(minutes=5))
    for i in range(100):
        tracker.observe(session_at(f"s{i}", FIXED_NOW, 1440), FIXED_NOW)
    assert calls["expires_at"] == 100  # once per answer
    for second in range(10):
        assert tracker.check_expiry(FIXED_NOW + timedelta(seconds=second)) == []
    assert calls["expires_at"] == 100


def test_the_expiry_alert_comes_exactly_when_the_rule_says():
    """The same alerts, at the same instants, as the rule itself (checked every time)."""
    threshold = timedelta(minutes=5)
    expires = FIXED_NOW + timedelta(minutes=60)
    tracker = SessionTracker(threshold)
    sessions = [session_at("near", FIXED_NOW, 60), session_at("closed", FIXED_NOW, 60, "Closed"),
                session_at("none", FIXED_NOW, None), session_at("later", FIXED_NOW, 120),
                session_at("huge", datetime.min.replace(tzinfo=UTC), 2)]
    for s in sessions:
        tracker.observe(s, FIXED_NOW)
    tick = timedelta(microseconds=1)
    assert tracker.check_expiry(expires - threshold - tick) == []
    alerts = tracker.check_expiry(expires - threshold)
    assert [a.key[1] for a in alerts] == ["near"]
    # A new answer (extended by an hour) and a new threshold are taken at once.
    tracker.observe(session_at("later", FIXED_NOW - timedelta(minutes=60), 120), FIXED_NOW)
    assert [a.key[1] for a in tracker.check_expiry(expires - threshold)] == ["later"]
    tracker.threshold = timedelta(days=2)
    tracker.warned.clear()
    assert sorted(a.key[1] for a in tracker.check_expiry(FIXED_NOW)) == ["later", "near"]
    assert len(tracker.due) == len(sessions)


async def test_an_answer_with_a_member_outside_the_body_is_parsed_every_time():
    """A header member (or a payload) is not a function of the body: never remembered."""
    from aiobotocore.parsers import AioResponseParserFactory
    from botocore.model import ShapeResolver

    shape = ShapeResolver({
        "Out": {"type": "structure", "members": {
            "Id": {"shape": "S", "location": "header", "locationName": "x-id"},
            "Name": {"shape": "S"}}},
        "S": {"type": "string"}}).get_shape_by_name("Out")
    memo = MemoParserFactory(AioResponseParserFactory())
    seen = []
    for request_id in ("a", "b"):
        response = {"status_code": 200, "headers": {"x-id": request_id}, "body": b'{"Name": "n"}',
                    "context": {"operation_name": "Op"}}
        parsed = await memo.create_parser("rest-json").parse(response, shape)
        seen.append((parsed["Id"], parsed["Name"]))
    assert seen == [("a", "n"), ("b", "n")]
    assert memo.bodies.hits == 0 and not memo.bodies.entries


async def test_a_refresh_compares_no_field_of_an_unchanged_session(monkeypatch):
    """The session list keeps its held models and the tracker diffs each watched one:
    for the same model object, neither compares a field."""
    state, big = frozen_big()
    with EmulatorServer(state) as srv:
        host = Host(srv)
        host.pins.add((big, next(iter(state.sessions[big]))))  # watched: tracked each time
        source = ConnectorSessions(host, big, 5.0)
        try:
            await source.fetch()
            compared: Counter[str] = Counter()
            eq = ProxySession.__eq__

            def counted(self: ProxySession, other: object) -> bool:
                compared["eq"] += 1
                return eq(self, other)

            monkeypatch.setattr(ProxySession, "__eq__", counted)
            await source.fetch()
            assert compared["eq"] == 0
            assert len(host.tracker.timelines) == 0  # nothing changed, nothing recorded
        finally:
            await host.service.close()


async def test_a_new_page_is_made_into_models_after_a_turn_of_the_event_loop(monkeypatch):
    """A first listing's page is botocore's parse, then `ProxySession.from_api` of its
    100 items: two stalls of the screen, not one twice as long. An unchanged page (its
    models kept) is given at once."""
    state, big = frozen_big()
    turned: list[bool] = []  # per page made into models: had the loop turned since?
    call = ChimeVoiceClient.call

    async def marked_call(self: ChimeVoiceClient, operation: str, **params: Any) -> Any:
        answer = await call(self, operation, **params)
        flag = [False]
        asyncio.get_running_loop().call_soon(flag.__setitem__, 0, True)
        marked_call.flag = flag  # type: ignore[attr-defined]
        return answer

    parse = client_mod.parse_sessions

    def marked_parse(items: Any, memo: Any = None) -> list[ProxySession]:
        turned.append(marked_call.flag[0])  # type: ignore[attr-defined]
        return parse(items, memo)

    monkeypatch.setattr(ChimeVoiceClient, "call", marked_call)
    monkeypatch.setattr(client_mod, "parse_sessions", marked_parse)
    with EmulatorServer(state) as srv:
        async with ChimeVoiceClient(aws_for(srv)) as client:
            first = await client.list_proxy_sessions(big)
            assert len(first) == 250 and turned == [True, True, True]
            turned.clear()
            again = await client.list_proxy_sessions(big)
            assert again == first and turned == [False, False, False]
