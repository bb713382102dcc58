"""The audit line of a write (chime_tui.audit): fields, redaction, escapes, 0600."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime

from chime_tui.audit import outcome, record_write, write_line
from chime_tui.aws.errors import NotFound
from chime_tui.aws.writes import MaybeCreated

NOW = datetime(2026, 11, 27, 12, 0, 0, 123000, tzinfo=UTC)
CHANGE = {"ParticipantPhoneNumbers": ["+12065550100", "+442071838750"], "Capabilities": ["SMS"],
          "Name": "x\x1b]0;T\x07\x9by"}


def test_one_line_with_every_field_and_numbers_masked_on_request():
    line = write_line("create_proxy_session", voice_connector_id="vc", proxy_session_id=None,
                      change=CHANGE, result=outcome(None, 201, ProxySessionId="s"),
                      profile="oncall", region="eu-west-2", endpoint="https://x", redact=True,
                      now=NOW)
    assert line.endswith("\n") and "\n" not in line[:-1]
    assert "\x1b" not in line and "\x07" not in line and "\x9b" not in line  # escaped
    data = json.loads(line)
    assert data == {
        "time": "2026-11-27T12:00:00.123Z", "event": "write", "operation": "CreateProxySession",
        "profile": "oncall", "region": "eu-west-2", "endpoint": "https://x",
        "VoiceConnectorId": "vc", "ProxySessionId": None,
        "change": {"ParticipantPhoneNumbers": ["+1*******00", "+44*******50"],
                   "Capabilities": ["SMS"], "Name": "x\x1b]0;T\x07\x9by"},
        "result": {"outcome": "ok", "status": 201, "ProxySessionId": "s"}}
    plain = json.loads(write_line("create_proxy_session", voice_connector_id="vc",
                                  proxy_session_id=None, change=CHANGE, result=outcome(),
                                  now=NOW))
    assert plain["change"]["ParticipantPhoneNumbers"] == CHANGE["ParticipantPhoneNumbers"]
    assert plain["profile"] == "default" and plain["result"] == {"outcome": "ok"}


def test_outcomes_of_failures():
    gone = NotFound("not found", code="NotFoundException", status=404)
    gone.service_message = "The requested resource couldn't be found."
    assert outcome(gone) == {"outcome": "error", "error": "NotFoundException", "status": 404,
                             "message": "The requested resource couldn't be found."}
    lost = MaybeCreated("timed out; may have been created", code="ReadTimeoutError")
    assert outcome(lost)["outcome"] == "unknown"


def test_the_file_is_created_private_and_appended(tmp_path):
    path = tmp_path / "events.jsonl"
    old = os.umask(0o022)
    try:
        for sid in ("a", "b"):
            record_write(path, "delete_proxy_session", voice_connector_id="vc",
                         proxy_session_id=sid, change={}, result=outcome(None, 204))
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [json.loads(x)["ProxySessionId"] for x in path.read_text().splitlines()] == ["a", "b"]
