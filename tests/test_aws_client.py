"""The AWS layer against the local endpoint, over loopback, with real aiobotocore."""

from __future__ import annotations

import pytest

from chime_tui.aws import (
    AccessDenied,
    BadResponse,
    ChimeVoiceClient,
    InvalidInput,
    NotFound,
    ServiceFailure,
    Throttled,
    Unreachable,
)
from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID, EmulatorState, populate
from chime_tui.emulator.server import EmulatorServer

from .conftest import SEED_EXAMPLE, aws_for


async def test_get_proxy_session_returns_the_seed_example(server):
    async with ChimeVoiceClient(aws_for(server)) as client:
        raw = await client.call("get_proxy_session", VoiceConnectorId=SEED_CONNECTOR_ID,
                                ProxySessionId=SEED_SESSION_ID)
        session = await client.get_proxy_session(SEED_CONNECTOR_ID, SEED_SESSION_ID)
    assert raw == SEED_EXAMPLE  # timestamps kept as the service's strings
    assert session.capabilities == ("SMS", "Voice")
    assert client.region == "us-east-1"


async def test_requests_are_signed_sigv4_for_chime(server, state):
    async with ChimeVoiceClient(aws_for(server)) as client:
        await client.list_voice_connectors()
    assert state.requests and all(r.authorization for r in state.requests)


async def test_listing_pages_through_next_token():
    state = populate(EmulatorState(), seed=3, connectors=1, big_connector_sessions=250)
    big = [vc for vc, c in state.connectors.items() if c.name == "load test"][0]
    with EmulatorServer(state) as srv:
        async with ChimeVoiceClient(aws_for(srv)) as client:
            sessions = await client.list_proxy_sessions(big)
            pages = [p async for p in client.iter_proxy_session_pages(big, page_size=40)]
    assert len(sessions) == 250
    assert len({s.proxy_session_id for s in sessions}) == 250
    assert [len(p) for p in pages] == [40] * 6 + [10]
    gets = [r for r in state.requests if r.path.endswith("/proxy-sessions")]
    assert len(gets) == 3 + 7  # ceil(250/100) pages, then ceil(250/40)
    assert all("max-results=100" in r.query for r in gets[:3])


async def test_status_filter_is_sent_to_the_service(server, state):
    vc = list(state.connectors)[1]
    async with ChimeVoiceClient(aws_for(server)) as client:
        closed = await client.list_proxy_sessions(vc, status="Closed")
        every = await client.list_proxy_sessions(vc)
    assert closed and all(s.status == "Closed" for s in closed)
    assert len(closed) < len(every)
    assert "status=Closed" in state.requests[0].query


async def test_voice_connectors_listed_and_fetched(server):
    async with ChimeVoiceClient(aws_for(server)) as client:
        vcs = await client.list_voice_connectors()
        one = await client.get_voice_connector(SEED_CONNECTOR_ID)
    assert len(vcs) == 4 and vcs[0].voice_connector_id == SEED_CONNECTOR_ID
    assert one.aws_region == "us-east-1"


@pytest.mark.parametrize("knobs, error", [
    ({"throttle": 1}, Throttled),
    ({"status": 404, "status_count": 1}, NotFound),
    ({"status": 401, "status_count": 1}, AccessDenied),
    ({"status": 403, "status_count": 1}, AccessDenied),
    ({"status": 500, "status_count": 1}, ServiceFailure),
    ({"status": 503, "status_count": 1}, ServiceFailure),
    ({"malformed": "html", "malformed_count": 1}, BadResponse),
    ({"malformed": "truncated", "malformed_count": 1}, BadResponse),
    ({"malformed": "types", "malformed_count": 1}, BadResponse),
    ({"drop": -1}, Unreachable),
])
async def test_faults_become_typed_errors(server, state, knobs, error):
    for key, value in knobs.items():
        setattr(state.faults, key, value)
    async with ChimeVoiceClient(aws_for(server)) as client:
        with pytest.raises(error) as info:
            await client.get_proxy_session(SEED_CONNECTOR_ID, SEED_SESSION_ID)
    assert info.value.message
    assert "Traceback" not in info.value.message


async def test_read_timeout_is_bounded(server, state):
    state.faults.latency = 3.0
    async with ChimeVoiceClient(aws_for(server, read_timeout=0.3)) as client:
        with pytest.raises(Unreachable, match="timed out"):
            await client.get_proxy_session(SEED_CONNECTOR_ID, SEED_SESSION_ID)


async def test_connection_refused_names_the_endpoint():
    settings = aws_for(EmulatorServer(EmulatorState(), port=1))
    async with ChimeVoiceClient(settings) as client:
        with pytest.raises(Unreachable, match="127.0.0.1:1"):
            await client.list_voice_connectors()


async def test_missing_session_and_connector_are_named(server):
    async with ChimeVoiceClient(aws_for(server)) as client:
        with pytest.raises(NotFound, match="session not found"):
            await client.get_proxy_session(SEED_CONNECTOR_ID, "no-such-session")
        with pytest.raises(NotFound, match="voice connector not found"):
            await client.list_proxy_sessions("zzzzzzzzzzzzzzzzzzzzz1")


async def test_ill_typed_input_is_rejected_before_any_request(server, state):
    async with ChimeVoiceClient(aws_for(server)) as client:
        with pytest.raises(InvalidInput):
            await client.call("list_proxy_sessions", VoiceConnectorId="x", MaxResults="many")
    assert state.requests == []


async def test_out_of_range_input_is_a_bad_request_from_the_service(server, state):
    """botocore does not check ranges or patterns: the endpoint answers 400 as AWS does."""
    async with ChimeVoiceClient(aws_for(server)) as client:
        with pytest.raises(InvalidInput, match="MaxResults"):
            await client.call("list_proxy_sessions", VoiceConnectorId=SEED_CONNECTOR_ID,
                              MaxResults=500)
    assert [r.status for r in state.requests] == [400]


async def test_no_credentials_is_access_denied(server, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    async with ChimeVoiceClient(aws_for(server, profile=None)) as client:
        with pytest.raises(AccessDenied, match="credentials"):
            await client.list_voice_connectors()


async def test_throttling_is_not_retried_silently_by_botocore(server, state):
    """The app owns backoff: one call is one request, even with retries configured."""
    state.faults.throttle = -1
    async with ChimeVoiceClient(aws_for(server, max_attempts=3)) as client:
        with pytest.raises(Throttled):
            await client.list_voice_connectors()
    assert len(state.requests) == 1


async def test_profile_region_and_endpoint_from_aws_config(server, isolated_env, monkeypatch):
    (isolated_env / "aws-config").write_text(
        f"[profile oncall]\nregion = eu-central-1\nendpoint_url = {server.url}\n")
    (isolated_env / "aws-credentials").write_text(
        "[oncall]\naws_access_key_id = AKIDONCALL\naws_secret_access_key = oncall-secret\n")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    from chime_tui.aws.client import AwsSettings

    async with ChimeVoiceClient(AwsSettings(profile="oncall", max_attempts=1)) as client:
        vcs = await client.list_voice_connectors()
    assert client.region == "eu-central-1"
    assert client.endpoint == server.url
    assert vcs
