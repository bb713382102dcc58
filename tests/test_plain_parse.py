"""An answer the response check finds plain is not walked a second time by botocore: its
JSON, as the check read it, is the parse (chime_tui.aws.plain). Pinned against botocore's
own parser, for any answer the model allows and for ones it does not quite: the same
members, types and key order, the same metadata; and against the check as it was (its
verdict and the place it names), written out here as the reference."""

from __future__ import annotations

import json
import random
from typing import Any

import botocore.session
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chime_tui.aws import factory, plain, validate
from chime_tui.aws.errors import BadResponse
from chime_tui.aws.sync_client import SyncChimeVoiceClient
from chime_tui.emulator import EmulatorServer, EmulatorState, populate

from .conftest import aws_for
from .strategies import MODEL, from_shape

OPERATIONS = ("ListProxySessions", "GetProxySession", "ListVoiceConnectors",
              "GetVoiceConnector", "GetVoiceConnectorProxy")


def reference_mismatch(value: Any, shape: Any) -> str | None:
    """The check's walk as it was until 2026-11-29 (one recursive function), with the
    rule added on 2026-11-29 (session 17): a null item of a list is not what the model
    says (it was let through, and shown as a capability or participant "None")."""
    if value is None:
        return None
    kind = shape.type_name
    allowed = validate._JSON_TYPES.get(kind)
    if allowed is None:
        return None
    if not isinstance(value, allowed) or isinstance(value, bool) and bool not in allowed:
        return ""
    if kind == "structure":
        fields = dict(shape.members)
        for key, item in value.items():
            sub = fields.get(key)
            if sub is not None and (where := reference_mismatch(item, sub)) is not None:
                return f".{key}{where}"
    elif kind == "list":
        for i, item in enumerate(value):
            if item is None:
                return f"[{i}]"
            if (where := reference_mismatch(item, shape.member)) is not None:
                return f"[{i}]{where}"
    elif kind == "map":
        for key, item in value.items():
            if (where := reference_mismatch(item, shape.value)) is not None:
                return f".{key}{where}"
    return None


def reference_check(data: Any, members: dict[str, Any]) -> str | None:
    """What the check said of a JSON answer until 2026-11-29 (None: it passes)."""
    if not isinstance(data, dict):
        return "not a JSON object"
    known = [k for k in data if k in members]
    if data and not known:
        return "none of"
    for key in known:
        if (where := reference_mismatch(data[key], members[key])) is not None:
            return f"{key}{where}"
    if len(members) == 1:
        (name, member), = members.items()
        if member.type_name == "structure" and not isinstance(data.get(name), dict):
            return f"no {name} in the body"
    return None


def parsers() -> tuple[Any, Any]:
    """A plain parser and botocore's own, both with timestamps kept as sent."""
    session = botocore.session.get_session()
    factory.prepare_session(session)
    reference = session.get_component("response_parser_factory")
    return plain.PlainParserFactory(reference, timestamps_kept=True), reference


def answer(body: bytes, request_id: str = "r1") -> dict[str, Any]:
    return {"status_code": 200, "headers": {"x-amzn-requestid": request_id,
                                            "content-type": "application/json"},
            "body": body, "context": {"operation_name": "op"}}


def outcome(parse: Any, response: dict[str, Any], shape: Any) -> str:
    try:
        return repr(parse(response, shape))
    except Exception as exc:
        return f"raised {type(exc).__name__}"


def odd(data: Any, rnd: random.Random) -> Any:
    """`data` made not quite plain here and there: keys out of order, a member that is
    not in the model, a null, a float for an integer, a bool for a string, a number
    for a timestamp, a null item in a list."""
    if isinstance(data, dict):
        items = [(k, odd(v, rnd)) for k, v in data.items()]
        roll = rnd.random()
        if roll < 0.15:
            rnd.shuffle(items)
        elif roll < 0.25:
            items.insert(rnd.randrange(len(items) + 1), ("NotInTheModel", rnd.choice([1, "x"])))
        elif roll < 0.35 and items:
            i = rnd.randrange(len(items))
            items[i] = (items[i][0], None)
        return dict(items)
    if isinstance(data, list):
        items = [odd(v, rnd) for v in data]
        if items and rnd.random() < 0.2:
            items.insert(rnd.randrange(len(items) + 1), None)
        return items
    roll = rnd.random()
    if isinstance(data, int) and not isinstance(data, bool) and roll < 0.1:
        return float(data)
    if isinstance(data, str) and roll < 0.05:
        return True
    if isinstance(data, str) and roll < 0.1:
        return 1764417600
    return data


@st.composite
def bodies(draw: Any) -> tuple[str, Any, bool]:
    operation = draw(st.sampled_from(OPERATIONS))
    shape = MODEL.operation_model(operation).output_shape
    data = draw(from_shape(shape))
    changed = draw(st.booleans())
    if changed:
        data = odd(data, random.Random(draw(st.integers(0, 2**32))))
    return operation, data, changed


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=bodies())
def test_a_plain_parse_is_botocores_parse_and_the_check_is_as_it_was(case):
    operation_name, data, _ = case
    operation = MODEL.operation_model(operation_name)
    shape = operation.output_shape
    body = json.dumps(data).encode()
    members = {k: m for k, m in shape.members.items() if not m.serialization.get("location")}
    expected = reference_check(data, members)
    plain_factory, reference = parsers()
    response = answer(body)
    try:
        validate.check_response(operation, response)
    except BadResponse as exc:
        assert expected is not None and expected in exc.message, exc
        return
    assert expected is None
    ours = plain_factory.create_parser("rest-json").parse(response, shape)
    theirs = reference.create_parser("rest-json").parse(answer(body), shape)
    assert repr(ours) == repr(theirs)  # members, types, key order and metadata


def test_a_plain_answer_is_read_once_and_an_odd_one_is_botocores_to_parse(monkeypatch):
    operation = MODEL.operation_model("ListProxySessions")
    shape = operation.output_shape
    item = {"VoiceConnectorId": "vc", "ProxySessionId": "s1", "Name": "n", "Status": "Open",
            "ExpiryMinutes": 60, "Capabilities": ["Voice", "SMS"],
            "CreatedTimestamp": "2026-11-29T10:00:00.000Z",
            "Participants": [{"PhoneNumber": "+12065550100",
                              "ProxyPhoneNumber": "+12065550199"}, {}]}
    plain_factory, reference = parsers()
    walks: list[Any] = []
    inner = reference.create_parser("rest-json")

    class Spy:
        def parse(self, response: dict[str, Any], shape: Any) -> Any:
            walks.append(shape)
            return inner.parse(response, shape)

    monkeypatch.setattr(plain_factory.factory, "create_parser", lambda protocol: Spy())
    cases = [
        ({"ProxySessions": [item], "NextToken": "t"}, True),
        ({"NextToken": "t", "ProxySessions": [item]}, False),  # not the model's order
        ({"ProxySessions": [{**item, "Name": None}]}, False),  # a null member
        ({"ProxySessions": [{**item, "Extra": 1}]}, False),  # not a member
    ]
    for data, is_plain in cases:
        body = json.dumps(data).encode()
        walks.clear()
        response = answer(body)
        validate.check_response(operation, response)
        assert (validate.DECODED in response) is is_plain
        ours = plain_factory.create_parser("rest-json").parse(response, shape)
        assert validate.DECODED not in response  # taken once
        assert walks == ([None] if is_plain else [shape])  # metadata only, or the walk
        assert repr(ours) == repr(reference.create_parser("rest-json").parse(answer(body),
                                                                              shape))


def test_an_answer_botocore_would_read_otherwise_is_never_taken_as_plain():
    operation = MODEL.operation_model("ListProxySessions")
    shape = operation.output_shape
    plain_factory, reference = parsers()
    data = {"ProxySessions": [], "NextToken": "t"}
    for body in (b"\xef\xbb\xbf" + json.dumps(data).encode(),  # a UTF-8 byte order mark
                 json.dumps(data).encode("utf-16")):
        response = answer(body)
        validate.check_response(operation, response)  # JSON all the same: it passes
        assert validate.DECODED not in response
        ours = outcome(plain_factory.create_parser("rest-json").parse, response, shape)
        theirs = outcome(reference.create_parser("rest-json").parse, answer(body), shape)
        assert ours == theirs  # (botocore cannot read UTF-16: both raise the same)
    # Other timestamp defaults: botocore parses everything again.
    plain_factory.set_parser_defaults(timestamp_parser=str)
    response = answer(json.dumps(data).encode())
    validate.check_response(operation, response)
    assert not plain_factory.timestamps_kept
    plain_factory.create_parser("rest-json").parse(response, shape)
    plain_factory.set_parser_defaults(timestamp_parser=factory.keep_as_sent)
    assert plain_factory.timestamps_kept


def test_a_bad_listed_item_is_left_out_and_the_rest_is_botocores_parse():
    operation = MODEL.operation_model("ListProxySessions")
    shape = operation.output_shape
    plain_factory, reference = parsers()
    good = {"ProxySessionId": "s1", "Status": "Open"}
    body = json.dumps({"ProxySessions": [good, {"ProxySessionId": "s2",
                                                "ExpiryMinutes": "sixty"}]}).encode()
    response = answer(body)
    validate.check_response(operation, response, leave_out=True)
    assert validate.DECODED not in response  # the body was rewritten: botocore parses it
    ours = plain_factory.create_parser("rest-json").parse(response, shape)
    assert ours["ProxySessions"] == [good]
    assert json.loads(response["headers"][validate.UNREADABLE])[0]["id"] == "s2"


@pytest.fixture
def big_connector() -> tuple[EmulatorServer, str]:
    state = populate(EmulatorState(), seed=11, connectors=1, big_connector_sessions=250)
    vc = next(vc for vc, c in state.connectors.items() if c.name == "load test")
    with EmulatorServer(state) as srv:
        yield srv, vc


def test_the_sync_client_lists_a_connector_without_botocore_walking_a_page(
        big_connector, monkeypatch):
    srv, vc = big_connector
    walked: list[str] = []
    real = plain.PlainParser.parse

    def spy(self: Any, response: dict[str, Any], shape: Any) -> Any:
        if validate.DECODED not in response:
            walked.append(shape.name)
        return real(self, response, shape)

    monkeypatch.setattr(plain.PlainParser, "parse", spy)
    with SyncChimeVoiceClient(aws_for(srv)) as client:
        pages = list(client.pages("list_proxy_sessions", "ProxySessions",
                                  VoiceConnectorId=vc, MaxResults=100))
    assert [len(p) for p in pages] == [100, 100, 50]
    assert walked == []
    # What botocore's own parse of the same sessions gives: compared item by item.
    session = botocore.session.get_session()
    factory.prepare_session(session)
    client = session.create_client("chime-sdk-voice", endpoint_url=srv.url,
                                   region_name="us-east-1", aws_access_key_id="AKIDTEST",
                                   aws_secret_access_key="secret")
    token, theirs = None, []
    while True:
        out = client.list_proxy_sessions(VoiceConnectorId=vc, MaxResults=100,
                                         **({"NextToken": token} if token else {}))
        theirs.append(out["ProxySessions"])
        token = out.get("NextToken")
        if not token:
            break
    assert repr(pages) == repr(theirs)


async def test_the_apps_parser_gives_a_plain_page_as_aiobotocore_parses_it():
    from aiobotocore.parsers import AioResponseParserFactory

    from chime_tui.aws.memo import MemoParserFactory

    operation = MODEL.operation_model("ListProxySessions")
    shape = operation.output_shape
    fresh = AioResponseParserFactory()
    fresh.set_parser_defaults(timestamp_parser=factory.keep_as_sent)
    memo = MemoParserFactory(AioResponseParserFactory(), timestamps_kept=True)
    memo.set_parser_defaults(timestamp_parser=factory.keep_as_sent)
    item = {"VoiceConnectorId": "vc", "ProxySessionId": "s1", "Status": "Open",
            "ExpiryMinutes": 60, "CreatedTimestamp": "2026-11-29T10:00:00.000Z",
            "Participants": [{"PhoneNumber": "+12065550100"}]}
    body = json.dumps({"ProxySessions": [item], "NextToken": "t"}).encode()
    for request_id in ("r1", "r2"):  # new, then remembered
        response = answer(body, request_id)
        validate.check_response(operation, response)
        ours = await memo.create_parser("rest-json").parse(response, shape)
        theirs = await fresh.create_parser("rest-json").parse(answer(body, request_id), shape)
        assert repr(ours) == repr(theirs)
        assert validate.DECODED not in response
    assert memo.bodies.hits == 1
