"""Server data in the app is data: never markup, never escape sequences for the
terminal, never a crash. And a signal ends the app as q does."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC

import pytest

from chime_tui.tui.app import make_app
from chime_tui.tui.screens.board import BoardScreen
from chime_tui.tui.screens.detail import SessionDetailScreen
from chime_tui.tui.screens.picker import ConnectorPickerScreen
from chime_tui.tui.screens.sessions import SessionListScreen

from .conftest import app_settings, wait_for
from .vclock import VirtualClock

OSC52 = "x\u001b]52;c;ZWNobyBwd25lZA==\u001b\\y"
TITLE = "\u001b]0;TITLE\u0007"
CSI = "\u009b31m"
LINK = "[link=https://evil.example]click[/link]"


def hostile(state) -> tuple[str, str]:
    vcs = list(state.connectors)
    vc = vcs[1]
    sid = state.list_sessions(vc)[0]["ProxySessionId"]
    state.set_fields(vc, sid, {
        "Name": OSC52 + TITLE + CSI + LINK + "[/]",
        "Status": "[/]" + CSI,
        "Capabilities": ["Voice", "[/]", CSI],
        "NumberSelectionBehavior": "[/]" + TITLE,
        "GeoMatchLevel": "[bold]" + OSC52,
        "GeoMatchParams": {"Country": "[/]", "AreaCode": TITLE},
        "Participants": [{"PhoneNumber": "[/]\u001b]52;c;eA==\u0007",
                          "ProxyPhoneNumber": "+1[/]"}],
    })
    # a connector's name, and two connectors listed under one ID
    state.set_fields(vcs[2], None, {"Name": "[/]" + TITLE})
    state.set_fields(vcs[3], None, {"VoiceConnectorId": vcs[2]})
    return vc, sid


def screen_text(app) -> str:
    return app.export_screenshot()


def assert_literal(text: str) -> None:
    for raw in ("\u001b", "\u009b", "\u0007"):
        assert raw not in text, f"raw {raw!r} on screen"
    assert "evil.example" not in text or LINK.replace("[", "") not in text


async def test_hostile_fields_through_every_screen_never_crash_nor_reach_the_terminal(
        server, state, tmp_path):
    vc, sid = hostile(state)
    clock = VirtualClock()
    app = make_app(app_settings(server, refresh=0.5, alerts="notify"), **clock.app_kwargs())
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectorPickerScreen)
                       and app.screen.table.row_count == 4)
        picker = screen_text(app)
        assert_literal(picker)
        assert "[/]\\x1b]0;TITLE\\x07" in picker.replace("&#160;", " ")  # shown, visibly
        app.open_connector(vc)
        await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                       and app.screen.loaded)
        listing = screen_text(app)
        assert_literal(listing)
        assert "\\x1b]52;c;" in listing
        app.screen.table.move_cursor(sid)
        await pilot.press("m")  # pin it: the notification quotes the ID
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionDetailScreen)
                       and app.screen.session is not None)
        await pilot.pause(0.2)
        detail = screen_text(app).replace("&#160;", " ")
        assert_literal(detail)
        assert "\\x1b]52;c;ZWNobyBwd25lZA==\\x1b\\y" in detail
        assert "[link=https://evil" in detail  # the markup shown literally, no hyperlink
        # a status change raises an alert whose text quotes the hostile status
        await clock.idle(app)
        state.set_fields(vc, sid, {"Status": "[/]Closed" + TITLE})
        await clock.advance(0.5)  # the next poll
        await wait_for(pilot, lambda: any(a.kind == "status" for a in app.alerts_raised),
                       timeout=5)
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                       and app.screen.table.row_count == 1)
        await pilot.pause(0.2)
        assert_literal(screen_text(app))
        for note in app.notices:
            assert_literal(str(note.message))
        assert app.is_running


def app_in_pty(server) -> tuple[subprocess.Popen[bytes], int]:
    """The app at the seed session, in a new pseudo-terminal, in a new session: the pty is
    opened before, so it is not the app's controlling terminal (no SIGHUP from the
    kernel when it closes). The pty's other end is returned."""
    exe = shutil.which("chime-tui") or os.path.join(os.path.dirname(sys.executable),
                                                    "chime-tui")
    master, slave = pty.openpty()
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="100", LINES="30")
    proc = subprocess.Popen(
        [exe, "--endpoint-url", server.url, "--voice-connector-id", "abcdef1ghij2klmno3pqr4",
         "--proxy-session-id", "123a4bc5-67d8-901e-2f3g-h4ghjk56789l"],
        stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    return proc, master


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_signal_restores_the_terminal_and_ends_the_helper(signum, code, server, tmp_path):
    """In a real pseudo-terminal: the app draws, gets the signal, leaves the alternate
    screen with mouse tracking off, and exits 128+N; its start-up helper is gone."""
    proc, master = app_in_pty(server)
    os.set_blocking(master, False)
    out = b""

    def read_until(needle: bytes, timeout: float) -> None:
        nonlocal out
        end = time.monotonic() + timeout
        while needle not in out and time.monotonic() < end:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    out += os.read(master, 65536)
                except OSError:
                    return

    try:
        read_until(b"Participants", 20)  # the session is on screen
        assert b"\x1b[?1049h" in out  # the app is in the alternate screen
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True,
                                  text=True).stdout.split()
        mark = len(out)
        proc.send_signal(signum)
        # keep reading while it shuts down: a full pty would block its last writes
        end = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < end:
            read_until(b"\x00never", 0.1)
        rc = proc.wait(timeout=1)
        read_until(b"\x1b[?1049l", 2)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    tail = out[mark:]
    assert rc == code
    assert b"\x1b[?1049l" in tail  # left the alternate screen
    assert b"\x1b[?1000l" in tail or b"\x1b[?1003l" in tail  # mouse tracking off
    time.sleep(0.3)
    for child in children:  # the start-up helper ended with the app
        assert not os.path.exists(f"/proc/{child}") or \
            open(f"/proc/{child}/stat").read().split()[2] == "Z"


def test_a_terminal_that_goes_away_without_a_hangup_signal_ends_the_app(server):
    """Started without a controlling terminal (`setsid`, or a program that hands it a
    pseudo-terminal), the app gets no SIGHUP when its terminal's other end closes;
    Textual's input thread then finds input to read that is always empty, and spun a
    core. The app's tick sees the terminal hung up and ends as on SIGHUP (129), its
    start-up helper with it."""
    proc, master = app_in_pty(server)
    out = b""
    try:
        end = time.monotonic() + 20
        while b"Participants" not in out and time.monotonic() < end:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                out += os.read(master, 65536)
        assert b"Participants" in out
        os.close(master)  # the terminal goes away; no signal is sent
        master = -1
        rc = proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        if master >= 0:
            os.close(master)
    assert rc == 129


def test_a_crash_exits_non_zero_with_one_line_and_the_log_path(server, isolated_env):
    """Whatever goes wrong inside, the user gets a non-zero exit, one line naming the
    error and where its traceback is kept (0600), not a screenful of traceback."""
    code = (
        "import sys\n"
        "from chime_tui.tui.app import ChimeTuiApp\n"
        "def boom(self):\n"
        "    raise RuntimeError('[/] boom \\x1b]0;T\\x07')\n"
        "ChimeTuiApp.on_mount = boom\n"
        "from chime_tui.__main__ import main\n"
        f"sys.exit(main(['--endpoint-url', {server.url!r}]))\n"
    )
    env = dict(os.environ, TERM="xterm-256color")
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=slave, stdout=slave,
                            stderr=slave, env=env)
    os.close(slave)
    out = b""
    end = time.monotonic() + 30
    while time.monotonic() < end:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=5)
    os.close(master)
    # what is left on the terminal once the app has left its alternate screen
    assert b"\x1b]0;T" not in out  # the error's escape never reached the terminal
    after = out.rsplit(b"\x1b[?1049l", 1)[-1].decode()
    after = re.sub(r"\x1b\][^\x07]*\x07|\x1b\[[0-9;?<>=$]*[a-zA-Z~]|\x07", "", after)
    lines = [line for line in after.replace("\r", "").split("\n") if line.strip()]
    assert proc.returncode != 0
    assert len(lines) == 1, lines
    assert lines[0].startswith("chime-tui: the app stopped on an error: RuntimeError: [/] boom")
    assert "\\x1b]0;T" in lines[0]
    path = lines[0].rsplit("details in ", 1)[1]
    assert "Traceback" in open(path).read() or "RuntimeError" in open(path).read()
    assert os.stat(path).st_mode & 0o777 == 0o600


def test_the_events_file_escapes_what_json_leaves_raw(tmp_path):
    from datetime import datetime

    from chime_tui.monitor import Change
    from chime_tui.tracking import EventsWriter

    path = tmp_path / "events.jsonl"
    writer = EventsWriter(path)
    writer(Change(datetime(2026, 11, 28, tzinfo=UTC), "vc", "sid", "Status",
                  "Open", "In\u009b31mProgress \u202eRTL \u001b]0;T\u0007"))
    raw = path.read_bytes()
    for bad in (b"\xc2\x9b", b"\xe2\x80\xae", b"\x1b", b"\x07"):
        assert bad not in raw
    import json

    assert json.loads(raw)["new"] == "In\u009b31mProgress \u202eRTL \u001b]0;T\u0007"


async def test_the_alert_line_shows_a_hostile_status_visibly(server, state):
    """Walk 2, finding 11: the alert line above the footer wrote the alert's text raw, so
    a status with an OSC title sequence retitled the terminal. It shows it visibly."""
    from chime_tui.tui.widgets.fetch_status import AlertLine

    vc, sid = hostile(state)
    clock = VirtualClock()
    app = make_app(app_settings(server, refresh=0.5, voice_connector_id=vc,
                                proxy_session_id=sid), **clock.app_kwargs())
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionDetailScreen)
                       and app.screen.session is not None)
        await clock.idle(app)
        state.set_fields(vc, sid, {"Status": "[/]Closed" + TITLE})
        await clock.advance(0.5)  # the next poll
        line = app.screen.query_one(AlertLine)
        await wait_for(pilot, lambda: line.display and "Closed" in line.shown.plain)
        assert_literal(line.shown.plain)
        assert "\\x1b]0;TITLE\\x07" in line.shown.plain
        assert_literal(screen_text(app))


async def test_an_export_stays_in_the_directory_whatever_the_id_says(server, tmp_path,
                                                                      monkeypatch):
    """Walk 2, finding 19: the export's file name took the session ID as the service
    sent it, so an ID with separators could put the file elsewhere."""
    from chime_tui.models import ProxySession

    work = tmp_path / "here"
    work.mkdir()
    monkeypatch.chdir(work)
    (tmp_path / "evil").mkdir()
    session = ProxySession.from_api({"ProxySessionId": "../evil/x\u001b..", "Status": "Open"})
    app = make_app(app_settings(server, refresh=60))
    async with app.run_test(size=(120, 36)):
        app.export_session(session)
    made = list(work.iterdir())
    assert len(made) == 1 and made[0].name.startswith("proxy-session-___evil_x___-")
    assert not list((tmp_path / "evil").iterdir())


async def test_a_listed_session_whose_id_cannot_be_asked_for_is_not_pinned(
        server, state, tmp_path):
    """The service listed an ID that breaks its own model's pattern: the app could never
    fetch it, and the next start would refuse the pin. `m` says so and pins nothing."""
    vc = list(state.connectors)[1]
    sid = state.list_sessions(vc)[0]["ProxySessionId"]
    bad = "[bold]ID\u001b]2;PWN\u0007/../x"
    state.set_fields(vc, sid, {"ProxySessionId": bad})
    pins_file = tmp_path / "pins.json"
    app = make_app(app_settings(server, refresh=60, voice_connector_id=vc,
                                pins_file=pins_file))
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                       and app.screen.loaded)
        table = app.screen.table
        assert table.move_cursor(bad)
        await pilot.press("m")
        await pilot.pause()
        assert app.pins.pins == [] and not pins_file.exists()
        notes = [n.message for n in app.notices]
        assert any(m.startswith("Cannot pin ") and "control characters" in m for m in notes)
        # An ordinary row is pinned as before.
        other = next(k for k in table.ordered_keys if k != bad)
        assert table.move_cursor(other)
        await pilot.press("m")
        await pilot.pause()
        assert app.pins.pins == [(vc, other)]
