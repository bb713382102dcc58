"""Pinned sessions for the watch board, kept in the user's data directory."""

from __future__ import annotations

import json
import os
from pathlib import Path

from chime_tui.models import validate_proxy_session_id, validate_voice_connector_id

Key = tuple[str, str]


def parse_pin(text: str) -> Key:
    """'VC/SID' -> (VC, SID), validated against the service model's patterns."""
    vc, sep, sid = text.strip().partition("/")
    if not sep:
        raise ValueError(f"a pin is VOICE_CONNECTOR_ID/PROXY_SESSION_ID, got {text!r}")
    for reason in (validate_voice_connector_id(vc), validate_proxy_session_id(sid)):
        if reason:
            raise ValueError(f"pin {text!r}: {reason}")
    return vc, sid


class PinStore:
    """An ordered set of pins saved as JSON; unreadable or unwritable files are reported."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.pins: list[Key] = []
        self.warning: str | None = None

    def load(self) -> "PinStore":
        if self.path is None:
            return self
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            pins = [parse_pin(p) for p in data.get("pins", [])]
            self.pins = list(dict.fromkeys(pins))
        except FileNotFoundError:
            pass
        except (OSError, ValueError, AttributeError, TypeError) as exc:
            self.warning = f"cannot read pins from {self.path}: {exc}"
        return self

    def save(self) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"pins": [f"{vc}/{sid}" for vc, sid in self.pins]},
                                      indent=2) + "\n", encoding="utf-8")
            os.replace(tmp, self.path)
            self.warning = None
        except OSError as exc:
            self.warning = f"cannot save pins to {self.path}: {exc.strerror or exc}"

    def add(self, key: Key) -> bool:
        if key in self.pins:
            return False
        self.pins.append(key)
        self.save()
        return True

    def remove(self, key: Key) -> bool:
        if key not in self.pins:
            return False
        self.pins.remove(key)
        self.save()
        return True

    def toggle(self, key: Key) -> bool:
        """Pin or unpin; True if it is pinned afterwards."""
        if not self.remove(key):
            self.add(key)
            return True
        return False
