"""`chime-tui get-voice-connector-proxy` against the real AWS CLI: byte for byte."""

from __future__ import annotations

import json

import pytest

from chime_tui.emulator import SEED_CONNECTOR_ID

from .awscli import run_aws
from .test_cli import aws, chime_tui  # noqa: F401  (the session fixture)


def their(aws, *args):  # noqa: F811
    return run_aws(aws, "chime-sdk-voice", *args, text=True, timeout=60)


@pytest.mark.parametrize("output", ["json", "text", "table"])
@pytest.mark.parametrize("query", [None, "Proxy.PhoneNumberCountries",
                                   "Proxy.[Disabled,FallBackPhoneNumber]"])
def test_byte_for_byte_with_the_aws_cli(server, state, aws, output, query):  # noqa: F811
    _, support, disabled, _ = list(state.connectors)
    for vc in (support, disabled):  # one with every field and proxying on, one off
        args = ["get-voice-connector-proxy", "--endpoint-url", server.url,
                "--voice-connector-id", vc, "--output", output]
        if query:
            args += ["--query", query]
        theirs, ours = their(aws, *args), chime_tui(*args)
        assert theirs.returncode == 0, theirs.stderr
        assert (ours.returncode, ours.stdout) == (0, theirs.stdout), vc


def test_the_seed_connector_prints_what_the_aws_cli_prints(server, aws):  # noqa: F811
    args = ["get-voice-connector-proxy", "--endpoint-url", server.url,
            "--voice-connector-id", SEED_CONNECTOR_ID]
    theirs, ours = their(aws, *args), chime_tui(*args)
    assert ours.stdout == theirs.stdout
    assert json.loads(ours.stdout) == {"Proxy": {"DefaultSessionExpiryMinutes": 60,
                                                 "Disabled": False,
                                                 "PhoneNumberCountries": ["US"]}}


def test_not_configured_is_not_found_as_the_aws_cli_says_it(server, state, aws):  # noqa: F811
    unconfigured = list(state.connectors)[3]
    args = ["get-voice-connector-proxy", "--endpoint-url", server.url,
            "--voice-connector-id", unconfigured]
    theirs, ours = their(aws, *args), chime_tui(*args)
    assert theirs.stderr == ours.stderr == (
        "\nAn error occurred (NotFoundException) when calling the GetVoiceConnectorProxy "
        "operation: The requested resource couldn't be found.\n")
    assert ours.stdout == theirs.stdout == ""
    # AWS CLI v1 exits 255 on any service error; v2 (and these commands) 254.
    assert (theirs.returncode, ours.returncode) == (255, 254)


@pytest.mark.parametrize("output", ["json", "text", "yaml", "human", "table"])
def test_redact_masks_the_fallback_number(server, state, output):
    support = list(state.connectors)[1]
    number = state.connectors[support].proxy["FallBackPhoneNumber"]
    result = chime_tui("get-voice-connector-proxy", "--endpoint-url", server.url,
                       "--voice-connector-id", support, "--redact", "--output", output)
    assert result.returncode == 0, result.stderr
    assert number not in result.stdout and number[1:] not in result.stdout
    assert f"+1*******{number[-2:]}" in result.stdout


def test_human_says_on_off(server, state):
    _, support, disabled, _ = list(state.connectors)
    on = chime_tui("get-voice-connector-proxy", "--endpoint-url", server.url,
                   "--voice-connector-id", support, "--output", "human").stdout
    off = chime_tui("get-voice-connector-proxy", "--endpoint-url", server.url,
                    "--voice-connector-id", disabled, "--output", "human").stdout
    assert on.startswith("proxying        on\n") and "default expiry  60 minutes" in on
    assert off.startswith("proxying        off (Disabled")


def test_cli_input_json_skeletons_and_bad_input(server, state, tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"VoiceConnectorId": SEED_CONNECTOR_ID}))
    from_file = chime_tui("get-voice-connector-proxy", "--endpoint-url", server.url,
                          "--cli-input-json", f"file://{path}")
    assert from_file.returncode == 0 and json.loads(from_file.stdout)["Proxy"]["Disabled"] is False
    skeleton = chime_tui("get-voice-connector-proxy", "--generate-cli-skeleton")
    assert json.loads(skeleton.stdout) == {"VoiceConnectorId": ""}
    sample = json.loads(chime_tui("get-voice-connector-proxy", "--generate-cli-skeleton",
                                  "output").stdout)
    assert set(sample["Proxy"]) == {"DefaultSessionExpiryMinutes", "Disabled",
                                    "FallBackPhoneNumber", "PhoneNumberCountries"}
    requests = len(state.requests)
    for args, words in (([], 'Missing required parameter in input: "VoiceConnectorId"'),
                        (["--voice-connector-id", "NOT VALID"], "VoiceConnectorId"),
                        (["--cli-input-json", json.dumps({"VoiceConnectorId": SEED_CONNECTOR_ID,
                                                          "X": 1})],
                         'Unknown parameter in input: "X"'),
                        (["--voice-connector-id", SEED_CONNECTOR_ID, "--query", "[[["],
                         "Bad value for --query")):
        bad = chime_tui("get-voice-connector-proxy", "--endpoint-url", server.url, *args)
        assert bad.returncode == 252 and words in bad.stderr, bad.stderr
    assert len(state.requests) == requests  # nothing was sent


def test_exit_codes_for_service_and_network_failures(server, state):
    state.faults.status, state.faults.status_count = 403, -1
    denied = chime_tui("get-voice-connector-proxy", "--endpoint-url", server.url,
                       "--voice-connector-id", SEED_CONNECTOR_ID)
    assert denied.returncode == 254 and "(ForbiddenException)" in denied.stderr
    refused = chime_tui("get-voice-connector-proxy", "--endpoint-url", "http://127.0.0.1:1",
                        "--voice-connector-id", SEED_CONNECTOR_ID, "--cli-connect-timeout", "1")
    assert refused.returncode == 255 and "unreachable" in refused.stderr


def test_the_other_global_options(server, state, aws, tmp_path):  # noqa: F811
    args = ["get-voice-connector-proxy", "--endpoint-url", server.url, "--voice-connector-id",
            SEED_CONNECTOR_ID, "--no-sign-request", "--no-paginate"]
    theirs, ours = their(aws, *args), chime_tui(*args)
    assert "(ForbiddenException)" in theirs.stderr  # the endpoint refuses unsigned requests
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert [r.authorization for r in state.requests] == [False, False]
    # --ca-bundle reaches botocore as the bundle to verify with
    import botocore.session
    from botocore.config import Config

    from chime_tui.aws import factory
    from chime_tui.aws.settings import AwsSettings

    kwargs, _ = factory.client_args(AwsSettings(ca_bundle=str(tmp_path / "ca.pem")),
                                    botocore.session.Session(), Config)
    assert kwargs["verify"] == str(tmp_path / "ca.pem")
    assert factory.client_args(AwsSettings(), botocore.session.Session(), Config)[0]["verify"] \
        is None


@pytest.mark.parametrize("kind", ["html", "types", "shape"])
def test_a_malformed_answer_prints_nothing_and_exits_255(server, state, kind):
    state.add_rule({"count": 1, "malformed": kind})
    result = chime_tui("get-voice-connector-proxy", "--endpoint-url", server.url,
                       "--voice-connector-id", SEED_CONNECTOR_ID)
    assert (result.returncode, result.stdout) == (255, "")
    assert "unexpected response from the service" in result.stderr
