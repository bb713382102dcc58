"""`chime-tui get-proxy-session` against the real AWS CLI, and its bad-input matrix."""

from __future__ import annotations

import json

import pytest

from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID

from .awscli import run_aws
from .conftest import DUMMY_SECRET, SEED_EXAMPLE
from .test_cli import aws, chime_tui  # noqa: F401  (the session fixture)


def other_sessions(state):
    """A session with every optional field, and one with the fewest."""
    vc = list(state.connectors)[1]
    full = next(s for s in state.sessions[vc].values()
                if s.geo_match_params and s.name and s.number_selection_behavior)
    bare = next(s for s in state.sessions[vc].values()
                if not s.name and s.expiry_minutes is None or len(s.participants) < 2)
    return [(vc, full.proxy_session_id), (vc, bare.proxy_session_id)]


@pytest.mark.parametrize("output", ["json", "text", "table"])
@pytest.mark.parametrize("query", [None, "ProxySession.Participants", "ProxySession.[Status,Name]",
                                   "ProxySession.GeoMatchParams"])
def test_byte_for_byte_with_the_aws_cli(server, state, aws, output, query):  # noqa: F811
    for vc, sid in [(SEED_CONNECTOR_ID, SEED_SESSION_ID), *other_sessions(state)]:
        args = ["get-proxy-session", "--endpoint-url", server.url, "--voice-connector-id", vc,
                "--proxy-session-id", sid, "--output", output]
        if query:
            args += ["--query", query]
        theirs = run_aws(aws, "chime-sdk-voice", *args, text=True, timeout=60)
        ours = chime_tui(*args)
        assert theirs.returncode == 0, theirs.stderr
        assert (ours.returncode, ours.stdout) == (0, theirs.stdout), (vc, sid)


def test_cli_input_json_string_file_and_flag_override(server, tmp_path):
    body = json.dumps({"VoiceConnectorId": SEED_CONNECTOR_ID, "ProxySessionId": "not-this-one"})
    base = ["get-proxy-session", "--endpoint-url", server.url]
    overridden = chime_tui(*base, "--cli-input-json", body, "--proxy-session-id", SEED_SESSION_ID)
    assert overridden.returncode == 0 and json.loads(overridden.stdout) == SEED_EXAMPLE
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"VoiceConnectorId": SEED_CONNECTOR_ID,
                                "ProxySessionId": SEED_SESSION_ID}))
    from_file = chime_tui(*base, "--cli-input-json", f"file://{path}")
    assert from_file.returncode == 0 and json.loads(from_file.stdout) == SEED_EXAMPLE


@pytest.mark.parametrize("args, message", [
    ([], 'Missing required parameter in input: "ProxySessionId"'),
    (["--cli-input-json", "{bad"], "Invalid JSON"),
    (["--cli-input-json", '{"VoiceConnectorId": "abcdef1ghij2klmno3pqr4", "ProxySessionId": "x",'
      ' "Foo": 1}'], 'Unknown parameter in input: "Foo"'),
    (["--cli-input-json", '{"VoiceConnectorId": 5, "ProxySessionId": "x"}'],
     "Invalid type for parameter VoiceConnectorId"),
    (["--cli-input-json", "file:///no/such/file.json"], "Unable to load paramfile"),
    (["--proxy-session-id", "x"], "VoiceConnectorId"),
    (["--voice-connector-id", "Has Spaces", "--proxy-session-id", "x"], "VoiceConnectorId"),
    (["--voice-connector-id", SEED_CONNECTOR_ID, "--proxy-session-id", "a\tb"],
     "control characters"),
    (["--voice-connector-id", SEED_CONNECTOR_ID, "--proxy-session-id", SEED_SESSION_ID,
      "--query", "[[["], "Bad value for --query"),
    (["--output", "xml"], "invalid choice"),
])
def test_bad_input_exits_252_with_one_clear_message(server, state, args, message):
    result = chime_tui("get-proxy-session", "--endpoint-url", server.url, *args)
    assert result.returncode == 252
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert state.requests == []  # nothing was sent


def test_exit_codes_for_credentials_service_and_network(server, state, monkeypatch):
    ids = ["--voice-connector-id", SEED_CONNECTOR_ID, "--proxy-session-id", SEED_SESSION_ID]
    state.faults.status, state.faults.status_count = 500, -1  # botocore retries one 500
    assert chime_tui("get-proxy-session", "--endpoint-url", server.url, *ids).returncode == 254
    state.faults.clear()
    refused = chime_tui("get-proxy-session", "--endpoint-url", "http://127.0.0.1:1", *ids,
                        "--cli-connect-timeout", "1")
    assert refused.returncode == 255 and "unreachable" in refused.stderr
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    no_creds = chime_tui("get-proxy-session", "--endpoint-url", server.url, *ids)
    assert no_creds.returncode == 253 and "credentials" in no_creds.stderr
    assert DUMMY_SECRET not in no_creds.stderr


def test_skeletons():
    inp = chime_tui("get-proxy-session", "--generate-cli-skeleton")
    assert inp.returncode == 0
    assert json.loads(inp.stdout) == {"VoiceConnectorId": "", "ProxySessionId": ""}
    out = json.loads(chime_tui("get-proxy-session", "--generate-cli-skeleton", "output").stdout)
    assert set(SEED_EXAMPLE["ProxySession"]) <= set(out["ProxySession"])
    assert {"Name", "EndedTimestamp", "GeoMatchParams"} <= set(out["ProxySession"])
    assert out["ProxySession"]["ExpiryMinutes"] >= 1  # valid against the model's minimum


@pytest.mark.parametrize("output", ["json", "text", "human"])
def test_redact_masks_phone_numbers_in_every_format(server, output):
    result = chime_tui("get-proxy-session", "--endpoint-url", server.url, "--voice-connector-id",
                       SEED_CONNECTOR_ID, "--proxy-session-id", SEED_SESSION_ID, "--redact",
                       "--output", output)
    assert result.returncode == 0
    assert "+1*******00" in result.stdout and "+1*******99" in result.stdout
    for number in ("2065550100", "4015550101", "9135550199"):
        assert number not in result.stdout


def test_human_output_is_a_readable_summary(server):
    result = chime_tui("get-proxy-session", "--endpoint-url", server.url, "--voice-connector-id",
                       SEED_CONNECTOR_ID, "--proxy-session-id", SEED_SESSION_ID,
                       "--output", "human")
    assert result.returncode == 0
    assert "status        Open, expired" in result.stdout
    assert "capabilities  SMS, Voice" in result.stdout
    assert "participant 1 +12065550100 via +19135550199" in result.stdout


@pytest.mark.parametrize("output", ["json", "text", "table"])
def test_list_first_page_matches_the_aws_cli(server, state, aws, output):  # noqa: F811
    """The AWS CLI has no paginator here: it prints one page, as --no-paginate does."""
    vc = list(state.connectors)[1]
    common = ["list-proxy-sessions", "--endpoint-url", server.url, "--voice-connector-id", vc,
              "--output", output]
    theirs = run_aws(aws, "chime-sdk-voice", *common, text=True, timeout=60)
    ours = chime_tui(*common, "--no-paginate")
    assert theirs.returncode == 0, theirs.stderr
    assert (ours.returncode, ours.stdout) == (0, theirs.stdout)
