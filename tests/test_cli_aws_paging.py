"""The AWS CLI's own paging options for ListProxySessions and ListVoiceConnectors
(botocore has no paginator for them, so `--max-results` and `--next-token` are what the
AWS CLI offers): a runbook line copied from it prints what it prints."""

from __future__ import annotations

import json

import pytest

from chime_tui.options import EXIT_USAGE

from .test_cli import aws, chime_tui  # noqa: F401  (the session fixture)
from .test_cli_writes import their

VC = "ujzde8gxd6ncf10epf91dh"  # the emulator's "support line": 40 sessions


@pytest.mark.parametrize("command", [
    ["list-voice-connectors", "--max-results", "2"],
    ["list-proxy-sessions", "--voice-connector-id", VC, "--max-results", "3"],
    ["list-proxy-sessions", "--voice-connector-id", VC, "--max-results", "101"],
    ["list-proxy-sessions", "--voice-connector-id", VC, "--next-token", "garbage"],
])
def test_max_results_and_next_token_as_the_aws_cli(server, aws, command):  # noqa: F811
    args = [*command, "--endpoint-url", server.url]
    theirs, ours = their(aws, *args), chime_tui(*args)
    assert ours.stdout == theirs.stdout
    assert ours.stderr == theirs.stderr
    assert (ours.returncode == 0) == (theirs.returncode == 0)


def test_the_next_token_of_one_call_gives_the_next_page(server, aws):  # noqa: F811
    first = [*("list-proxy-sessions", "--voice-connector-id", VC, "--max-results", "3"),
             "--endpoint-url", server.url]
    token = json.loads(chime_tui(*first).stdout)["NextToken"]
    args = [*first, "--next-token", token]
    theirs, ours = their(aws, *args), chime_tui(*args)
    assert ours.returncode == theirs.returncode == 0, ours.stderr
    assert ours.stdout == theirs.stdout
    page = json.loads(ours.stdout)["ProxySessions"]
    assert len(page) == 3
    assert not {s["ProxySessionId"] for s in page} & {
        s["ProxySessionId"] for s in json.loads(chime_tui(*first).stdout)["ProxySessions"]}


def test_the_two_ways_of_paging_do_not_mix(server):
    got = chime_tui("list-voice-connectors", "--max-results", "2", "--max-items", "3",
                    "--endpoint-url", server.url)
    assert got.returncode == EXIT_USAGE and got.stdout == ""
    assert "do not go together" in got.stderr
