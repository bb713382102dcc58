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


def test_the_aws_clis_debug_before_the_command_is_its_debug_not_the_app(server, tmp_path):
    """`--debug` is not the app's `--debug-log` (no abbreviations): it used to start the
    app with a debug log in a file named after the command. Before a command it is the
    AWS CLI's --debug (walk 4 #19); with no command, an error, never the app."""
    where = tmp_path / "cwd"
    where.mkdir()
    got = chime_tui("--debug", "list-voice-connectors", "--endpoint-url", server.url,
                    cwd=where)
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["VoiceConnectors"]
    assert "DEBUG" in got.stderr and "ListVoiceConnectors" in got.stderr
    assert list(where.iterdir()) == []
    alone = chime_tui("--debug", "--endpoint-url", server.url, cwd=where)
    assert alone.returncode == EXIT_USAGE and alone.stdout == ""
    assert "--debug: applies to a command" in alone.stderr
    assert list(where.iterdir()) == []


def test_the_aws_clis_output_options_before_the_command_apply(server):
    """Walk 4 #19: `aws --output text chime-sdk-voice ...` is a common runbook shape;
    `chime-tui --output text list-voice-connectors` said "invalid choice: 'text'". The
    output options before the command print what they print after it."""
    url = ("--endpoint-url", server.url)
    for options in (("--output", "text"), ("--query", "VoiceConnectors[0].Name"),
                    ("--output", "table", "--color", "off"), ("--output", "yaml"),
                    ("--no-cli-pager",), ("--no-paginate", "--output", "text")):
        before = chime_tui(*options, "list-voice-connectors", *url)
        after = chime_tui("list-voice-connectors", *url, *options)
        assert before.returncode == after.returncode == 0, (options, before.stderr)
        assert before.stdout == after.stdout, options
    assert chime_tui("--query", "VoiceConnectors[0].Name", "list-voice-connectors",
                     *url).stdout.strip() == '"seed example"'
    text = chime_tui("--output", "text", *GET, *url).stdout
    assert text.startswith("PROXYSESSION") and text == chime_tui(*GET, *url, "--output",
                                                                  "text").stdout
    # After the command wins, as the AWS CLI's own parser has it.
    both = chime_tui("--output", "table", "list-voice-connectors", *url, "--output", "text")
    assert both.returncode == 0 and both.stdout.startswith("VOICECONNECTORS"), both.stdout
    # Not for the dashboard: an error, not "invalid choice: 'text'" nor the app.
    alone = chime_tui("--output", "text", *url)
    assert alone.returncode == EXIT_USAGE and alone.stdout == ""
    assert "--output: applies to a command" in alone.stderr
    assert "invalid choice" not in alone.stderr
