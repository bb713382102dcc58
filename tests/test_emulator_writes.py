"""The local endpoint's connector proxy settings and proxy-session writes, as the service
model has them: status codes, BadRequestException on invalid input, fault knobs."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from chime_tui.aws.errors import InvalidInput, NotFound, ServiceFailure, Throttled
from chime_tui.aws.sync_client import SyncChimeVoiceClient
from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID

from .conftest import aws_for


def raw(server, method, path, body=None):
    """An HTTP request without botocore's client-side checks: (status, headers, JSON)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(server.url + path, method=method, data=data,
                                 headers={"Authorization": "AWS4-HMAC-SHA256 test",
                                          "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as resp:
            text = resp.read()
            return resp.status, resp.headers, json.loads(text) if text else None
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, json.loads(exc.read())


def connectors(state):
    seed, support, disabled, unconfigured = list(state.connectors)
    return seed, support, disabled, unconfigured


def test_connector_proxy_settings_on_off_and_not_configured(server, state):
    seed, support, disabled, unconfigured = connectors(state)
    with SyncChimeVoiceClient(aws_for(server)) as c:
        assert c.call("get_voice_connector_proxy", VoiceConnectorId=seed) == {
            "Proxy": {"DefaultSessionExpiryMinutes": 60, "Disabled": False,
                      "PhoneNumberCountries": ["US"]}}
        on = c.call("get_voice_connector_proxy", VoiceConnectorId=support)["Proxy"]
        assert on["Disabled"] is False and on["FallBackPhoneNumber"].startswith("+1206555")
        assert c.call("get_voice_connector_proxy",
                      VoiceConnectorId=disabled)["Proxy"]["Disabled"] is True
        with pytest.raises(NotFound):
            c.call("get_voice_connector_proxy", VoiceConnectorId=unconfigured)
        with pytest.raises(NotFound):
            c.call("get_voice_connector_proxy", VoiceConnectorId="z" * 22)
        put = c.call("put_voice_connector_proxy", VoiceConnectorId=unconfigured,
                     DefaultSessionExpiryMinutes=15, PhoneNumberPoolCountries=["US", "GB"],
                     FallBackPhoneNumber="+12065550123", Disabled=False)
        assert put == {"Proxy": {"DefaultSessionExpiryMinutes": 15, "Disabled": False,
                                 "FallBackPhoneNumber": "+12065550123",
                                 "PhoneNumberCountries": ["US", "GB"]}}
        assert c.call("get_voice_connector_proxy", VoiceConnectorId=unconfigured) == put
        assert c.call("delete_voice_connector_proxy", VoiceConnectorId=unconfigured) == {}
        with pytest.raises(NotFound):
            c.call("get_voice_connector_proxy", VoiceConnectorId=unconfigured)
        with pytest.raises(InvalidInput) as bad:
            c.call("put_voice_connector_proxy", VoiceConnectorId=seed,
                   DefaultSessionExpiryMinutes=15, PhoneNumberPoolCountries=["usa"])
        assert bad.value.status == 400 and "phoneNumberPoolCountries.1.member" in bad.value.message
    statuses = [(r.method, r.status) for r in state.requests]
    assert statuses == [("GET", 200)] * 3 + [("GET", 404)] * 2 + [("PUT", 200), ("GET", 200),
                                                                  ("DELETE", 204), ("GET", 404),
                                                                  ("PUT", 400)]


def test_seed_data_keeps_its_sessions():
    """Proxy settings draw nothing from the seed's random numbers: the sessions stay."""
    from chime_tui.emulator import EmulatorState, populate

    a = populate(EmulatorState(), seed=7)
    assert [c.proxy is not None for c in a.connectors.values()] == [True, True, True, False]
    assert [bool(c.proxy and c.proxy["Disabled"]) for c in a.connectors.values()] == \
        [False, False, True, False]


def test_create_update_delete_status_codes_and_a_deleted_session_is_404(server, state):
    with SyncChimeVoiceClient(aws_for(server)) as c:
        created = c.call("create_proxy_session", VoiceConnectorId=SEED_CONNECTOR_ID,
                         ParticipantPhoneNumbers=["+12065550111", "+12065550122"],
                         Capabilities=["Voice"])["ProxySession"]
        assert created["ExpiryMinutes"] == 60  # the connector's DefaultSessionExpiryMinutes
        sid = created["ProxySessionId"]
        updated = c.call("update_proxy_session", VoiceConnectorId=SEED_CONNECTOR_ID,
                         ProxySessionId=sid, Capabilities=["SMS"], ExpiryMinutes=90)
        assert updated["ProxySession"]["Capabilities"] == ["SMS"]
        assert updated["ProxySession"]["ExpiryMinutes"] == 90
        assert c.call("delete_proxy_session", VoiceConnectorId=SEED_CONNECTOR_ID,
                      ProxySessionId=sid) == {}
        for op, extra in (("get_proxy_session", {}), ("delete_proxy_session", {}),
                          ("update_proxy_session", {"Capabilities": ["Voice"]})):
            with pytest.raises(NotFound):
                c.call(op, VoiceConnectorId=SEED_CONNECTOR_ID, ProxySessionId=sid, **extra)
    assert [r.status for r in state.requests] == [201, 201, 204, 404, 404, 404]


@pytest.mark.parametrize("body, words", [
    ({"ParticipantPhoneNumbers": ["+12065550111", "0123"], "Capabilities": ["Voice"]},
     "1 validation error detected: Value '0123' at 'participantPhoneNumbers.2.member' failed to "
     "satisfy constraint: Member must satisfy regular expression pattern: ^\\+?[1-9]\\d{1,14}$"),
    ({"ParticipantPhoneNumbers": ["+12065550111"], "Capabilities": ["Voice"]},
     "Member must have length greater than or equal to 2"),
    ({"ParticipantPhoneNumbers": ["+12065550111", "+12065550122"], "Capabilities": ["Fax"],
      "Name": "no_underscores"},
     "2 validation errors detected: Value 'Fax' at 'capabilities.1.member' failed to satisfy "
     "constraint: Member must satisfy enum value set: [Voice, SMS]; Value 'no_underscores' at "
     "'name'"),
    ({"ParticipantPhoneNumbers": ["+12065550111", "+12065550122"]},
     "Value null at 'capabilities' failed to satisfy constraint: Member must not be null"),
    ({"ParticipantPhoneNumbers": ["+12065550111", "+12065550122"], "Capabilities": ["SMS"],
      "GeoMatchParams": {"Country": "usa"}}, "geoMatchParams.areaCode"),
])
def test_create_validation_is_a_bad_request(server, state, body, words):
    status, headers, answer = raw(server, "POST",
                                  f"/voice-connectors/{SEED_CONNECTOR_ID}/proxy-sessions", body)
    assert status == 400 and headers["x-amzn-ErrorType"] == "BadRequestException"
    assert words in answer["Message"]
    assert len(state.sessions[SEED_CONNECTOR_ID]) == 1  # nothing was created


@pytest.mark.parametrize("body, words", [
    ({"ExpiryMinutes": 30}, "Value null at 'capabilities'"),
    ({"Capabilities": ["Voice"], "ExpiryMinutes": 0},
     "Value '0' at 'expiryMinutes' failed to satisfy constraint: Member must have value "
     "greater than or equal to 1"),
])
def test_update_validation_is_a_bad_request(server, state, body, words):
    path = f"/voice-connectors/{SEED_CONNECTOR_ID}/proxy-sessions/{SEED_SESSION_ID}"
    status, headers, answer = raw(server, "POST", path, body)
    assert (status, headers["x-amzn-ErrorType"]) == (400, "BadRequestException")
    assert words in answer["Message"]
    assert state.get_session(SEED_CONNECTOR_ID, SEED_SESSION_ID)["ExpiryMinutes"] == 60


def test_create_needs_enabled_proxy_settings(server, state):
    _, _, disabled, unconfigured = connectors(state)
    body = {"ParticipantPhoneNumbers": ["+12065550111", "+12065550122"], "Capabilities": ["SMS"]}
    for vc, words in ((disabled, "disabled"), (unconfigured, "no proxy configuration")):
        status, _, answer = raw(server, "POST", f"/voice-connectors/{vc}/proxy-sessions", body)
        assert status == 400 and words in answer["Message"]


def test_fault_knobs_and_schedules_apply_to_writes(server, state):
    args = dict(VoiceConnectorId=SEED_CONNECTOR_ID, ProxySessionId=SEED_SESSION_ID)
    with SyncChimeVoiceClient(aws_for(server)) as c:
        state.faults.throttle = 1
        with pytest.raises(Throttled):
            c.call("update_proxy_session", Capabilities=["Voice"], **args)
        state.add_rule({"count": 1, "status": 503, "path": "/proxy-sessions/"})
        with pytest.raises(ServiceFailure):
            c.call("delete_proxy_session", **args)
        state.add_rule({"count": 1, "status": 403, "path": "/programmable-numbers/proxy"})
        from chime_tui.aws.errors import AccessDenied

        with pytest.raises(AccessDenied):
            c.call("get_voice_connector_proxy", VoiceConnectorId=SEED_CONNECTOR_ID)
        assert c.call("delete_proxy_session", **args) == {}
    assert [r.status for r in state.requests] == [429, 503, 403, 204]
