"""The AWS CLI from PyPI as a reference client, in its own environment.

awscli pins botocore exactly, as aiobotocore does, so the two cannot share a
virtual environment. The first test that needs it builds `.cache/awscli-venv`
(or uses CHIME_TUI_AWS_CLI, a path to an `aws` executable).
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".cache" / "awscli-venv"


def aws_cli() -> str:
    explicit = os.environ.get("CHIME_TUI_AWS_CLI")
    if explicit:
        return explicit
    exe = VENV / "bin" / "aws"
    VENV.parent.mkdir(parents=True, exist_ok=True)
    # Test workers run in parallel: one builds the environment, the others wait for it.
    with open(VENV.parent / "awscli-venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not exe.exists():
            venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
            subprocess.run([str(VENV / "bin" / "python"), "-m", "pip", "install", "-q",
                            "awscli"], check=True, stdout=sys.stderr)
    return str(exe)
