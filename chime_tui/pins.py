"""Pinned sessions for the watch board, kept in the user's data directory.

Several instances of the app may run at once (one per terminal during an incident),
each pinning and unpinning. A save therefore never writes this instance's list over
the file: under an exclusive lock (`fcntl.flock` on `pins.json.lock`) it reads the
file again, applies this instance's own pins and unpins since its last save, and
writes the result (to a temporary file in the same directory, then an atomic
rename). A file that cannot be read as pins is never overwritten: it is moved aside
as `pins.json.bad-TIME` and the user is told. The file is created 0600.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from chime_tui.files import PRIVATE, open_private
from chime_tui.models import SessionKey, validate_proxy_session_id, validate_voice_connector_id
from chime_tui.textsafe import clip, quoted


def parse_pin(text: str) -> SessionKey:
    """'VC/SID' -> (VC, SID), validated against the service model's patterns."""
    vc, sep, sid = text.strip().partition("/")
    if not sep:
        raise ValueError(f"a pin is VOICE_CONNECTOR_ID/PROXY_SESSION_ID, got {quoted(text, 80)}")
    for reason in (validate_voice_connector_id(vc), validate_proxy_session_id(sid)):
        if reason:
            raise ValueError(f"pin {quoted(text, 80)}: {reason}")
    return vc, sid


class CorruptPins(ValueError):
    """The file exists but is not a valid list of pins; `salvaged`: its valid entries."""

    def __init__(self, reason: str, salvaged: list[SessionKey] | None = None) -> None:
        super().__init__(reason)
        self.salvaged = salvaged or []


def _read(path: Path) -> list[SessionKey]:
    """The pins in the file ([] if there is none); CorruptPins if it is not valid."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise CorruptPins(f"not JSON: {exc}") from None
    entries = data.get("pins") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise CorruptPins('expected {"pins": ["VC/SID", ...]}')
    pins: list[SessionKey] = []
    bad: list[str] = []
    for entry in entries:
        try:
            if not isinstance(entry, str):
                raise ValueError(f"not a string: {entry!r}")
            pins.append(parse_pin(entry))
        except ValueError as exc:
            bad.append(str(exc))
    pins = list(dict.fromkeys(pins))
    if bad:
        raise CorruptPins(f"{len(bad)} invalid pin(s), the first: {bad[0]}", pins)
    return pins


class PinStore:
    """An ordered set of pins saved as JSON; unreadable or unwritable files are reported
    in `warning` (plain text, for a notification), never raised."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.pins: list[SessionKey] = []
        self.warning: str | None = None
        # This instance's changes not yet merged into the file, in order.
        self._pending: list[tuple[bool, SessionKey]] = []

    @property
    def lock_path(self) -> Path | None:
        return None if self.path is None else self.path.with_name(self.path.name + ".lock")

    def load(self) -> PinStore:
        """Read the file (again); pins and unpins not yet saved are kept on top."""
        if self.path is None:
            return self
        try:
            on_disk = _read(self.path)
        except IsADirectoryError:
            self.warning = f"cannot read pins from {self.path}: it is a directory"
            return self
        except CorruptPins as exc:
            self.warning = (f"cannot read pins from {self.path}: {clip(str(exc), 200)} "
                            "(the file is kept aside on the next pin, not overwritten)")
            on_disk = exc.salvaged
        except OSError as exc:
            self.warning = f"cannot read pins from {self.path}: {exc.strerror or exc}"
            return self
        self.pins = self._apply(on_disk)
        return self

    def _apply(self, pins: list[SessionKey]) -> list[SessionKey]:
        merged = list(pins)
        for add, key in self._pending:
            if add and key not in merged:
                merged.append(key)
            elif not add and key in merged:
                merged.remove(key)
        return merged

    @contextmanager
    def _locked(self) -> Iterator[None]:
        import fcntl

        assert self.lock_path is not None
        with open_private(self.lock_path, "a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def save(self) -> None:
        """Merge this instance's changes into the file, under the lock."""
        if self.path is None:
            return
        path = self.path
        if path.is_dir():
            self.warning = f"cannot save pins to {path}: it is a directory"
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._locked():
                notes: list[str] = []
                try:
                    on_disk = _read(path)
                except CorruptPins as exc:
                    # What this instance knows (the file as it last read it, and its own
                    # changes) is the best list there is now: written again, with any
                    # pin still readable from the spoiled file, not dropped for it.
                    aside = self._set_aside(path)
                    on_disk = [*self.pins, *(k for k in exc.salvaged if k not in self.pins)]
                    notes.append(f"{path} was not a valid pins file ({clip(str(exc), 120)}); "
                                 f"kept it as {aside.name} and wrote the {len(on_disk)} "
                                 "pin(s) this window knows to a new one")
                merged = self._apply(on_disk)
                self._write(path, merged)
            self.pins = merged
            self._pending.clear()
            self.warning = "; ".join(notes) or None
        except OSError as exc:
            self.warning = f"cannot save pins to {path}: {exc.strerror or exc}"

    @staticmethod
    def _set_aside(path: Path) -> Path:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        aside = path.with_name(f"{path.name}.bad-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = path.with_name(f"{path.name}.bad-{stamp}-{n}")
        os.replace(path, aside)
        return aside

    @staticmethod
    def _write(path: Path, pins: list[SessionKey]) -> None:
        text = json.dumps({"pins": [f"{vc}/{sid}" for vc, sid in pins]}, indent=2) + "\n"
        # mkstemp creates the file 0600 with a unique name; it never outlives a failure.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, PRIVATE)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def add(self, key: SessionKey) -> bool:
        if key in self.pins:
            return False
        self.pins.append(key)
        self._pending.append((True, key))
        self.save()
        return True

    def remove(self, key: SessionKey) -> bool:
        if key not in self.pins:
            return False
        self.pins.remove(key)
        self._pending.append((False, key))
        self.save()
        return True

    def toggle(self, key: SessionKey) -> bool:
        """Pin or unpin; True if it is pinned afterwards."""
        if not self.remove(key):
            self.add(key)
            return True
        return False
