"""`--debug`: botocore's and aiobotocore's debug log on stderr, with secrets scrubbed.

Authorization headers, security tokens and secret keys never reach the log:
a formatter masks them by pattern, and also masks the literal values of the
credentials in use once they are known. With --redact, phone numbers too.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import IO

MASK = "****"
PATTERNS = [
    # Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...
    re.compile(r"(?i)(['\"]?authorization['\"]?\s*[:=]\s*b?['\"]?)[^'\",}\n]+"),
    re.compile(r"(?i)(['\"]?x-amz-security-token['\"]?\s*[:=]\s*b?['\"]?)[^'\",}\n]+"),
    re.compile(r"(?i)((?:aws_)?secret_?access_?key['\"]?\s*[:=]\s*['\"]?)[^'\",}\s]+"),
    re.compile(r"(?i)((?:aws_)?session_?token['\"]?\s*[:=]\s*['\"]?)[^'\",}\s]+"),
    re.compile(r"(?i)(Signature=)[0-9a-f]+"),
    re.compile(r"(Signature:\s*)[0-9a-f]{64}"),
    re.compile(r"(?i)(Credential=)[^,\s'\"]+"),
]
PHONE = re.compile(r"\+[1-9]\d{6,14}")


class ScrubbingFormatter(logging.Formatter):
    def __init__(self, fmt: str, redact_phones: bool = False) -> None:
        super().__init__(fmt)
        self.secrets: set[str] = set()
        self.redact_phones = redact_phones

    def format(self, record: logging.LogRecord) -> str:
        return self.scrub(super().format(record))

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, MASK)
        for pattern in PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        if self.redact_phones:
            from chime_tui.models import redact_phone

            text = PHONE.sub(lambda m: redact_phone(m.group(0)) or MASK, text)
        return text


class _QuietOnFailure:
    """A log handler that, when its stream cannot be written (a full disk, /dev/full,
    a closed pipe), says so in one line on stderr and stops: no "--- Logging error ---"
    traceback for every record."""

    where = "the debug log"
    failed = False

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        if self.failed:
            return
        self.failed = True
        exc = sys.exc_info()[1]
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        logging.getLogger().removeHandler(self)  # type: ignore[arg-type]
        try:
            sys.stderr.write(f"chime-tui: cannot write {self.where}: {reason}; "
                             "debug logging stopped\n")
            sys.stderr.flush()
        except Exception:  # stderr itself is the broken stream
            pass


class QuietStreamHandler(_QuietOnFailure, logging.StreamHandler):  # type: ignore[type-arg]
    where = "the debug output"


def enable_debug(stream: IO[str] | None = None, redact_phones: bool = False
                 ) -> ScrubbingFormatter:
    """Send botocore's, aiobotocore's and this tool's debug log to `stream` (stderr)."""
    return add_debug_handler(QuietStreamHandler(stream or sys.stderr), redact_phones)


class PrivateFileHandler(_QuietOnFailure, logging.StreamHandler):  # type: ignore[type-arg]
    """Append to a file created 0600 (it may hold phone numbers). A failure to write
    (a full disk, /dev/full) is said once (one line on stderr, and kept for the app
    through chime_tui.files.log_file_problem) and logging to it stops: no
    "--- Logging error ---" traceback is ever printed over the dashboard."""

    def __init__(self, path: str) -> None:
        from chime_tui.files import open_private

        self.path = path
        self.where = f"the debug log {path}"
        self.error: str | None = None
        super().__init__(open_private(path, "a"))

    def emit(self, record: logging.LogRecord) -> None:
        if self.error is None:
            super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        if self.error is None:
            from chime_tui.files import report_log_problem

            exc = sys.exc_info()[1]
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            self.error = f"cannot write the debug log {self.path}: {reason}; no longer logging"
            report_log_problem(self.error)
        super().handleError(record)

    def close(self) -> None:
        self.acquire()
        try:
            stream, self.stream = self.stream, None
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
            super().close()
        finally:
            self.release()


def enable_debug_file(path: str, redact_phones: bool = False) -> ScrubbingFormatter:
    """The same log, appended to a file (the dashboard's --debug-log), created 0600.

    Raises OSError at once if the file cannot be opened or written (a first line is
    written and flushed: /dev/full fails here, not in the middle of the run)."""
    handler = PrivateFileHandler(path)
    try:
        handler.stream.write(f"--- chime-tui debug log, opened {_now()} ---\n")
        handler.stream.flush()
    except OSError:
        handler.close()
        raise
    return add_debug_handler(handler, redact_phones)


def debug_log_problem() -> str | None:
    """Why the debug log stopped (e.g. the disk is full), or None: for the app to show
    (the same as chime_tui.files.log_file_problem, which the TUI can import)."""
    from chime_tui.files import log_file_problem

    return log_file_problem()


def _now() -> str:
    from chime_tui.models import utcnow

    return utcnow().isoformat(timespec="seconds")


def add_debug_handler(handler: logging.Handler, redact_phones: bool) -> ScrubbingFormatter:
    formatter = ScrubbingFormatter("%(asctime)s - %(name)s - %(levelname)s - %(message)s",
                                   redact_phones)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in ("botocore", "aiobotocore", "chime_tui"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    return formatter
