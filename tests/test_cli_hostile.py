"""The commands against hostile servers (issue 11 items 1, 6, 8, 12; issue 12 item 3):
what reaches stdout, byte for byte, the exit code, and the request count."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

from chime_tui.__main__ import main
from chime_tui.emulator import (
    SEED_CONNECTOR_ID,
    SEED_SESSION_ID,
    EmulatorServer,
    EmulatorState,
    populate,
)
from chime_tui.textsafe import visible

from .awscli import run_aws
from .ourcli import run_chime_tui
from .test_cli import aws  # noqa: F401  (the session fixture)

HOSTILE = {
    "osc52": "x\u001b]52;c;ZWNobyBwd25lZA==\u001b\\y",  # sets the clipboard
    "c1csi": "\u009b31m",  # a one-byte CSI
    "title": "\x1b]0;TITLE\x07",  # sets the window title
}
RAW = (b"\x1b", b"\x07", b"\xc2\x9b")  # ESC, BEL, and C1 CSI as UTF-8


def run(*args: str) -> subprocess.CompletedProcess[bytes]:
    return run_chime_tui(*args, text=False, timeout=60)


def hostile_state() -> EmulatorState:
    state = populate(EmulatorState(), seed=7, connectors=2, sessions=3)
    for key, name in HOSTILE.items():
        state.put_raw(SEED_CONNECTOR_ID, {
            "VoiceConnectorId": SEED_CONNECTOR_ID, "ProxySessionId": f"hostile-{key}",
            "Name": name, "Status": "Open", "Capabilities": ["Voice"],
            "Participants": [{"PhoneNumber": "+12065550100", "ProxyPhoneNumber": name}]})
    return state


@pytest.fixture
def hostile():
    with EmulatorServer(hostile_state()) as srv:
        yield srv


def get_args(server, key: str, output: str) -> list[str]:
    return ["get-proxy-session", "--endpoint-url", server.url, "--voice-connector-id",
            SEED_CONNECTOR_ID, "--proxy-session-id", f"hostile-{key}", "--output", output]


# -- item 1: escape sequences from the server -----------------------------------------

@pytest.mark.parametrize("key", list(HOSTILE))
@pytest.mark.parametrize("output", ["json", "text", "table"])
def test_aws_cli_formats_print_exactly_the_aws_clis_bytes(hostile, aws, key, output):  # noqa: F811
    """The AWS CLI prints these bytes raw in text and table (and C1 raw in json): the
    formats that promise parity keep it, byte for byte (the README says so)."""
    args = get_args(hostile, key, output)
    theirs = run_aws(aws, "chime-sdk-voice", *args, timeout=60)
    ours = run(*args)
    assert theirs.returncode == 0, theirs.stderr
    assert (ours.returncode, ours.stdout) == (0, theirs.stdout)


@pytest.mark.parametrize("key", list(HOSTILE))
def test_yaml_and_human_never_print_control_bytes(hostile, key):
    name = HOSTILE[key]
    out_yaml = run(*get_args(hostile, key, "yaml"))
    out_human = run(*get_args(hostile, key, "human"))
    listed = run("list-proxy-sessions", "--endpoint-url", hostile.url, "--voice-connector-id",
                 SEED_CONNECTOR_ID, "--output", "yaml")
    for result in (out_yaml, out_human, listed):
        assert result.returncode == 0, result.stderr
        for raw in RAW:
            assert raw not in result.stdout
    # yaml: the same string when parsed back; human: made visible
    assert yaml.safe_load(out_yaml.stdout)["ProxySession"]["Name"] == name
    assert name in [s.get("Name") for s in yaml.safe_load(listed.stdout)["ProxySessions"]]
    assert f"hostile-{key} ({visible(name)})\n".encode() in out_human.stdout
    assert f"via {visible(name)}\n".encode() in out_human.stdout


def test_watch_lines_escape_c1_and_stay_json(hostile):
    proc = subprocess.Popen(
        [sys.executable, "-m", "chime_tui", *get_args(hostile, "c1csi", "json"), "--watch",
         "0.5"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ.copy())
    try:
        line = proc.stdout.readline()
    finally:
        proc.kill()
        proc.wait(10)
    assert b"\xc2\x9b" not in line and b"\\u009b31m" in line
    assert json.loads(line)["ProxySession"]["Name"] == HOSTILE["c1csi"]


# -- item 6: a 200 that does not parse prints nothing, exits 255 ----------------------

@pytest.mark.parametrize("kind", ["html", "truncated", "types"])
def test_list_with_garbage_from_page_40_of_10000_prints_nothing_and_exits_255(kind):
    state = populate(EmulatorState(), seed=3, connectors=1, big_connector_sessions=10_000)
    big = next(vc for vc, c in state.connectors.items() if c.name == "load test")
    with EmulatorServer(state) as srv:
        state.add_rule({"after": 39, "malformed": kind})
        result = run("list-proxy-sessions", "--endpoint-url", srv.url,
                     "--voice-connector-id", big)
    assert (result.returncode, result.stdout) == (255, b"")
    assert b"unexpected response from the service" in result.stderr
    assert b"Traceback" not in result.stderr
    assert state.served == 40  # page 40 was the last request


@pytest.mark.parametrize("kind", ["html", "truncated", "shape", "types"])
def test_get_with_garbage_prints_nothing_and_exits_255(server, state, kind):
    state.add_rule({"malformed": kind})
    result = run("get-proxy-session", "--endpoint-url", server.url, "--voice-connector-id",
                 SEED_CONNECTOR_ID, "--proxy-session-id", SEED_SESSION_ID, "--output", "text")
    assert (result.returncode, result.stdout) == (255, b"")
    assert b"unexpected response from the service" in result.stderr


def test_list_voice_connectors_with_garbage_exits_255(server, state):
    state.add_rule({"malformed": "html"})
    result = run("list-voice-connectors", "--endpoint-url", server.url)
    assert (result.returncode, result.stdout) == (255, b"")


# -- item 8: listings that never end ----------------------------------------------------

def test_a_repeated_next_token_stops_the_command_as_botocore_paginators_do(server, state):
    state.faults.paging = "repeat"
    result = run("list-proxy-sessions", "--endpoint-url", server.url,
                 "--voice-connector-id", SEED_CONNECTOR_ID)
    assert (result.returncode, result.stdout) == (255, b"")
    assert b"Error during pagination: The same next token was received twice: {'NextToken': " \
        in result.stderr
    assert state.served == 2


@pytest.mark.parametrize("command", ["list-proxy-sessions", "list-voice-connectors"])
def test_endless_pages_are_stopped_at_the_bound_with_nothing_printed(
        server, state, command, monkeypatch, capfdbinary):
    monkeypatch.setattr("chime_tui.aws.factory.MAX_PAGES", 30)  # 1,000 in production
    state.faults.paging = "endless"
    args = [command, "--endpoint-url", server.url]
    if command == "list-proxy-sessions":
        args += ["--voice-connector-id", SEED_CONNECTOR_ID]
    assert main(args) == 255
    out, err = capfdbinary.readouterr()
    assert out == b""
    assert b"Error during pagination: the service kept returning pages: stopped after 30" in err
    assert state.served == 30


def test_max_items_still_ends_an_endless_listing_without_an_error(server, state):
    state.faults.paging = "endless"
    result = run("list-proxy-sessions", "--endpoint-url", server.url, "--voice-connector-id",
                 SEED_CONNECTOR_ID, "--max-items", "250")
    assert result.returncode == 0
    page = json.loads(result.stdout)
    assert len(page["ProxySessions"]) == 250 and page["NextToken"]
    assert state.served == 3


# -- issue 12 item 3: --watch on an unknown session ------------------------------------

def test_watch_on_an_unknown_session_exits_254_exactly_as_without_watch(server, state):
    args = ["get-proxy-session", "--endpoint-url", server.url, "--voice-connector-id",
            SEED_CONNECTOR_ID, "--proxy-session-id", "no-such-session"]
    plain = run(*args)
    watched = run(*args, "--watch", "0.5")
    assert plain.returncode == 254
    assert (watched.returncode, watched.stdout, watched.stderr) == \
        (254, b"", plain.stderr)
    assert b"NotFoundException" in watched.stderr and b"couldn't be found" in watched.stderr
    assert state.served == 2  # one request each: no retry, no "gone"


# -- item 12: an unwritable debug log --------------------------------------------------

def test_debug_log_on_a_full_device_is_one_clear_line():
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    result = run("--debug-log", "/dev/full", "--demo")
    assert result.returncode == 252
    assert result.stderr.decode().strip() == \
        "chime-tui: cannot write the debug log /dev/full: No space left on device"


def test_a_debug_log_that_fails_later_says_so_once_and_stops(tmp_path, capsys):
    import logging

    from chime_tui.cli.debug import enable_debug_file

    enable_debug_file(str(tmp_path / "debug.log"))
    handler = logging.getLogger().handlers[-1]

    class Full:
        def write(self, text):
            raise OSError(28, "No space left on device")

        def flush(self):
            raise OSError(28, "No space left on device")

    real, handler.stream = handler.stream, Full()
    try:
        for _ in range(5):
            logging.getLogger("chime_tui.test").warning("a record")
    finally:
        handler.stream = real
        handler.close()
    err = capsys.readouterr().err
    assert "Logging error" not in err and "Traceback" not in err
    assert err.splitlines() == [f"chime-tui: cannot write the debug log {tmp_path}/debug.log: "
                                "No space left on device; debug logging stopped"]
    assert handler not in logging.getLogger().handlers


def test_debug_output_to_a_broken_stderr_is_quiet(server):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [sys.executable, "-m", "chime_tui", "get-proxy-session", "--endpoint-url",
             server.url, "--voice-connector-id", SEED_CONNECTOR_ID, "--proxy-session-id",
             SEED_SESSION_ID, "--debug"], stdout=subprocess.PIPE, stderr=full, timeout=60,
            env=os.environ.copy())
    assert result.returncode == 0
    assert json.loads(result.stdout)["ProxySession"]["ProxySessionId"] == SEED_SESSION_ID


def test_the_commands_take_demo(monkeypatch):
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(var)
    result = run("get-proxy-session", "--demo", "--voice-connector-id", SEED_CONNECTOR_ID,
                 "--proxy-session-id", SEED_SESSION_ID, "--query", "ProxySession.Status",
                 "--output", "text")
    assert (result.returncode, result.stdout) == (0, b"Open\n"), result.stderr


@pytest.mark.parametrize("status", [400, 500])
def test_a_hostile_error_message_from_the_service_is_made_visible(server, state, status):
    state.add_rule({"status": status, "message": "no\x1b]0;TITLE\x07\u009b31m"})
    result = run("get-proxy-session", "--endpoint-url", server.url, "--voice-connector-id",
                 SEED_CONNECTOR_ID, "--proxy-session-id", SEED_SESSION_ID)
    assert result.returncode == 254
    for raw in RAW:
        assert raw not in result.stderr
    if status == 400:  # the message is shown (made visible)
        assert b"no\\x1b]0;TITLE\\x07\\x9b31m" in result.stderr
