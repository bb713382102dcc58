"""`create-/update-/delete-proxy-session` against the real AWS CLI on the local endpoint:
stdout and stderr byte for byte, exit codes (AWS CLI v2's), sent once, the audit line."""

from __future__ import annotations

import json
import os
import stat

import pytest

from chime_tui.emulator import SEED_CONNECTOR_ID as VC
from chime_tui.emulator import SEED_SESSION_ID
from chime_tui.emulator.state import Session

from .awscli import run_aws
from .conftest import FIXED_NOW
from .test_cli import aws, chime_tui  # noqa: F401  (the session fixture)

NEW_ID = "4d3c2b1a-0000-4000-8000-00000000abcd"
NUMBERS = ["+12065550111", "+14015550122"]


def their(aws, *args):  # noqa: F811
    return run_aws(aws, "chime-sdk-voice", *args, text=True, timeout=60)


def both(aws, *args):  # noqa: F811
    return their(aws, *args), chime_tui(*args)


def add(state, sid):
    state.add_session(Session(VC, sid, FIXED_NOW, FIXED_NOW, capabilities=["Voice"],
                              participants=[{"PhoneNumber": n, "ProxyPhoneNumber": "+19135550199"}
                                            for n in NUMBERS]))


@pytest.mark.parametrize("output, query", [("json", None), ("text", None), ("table", None),
                                           ("json", "ProxySession.Participants"),
                                           ("text", "ProxySession.[Status,ExpiryMinutes]")])
def test_create_byte_for_byte(frozen_server, frozen_state, aws, output, query):  # noqa: F811
    frozen_state.new_session_id = lambda: NEW_ID
    args = ["create-proxy-session", "--endpoint-url", frozen_server.url, "--voice-connector-id",
            VC, "--participant-phone-numbers", *NUMBERS, "--capabilities", "Voice", "SMS",
            "--name", "incident 7", "--expiry-minutes", "30", "--geo-match-level", "AreaCode",
            "--geo-match-params", "Country=US,AreaCode=206", "--output", output]
    args += ["--query", query] if query else []
    theirs = their(aws, *args)
    assert theirs.returncode == 0, theirs.stderr
    frozen_state.delete_session(VC, NEW_ID)  # the same ID and proxy number again for ours
    ours = chime_tui(*args)
    assert (ours.returncode, ours.stdout, ours.stderr) == (0, theirs.stdout, theirs.stderr)
    made = frozen_state.get_session(VC, NEW_ID)
    assert made["Name"] == "incident 7" and made["GeoMatchParams"] == {"Country": "US",
                                                                       "AreaCode": "206"}


@pytest.mark.parametrize("output", ["json", "text", "table"])
def test_update_byte_for_byte(frozen_server, frozen_state, aws, output):  # noqa: F811
    args = ["update-proxy-session", "--endpoint-url", frozen_server.url, "--voice-connector-id",
            VC, "--proxy-session-id", SEED_SESSION_ID, "--capabilities", '["Voice"]',
            "--expiry-minutes", "90", "--output", output]
    theirs, ours = both(aws, *args)
    assert theirs.returncode == 0, theirs.stderr
    assert (ours.returncode, ours.stdout, ours.stderr) == (0, theirs.stdout, theirs.stderr)
    assert frozen_state.get_session(VC, SEED_SESSION_ID)["ExpiryMinutes"] == 90


@pytest.mark.parametrize("output", ["json", "text", "table"])
def test_delete_then_404_on_the_deleted_session(server, state, aws, output):  # noqa: F811
    add(state, "s-theirs")
    add(state, "s-ours")
    base = ["--endpoint-url", server.url, "--voice-connector-id", VC, "--output", output]
    theirs = their(aws, "delete-proxy-session", *base, "--proxy-session-id", "s-theirs")
    ours = chime_tui("delete-proxy-session", *base, "--proxy-session-id", "s-ours")
    assert (theirs.returncode, theirs.stdout) == (0, "")
    assert (ours.returncode, ours.stdout, ours.stderr) == (0, "", theirs.stderr)
    for command, extra in (("delete-proxy-session", []),
                           ("update-proxy-session", ["--capabilities", "SMS"])):
        theirs = their(aws, command, *base, "--proxy-session-id", "s-theirs", *extra)
        ours = chime_tui(command, *base, "--proxy-session-id", "s-ours", *extra)
        operation = "DeleteProxySession" if command.startswith("delete") else "UpdateProxySession"
        assert ours.stderr == theirs.stderr == (
            f"\nAn error occurred (NotFoundException) when calling the {operation} operation: "
            "The requested resource couldn't be found.\n")
        assert ours.stdout == theirs.stdout == ""
        # AWS CLI v1 exits 255 on any service error; v2 (and these commands) 254.
        assert (theirs.returncode, ours.returncode) == (255, 254)


@pytest.mark.parametrize("command, args", [
    ("create-proxy-session", ["--participant-phone-numbers", "+12065550111", "0123",
                              "--capabilities", "Voice"]),
    ("create-proxy-session", ["--participant-phone-numbers", *NUMBERS, "--capabilities", "Fax",
                              "--name", "no_underscores"]),
    ("update-proxy-session", ["--proxy-session-id", SEED_SESSION_ID, "--capabilities"]),
])
def test_a_400_from_the_service_as_the_aws_cli_prints_it(server, state, aws, command,  # noqa: F811
                                                         args):
    theirs, ours = both(aws, command, "--endpoint-url", server.url, "--voice-connector-id", VC,
                        *args)
    assert theirs.stderr.startswith("\nAn error occurred (BadRequestException) when calling")
    assert "validation error" in theirs.stderr
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert (theirs.returncode, ours.returncode) == (255, 254)
    assert len(state.sessions[VC]) == 1  # nothing created
    assert [r.status for r in state.requests] == [400, 400]


@pytest.mark.parametrize("command, args", [
    ("create-proxy-session", ["--participant-phone-numbers", "+12065550111",
                              "--capabilities", "Voice"]),
    ("create-proxy-session", ["--participant-phone-numbers", *NUMBERS, "--capabilities", "Voice",
                              "--expiry-minutes", "0"]),
    ("create-proxy-session", ["--participant-phone-numbers", *NUMBERS, "--capabilities", "Voice",
                              "--expiry-minutes", "1.5"]),
    ("create-proxy-session", ["--participant-phone-numbers", *NUMBERS, "--capabilities", "Voice",
                              "--geo-match-params", "Country=US"]),
    ("create-proxy-session", ["--participant-phone-numbers", *NUMBERS, "--capabilities", "Voice",
                              "--geo-match-params", '{"Country":"US"']),
    ("update-proxy-session", ["--proxy-session-id", "x", "--capabilities", "Voice",
                              "--cli-input-json", '{"Foo": 1}']),
])
def test_bad_parameters_before_any_request(server, state, aws, command, args):  # noqa: F811
    theirs, ours = both(aws, command, "--endpoint-url", server.url, "--voice-connector-id", VC,
                        *args)
    assert ours.stderr == theirs.stderr and theirs.stderr.strip()
    assert (theirs.returncode, ours.returncode) == (255, 252)  # v2: 252, bad parameters
    assert state.requests == []


def test_cli_input_json_with_flags_overriding(server, state, tmp_path):
    path = tmp_path / "update.json"
    path.write_text(json.dumps({"VoiceConnectorId": VC, "ProxySessionId": SEED_SESSION_ID,
                                "Capabilities": ["SMS"], "ExpiryMinutes": 15}))
    result = chime_tui("update-proxy-session", "--endpoint-url", server.url,
                       "--cli-input-json", f"file://{path}", "--expiry-minutes", "45")
    assert result.returncode == 0, result.stderr
    session = json.loads(result.stdout)["ProxySession"]
    assert (session["Capabilities"], session["ExpiryMinutes"]) == (["SMS"], 45)


def test_input_skeletons_have_the_aws_cli_shape(aws):  # noqa: F811
    for command in ("create-proxy-session", "update-proxy-session", "delete-proxy-session"):
        theirs = json.loads(their(aws, command, "--generate-cli-skeleton").stdout)
        ours = json.loads(chime_tui(command, "--generate-cli-skeleton").stdout)
        assert list(ours) == list(theirs)  # the same keys, in order
        assert {k: type(v) for k, v in ours.items()} == {k: type(v) for k, v in theirs.items()}
    create = json.loads(chime_tui("create-proxy-session", "--generate-cli-skeleton").stdout)
    assert create["Capabilities"] == ["Voice"]  # the first value, not a random one


def test_writes_are_sent_once_even_when_the_service_fails(server, state):
    state.faults.status, state.faults.status_count = 500, -1
    result = chime_tui("update-proxy-session", "--endpoint-url", server.url,
                       "--voice-connector-id", VC, "--proxy-session-id", SEED_SESSION_ID,
                       "--capabilities", "Voice")
    assert result.returncode == 254
    assert "(ServiceFailureException) when calling the UpdateProxySession" in result.stderr
    assert "retries" not in result.stderr
    assert state.served == 1  # the AWS CLI would have sent it 5 times


def test_a_create_that_timed_out_says_it_may_exist_and_is_not_resent(server, state, tmp_path):
    events = tmp_path / "events.jsonl"
    state.faults.latency = 1.5
    result = chime_tui("create-proxy-session", "--endpoint-url", server.url,
                       "--voice-connector-id", VC, "--participant-phone-numbers", *NUMBERS,
                       "--capabilities", "Voice", "--cli-read-timeout", "0.5",
                       "--events-file", str(events))
    assert result.returncode == 255 and result.stdout == ""
    assert "The session may have been created" in result.stderr
    assert f"chime-tui list-proxy-sessions --voice-connector-id {VC}" in result.stderr
    assert state.served == 1
    line = json.loads(events.read_text())
    assert line["result"]["outcome"] == "unknown" and line["operation"] == "CreateProxySession"


def test_the_audit_line_for_every_attempt(server, state, tmp_path):
    events = tmp_path / "audit" / "events.jsonl"
    events.parent.mkdir()
    common = ["--endpoint-url", server.url, "--voice-connector-id", VC, "--events-file",
              str(events), "--region", "us-east-1"]
    ok = chime_tui("create-proxy-session", *common, "--participant-phone-numbers", *NUMBERS,
                   "--capabilities", "Voice", "--redact", "--output", "text")
    assert ok.returncode == 0, ok.stderr
    gone = chime_tui("delete-proxy-session", *common, "--proxy-session-id", "no-such-session")
    assert gone.returncode == 254
    assert stat.S_IMODE(os.stat(events).st_mode) == 0o600
    text = events.read_text()
    assert "2065550111" not in text and "4015550122" not in text  # --redact
    created, missing = [json.loads(line) for line in text.splitlines()]
    new_id = created["result"]["ProxySessionId"]
    assert new_id in state.sessions[VC]
    assert created["operation"] == "CreateProxySession" and created["profile"] == "default"
    assert (created["region"], created["endpoint"]) == ("us-east-1", server.url)
    assert created["change"] == {"ParticipantPhoneNumbers": ["+1*******11", "+1*******22"],
                                 "Capabilities": ["Voice"]}
    assert created["result"] == {"outcome": "ok", "status": 201, "ProxySessionId": new_id}
    assert (missing["VoiceConnectorId"], missing["ProxySessionId"]) == (VC, "no-such-session")
    assert missing["result"] == {"outcome": "error", "error": "NotFoundException", "status": 404,
                                 "message": "The requested resource couldn't be found."}


def test_nothing_is_audited_or_sent_for_bad_input_or_an_unwritable_file(server, state, tmp_path):
    bad = chime_tui("update-proxy-session", "--endpoint-url", server.url, "--voice-connector-id",
                    VC, "--proxy-session-id", SEED_SESSION_ID, "--capabilities", "Voice",
                    "--events-file", str(tmp_path))  # a directory
    assert bad.returncode == 252 and "cannot write the events file" in bad.stderr
    assert state.requests == []


def test_a_dropped_create_may_exist_and_a_hostile_error_is_made_visible(server, state):
    state.faults.drop = 1
    dropped = chime_tui("create-proxy-session", "--endpoint-url", server.url,
                        "--voice-connector-id", VC, "--participant-phone-numbers", *NUMBERS,
                        "--capabilities", "Voice")
    assert dropped.returncode == 255 and "may have been created" in dropped.stderr
    state.add_rule({"count": 1, "status": 400, "message": "bad \x1b]0;owned\x07 \x9b31m"})
    hostile = chime_tui("delete-proxy-session", "--endpoint-url", server.url,
                        "--voice-connector-id", VC, "--proxy-session-id", SEED_SESSION_ID)
    assert hostile.returncode == 254
    assert "\x1b" not in hostile.stderr and "\x07" not in hostile.stderr
    assert "\x9b" not in hostile.stderr and "bad \\x1b]0;owned\\x07" in hostile.stderr
    assert state.served == 2


def test_debug_log_masks_the_participants_with_redact(server):
    result = chime_tui("create-proxy-session", "--endpoint-url", server.url,
                       "--voice-connector-id", VC, "--participant-phone-numbers", *NUMBERS,
                       "--capabilities", "Voice", "--debug", "--redact")
    assert result.returncode == 0
    assert "CreateProxySession" in result.stderr
    for n in NUMBERS:
        assert n[2:] not in result.stderr and n[2:] not in result.stdout
