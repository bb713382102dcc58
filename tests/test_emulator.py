"""The local endpoint: lifecycle, determinism, writes and fault knobs, through real aiobotocore."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime, timedelta

from chime_tui.aws import ChimeVoiceClient, Throttled
from chime_tui.aws.client import available_profiles
from chime_tui.emulator import SEED_CONNECTOR_ID, EmulatorServer, EmulatorState, populate

from .conftest import aws_for


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_same_seed_same_data_other_seed_other_data():
    clock = Clock()
    a = populate(EmulatorState(clock=clock), seed=11)
    b = populate(EmulatorState(clock=clock), seed=11)
    c = populate(EmulatorState(clock=clock), seed=12)
    vc_a, vc_c = list(a.connectors)[1], list(c.connectors)[1]
    assert a.list_sessions(vc_a) == b.list_sessions(vc_a)
    assert a.list_sessions(vc_a) != c.list_sessions(vc_c)
    assert len(a.connectors) == 4 and all(len(a.sessions[v]) == 40 for v in list(a.connectors)[1:])


def test_sessions_move_open_inprogress_closed_over_time():
    clock = Clock()
    state = populate(EmulatorState(clock=clock), seed=7)
    vc = list(state.connectors)[1]
    before = {s["ProxySessionId"]: s for s in state.list_sessions(vc)}
    assert {s["Status"] for s in before.values()} == {"Open", "InProgress", "Closed"}
    clock.now += timedelta(minutes=15)
    after = {s["ProxySessionId"]: s for s in state.list_sessions(vc)}
    moved = {(before[k]["Status"], after[k]["Status"]) for k in before
             if before[k]["Status"] != after[k]["Status"]}
    assert ("Open", "InProgress") in moved
    assert any(new == "Closed" for _, new in moved)
    for s in after.values():
        if s["Status"] == "Closed" and "ExpiryMinutes" in s and s["ProxySessionId"] in before:
            assert "EndedTimestamp" in s  # closed on expiry, with the time it ended
    clock.now += timedelta(days=2)
    assert {s["Status"] for s in state.list_sessions(vc) if "ExpiryMinutes" in s} == {"Closed"}


async def test_create_update_delete_through_aiobotocore(server, state):
    async with ChimeVoiceClient(aws_for(server)) as client:
        created = await client.call(
            "create_proxy_session", VoiceConnectorId=SEED_CONNECTOR_ID,
            ParticipantPhoneNumbers=["+12065550111", "+12065550122"], Capabilities=["Voice"],
            ExpiryMinutes=30, Name="incident 7", GeoMatchLevel="Country",
            GeoMatchParams={"Country": "US", "AreaCode": "206"})
        sid = created["ProxySession"]["ProxySessionId"]
        updated = await client.call("update_proxy_session", VoiceConnectorId=SEED_CONNECTOR_ID,
                                    ProxySessionId=sid, Capabilities=["Voice", "SMS"],
                                    ExpiryMinutes=90)
        got = await client.get_proxy_session(SEED_CONNECTOR_ID, sid)
        await client.call("delete_proxy_session", VoiceConnectorId=SEED_CONNECTOR_ID,
                          ProxySessionId=sid)
        remaining = await client.list_proxy_sessions(SEED_CONNECTOR_ID)
    assert created["ProxySession"]["Status"] == "Open"
    assert updated["ProxySession"]["ExpiryMinutes"] == 90
    assert got.capabilities == ("Voice", "SMS") and got.name == "incident 7"
    assert [p.phone_number for p in got.participants] == ["+12065550111", "+12065550122"]
    assert sid not in {s.proxy_session_id for s in remaining}
    assert [r.status for r in state.requests] == [201, 201, 200, 204, 200]


async def test_fault_knobs_over_http(server, state):
    req = urllib.request.Request(f"{server.url}/_emulator/faults", method="POST",
                                 data=json.dumps({"throttle": 1}).encode())
    with urllib.request.urlopen(req) as resp:
        assert json.load(resp)["throttle"] == 1
    async with ChimeVoiceClient(aws_for(server)) as client:
        try:
            await client.list_voice_connectors()
            raise AssertionError("expected throttling")
        except Throttled:
            pass
        assert await client.list_voice_connectors()


def test_unsigned_requests_are_refused(server):
    try:
        urllib.request.urlopen(f"{server.url}/voice-connectors")
        raise AssertionError("expected 403")
    except urllib.error.HTTPError as exc:
        assert exc.code == 403
        assert exc.headers["x-amzn-ErrorType"] == "ForbiddenException"
        assert json.load(exc)["Code"] == "Forbidden"


def test_profiles_for_the_switcher_come_from_boto3(isolated_env):
    (isolated_env / "aws-config").write_text("[profile oncall]\n[profile staging]\n")
    assert {"oncall", "staging"} <= set(available_profiles())


def test_binds_loopback_unless_allowed():
    try:
        EmulatorServer(EmulatorState(), host="0.0.0.0")
        raise AssertionError("expected a refusal")
    except ValueError as exc:
        assert "loopback" in str(exc)


def post_knobs(server, body) -> dict:
    req = urllib.request.Request(f"{server.url}/_emulator/faults", method="POST",
                                 data=json.dumps(body).encode())
    with urllib.request.urlopen(req) as resp:
        return json.load(resp)


def test_schedule_faults_a_range_of_requests_by_number(state):
    state.add_rule({"after": 2, "count": 2, "status": 404})
    state.add_rule({"after": 5, "malformed": "html"})
    rules = [state.next_request("/voice-connectors") for _ in range(8)]
    assert [r and (r.get("status") or r.get("malformed")) for r in rules] == \
        [None, None, 404, 404, None, "html", "html", "html"]
    state.faults.clear()
    assert state.next_request("/voice-connectors") is None


async def test_schedule_and_fields_over_http_reach_aiobotocore(server, state):
    from chime_tui.aws import BadResponse, NotFound

    post_knobs(server, {"schedule": [{"after": 1, "count": 1, "status": 404},
                                     {"after": 2, "count": 1, "malformed": "html"}],
                        "fields": {SEED_CONNECTOR_ID: {"Name": "vc\u001b[2J"},
                                   f"{SEED_CONNECTOR_ID}/123a4bc5-67d8-901e-2f3g-h4ghjk56789l":
                                       {"Name": "x\u001b]0;T\u0007"}}})
    async with ChimeVoiceClient(aws_for(server)) as client:
        session = await client.get_proxy_session(SEED_CONNECTOR_ID,
                                                 "123a4bc5-67d8-901e-2f3g-h4ghjk56789l")
        assert session.name == "x\u001b]0;T\u0007"
        try:
            await client.get_voice_connector(SEED_CONNECTOR_ID)
            raise AssertionError("expected 404")
        except NotFound:
            pass
        try:
            await client.list_voice_connectors()
            raise AssertionError("expected a bad response")
        except BadResponse:
            pass
        assert (await client.get_voice_connector(SEED_CONNECTOR_ID)).name == "vc\u001b[2J"
    assert [r.status for r in state.requests] == [200, 404, 200, 200]


async def test_clear_also_ends_the_hostile_field_values(server, state):
    """`{"clear": true}` is "all knobs off": the field values served as given end too,
    and the session answers as the emulator keeps it (a walk left them on: session 16)."""
    sid = "123a4bc5-67d8-901e-2f3g-h4ghjk56789l"
    post_knobs(server, {"fields": {SEED_CONNECTOR_ID: {"Name": "vc\u001b[2J"},
                                   f"{SEED_CONNECTOR_ID}/{sid}": {"ExpiryMinutes": "sixty"}}})
    post_knobs(server, {"clear": True})
    async with ChimeVoiceClient(aws_for(server)) as client:
        assert (await client.get_proxy_session(SEED_CONNECTOR_ID, sid)).expiry_minutes == \
            state.sessions[SEED_CONNECTOR_ID][sid].expiry_minutes
        assert (await client.get_voice_connector(SEED_CONNECTOR_ID)).name == \
            state.connectors[SEED_CONNECTOR_ID].name


def test_http_knobs_take_the_emulator_flag_names(server, state):
    post_knobs(server, {"fail_status": 503})
    assert (state.faults.status, state.faults.status_count) == (503, -1)
    post_knobs(server, {"clear": True, "malformed": "truncated", "fail-count": 2})
    assert (state.faults.malformed, state.faults.malformed_count) == ("truncated", -1)
    assert state.faults.status_count == 2 and state.faults.status is None
    try:
        post_knobs(server, {"fail_stauts": 503})
        raise AssertionError("expected 400")
    except urllib.error.HTTPError as exc:
        assert exc.code == 400 and "fail_stauts" in json.load(exc)["Message"]


async def test_paging_modes_endless_and_repeat(server, state):
    async with ChimeVoiceClient(aws_for(server)) as client:
        state.faults.paging = "endless"
        tokens = []
        for _ in range(5):
            page = await client.call("list_proxy_sessions", VoiceConnectorId=SEED_CONNECTOR_ID,
                                     MaxResults=1, **({"NextToken": tokens[-1]} if tokens else {}))
            assert len(page["ProxySessions"]) == 1
            tokens.append(page["NextToken"])
        assert len(set(tokens)) == 5  # a new token every page
        state.faults.paging = "repeat"
        first = await client.call("list_proxy_sessions", VoiceConnectorId=SEED_CONNECTOR_ID)
        again = await client.call("list_proxy_sessions", VoiceConnectorId=SEED_CONNECTOR_ID,
                                  NextToken=first["NextToken"])
        assert again["NextToken"] == first["NextToken"]
