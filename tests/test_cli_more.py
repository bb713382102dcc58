"""The command's extras: yaml, colour, --debug scrubbing, --watch, paging, Ctrl+C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID
from chime_tui.options import EXIT_USAGE

from .conftest import DUMMY_KEY, DUMMY_SECRET, SEED_EXAMPLE
from .test_cli import chime_tui

SEED = ["--voice-connector-id", SEED_CONNECTOR_ID, "--proxy-session-id", SEED_SESSION_ID]


def test_yaml_output_parses_back_to_the_response(server):
    import yaml  # the test extra installs PyYAML: a reader no one here wrote
    result = chime_tui("get-proxy-session", "--endpoint-url", server.url, *SEED,
                       "--output", "yaml")
    assert result.returncode == 0
    assert yaml.safe_load(result.stdout) == SEED_EXAMPLE
    assert "PhoneNumber: '+12065550100'" in result.stdout  # quoted: not read as a number


def test_table_colour_on_and_off(server):
    on = chime_tui("get-proxy-session", "--endpoint-url", server.url, *SEED, "--output", "table",
                   "--color", "on")
    off = chime_tui("get-proxy-session", "--endpoint-url", server.url, *SEED, "--output",
                    "table", "--color", "off", "--no-cli-pager")
    assert "\x1b[" in on.stdout and "\x1b[" not in off.stdout
    assert "GetProxySession" in off.stdout and "+12065550100" in off.stdout


def test_debug_log_never_holds_credentials(server, monkeypatch):
    token = "FQoGZXIvYXdzEXAMPLETOKENvalue0123456789"
    monkeypatch.setenv("AWS_SESSION_TOKEN", token)
    result = chime_tui("get-proxy-session", "--endpoint-url", server.url, *SEED, "--debug",
                       "--redact")
    assert result.returncode == 0
    log = result.stderr
    assert "Sending http request" in log and "Response body" in log  # it did log
    for secret in (DUMMY_SECRET, token):
        assert secret not in log and secret not in result.stdout
    assert "Signature=****" in log
    assert DUMMY_KEY not in log  # the Credential= scope is masked too
    assert "+12065550100" not in log and "+1*******00" in log  # --redact covers the log


def test_max_items_and_starting_token_resume_where_they_stopped(server, state):
    vc = list(state.connectors)[1]
    base = ["list-proxy-sessions", "--endpoint-url", server.url, "--voice-connector-id", vc]
    every = json.loads(chime_tui(*base).stdout)["ProxySessions"]
    first = json.loads(chime_tui(*base, "--max-items", "15").stdout)
    second = json.loads(chime_tui(*base, "--max-items", "100", "--starting-token",
                                  first["NextToken"]).stdout)
    assert len(every) == 40 and len(first["ProxySessions"]) == 15
    assert "NextToken" not in second
    assert first["ProxySessions"] + second["ProxySessions"] == every
    bad = chime_tui(*base, "--starting-token", "not-a-token!")
    assert bad.returncode == 252 and "starting-token" in bad.stderr


def test_watch_prints_changes_and_ends_when_the_session_closes(server, state):
    vc = list(state.connectors)[1]
    sid = next(s for s, v in state.sessions[vc].items() if v.status == "Open")
    proc = subprocess.Popen(
        [sys.executable, "-m", "chime_tui", "get-proxy-session", "--endpoint-url", server.url,
         "--voice-connector-id", vc, "--proxy-session-id", sid, "--watch", "0.5", "--redact"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        first = json.loads(proc.stdout.readline())
        assert first["event"] == "snapshot" and first["ProxySession"]["Status"] == "Open"
        assert "*******" in first["ProxySession"]["Participants"][0]["PhoneNumber"]
        state.set_status(vc, sid, "InProgress")
        change = json.loads(proc.stdout.readline())
        assert (change["event"], change["field"], change["old"], change["new"]) == (
            "change", "Status", "Open", "InProgress")
        state.set_status(vc, sid, "Closed")
        lines = [json.loads(line) for line in proc.stdout.read().splitlines()]
        assert proc.wait(10) == 0
    finally:
        proc.kill()
    assert lines[-1]["event"] == "closed"
    assert ("Status", "InProgress", "Closed") in {
        (x.get("field"), x.get("old"), x.get("new")) for x in lines}


def test_watch_says_gone_when_the_session_disappears(server, state):
    proc = subprocess.Popen(
        [sys.executable, "-m", "chime_tui", "get-proxy-session", "--endpoint-url", server.url,
         *SEED, "--watch", "0.5"], stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    assert json.loads(proc.stdout.readline())["event"] == "snapshot"
    state.delete_session(SEED_CONNECTOR_ID, SEED_SESSION_ID)
    # A first NotFound is an error line; the try 5 s later confirms it (walk 2: one 404
    # printed "gone" and ended the watch of a session that was still Open).
    first = json.loads(proc.stdout.readline())
    assert (first["event"], first["kind"], first["next_try_in"]) == ("error", "not found", 5.0)
    last = json.loads(proc.stdout.readline())
    assert last["event"] == "gone" and "not found" in last["reason"]
    assert proc.wait(10) == 0


def test_watch_is_not_ended_by_a_404_blip(server, state):
    proc = subprocess.Popen(
        [sys.executable, "-m", "chime_tui", "get-proxy-session", "--endpoint-url", server.url,
         *SEED, "--watch", "0.5"], stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        assert json.loads(proc.stdout.readline())["event"] == "snapshot"
        state.add_rule({"count": 1, "status": 404})
        blip = json.loads(proc.stdout.readline())
        assert (blip["event"], blip["kind"]) == ("error", "not found")
        state.set_status(SEED_CONNECTOR_ID, SEED_SESSION_ID, "Closed")  # still there
        lines = [json.loads(line) for line in proc.stdout.read().splitlines()]
        assert proc.wait(10) == 0
        events = [x["event"] for x in lines]
        assert events[-1] == "closed" and "gone" not in events
        assert ("Status", "Open", "Closed") in {(x.get("field"), x.get("old"), x.get("new"))
                                                for x in lines}
    finally:
        proc.kill()


def test_ctrl_c_exits_130_without_a_traceback(server):
    proc = subprocess.Popen(
        [sys.executable, "-m", "chime_tui", "get-proxy-session", "--endpoint-url", server.url,
         *SEED, "--watch", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, PYTHONFAULTHANDLER="1"))
    assert json.loads(proc.stdout.readline())["event"] == "snapshot"
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    try:
        code = proc.wait(10)
    except subprocess.TimeoutExpired:
        # (Seen twice in fresh-clone CI runs, never alone: every thread's stack, to say
        # where it waits.)
        proc.send_signal(signal.SIGABRT)
        proc.wait(5)
        pytest.fail("no exit 10 s after Ctrl+C; its threads:\n" + proc.stderr.read()[-6000:])
    assert code == 130
    assert "Traceback" not in proc.stderr.read()


def test_the_dashboard_without_a_terminal_says_so_and_exits(server, tmp_path):
    """Run where there is no terminal (a script, cron, `< /dev/null`, piped): it used to
    start anyway and spin on the end of its input at half a core until killed."""
    with open(os.devnull) as devnull:
        got = subprocess.run([sys.executable, "-m", "chime_tui", "--endpoint-url", server.url],
                             stdin=devnull, capture_output=True, text=True, timeout=30,
                             cwd=tmp_path)
    assert got.returncode == EXIT_USAGE
    assert got.stdout == ""
    assert got.stderr.startswith("chime-tui: the dashboard needs a terminal")
    assert "list-proxy-sessions" in got.stderr
