"""Files that may hold phone numbers are created 0600, whatever the umask; an unwritable
events file or debug log is reported at start (exit 252), and a debug log that fills up
never prints logging tracebacks."""

from __future__ import annotations

import logging
import os
import stat
from datetime import UTC, datetime

import pytest

from chime_tui.cli.debug import PrivateFileHandler, debug_log_problem, enable_debug_file
from chime_tui.files import check_writable, log_file_problem, open_private, write_private
from chime_tui.monitor import Change
from chime_tui.pins import PinStore
from chime_tui.tracking import EventsWriter

from .test_cli import chime_tui

VC, SID = "abcdef1ghij2klmno3pqr4", "123a4bc5-67d8-901e-2f3g-h4ghjk56789l"


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_open_private_creates_0600_and_leaves_an_existing_file_alone(tmp_path, umask_022):
    with open_private(tmp_path / "a.txt", "w") as fh:
        fh.write("+12065550100\n")
    assert mode(tmp_path / "a.txt") == 0o600
    with open_private(tmp_path / "b.bin", "ab") as fh:
        fh.write(b"x")
    assert mode(tmp_path / "b.bin") == 0o600
    write_private(tmp_path / "export.json", "{}")  # what the app's export calls
    assert mode(tmp_path / "export.json") == 0o600
    (tmp_path / "mine.txt").write_text("")
    os.chmod(tmp_path / "mine.txt", 0o640)  # the owner's choice is kept
    with open_private(tmp_path / "mine.txt", "a") as fh:
        fh.write("x")
    assert mode(tmp_path / "mine.txt") == 0o640
    with pytest.raises(ValueError):
        open_private(tmp_path / "r.txt", "r")


def test_events_file_is_created_0600(tmp_path, umask_022):
    path = tmp_path / "events.jsonl"
    writer = EventsWriter(path)
    assert writer.check() is None and not path.exists()  # the check leaves nothing behind
    writer(Change(datetime(2026, 1, 1, tzinfo=UTC), VC, SID, "Status", "Open",
                  "InProgress"))
    assert writer.error is None and mode(path) == 0o600
    assert '"InProgress"' in path.read_text()


def test_debug_log_and_pins_are_created_0600(tmp_path, umask_022):
    log = tmp_path / "debug.log"
    enable_debug_file(str(log))
    handler = logging.getLogger().handlers[-1]
    try:
        logging.getLogger("chime_tui").debug("a line")
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    assert mode(log) == 0o600 and "a line" in log.read_text()
    pins = PinStore(tmp_path / "data" / "pins.json").load()
    pins.add((VC, SID))
    assert mode(tmp_path / "data" / "pins.json") == 0o600
    assert mode(tmp_path / "data" / "pins.json.lock") == 0o600


def test_check_writable_names_the_reason(tmp_path):
    assert check_writable(tmp_path) == "it is a directory"
    assert "No such file" in check_writable(tmp_path / "missing" / "events.jsonl")
    assert check_writable(tmp_path / "ok.jsonl") is None


@pytest.mark.parametrize("make_bad", [
    lambda p: p,                       # a directory
    lambda p: p / "no" / "such" / "x",  # a missing directory
])
def test_an_unwritable_events_file_is_reported_at_start(tmp_path, make_bad):
    bad = make_bad(tmp_path)
    result = chime_tui("--events-file", str(bad), "--endpoint-url", "http://127.0.0.1:9")
    assert result.returncode == 252, result.stderr
    assert f"cannot write the events file {bad}" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_log_on_a_full_device_is_refused_at_start():
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    result = chime_tui("--debug-log", "/dev/full", "--endpoint-url", "http://127.0.0.1:9")
    assert result.returncode == 252
    assert "cannot write the debug log /dev/full: No space left on device" in result.stderr
    assert "Logging error" not in result.stderr and "Traceback" not in result.stderr


def test_a_debug_log_that_fails_later_stops_quietly_and_says_why(tmp_path, capfd):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    enable_debug_file(str(tmp_path / "debug.log"))
    handler = logging.getLogger().handlers[-1]
    assert isinstance(handler, PrivateFileHandler)
    try:
        handler.stream.close()
        handler.stream = open("/dev/full", "w", encoding="utf-8")  # the disk fills up
        for _ in range(3):
            logging.getLogger("chime_tui").debug("x" * 10000)
        problem = debug_log_problem()
        assert log_file_problem() == problem  # what the TUI can import (core, not cli)
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    err = capfd.readouterr().err
    assert "Logging error" not in err and "Traceback" not in err
    assert problem is not None and "No space left on device" in problem
