"""Options before the command, as the AWS CLI takes its global options
(`aws --profile prod --region eu-west-1 chime-sdk-voice ...`): they apply. A command's own
copy of an option must not put one given before it back to the default: that sent a
request to another endpoint, region or account than the one asked for, and printed
phone numbers a --redact had asked to mask."""

from __future__ import annotations

import json
import os

from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID
from chime_tui.options import EXIT_USAGE

from .test_cli import chime_tui

GET = ("get-proxy-session", "--voice-connector-id", SEED_CONNECTOR_ID,
       "--proxy-session-id", SEED_SESSION_ID)


def test_the_endpoint_before_the_command_is_the_one_asked(server):
    before = chime_tui("--endpoint-url", server.url, *GET)
    after = chime_tui(*GET, "--endpoint-url", server.url)
    assert before.returncode == after.returncode == 0, before.stderr
    assert before.stdout == after.stdout
    assert json.loads(before.stdout)["ProxySession"]["ProxySessionId"] == SEED_SESSION_ID


def test_a_profile_before_the_command_is_the_one_used(server, tmp_path):
    env = {**os.environ, "AWS_CONFIG_FILE": str(tmp_path / "config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials")}
    before = chime_tui("--profile", "nosuchprofile", *GET, "--endpoint-url", server.url, env=env)
    after = chime_tui(*GET, "--profile", "nosuchprofile", "--endpoint-url", server.url, env=env)
    assert before.returncode == after.returncode != 0
    assert before.stderr == after.stderr
    assert "nosuchprofile" in before.stderr and before.stdout == ""


def test_a_region_before_the_command_is_the_one_used(server):
    # --debug logs the request: its URL and signature name the region.
    before = chime_tui("--region", "eu-west-2", *GET, "--endpoint-url", server.url, "--debug")
    assert before.returncode == 0, before.stderr
    assert "eu-west-2" in before.stderr and "us-east-1/chime" not in before.stderr


def test_redact_before_the_command_masks_the_numbers(server):
    plain = json.loads(chime_tui(*GET, "--endpoint-url", server.url).stdout)
    masked = chime_tui("--redact", *GET, "--endpoint-url", server.url)
    assert masked.returncode == 0, masked.stderr
    numbers = [p["PhoneNumber"] for p in plain["ProxySession"]["Participants"]]
    assert numbers and all(n not in masked.stdout for n in numbers)
    assert masked.stdout == chime_tui(*GET, "--endpoint-url", server.url, "--redact").stdout


def test_the_aws_clis_debug_before_the_command_is_an_error_not_the_app(server, tmp_path):
    """`--debug` is not the app's `--debug-log` (no abbreviations): it used to start the
    app with a debug log in a file named after the command."""
    where = tmp_path / "cwd"
    where.mkdir()
    got = chime_tui("--debug", "list-voice-connectors", "--endpoint-url", server.url,
                    cwd=where)
    assert got.returncode == EXIT_USAGE
    assert "--debug" in got.stderr and got.stdout == ""
    assert list(where.iterdir()) == []
