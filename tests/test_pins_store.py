"""Pins shared by several running instances: merged on save under a lock, a corrupt file
kept aside, a directory in the way reported with nothing left behind."""

from __future__ import annotations

import json
import subprocess
import sys

from chime_tui.pins import PinStore

VC = "abcdef1ghij2klmno3pqr4"
VC2 = "zyxwvu9tsrq8ponml7kji6"


def sid(n: int) -> str:
    return f"00000000-0000-0000-0000-{n:012d}"


def on_disk(path) -> list[str]:
    return json.loads(path.read_text())["pins"]


def test_two_instances_pinning_keep_both_pins(tmp_path):
    path = tmp_path / "pins.json"
    a, b = PinStore(path).load(), PinStore(path).load()
    assert a.add((VC, sid(1)))
    assert b.add((VC2, sid(2)))  # b never saw a's pin: it must not write it away
    assert on_disk(path) == [f"{VC}/{sid(1)}", f"{VC2}/{sid(2)}"]
    assert b.pins == [(VC, sid(1)), (VC2, sid(2))]  # b now knows a's pin too
    assert PinStore(path).load().pins == b.pins
    assert a.warning is None and b.warning is None


def test_an_unpin_in_one_instance_is_not_undone_by_the_other(tmp_path):
    path = tmp_path / "pins.json"
    a = PinStore(path).load()
    a.add((VC, sid(1)))
    a.add((VC, sid(2)))
    b = PinStore(path).load()
    assert b.pins == [(VC, sid(1)), (VC, sid(2))]
    a.remove((VC, sid(1)))
    b.add((VC, sid(3)))  # b still had sid(1) in memory
    assert on_disk(path) == [f"{VC}/{sid(2)}", f"{VC}/{sid(3)}"]
    assert b.pins == [(VC, sid(2)), (VC, sid(3))]
    a.load()  # a re-reads: it sees b's pin
    assert a.pins == b.pins


def test_concurrent_saves_from_two_processes_lose_nothing(tmp_path):
    """Two processes, 15 pins each, saving at the same time: the lock makes every
    read-merge-write whole, so all 30 pins end up in the file."""
    path = tmp_path / "pins.json"
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from chime_tui.pins import PinStore\n"
        "store = PinStore(Path(sys.argv[1])).load()\n"
        "base = int(sys.argv[2])\n"
        "for n in range(base, base + 15):\n"
        "    store.add(('abcdef1ghij2klmno3pqr4', f'00000000-0000-0000-0000-{n:012d}'))\n"
        "    assert store.warning is None, store.warning\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path), str(base)],
                              stderr=subprocess.PIPE, text=True) for base in (0, 100)]
    for proc in procs:
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
    assert sorted(on_disk(path)) == sorted(f"{VC}/{sid(n)}" for n in
                                           [*range(15), *range(100, 115)])


def test_a_corrupt_file_is_kept_aside_not_overwritten(tmp_path):
    path = tmp_path / "pins.json"
    path.write_text("{ this is not json")
    store = PinStore(path).load()
    assert store.pins == [] and "cannot read pins" in store.warning
    assert path.read_text() == "{ this is not json"  # loading alone changes nothing
    store.add((VC, sid(1)))
    aside = list(tmp_path.glob("pins.json.bad-*"))
    assert len(aside) == 1 and aside[0].read_text() == "{ this is not json"
    assert on_disk(path) == [f"{VC}/{sid(1)}"]
    assert f"kept it as {aside[0].name}" in store.warning
    store.add((VC, sid(2)))  # the next save is clean
    assert store.warning is None and len(list(tmp_path.glob("pins.json.bad-*"))) == 1



def test_a_file_spoiled_while_running_keeps_the_pins_this_window_knows(tmp_path):
    """The file goes bad under a running app (another program, a full disk): the next
    pin must not leave the board with that one pin: the window's own list, which it read
    from the file when it was good, is written to the new file."""
    path = tmp_path / "pins.json"
    store = PinStore(path).load()
    for n in range(1, 31):
        store.add((VC, sid(n)))
    path.write_text("{not json")
    store.add((VC, sid(31)))
    assert store.pins == [(VC, sid(n)) for n in range(1, 32)]
    assert on_disk(path) == [f"{VC}/{sid(n)}" for n in range(1, 32)]
    (aside,) = tmp_path.glob("pins.json.bad-*")
    assert aside.read_text() == "{not json"
    assert "wrote the 31 pin(s) this window knows" in store.warning
    # An unpin made while the file is bad is kept too.
    path.write_text("[")
    store.remove((VC, sid(5)))
    assert on_disk(path) == [f"{VC}/{sid(n)}" for n in range(1, 32) if n != 5]

def test_a_file_with_one_bad_entry_keeps_the_good_ones(tmp_path):
    path = tmp_path / "pins.json"
    path.write_text(json.dumps({"pins": [f"{VC}/{sid(1)}", f"{VC}/[/]", 7]}))
    store = PinStore(path).load()
    assert store.pins == [(VC, sid(1))] and "2 invalid pin(s)" in store.warning
    store.add((VC, sid(2)))
    assert on_disk(path) == [f"{VC}/{sid(1)}", f"{VC}/{sid(2)}"]
    assert "[/]" in next(tmp_path.glob("pins.json.bad-*")).read_text()


def test_a_directory_in_the_way_is_reported_and_leaves_nothing_behind(tmp_path):
    data = tmp_path / "data"
    path = data / "pins.json"
    path.mkdir(parents=True)
    store = PinStore(path).load()
    assert "is a directory" in store.warning
    store.add((VC, sid(1)))
    assert store.warning == f"cannot save pins to {path}: it is a directory"
    assert store.pins == [(VC, sid(1))]  # kept for this run
    assert sorted(p.name for p in data.iterdir()) == ["pins.json"]
    assert list(path.iterdir()) == []


def test_a_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    import os

    path = tmp_path / "pins.json"
    store = PinStore(path).load()

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    store.add((VC, sid(1)))
    assert "No space left on device" in store.warning
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    monkeypatch.undo()
    store.add((VC, sid(2)))  # the pending pin is saved with the next one
    assert on_disk(path) == [f"{VC}/{sid(1)}", f"{VC}/{sid(2)}"]
