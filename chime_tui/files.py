"""Files that may hold phone numbers are created private (0600), whatever the umask.

The events file, the debug log, exports and the pins file go through `open_private`:
a new file is created with mode 0600 (owner read/write only) atomically, by the
`open(2)` call itself, so it is never world-readable even for a moment. An existing
file keeps the mode its owner gave it. No Textual, no AWS: every layer may use it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

PRIVATE = 0o600

_FLAGS = {
    "a": os.O_WRONLY | os.O_CREAT | os.O_APPEND,
    "w": os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
    "x": os.O_WRONLY | os.O_CREAT | os.O_EXCL,
}


def open_private(path: str | os.PathLike[str], mode: str = "w",
                 encoding: str | None = "utf-8", **kwargs: Any) -> IO[Any]:
    """`open(path, mode)` for writing, but a file it creates is 0600.

    mode: "w", "a" or "x", optionally with "b" (then encoding is ignored). Raises
    OSError as `open` does (missing directory, permission, a directory at `path`).
    """
    binary = "b" in mode
    base = mode.replace("b", "").replace("t", "")
    if base not in _FLAGS:
        raise ValueError(f"open_private writes only ('w', 'a', 'x'), not {mode!r}")
    fd = os.open(os.fspath(path), _FLAGS[base] | getattr(os, "O_CLOEXEC", 0), PRIVATE)
    try:
        if binary:
            return os.fdopen(fd, base + "b", **kwargs)
        return os.fdopen(fd, base, encoding=encoding, **kwargs)
    except BaseException:
        os.close(fd)
        raise


def write_private(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """`Path(path).write_text(text)`, created 0600 (the export path uses this)."""
    with open_private(path, "w", encoding=encoding) as fh:
        fh.write(text)


def check_writable(path: str | os.PathLike[str]) -> str | None:
    """None if `path` can be appended to (created 0600 if missing), else the reason.

    Used at start-up for --events-file and --debug-log, so a bad path is reported
    before the app opens rather than at the first change."""
    p = Path(path)
    if p.is_dir():
        return "it is a directory"
    existed = p.exists()
    try:
        with open_private(p, "a"):
            pass
    except OSError as exc:
        return exc.strerror or str(exc)
    if not existed:
        # Leave nothing behind for a run that may never write a line.
        try:
            if p.stat().st_size == 0:
                p.unlink()
        except OSError:
            pass
    return None


_log_problems: list[str] = []


def report_log_problem(problem: str) -> None:
    """Record why a log file stopped being written (the handler calls this once)."""
    _log_problems.append(problem)


def log_file_problem() -> str | None:
    """Why the debug log stopped being written (a full disk...), or None: the handler
    (chime_tui.cli.debug.PrivateFileHandler) reports it here; the app shows it."""
    return _log_problems[-1] if _log_problems else None
