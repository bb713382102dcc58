"""Hostile servers against the core and the app: garbage is an error, never "no sessions";
listings that never end are stopped; TLS failures are named as such (issue 11, items 5, 6, 8)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path

import pytest

from chime_tui.aws import BadResponse, ChimeVoiceClient, TlsUntrusted
from chime_tui.aws.client import MAX_PAGES
from chime_tui.emulator import (
    SEED_CONNECTOR_ID,
    SEED_SESSION_ID,
    EmulatorServer,
    EmulatorState,
    populate,
)

from .conftest import app_settings, aws_for, wait_for

GARBAGE = ["html", "truncated", "shape", "types"]


def big_state(sessions: int) -> tuple[EmulatorState, str]:
    state = populate(EmulatorState(), seed=3, connectors=1, big_connector_sessions=sessions)
    big = next(vc for vc, c in state.connectors.items() if c.name == "load test")
    return state, big


def list_requests(state: EmulatorState) -> int:
    return sum(1 for r in state.requests if r.path.endswith("/proxy-sessions"))


# -- a 200 that does not parse is an error, for every read --------------------------

@pytest.mark.parametrize("kind", GARBAGE)
async def test_garbage_in_the_middle_of_a_listing_is_an_error_not_the_last_page(kind):
    state, big = big_state(1000)
    with EmulatorServer(state) as srv:
        state.add_rule({"after": 4, "malformed": kind})  # pages 1-4 good, 5 on garbage
        async with ChimeVoiceClient(aws_for(srv)) as client:
            pages = []
            with pytest.raises(BadResponse, match="unexpected response from the service"):
                async for page in client.iter_proxy_session_pages(big):
                    pages.append(page)
    assert [len(p) for p in pages] == [100] * 4
    assert list_requests(state) == 5  # and not one more


@pytest.mark.parametrize("kind", ["html", "truncated", "shape"])
async def test_garbage_is_an_error_for_get_and_for_connectors(server, state, kind):
    state.add_rule({"malformed": kind})
    async with ChimeVoiceClient(aws_for(server)) as client:
        with pytest.raises(BadResponse):
            await client.get_proxy_session(SEED_CONNECTOR_ID, SEED_SESSION_ID)
        with pytest.raises(BadResponse):
            await client.list_voice_connectors()
        with pytest.raises(BadResponse):
            await client.get_voice_connector(SEED_CONNECTOR_ID)
        with pytest.raises(BadResponse):
            await client.call("get_proxy_session", VoiceConnectorId=SEED_CONNECTOR_ID,
                              ProxySessionId=SEED_SESSION_ID)  # the CLI's raw call too
    assert len(state.requests) == 4  # garbage is not retried by botocore


async def test_an_empty_json_object_is_not_a_session(server, state):
    state.set_fields(SEED_CONNECTOR_ID, SEED_SESSION_ID, {})
    async with ChimeVoiceClient(aws_for(server)) as client:
        from chime_tui.aws.validate import check_response

        class Op:  # GetProxySession's output, as botocore's model gives it
            output_shape = client._client.meta.service_model.operation_model(
                "GetProxySession").output_shape
            has_streaming_output = False

        for body in (b"{}", b"[]", b"null", b'{"ProxySession": "x"}', b""):
            with pytest.raises(BadResponse):
                check_response(Op, {"status_code": 200, "body": body})
        check_response(Op, {"status_code": 404, "body": b"<html>"})  # errors: botocore's



async def test_a_listed_session_of_the_wrong_shape_is_named_by_its_id(server, state):
    """"ProxySessions[26].ExpiryMinutes" means nothing to a person: the session is named.
    (Since walk 3 #10 it is left out of a listing the rest of which is read, and named
    there; a listing with nothing readable is an error that names the first one.)"""
    vc = list(state.connectors)[1]
    sid = state.list_sessions(vc)[5]["ProxySessionId"]
    state.set_fields(vc, sid, {"ExpiryMinutes": "sixty"})
    async with ChimeVoiceClient(aws_for(server)) as client:
        listed = await client.list_proxy_sessions(vc)
        assert sid not in {s.proxy_session_id for s in listed}
        assert client.left_out[vc] == {sid: "ExpiryMinutes is not what the service model says"}
        for other in state.list_sessions(vc):
            state.set_fields(vc, other["ProxySessionId"], {"ExpiryMinutes": "sixty"})
        first = state.list_sessions(vc)[0]["ProxySessionId"]
        with pytest.raises(BadResponse) as caught:
            await client.list_proxy_sessions(vc)
    assert f"ExpiryMinutes (of session {first}) is not what the service model says" in \
        caught.value.message

# -- listings that never end ----------------------------------------------------------

async def test_a_new_next_token_on_every_page_is_stopped_at_the_page_bound(server, state):
    state.faults.paging = "endless"
    async with ChimeVoiceClient(aws_for(server, max_pages=25)) as client:
        with pytest.raises(BadResponse, match="kept returning pages: stopped after 25"):
            await client.list_proxy_sessions(SEED_CONNECTOR_ID)
    assert list_requests(state) == 25


async def test_a_repeated_next_token_is_stopped_at_once(server, state):
    state.faults.paging = "repeat"
    async with ChimeVoiceClient(aws_for(server)) as client:
        with pytest.raises(BadResponse, match="repeated a NextToken"):
            await client.list_proxy_sessions(SEED_CONNECTOR_ID)
        with pytest.raises(BadResponse, match="repeated a NextToken"):
            await client.list_voice_connectors()
    assert len(state.requests) == 4  # two pages each: the second repeats the token


def test_the_default_page_bound_allows_100000_sessions():
    assert MAX_PAGES == 1000  # 100 a page: a real connector's listing is never cut


# -- the app keeps its last good data -------------------------------------------------

async def test_the_session_list_keeps_its_sessions_marked_stale_after_garbage():
    from chime_tui.tui.app import make_app
    from chime_tui.tui.screens.sessions import SessionListScreen

    state, big = big_state(600)
    with EmulatorServer(state) as srv:
        app = make_app(app_settings(srv, voice_connector_id=big, refresh=60))
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                           and app.screen.loaded and len(app.screen.sessions) == 600,
                           timeout=20)
            screen = app.screen
            # The rule counts every request: the connector's proxy read that follows the
            # first listing (later when the app's client opens after it) is over first.
            await wait_for(pilot, lambda: any(r.path.endswith("/proxy") for r in state.requests)
                           and not state.in_flight, timeout=10)
            assert list_requests(state) == 6
            state.add_rule({"after": 3, "malformed": "html"})  # page 4 of the next listing
            await pilot.press("r")
            await wait_for(pilot, lambda: screen.has_class("-stale"), timeout=10)
            await pilot.pause(0.2)
            assert len(screen.sessions) == 600  # not 300, not 0
            assert screen.has_class("-stale")
            assert list_requests(state) == 6 + 4  # stopped at the garbage


# -- TLS: the CA bundle in use, and failures named as such ----------------------------

def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the openssl command line; the venv has
    no `cryptography`)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not available to make a test certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True,
                   capture_output=True, timeout=30)
    return cert, key


@pytest.fixture
def https_server(tmp_path, state):
    cert, key = make_certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with EmulatorServer(state, ssl_context=context) as srv:
        yield srv, cert


async def test_an_untrusted_certificate_is_named_and_aws_ca_bundle_fixes_it(
        https_server, monkeypatch):
    srv, cert = https_server
    assert srv.url.startswith("https://")
    async with ChimeVoiceClient(aws_for(srv)) as client:
        with pytest.raises(TlsUntrusted) as info:
            await client.get_proxy_session(SEED_CONNECTOR_ID, SEED_SESSION_ID)
    assert "TLS certificate not trusted" in info.value.message
    assert "AWS_CA_BUNDLE" in info.value.message and "unreachable" not in info.value.message
    monkeypatch.setenv("AWS_CA_BUNDLE", str(cert))
    async with ChimeVoiceClient(aws_for(srv)) as client:
        session = await client.get_proxy_session(SEED_CONNECTOR_ID, SEED_SESSION_ID)
    assert session.proxy_session_id == SEED_SESSION_ID


async def test_a_profiles_ca_bundle_is_honoured(https_server, isolated_env):
    srv, cert = https_server
    (isolated_env / "aws-config").write_text(
        f"[profile tls]\nca_bundle = {cert}\naws_access_key_id = AKIDTLS\n"
        "aws_secret_access_key = tls-secret\n")
    async with ChimeVoiceClient(aws_for(srv, profile="tls")) as client:
        session = await client.get_proxy_session(SEED_CONNECTOR_ID, SEED_SESSION_ID)
    assert session.proxy_session_id == SEED_SESSION_ID


def test_the_command_names_an_untrusted_certificate_and_takes_aws_ca_bundle(https_server):
    import os

    srv, cert = https_server
    from .ourcli import run_chime_tui

    args = ["get-proxy-session", "--endpoint-url", srv.url,
            "--voice-connector-id", SEED_CONNECTOR_ID, "--proxy-session-id", SEED_SESSION_ID,
            "--query", "ProxySession.Status", "--output", "text"]
    untrusted = run_chime_tui(*args, timeout=60, env=os.environ.copy())
    assert (untrusted.returncode, untrusted.stdout) == (255, "")
    assert "TLS certificate not trusted" in untrusted.stderr
    assert "AWS_CA_BUNDLE" in untrusted.stderr and "unreachable" not in untrusted.stderr
    trusted = run_chime_tui(*args, timeout=60, env=os.environ | {"AWS_CA_BUNDLE": str(cert)})
    assert (trusted.returncode, trusted.stdout) == (0, "Open\n"), trusted.stderr


async def test_a_listing_is_stopped_at_the_item_budget_whatever_its_page_size(
        server, state, monkeypatch):
    monkeypatch.setattr("chime_tui.aws.factory.MAX_ITEMS", 250)  # 100,000 in production
    state.faults.paging = "endless"
    async with ChimeVoiceClient(aws_for(server)) as client:
        with pytest.raises(BadResponse, match="kept returning items: stopped after 300"):
            await client.list_proxy_sessions(SEED_CONNECTOR_ID)
    assert list_requests(state) == 3
