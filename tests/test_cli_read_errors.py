"""The read commands' service errors as the AWS CLI prints them (walk 2, finding 3): a
session or connector that is not there, a 403, a 500 after retries. Before, a 404 was
always "not found: it ended or was deleted", even for a connector that never existed."""

from __future__ import annotations

import pytest

from chime_tui.emulator import SEED_CONNECTOR_ID as VC

from .test_cli import aws, chime_tui  # noqa: F401  (the session fixture)
from .test_cli_writes import their

MISSING_SESSION = "00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize("args, operation", [
    (["get-proxy-session", "--voice-connector-id", VC, "--proxy-session-id", MISSING_SESSION],
     "GetProxySession"),
    (["list-proxy-sessions", "--voice-connector-id", "nosuchvc1234567890abcd"],
     "ListProxySessions"),
])
def test_a_404_is_the_services_own_words(server, aws, args, operation):  # noqa: F811
    args = [*args, "--endpoint-url", server.url]
    theirs, ours = their(aws, *args), chime_tui(*args)
    assert ours.stderr == theirs.stderr == (
        f"\nAn error occurred (NotFoundException) when calling the {operation} operation: "
        "The requested resource couldn't be found.\n")
    assert ours.stdout == theirs.stdout == ""
    assert (theirs.returncode, ours.returncode) == (255, 254)  # AWS CLI v1; v2 says 254


@pytest.mark.parametrize("command", ["get-proxy-session", "list-proxy-sessions",
                                     "list-voice-connectors"])
def test_a_403_is_the_services_own_words(server, state, aws, command):  # noqa: F811
    args = [command, "--endpoint-url", server.url]
    if command != "list-voice-connectors":
        args += ["--voice-connector-id", VC]
    if command == "get-proxy-session":
        args += ["--proxy-session-id", MISSING_SESSION]
    state.faults.status, state.faults.status_count = 403, -1
    theirs, ours = their(aws, *args), chime_tui(*args)
    assert theirs.stderr.startswith("\nAn error occurred (ForbiddenException) when calling")
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert (theirs.returncode, ours.returncode) == (255, 254)


@pytest.mark.parametrize("status, code", [(500, "ServiceFailureException"),
                                          (503, "ServiceUnavailableException")])
def test_a_server_error_says_what_the_service_said(server, state, aws, status, code,  # noqa: F811
                                                   monkeypatch):
    """After its retries, the service's code, operation and words, as the AWS CLI prints
    them. (The AWS CLI retries 4 times by default, with backoff: given as many attempts
    as ours, 2, it says the same line, byte for byte.)"""
    args = ["get-proxy-session", "--endpoint-url", server.url, "--voice-connector-id", VC,
            "--proxy-session-id", MISSING_SESSION]
    state.faults.status, state.faults.status_count = status, -1
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    theirs, ours = their(aws, *args), chime_tui(*args)
    assert theirs.stderr == (f"\nAn error occurred ({code}) when calling the GetProxySession "
                             "operation (reached max retries: 1): "
                             f"{theirs.stderr.split('): ', 1)[1]}")
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert (theirs.returncode, ours.returncode) == (255, 254)
