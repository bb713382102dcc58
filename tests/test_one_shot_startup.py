"""What a one-shot command does before its request (issue 14, one-shot wall time): it
imports botocore and little else of ours, and no garbage collection runs while botocore
loads. Mechanisms only: the timings are in benchmarks/."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID


def run_python(code: str) -> dict:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def get_args(url: str) -> list[str]:
    return ["get-proxy-session", "--endpoint-url", url, "--voice-connector-id",
            SEED_CONNECTOR_ID, "--proxy-session-id", SEED_SESSION_ID]


# Collections seen while botocore loads and the client is made (botocore imported, the
# client not open yet).
WATCH_GC = (
    "import gc, io, json, sys, contextlib\n"
    "from chime_tui.aws import sync_client\n"
    "seen = []\n"
    "opened = []\n"
    "def watch(phase, info):\n"
    "    if phase == 'start':\n"
    "        seen.append('botocore' in sys.modules and not opened)\n"
    "gc.callbacks.append(watch)\n"
    "real_open = sync_client.SyncChimeVoiceClient.open\n"
    "def open_(self):\n"
    "    real_open(self)\n"
    "    opened.append(True)\n"
    "sync_client.SyncChimeVoiceClient.open = open_\n"
    "from chime_tui.__main__ import main\n"
)


def test_no_collection_runs_while_botocore_loads_and_what_loaded_is_frozen(server):
    code = WATCH_GC + (
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    rc = main({get_args(server.url)!r}, short_lived=True)\n"
        "print(json.dumps({'rc': rc, 'while_loading': seen.count(True), 'opened': bool(opened),\n"
        "                  'enabled': gc.isenabled(), 'frozen': gc.get_freeze_count()}))\n"
    )
    report = run_python(code)
    assert report["rc"] == 0 and report["opened"]
    assert report["while_loading"] == 0
    assert report["enabled"] and report["frozen"] > 10_000


def test_main_called_from_other_code_leaves_collection_alone(server):
    code = WATCH_GC + (
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    rc = main({get_args(server.url)!r})\n"
        "print(json.dumps({'rc': rc, 'while_loading': seen.count(True),\n"
        "                  'enabled': gc.isenabled(), 'frozen': gc.get_freeze_count()}))\n"
    )
    report = run_python(code)
    assert report["rc"] == 0 and report["while_loading"] > 0
    assert report["enabled"] and report["frozen"] == 0


@pytest.mark.parametrize("argv", [["config", "path"]])
def test_a_command_that_is_not_one_shot_keeps_collection_on(argv):
    code = (
        "import gc, io, json, contextlib\n"
        "from chime_tui.__main__ import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    rc = main({argv!r}, short_lived=True)\n"
        "print(json.dumps({'rc': rc, 'enabled': gc.isenabled(),\n"
        "                  'frozen': gc.get_freeze_count()}))\n"
    )
    assert run_python(code) == {"rc": 0, "enabled": True, "frozen": 0}


def test_the_start_up_helper_pauses_collection_too(server):
    spec = {"vc": SEED_CONNECTOR_ID, "sid": SEED_SESSION_ID, "profile": None,
            "region": "us-east-1", "endpoint_url": server.url, "connect_timeout": 3,
            "read_timeout": 10, "verify_ssl": True}
    code = WATCH_GC + (
        "import runpy\n"
        f"sys.argv = ['chime_tui.prefetch', {json.dumps(spec)!r}]\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        "        runpy.run_module('chime_tui.prefetch', run_name='__main__')\n"
        "    except SystemExit as exc:\n"
        "        rc = exc.code\n"
        "print(json.dumps({'rc': rc, 'while_loading': seen.count(True),\n"
        "                  'sid': json.loads(out.getvalue())['ProxySession']['ProxySessionId'],\n"
        "                  'frozen': gc.get_freeze_count() > 0}))\n"
    )
    assert run_python(code) == {"rc": 0, "while_loading": 0, "sid": SEED_SESSION_ID,
                                "frozen": True}


@pytest.mark.parametrize("command", [
    ["get-proxy-session", "--voice-connector-id", SEED_CONNECTOR_ID, "--proxy-session-id",
     SEED_SESSION_ID],
    ["list-proxy-sessions", "--voice-connector-id", SEED_CONNECTOR_ID],
    ["list-voice-connectors"],
])
def test_the_json_path_imports_no_models_documents_or_ui(server, command):
    """Of ours, only what parses, checks and prints; of the rest, botocore's own imports
    (no Textual, asyncio, aiohttp, aiobotocore, humanize, tomllib without a settings
    file). The models' dataclasses cost a few ms to build: the JSON output needs none."""
    code = (
        "import sys, io, json, contextlib\n"
        "from chime_tui.__main__ import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    rc = main({command + ['--endpoint-url', server.url]!r})\n"
        "print(json.dumps({'rc': rc, 'loaded': sorted(sys.modules)}))\n"
    )
    report = run_python(code)
    assert report["rc"] == 0
    unwanted = ("textual", "rich", "asyncio", "aiohttp", "aiobotocore", "humanize", "tomllib",
                "chime_tui.models", "chime_tui.documents", "chime_tui.humanfmt",
                "chime_tui.tui", "chime_tui.monitor", "chime_tui.sources")
    assert [m for m in report["loaded"] if m.startswith(unwanted)] == []
