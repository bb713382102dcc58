"""One-shot commands on botocore's synchronous client (issue 14, "Decisions"): the same
bytes as before (tests/test_cli_parity.py), without asyncio, aiohttp or aiobotocore."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from chime_tui.aws.errors import BadResponse, NotFound
from chime_tui.aws.sync_client import SyncChimeVoiceClient
from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID

from .conftest import SEED_EXAMPLE, aws_for


def test_the_new_core_modules_import_without_textual_or_botocore():
    code = (
        "import sys\n"
        "import chime_tui.aws.factory, chime_tui.aws.validate, chime_tui.aws.sync_client\n"
        "import chime_tui.textsafe\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('textual', 'botocore', "
        "'aiobotocore', 'aiohttp')))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("command", [
    ["get-proxy-session", "--voice-connector-id", SEED_CONNECTOR_ID, "--proxy-session-id",
     SEED_SESSION_ID],
    ["list-proxy-sessions", "--voice-connector-id", SEED_CONNECTOR_ID],
    ["list-voice-connectors"],
])
def test_one_shot_commands_load_no_asyncio_aiohttp_or_aiobotocore(server, command):
    code = (
        "import sys, io, contextlib\n"
        "from chime_tui.__main__ import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    rc = main({command + ['--endpoint-url', server.url]!r})\n"
        "assert rc == 0, rc\n"
        "print(sorted(m for m in ('asyncio', 'aiohttp', 'aiobotocore', 'textual') "
        "if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_sync_client_reads_checks_and_classifies_as_the_async_one(server, state):
    with SyncChimeVoiceClient(aws_for(server)) as client:
        got = client.call("get_proxy_session", VoiceConnectorId=SEED_CONNECTOR_ID,
                          ProxySessionId=SEED_SESSION_ID)
        assert got == SEED_EXAMPLE  # timestamps as sent: no dateutil parsing
        with pytest.raises(NotFound):
            client.call("get_proxy_session", VoiceConnectorId=SEED_CONNECTOR_ID,
                        ProxySessionId="no-such-session")
        state.add_rule({"count": 1, "malformed": "html"})
        with pytest.raises(BadResponse):
            client.call("list_voice_connectors")
        assert json.dumps(client.call("list_voice_connectors"))
    assert client.request_count == 4 and len(state.requests) == 4


@pytest.mark.parametrize("sid", [SEED_SESSION_ID, None])
def test_the_start_up_helper_answers_on_the_sync_client(server, sid):
    """The helper (one session, or a connector's pages) loads neither asyncio's event
    loop machinery through aiobotocore nor aiohttp: it is on the other core to be quick."""
    spec = {"vc": SEED_CONNECTOR_ID, "sid": sid, "profile": None, "region": "us-east-1",
            "endpoint_url": server.url, "connect_timeout": 3, "read_timeout": 10,
            "verify_ssl": True}
    code = (
        "import sys, io, json, contextlib\n"
        "from chime_tui import prefetch\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    rc = prefetch.main([{json.dumps(json.dumps(spec))}])\n"
        "bad = sorted(m for m in ('aiobotocore', 'aiohttp') if m in sys.modules)\n"
        "print(json.dumps({'rc': rc, 'bad': bad, 'out': out.getvalue()}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["rc"] == 0 and report["bad"] == []
    if sid:
        assert json.loads(report["out"])["ProxySession"]["ProxySessionId"] == sid
    else:
        lines = [json.loads(line) for line in report["out"].splitlines()]
        assert lines[0][0]["ProxySessionId"] == SEED_SESSION_ID and len(lines) == 2
