"""The command line: help, version, bad input, and parity with the real AWS CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID

from .awscli import aws_cli, run_aws
from .conftest import SEED_EXAMPLE
from .ourcli import run_chime_tui


def chime_tui(*args: str, **kw) -> subprocess.CompletedProcess[str]:
    """`python -m chime_tui *args` as subprocess.run runs it, forked from a process that
    has imported the commands already (tests/ourcli.py)."""
    return run_chime_tui(*args, timeout=60, **kw)


@pytest.fixture(scope="session")
def aws() -> str:
    return aws_cli()


def test_version_and_help():
    from chime_tui import __version__

    assert chime_tui("--version").stdout.strip() == f"chime-tui {__version__}"
    out = chime_tui("--help").stdout
    for option in ("--demo", "--voice-connector-id", "--proxy-session-id", "--refresh",
                   "--profile", "--region", "--endpoint-url", "--redact", "emulator",
                   "get-proxy-session"):
        assert option in out


@pytest.mark.parametrize("args", [
    ["--voice-connector-id", "NOT VALID"],
    ["--voice-connector-id", SEED_CONNECTOR_ID, "--proxy-session-id", "a\x01b"],
    ["--proxy-session-id", SEED_SESSION_ID],
    ["--refresh", "0"],
])
def test_bad_flags_exit_252_with_a_message_and_no_traceback(args):
    result = chime_tui(*args)
    assert result.returncode == 252
    assert result.stderr.strip() and "Traceback" not in result.stderr


def test_aws_cli_reads_the_local_endpoint_like_aws(server, aws):
    """The reference client no one here wrote: it parses the endpoint's answer."""
    result = run_aws(
        aws, "chime-sdk-voice", "get-proxy-session", "--endpoint-url", server.url,
        "--voice-connector-id", SEED_CONNECTOR_ID, "--proxy-session-id", SEED_SESSION_ID,
        text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == SEED_EXAMPLE


def test_aws_cli_sees_service_errors(server, state, aws):
    state.faults.throttle = 1
    result = run_aws(
        aws, "chime-sdk-voice", "list-voice-connectors", "--endpoint-url", server.url,
        text=True, timeout=60,
        env=os.environ | {"AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "1"})
    assert result.returncode == 255
    assert "ThrottledClientException" in result.stderr


@pytest.mark.parametrize("query", [None, "ProxySession.Participants[].PhoneNumber",
                                   "ProxySession.Status"])
def test_get_proxy_session_json_matches_aws_cli_byte_for_byte(server, aws, query):
    common = ["get-proxy-session", "--endpoint-url", server.url,
              "--voice-connector-id", SEED_CONNECTOR_ID, "--proxy-session-id", SEED_SESSION_ID,
              "--output", "json"]
    if query:
        common += ["--query", query]
    ours = chime_tui(*common)
    theirs = run_aws(aws, "chime-sdk-voice", *common, text=True, timeout=60)
    assert theirs.returncode == 0, theirs.stderr
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == theirs.stdout


def test_get_proxy_session_prints_the_seed_example(server):
    result = chime_tui("get-proxy-session", "--endpoint-url", server.url,
                       "--voice-connector-id", SEED_CONNECTOR_ID,
                       "--proxy-session-id", SEED_SESSION_ID)
    assert result.returncode == 0
    assert json.loads(result.stdout) == SEED_EXAMPLE


def test_service_error_exit_code(server):
    result = chime_tui("get-proxy-session", "--endpoint-url", server.url,
                       "--voice-connector-id", SEED_CONNECTOR_ID, "--proxy-session-id", "gone")
    assert result.returncode == 254
    assert result.stderr == ("\nAn error occurred (NotFoundException) when calling the "
                             "GetProxySession operation: The requested resource couldn't be "
                             "found.\n")


def test_emulator_refuses_non_loopback_without_flag():
    result = chime_tui("emulator", "--host", "0.0.0.0")
    assert result.returncode == 252
    assert "loopback" in result.stderr


def test_emulator_command_prints_its_url_and_serves(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "chime_tui", "emulator", "--seed", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        result = chime_tui("list-voice-connectors", "--endpoint-url", url,
                           "--query", "length(VoiceConnectors)")
        assert result.stdout.strip() == "4"
    finally:
        proc.terminate()
        proc.wait(10)
