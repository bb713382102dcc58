"""The client's connector proxy settings and its writes: typed, sent once, never retried."""

from __future__ import annotations

import asyncio

import pytest

from chime_tui.aws import AccessDenied, ChimeVoiceClient, MaybeCreated, NotFound, Throttled
from chime_tui.aws.errors import ServiceFailure
from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID
from chime_tui.models import VoiceConnectorProxy

from .conftest import aws_for

NUMBERS = ["+12065550111", "+12065550122"]


async def test_proxy_settings_typed_and_not_configured_is_none(server, state):
    seed, _, disabled, unconfigured = list(state.connectors)
    async with ChimeVoiceClient(aws_for(server)) as c:
        assert await c.get_voice_connector_proxy(seed) == VoiceConnectorProxy(
            default_session_expiry_minutes=60, disabled=False, phone_number_countries=("US",))
        off = await c.get_voice_connector_proxy(disabled)
        assert off is not None and off.disabled is True and off.state == "off"
        assert off.fall_back_phone_number and off.fall_back_phone_number.startswith("+1206555")
        assert await c.get_voice_connector_proxy(unconfigured) is None


def test_sync_client_proxy_settings(server, state):
    from chime_tui.aws.sync_client import SyncChimeVoiceClient

    seed, *_, unconfigured = list(state.connectors)
    with SyncChimeVoiceClient(aws_for(server)) as c:
        assert c.get_voice_connector_proxy(seed).default_session_expiry_minutes == 60
        assert c.get_voice_connector_proxy(unconfigured) is None


async def test_typed_writes(server, state):
    async with ChimeVoiceClient(aws_for(server)) as c:
        made = await c.create_proxy_session(SEED_CONNECTOR_ID, NUMBERS, ["Voice"],
                                            ExpiryMinutes=30, Name=None)
        assert made.status == "Open" and made.expiry_minutes == 30 and made.name is None
        longer = await c.update_proxy_session(SEED_CONNECTOR_ID, made.proxy_session_id,
                                              made.capabilities, expiry_minutes=90)
        assert longer.expiry_minutes == 90 and longer.capabilities == ("Voice",)
        await c.delete_proxy_session(SEED_CONNECTOR_ID, made.proxy_session_id)
        with pytest.raises(NotFound):
            await c.delete_proxy_session(SEED_CONNECTOR_ID, made.proxy_session_id)
    assert [r.status for r in state.requests] == [201, 201, 204, 404]


@pytest.mark.parametrize("knob, error", [({"throttle": -1}, Throttled),
                                         ({"status": 500, "status_count": -1}, ServiceFailure)])
async def test_writes_are_never_retried(server, state, knob, error):
    # max_attempts=3: reads would be retried on a 500; writes go out once.
    async with ChimeVoiceClient(aws_for(server, max_attempts=3)) as c:
        for key, value in knob.items():
            setattr(state.faults, key, value)
        with pytest.raises(error):
            await c.update_proxy_session(SEED_CONNECTOR_ID, SEED_SESSION_ID, ["Voice"], 90)
        with pytest.raises(error):
            await c.create_proxy_session(SEED_CONNECTOR_ID, NUMBERS, ["SMS"])
    assert len(state.requests) == 2


async def test_a_create_that_timed_out_may_have_created_a_session(server, state):
    before = len(state.sessions[SEED_CONNECTOR_ID])
    state.faults.latency = 1.0
    async with ChimeVoiceClient(aws_for(server, read_timeout=0.4, max_attempts=3)) as c:
        with pytest.raises(MaybeCreated) as lost:
            await c.create_proxy_session(SEED_CONNECTOR_ID, NUMBERS, ["SMS"])
    assert "may have been created" in lost.value.message
    assert f"list-proxy-sessions --voice-connector-id {SEED_CONNECTOR_ID}" in lost.value.message
    for _ in range(40):  # the endpoint finishes the request after the client gave up
        if len(state.sessions[SEED_CONNECTOR_ID]) > before:
            break
        await asyncio.sleep(0.05)
    assert len(state.sessions[SEED_CONNECTOR_ID]) == before + 1, state.requests
    assert state.served == 1  # sent once, not again


async def test_a_forbidden_write_names_the_permission(server, state):
    state.add_rule({"status": 403, "count": 1})
    async with ChimeVoiceClient(aws_for(server)) as c:
        with pytest.raises(AccessDenied) as denied:
            await c.delete_proxy_session(SEED_CONNECTOR_ID, SEED_SESSION_ID)
    assert denied.value.message.startswith(
        "your role may read but not write proxy sessions: needs chime:DeleteProxySession")
