"""Notice renewed AWS credentials: the shared credentials and config files and the SSO
token caches (`aws sso login`, `aws configure`, a new credentials file). Plain files
and stat calls, no threads: the app asks once a second while it is waiting on
credentials, and retries at once when the answer is "changed"."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

Signature = tuple[tuple[str, int, int], ...]


def credential_paths(env: Mapping[str, str] | None = None) -> list[Path]:
    env = os.environ if env is None else env
    home = Path(env.get("HOME") or Path.home())
    aws = home / ".aws"
    return [
        Path(env.get("AWS_SHARED_CREDENTIALS_FILE") or aws / "credentials"),
        Path(env.get("AWS_CONFIG_FILE") or aws / "config"),
        aws / "sso" / "cache",  # aws sso login writes the token here
        aws / "cli" / "cache",  # assumed-role and SSO role credentials of the AWS CLI
    ]


def signature(paths: list[Path]) -> Signature:
    """What changes when any of them is written: (path, mtime, size) of each file, and
    of each file directly inside a directory."""
    out: list[tuple[str, int, int]] = []
    for path in paths:
        try:
            if path.is_dir():
                entries = sorted(path.iterdir())
            else:
                entries = [path]
            for entry in entries:
                st = entry.stat()
                out.append((str(entry), st.st_mtime_ns, st.st_size))
        except OSError:
            continue  # missing or unreadable: nothing to compare
    return tuple(out)


class CredentialWatch:
    """`changed()` is True once after any of the files changed since the last call."""

    def __init__(self, paths: list[Path] | None = None) -> None:
        self.paths = paths if paths is not None else credential_paths()
        self.last = signature(self.paths)

    def changed(self) -> bool:
        now = signature(self.paths)
        if now != self.last:
            self.last = now
            return True
        return False
