"""The app's key bindings as plain data, to check a `[keys]` remap without Textual.

`BINDINGS` lists every binding id the TUI declares (`Binding(..., id=...)` in
chime_tui/tui/), its default keys and the screens where it is active. A test
(tests/test_keymap.py) checks that it matches the TUI's classes, so `config check`
and the app's start-up warnings need not import a single screen.

`keymap_problems` reports, one line each: an unknown binding id, a value that is
not a key, and a remap that takes a key another binding needs on the same screen
(e.g. `refresh = "q"`, which `quit` needs) or one Textual itself needs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from chime_tui.textsafe import quoted

ALL = frozenset({"picker", "sessions", "detail", "board", "help", "open_by_id", "account",
                 "alerts", "write_dialog", "expiring"})
POLLING = frozenset({"picker", "sessions", "detail", "board", "expiring"})
LISTS = frozenset({"picker", "sessions", "board", "expiring"})
ACTING = frozenset({"sessions", "detail", "board"})  # the write actions (chime_tui.actions)
WRITE_DIALOG = frozenset({"write_dialog"})

# id -> (default keys, screens where it is active)
BINDINGS: dict[str, tuple[str, frozenset[str]]] = {
    # the app's own: every screen
    "quit": ("q", ALL),
    "help": ("question_mark", ALL),
    "interrupt": ("ctrl+c", ALL),
    "open_by_id": ("ctrl+o", ALL),
    "redact": ("x", ALL),
    "board": ("b", ALL),
    "alerts": ("a", ALL),
    "switch_account": ("ctrl+a", ALL),
    # polling screens (screens/base.py), lists (screens/list_base.py)
    "refresh": ("r", POLLING),
    "pause": ("p", POLLING),
    "filter": ("slash", LISTS),
    "down": ("j", LISTS),
    "up": ("k", LISTS),
    # one screen each (or a few)
    "back": ("escape", frozenset({"sessions", "detail", "board", "expiring"})),
    "clear_filter": ("escape", frozenset({"picker"})),
    "status_filter": ("s", frozenset({"sessions"})),
    "sort": ("o", frozenset({"sessions"})),
    "reverse_sort": ("O", frozenset({"sessions"})),
    "pin": ("m", frozenset({"sessions", "detail", "expiring"})),
    "expiring": ("e", frozenset({"picker"})),
    "mark_connector": ("space", frozenset({"picker"})),
    "count_all": ("c", frozenset({"picker"})),
    "unpin": ("m,delete", frozenset({"board"})),
    "undo_unpin": ("u", frozenset({"board"})),
    "copy": ("c", frozenset({"detail"})),
    "export": ("e", frozenset({"detail"})),
    # writes (off unless --allow-writes): each opens a dialog that needs a confirmation
    "extend": ("plus", ACTING),
    "capabilities": ("C", ACTING),
    "end_session": ("D", ACTING),
    "create_session": ("N", ACTING),
    **{f"panel_{i}": (str(i), frozenset({"detail"})) for i in range(1, 7)},
    "close_help": ("escape,question_mark", frozenset({"help"})),
    "close_alerts": ("escape,a", frozenset({"alerts"})),
    "cancel_open": ("escape", frozenset({"open_by_id"})),
    "cancel_account": ("escape", frozenset({"account"})),
    "cancel_write": ("escape", WRITE_DIALOG),
}

# Keys Textual or its widgets need everywhere: a remap must not take them.
RESERVED = {
    "ctrl+q": "Textual's quit",
    "ctrl+c": "copy, and quit",
    "ctrl+p": "the command palette",
    "tab": "moving the focus",
    "shift+tab": "moving the focus",
    "enter": "opening the selected row",
    "up": "moving in tables",
    "down": "moving in tables",
}

# Textual's names for some characters (textual.keys.KEY_NAME_REPLACEMENTS).
_REPLACEMENTS = {"solidus": "slash", "reverse_solidus": "backslash", "commercial_at": "at",
                 "hyphen_minus": "minus", "plus_sign": "plus", "low_line": "underscore"}
_KEY = re.compile(r"^(?:(?:ctrl|shift|alt|meta|super|hyper)\+)*[A-Za-z0-9_]+$")


def normalize_key(key: str) -> str:
    """One key as Textual names it: "?" -> "question_mark", "/" -> "slash"."""
    key = key.strip()
    if len(key) == 1 and not key.isalnum():
        try:
            key = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
        except ValueError:
            return key
        return _REPLACEMENTS.get(key, key)
    return key


def parse_keys(value: str) -> tuple[list[str], str | None]:
    """A `[keys]` value ("f5" or "f5,ctrl+r") -> (normalized keys, problem or None)."""
    keys = [normalize_key(k) for k in value.split(",")]
    for raw, key in zip(value.split(","), keys):
        if not key or not (_KEY.match(key) or (len(key) == 1 and key.isprintable())):
            return keys, (f"{quoted(raw.strip(), 40)} is not a key (write Textual key "
                          "names, e.g. f5, ctrl+r, slash, comma-separated)")
    return keys, None


def keymap_problems(keymap: Mapping[str, object]) -> list[tuple[str, str]]:
    """(binding id, problem) for each bad entry of a `[keys]` table, in file order."""
    problems: list[tuple[str, str]] = []
    effective = {bid: parse_keys(keys)[0] for bid, (keys, _) in BINDINGS.items()}
    remapped: list[str] = []
    for bid, value in keymap.items():
        if bid not in BINDINGS:
            problems.append((bid, f"unknown binding id {quoted(bid, 40)} in [keys] (known: "
                                  f"{', '.join(sorted(BINDINGS))})"))
            continue
        if not isinstance(value, str):
            problems.append((bid, f"keys.{bid} must be a string such as \"f5\", "
                                  f"not {type(value).__name__}"))
            continue
        keys, problem = parse_keys(value)
        if problem:
            problems.append((bid, f"keys.{bid}: {problem}"))
            continue
        effective[bid] = keys
        remapped.append(bid)
    for bid in remapped:
        default_keys, scope = BINDINGS[bid]
        for key in effective[bid]:
            if key in parse_keys(default_keys)[0]:
                continue  # its own key: any overlap is the app's design, not the remap's
            if key in RESERVED:
                problems.append((bid, f"keys.{bid} = {key!r} takes {key}, which "
                                      f"{RESERVED[key]} needs"))
                continue
            others = sorted(other for other, (_, where) in BINDINGS.items()
                            if other != bid and key in effective[other] and scope & where)
            if others:
                problems.append((bid, f"keys.{bid} = {key!r} takes {key}, which "
                                      f"{' and '.join(others)} needs; remap "
                                      f"{'them' if len(others) > 1 else 'it'} too or "
                                      "choose another key"))
    return problems
