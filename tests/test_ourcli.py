"""The fork server our command line runs through in tests (tests/ourcli.py) gives each
call what a fresh `python -m` process gets."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from . import ourcli
from .test_cli import aws  # noqa: F401  (the session fixture)


def both(*args: str, **kw):
    before = ourcli.fresh_runs
    forked = ourcli.run_module("tests.ourcli_probe", *args, **kw)
    assert ourcli.fresh_runs == before, "the zygote was not used"
    fresh = ourcli.run_module("tests.ourcli_probe", *args, fresh=True, **kw)
    return forked, fresh


@pytest.mark.parametrize("input", [None, "some input\n"])
def test_a_forked_call_sees_what_a_fresh_process_sees(tmp_path, monkeypatch, input):
    monkeypatch.setenv("CHIME_TUI_PROBE", "x\u00e9")  # a variable read at run time
    old = os.umask(0o077)
    try:
        forked, fresh = both("a", "--b", "c d", input=input, cwd=tmp_path)
    finally:
        os.umask(old)
    facts = json.loads(forked.stdout)
    assert facts == json.loads(fresh.stdout)
    assert forked.returncode == fresh.returncode == 0
    assert facts["argv"][1:] == ["a", "--b", "c d"] and facts["cwd"] == str(tmp_path)
    assert facts["umask"] == 0o077 and facts["env"]["CHIME_TUI_PROBE"] == "x\u00e9"
    assert facts["botocore_home"][0].startswith(os.environ["HOME"])  # this test's HOME
    assert forked.stderr != fresh.stderr  # a random state of its own


def test_exit_codes_and_a_variable_read_at_import_time(monkeypatch):
    monkeypatch.setenv("PROBE_EXIT", "3")
    forked, fresh = both()
    assert forked.returncode == fresh.returncode == 3
    monkeypatch.setenv("TZ", "Asia/Kolkata")  # read by the interpreter at start
    before = ourcli.fresh_runs
    ourcli.run_module("tests.ourcli_probe")
    assert ourcli.fresh_runs == before + 1


def test_the_aws_cli_forked_prints_what_it_prints_fresh(server, aws):  # noqa: F811
    """The reference client's fork server (tests/awscli.py) imports its handlers too."""
    from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID

    from . import awscli

    args = ["chime-sdk-voice", "get-proxy-session", "--endpoint-url", server.url,
            "--voice-connector-id", SEED_CONNECTOR_ID, "--proxy-session-id", SEED_SESSION_ID,
            "--output", "table"]
    forked = awscli.run_aws(aws, *args, text=True)
    assert awscli._zygote is not None and awscli._zygote.fits(dict(os.environ))
    fresh = subprocess.run([aws, *args], capture_output=True, text=True, timeout=60)
    assert (forked.returncode, forked.stdout, forked.stderr) == \
        (fresh.returncode, fresh.stdout, fresh.stderr)
    assert forked.returncode == 0 and SEED_SESSION_ID in forked.stdout
