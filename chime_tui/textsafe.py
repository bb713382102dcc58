"""Server strings are data: control characters made visible, sizes bounded.

Everything that comes from the service or from files (names, IDs, statuses,
numbers, error messages, settings values) passes through `visible` before it
reaches a terminal, the CLI's output, a notification or a file a person reads.
No Textual and no AWS imports: the CLI, the TUI and the emulator share it.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls (\x9b is a one-byte CSI), and the Unicode bidi
# overrides and isolates that reorder what a person reads.
# Zero-width and invisible characters too (U+200B-U+200D, U+2060, U+FEFF), and the
# line and paragraph separators: two names must not look alike when they differ.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]")
# What json.dumps(ensure_ascii=False) leaves raw (it escapes C0 itself; newlines outside
# strings, from indent=, stay newlines).
_RAW_IN_JSON = re.compile("[\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

LIMIT = 512  # characters of one value worth drawing in a cell or a line


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(value: str) -> str:
    """`value` with every control character shown as its escape (`\\x1b`, `\\n`)."""
    if _UNSAFE.search(value) is None:
        return value
    return _UNSAFE.sub(_escape, value)


def clip(value: str, limit: int = LIMIT) -> str:
    """`visible(value)`, cut to about `limit` characters with an ellipsis (a 50 MB name
    must not cost a 50 MB render)."""
    if len(value) > limit:
        return visible(value[:limit]) + "…"
    return visible(value)


def quoted(value: str, limit: int = LIMIT) -> str:
    """`clip(value, limit)` in single quotes, for a message that quotes a value. Not
    `repr` of it: that doubles the backslash of every escape `visible` made, so a key
    with an ESC in it would read as backslash, backslash, x1b."""
    return f"'{clip(value, limit)}'"


def json_safe(json_text: str) -> str:
    """JSON text (from json.dumps) with the control characters it leaves raw (C1 such
    as \\x9b, bidi overrides) as \\uXXXX escapes: the same JSON value, safe to print."""
    if _RAW_IN_JSON.search(json_text) is None:
        return json_text
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)


def has_unsafe(value: str) -> bool:
    return _UNSAFE.search(value) is not None
