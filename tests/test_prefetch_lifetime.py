"""The start-up helper process never outlives the app: killed with it, ended on request."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from chime_tui.aws.settings import AwsSettings
from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID
from chime_tui.prefetch import Prefetch, terminate_helpers


@pytest.fixture
def silent_endpoint():
    """A loopback port that takes connections and never answers: the helper waits."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sock.settimeout(15)
        yield sock, f"http://127.0.0.1:{sock.getsockname()[1]}"


def alive(pid: int) -> bool:
    """Running (a zombie waiting for a reaper counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_gone(pid: int, timeout: float) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if not alive(pid):
            return time.monotonic() - start
        time.sleep(0.05)
    return None


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_the_helper_dies_with_the_app(silent_endpoint, how):
    sock, url = silent_endpoint
    code = (
        "import sys, time\n"
        "from chime_tui.aws.settings import AwsSettings\n"
        "from chime_tui.prefetch import Prefetch\n"
        f"p = Prefetch.start(AwsSettings(endpoint_url={url!r}, region='us-east-1'),\n"
        f"                   {SEED_CONNECTOR_ID!r}, {SEED_SESSION_ID!r})\n"
        "print(p.proc.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    app = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        helper = int(app.stdout.readline())
        conn, _ = sock.accept()  # the helper is mid-request, waiting for an answer
        assert alive(helper)
        app.send_signal(how)  # the app dies without a word to its helper
        app.wait(5)
        conn.close()
        assert wait_gone(helper, 2.0) is not None, "the helper outlived the app by 2 s"
    finally:
        app.kill()
        app.wait()


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")
def test_terminate_helpers_ends_them_at_once(silent_endpoint):
    sock, url = silent_endpoint
    prefetch = Prefetch.start(AwsSettings(endpoint_url=url, region="us-east-1"),
                              SEED_CONNECTOR_ID, SEED_SESSION_ID)
    pid = prefetch.proc.pid
    held = prefetch.proc  # as a screen holds it while waiting for its answer
    prefetch.proc = None
    try:
        sock.accept()[0].close()  # it is mid-request
        terminate_helpers()
        assert wait_gone(pid, 2.0) is not None
        assert held.wait(2) == -signal.SIGKILL
    finally:
        if held.poll() is None:
            held.kill()
            held.wait()


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")
def test_without_prctl_the_parent_watch_still_ends_the_helper():
    """Where PR_SET_PDEATHSIG does not exist (macOS), the helper's watch thread notices
    it was re-parented and exits."""
    child = (
        "import sys, time\n"
        "sys.platform = 'darwin'  # no prctl: only the watch thread is left\n"
        "from chime_tui.prefetch import _die_with_parent\n"
        "_die_with_parent(int(sys.argv[1]))\n"
        "time.sleep(60)\n"
    )
    parent = (
        "import os, subprocess, sys, time\n"
        f"p = subprocess.Popen([sys.executable, '-c', {child!r}, str(os.getpid())])\n"
        "print(p.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    app = subprocess.Popen([sys.executable, "-c", parent], stdout=subprocess.PIPE, text=True)
    try:
        helper = int(app.stdout.readline())
        time.sleep(0.5)  # the child is up, its watch running
        assert alive(helper)
        app.kill()
        app.wait(5)
        assert wait_gone(helper, 2.0) is not None
    finally:
        app.kill()
        app.wait()


def test_a_listing_helper_yields_the_cpu_to_the_screen_a_session_helper_does_not(
        silent_endpoint):
    """A listing's helper fetches pages while the dashboard draws them: where the two
    (and a local endpoint) want more cores than there are, the screen comes first. The
    helper for one session is the on-call path's answer: at the app's own priority."""
    from chime_tui.prefetch import LISTING_NICENESS

    sock, url = silent_endpoint
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    aws = AwsSettings(endpoint_url=url, region="us-east-1")
    for sid, niceness in ((None, min(19, ours + LISTING_NICENESS)), (SEED_SESSION_ID, ours)):
        prefetch = Prefetch.start(aws, SEED_CONNECTOR_ID, sid)
        try:
            conn, _ = sock.accept()  # mid-request: its start-up is behind it
            assert os.getpriority(os.PRIO_PROCESS, prefetch.proc.pid) == niceness, sid
            conn.close()
        finally:
            prefetch.cancel()
