"""Bad input is said as bad input (exit 252) before anything is sent: numbers, regions,
endpoint URLs, credentials to a plain-HTTP endpoint on another host, mistyped options."""

from __future__ import annotations

import json
import socket

import pytest

from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID
from chime_tui.validate import check_endpoint_url, insecure_endpoint_problem, is_loopback_host

from .test_cli import chime_tui
from .test_settings_validation import write_config

IDS = ["--voice-connector-id", SEED_CONNECTOR_ID, "--proxy-session-id", SEED_SESSION_ID]
COMMANDS = [["get-proxy-session", *IDS],
            ["list-proxy-sessions", "--voice-connector-id", SEED_CONNECTOR_ID],
            ["list-voice-connectors"],
            ["get-proxy-session", *IDS, "--watch", "1"]]
REMOTE = "http://192.0.2.10:4566"  # TEST-NET-1: never answers; must never be tried


def refused(result) -> bool:
    return (result.returncode == 252 and "plain HTTP" in result.stderr
            and "--allow-insecure-endpoint" in result.stderr
            and "Traceback" not in result.stderr)


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("localhost", True),
    ("LOCALHOST.", True), ("api.localhost", True), ("::ffff:127.0.0.1", True),
    ("10.0.0.1", False), ("example.com", False), ("127.0.0.1.example.com", False),
    ("0.0.0.0", False), ("", False), (None, False),
])
def test_loopback_is_recognised_without_resolving_names(host, loopback):
    assert is_loopback_host(host) is loopback


def test_only_plain_http_to_another_host_is_a_risk():
    assert insecure_endpoint_problem("http://127.0.0.1:4566") is None
    assert insecure_endpoint_problem("http://[::1]:4566/") is None
    assert insecure_endpoint_problem("https://chime.example.com") is None
    problem = insecure_endpoint_problem("http://chime.example.com", "AWS_ENDPOINT_URL")
    assert "(from AWS_ENDPOINT_URL)" in problem and "session token" in problem


@pytest.mark.parametrize("command", COMMANDS + [[]], ids=lambda c: c[0] if c else "tui")
def test_every_command_and_the_app_refuse_a_plain_http_remote_endpoint(command):
    assert refused(chime_tui(*command, "--endpoint-url", REMOTE))


@pytest.mark.parametrize("var", ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_CHIME_SDK_VOICE"])
@pytest.mark.parametrize("command", [COMMANDS[0], []], ids=["cli", "tui"])
def test_the_environment_endpoint_is_checked_too(monkeypatch, var, command):
    monkeypatch.setenv(var, REMOTE)
    result = chime_tui(*command)
    assert refused(result) and f"(from {var})" in result.stderr


@pytest.mark.parametrize("command", [COMMANDS[1], ["--voice-connector-id", SEED_CONNECTOR_ID]],
                         ids=["cli", "tui"])
def test_the_settings_file_endpoint_is_checked_too(isolated_env, command):
    write_config(f'endpoint_url = "{REMOTE}"\n')
    # The app's start-up helper is started before the file is read: a real process.
    result = chime_tui(*command, fresh=command[0].startswith("--"))
    assert refused(result) and "settings file" in result.stderr


def _name_for_loopback() -> str | None:
    """A host name (not a loopback literal) that resolves to this machine's loopback."""
    name = socket.gethostname()
    try:
        address = socket.gethostbyname(name)
    except OSError:
        return None
    return name if address.startswith("127.") and not is_loopback_host(name) else None


def test_nothing_is_sent_unless_allowed_and_then_it_works(server, state):
    name = _name_for_loopback()
    if name is None:
        pytest.skip("this machine's name does not resolve to loopback")
    url = f"http://{name}:{server.url.rsplit(':', 1)[1]}"
    assert refused(chime_tui(*COMMANDS[0], "--endpoint-url", url))
    assert state.requests == []  # refused before anything was sent
    allowed = chime_tui(*COMMANDS[0], "--endpoint-url", url, "--allow-insecure-endpoint")
    assert allowed.returncode == 0, allowed.stderr
    assert json.loads(allowed.stdout)["ProxySession"]["ProxySessionId"] == SEED_SESSION_ID


def test_loopback_and_the_demo_need_no_flag(server):
    result = chime_tui(*COMMANDS[0], "--endpoint-url", server.url.replace("127.0.0.1",
                                                                           "localhost"))
    assert result.returncode == 0, result.stderr


def test_the_helper_refuses_what_the_app_refuses():
    from chime_tui.prefetch import main

    flags = {"profile": None, "region": None, "endpoint_url": REMOTE,
             "cli_connect_timeout": 1.0, "cli_read_timeout": 1.0, "no_verify_ssl": False,
             "allow_insecure_endpoint": False}
    spec = {"vc": SEED_CONNECTOR_ID, "sid": SEED_SESSION_ID, "flags": flags}
    assert main([json.dumps(spec)]) == 1  # at once: no connection to 192.0.2.10 attempted


@pytest.mark.parametrize("args, needle", [
    (["--region", "us east 1"], "Provided region_name 'us east 1' doesn't match a supported"),
    (["--endpoint-url", "not a url"], 'Bad value for --endpoint-url "not a url": scheme is '
                                      "missing.  Must be of the form http://<hostname>/"),
    (["--endpoint-url", "ftp://127.0.0.1/"], "scheme must be http or https"),
    (["--endpoint-url", "http://"], "Invalid endpoint: http://"),
    (["--endpoint-url", "http://127.0.0.1:99999"], "Invalid endpoint"),
])
@pytest.mark.parametrize("command", [COMMANDS[0], []], ids=["cli", "tui"])
def test_bad_regions_and_urls_are_bad_input_not_a_service_error(command, args, needle):
    result = chime_tui(*command, *args)
    assert result.returncode == 252, result.stderr
    assert needle in result.stderr
    assert "unexpected response" not in result.stderr and "Traceback" not in result.stderr


def test_a_bad_region_in_the_environment_is_bad_input(monkeypatch):
    monkeypatch.setenv("AWS_REGION", "us east 1")
    result = chime_tui(*COMMANDS[0], "--endpoint-url", "http://127.0.0.1:9")
    assert result.returncode == 252 and "(from AWS_REGION)" in result.stderr


def test_good_urls_pass():
    for url in ("http://127.0.0.1:4566", "https://voice-chime.us-east-1.amazonaws.com",
                "http://[::1]:80/", "http://localhost"):
        assert check_endpoint_url(url) is None, url


@pytest.mark.parametrize("args, needle", [
    (["--alert-threshold", "1e308"], "--alert-threshold: must be a number of minutes"),
    (["--alert-threshold", "nan"], "--alert-threshold"),
    (["--alert-threshold", "inf"], "--alert-threshold"),
    (["--alert-threshold", "-1"], "--alert-threshold"),
    (["--refresh", "nan"], "--refresh: must be a number of seconds between 0.5 and 3600"),
    (["--refresh", "0.4"], "--refresh"),
    (["--refresh", "3601"], "--refresh"),
    (["--cli-read-timeout", "-1"], "Attempted to set read timeout to -1, but the timeout "
                                   "cannot be set to a value less than or equal to 0."),
    (["--cli-read-timeout", "0"], "read timeout"),
    (["--cli-read-timeout", "nan"], "read timeout"),
    (["--cli-connect-timeout", "inf"], "connect timeout"),
    (["--cli-connect-timeout", "abc"], "--cli-connect-timeout"),
    ([*COMMANDS[0], "--watch", "nan"], "--watch: must be a number of seconds"),
    ([*COMMANDS[0], "--watch", "inf"], "--watch"),
    ([*COMMANDS[0], "--cli-read-timeout", "-1"], "read timeout"),
    (["emulator", "--port", "70000"], "--port"),
    (["emulator", "--latency", "nan"], "--latency"),
])
def test_numbers_are_checked_with_exit_252(args, needle):
    result = chime_tui(*args)
    assert result.returncode == 252, result.stderr
    assert needle in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("args, unknown, near", [
    (["--refersh", "3"], "--refersh", "--refresh"),
    (["--redcat"], "--redcat", "--redact"),
    (["get-proxy-session", "--whatch", "3"], "--whatch", "--watch"),
    (["list-proxy-sessions", "--stauts", "Open"], "--stauts", "--status"),
])
def test_a_mistyped_option_is_named_with_the_closest_match(args, unknown, near):
    result = chime_tui(*args)
    assert result.returncode == 252
    assert f"unknown option {unknown} (did you mean {near}?)" in result.stderr
    assert "invalid choice" not in result.stderr


def test_an_unlike_option_is_still_named_as_unknown():
    result = chime_tui("--zzzzzz", "3")
    assert result.returncode == 252 and "unknown option --zzzzzz" in result.stderr
    assert "did you mean" not in result.stderr


def write_aws_profile(isolated_env, text: str) -> None:
    (isolated_env / "aws-config").write_text(text)


@pytest.mark.parametrize("command", [COMMANDS[0], ["--voice-connector-id", SEED_CONNECTOR_ID]],
                         ids=["cli", "tui"])
def test_the_aws_profile_region_and_endpoint_are_checked_too(isolated_env, monkeypatch,
                                                             command):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    write_aws_profile(isolated_env, "[profile oncall]\nregion = us east 1\n")
    result = chime_tui(*command, "--profile", "oncall")
    assert result.returncode == 252 and "(from region of the AWS profile)" in result.stderr
    write_aws_profile(isolated_env, f"[default]\nendpoint_url = {REMOTE}\n")
    assert refused(chime_tui(*command))


def test_which_endpoint_is_checked_follows_botocore(isolated_env, monkeypatch):
    from argparse import Namespace

    from chime_tui.__main__ import aws_problem
    from chime_tui.config import Config

    args = Namespace(region=None, endpoint_url=None, profile=None, demo=False,
                     allow_insecure_endpoint=False)
    write_aws_profile(isolated_env, f"[default]\nendpoint_url = {REMOTE}\n")
    assert "endpoint_url of the AWS profile" in aws_problem(args, Config())
    # the settings file's endpoint is passed to botocore explicitly: it wins
    assert aws_problem(args, Config(endpoint_url="https://x.example.com")) is None
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    assert aws_problem(args, Config()) is None  # botocore ignores the profile's then
    args.demo = True
    monkeypatch.setenv("AWS_REGION", "us_east_1")  # not a region: refused even in the demo
    assert "AWS_REGION" in aws_problem(args, Config())


def test_the_apps_profile_switch_can_check_its_new_settings(isolated_env, monkeypatch):
    """ctrl+a builds new settings from a profile: the same checks apply to them."""
    from chime_tui.validate import aws_settings_problem

    monkeypatch.delenv("AWS_DEFAULT_REGION")
    write_aws_profile(isolated_env, f"[profile lab]\nendpoint_url = {REMOTE}\n"
                                    "[profile typo]\nregion = us east 1\n[profile ok]\n"
                                    "region = eu-west-1\n")
    assert "endpoint_url of the AWS profile" in aws_settings_problem("lab", None, None)
    assert aws_settings_problem("lab", None, None, allow_insecure_endpoint=True) is None
    assert "region of the AWS profile" in aws_settings_problem("typo", None, None)
    assert aws_settings_problem("typo", "us-west-2", None) is None  # the chosen region wins
    assert aws_settings_problem("ok", None, None) is None
    assert "Provided region_name 'a b'" in aws_settings_problem("ok", "a b", None)
    assert aws_settings_problem("ok", None, "http://127.0.0.1:4566") is None
