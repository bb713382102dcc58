"""End to end: the installed `chime-tui --demo` in a real terminal under tmux."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
if TMUX is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI needs tmux for the end-to-end test (.ci/run installs it)")
    pytest.skip("tmux is not installed (apt-get install tmux)", allow_module_level=True)

EXE = Path(sys.executable).parent / "chime-tui"


def tmux(*args: str) -> str:
    return subprocess.run([TMUX, *args], capture_output=True, text=True, check=True).stdout


def wait_screen(session: str, needle: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", session)
        if needle in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} never appeared; the screen was:\n{screen}")


def test_demo_in_a_real_terminal_picker_list_detail():
    assert EXE.exists(), "the project is installed (pip install -e .) so chime-tui is on PATH"
    session = f"chime-e2e-{uuid.uuid4().hex[:8]}"
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "36",
         f"{EXE} --demo --refresh 1")
    try:
        screen = wait_screen(session, "Voice connectors 4 of 4")
        assert "seed example" in screen and "abcdef1ghij2klmno3pqr4" in screen
        tmux("send-keys", "-t", session, "Enter")
        wait_screen(session, "Sessions 1 · Open 1")
        tmux("send-keys", "-t", session, "Enter")
        screen = wait_screen(session, "+19135550199")
        assert "Open" in screen and "Voice" in screen and "expired" in screen
        tmux("send-keys", "-t", session, "x")
        wait_screen(session, "+1*******99")
        tmux("send-keys", "-t", session, "q")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if subprocess.run([TMUX, "has-session", "-t", session],
                              capture_output=True).returncode != 0:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("chime-tui did not quit on q")
    finally:
        subprocess.run([TMUX, "kill-session", "-t", session], capture_output=True)


def test_a_fault_on_screen_and_its_recovery_in_a_real_terminal(tmp_path):
    """The installed chime-tui against `chime-tui emulator`, faults injected over HTTP."""
    import json
    import os
    import urllib.request

    emulator = subprocess.Popen([str(EXE), "emulator", "--seed", "7"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
    session = f"chime-e2e-{uuid.uuid4().hex[:8]}"

    def faults(body: dict) -> None:
        req = urllib.request.Request(f"{url}/_emulator/faults", method="POST",
                                     data=json.dumps(body).encode())
        urllib.request.urlopen(req).read()

    try:
        url = emulator.stdout.readline().strip()
        env = " ".join(f"{k}={v}" for k, v in {
            "AWS_ACCESS_KEY_ID": "AKIDE2E", "AWS_SECRET_ACCESS_KEY": "e2e-secret",
            "AWS_DEFAULT_REGION": "us-east-1", "HOME": str(tmp_path),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_DATA_HOME": str(tmp_path / "data"),
            "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
            "PATH": os.environ.get("PATH", "")}.items())
        tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "36",
             f"env -i {env} {EXE} --endpoint-url {url} --refresh 1")
        wait_screen(session, "Voice connectors 4 of 4")
        tmux("send-keys", "-t", session, "Enter")
        wait_screen(session, "Sessions 1 · Open 1")
        tmux("send-keys", "-t", session, "Enter")
        wait_screen(session, "+19135550199")
        faults({"throttle": -1})
        screen = wait_screen(session, "throttled by the service")
        assert "next try in" in screen and "+19135550199" in screen  # the data stays
        faults({"clear": True})
        deadline = time.monotonic() + 20
        while "throttled" in tmux("capture-pane", "-p", "-t", session):
            assert time.monotonic() < deadline, "no recovery after the fault cleared"
            time.sleep(0.3)
        screen = wait_screen(session, "updated")
        assert "Open" in screen and "+19135550199" in screen
        tmux("send-keys", "-t", session, "q")
    finally:
        subprocess.run([TMUX, "kill-session", "-t", session], capture_output=True)
        emulator.terminate()
        emulator.wait(10)
