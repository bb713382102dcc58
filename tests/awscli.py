"""The AWS CLI from PyPI as a reference client, in its own environment.

awscli pins botocore exactly, as aiobotocore does, so the two cannot share a
virtual environment. The first test that needs it builds `.cache/awscli-venv`
(or uses CHIME_TUI_AWS_CLI, a path to an `aws` executable).

`run_aws` runs it as `subprocess.run` would, through one long-lived process that
imports the AWS CLI once and forks a fresh child per call (tests/awscli_zygote.py):
the same bytes and exit codes without paying its ~0.3 s of imports every call.
"""

from __future__ import annotations

import atexit
import fcntl
import json
import locale
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import venv
from pathlib import Path
from typing import Any

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


# -- running it ---------------------------------------------------------------------------

# Read while Python starts or while awscli is imported: a request whose environment
# differs from the zygote's in one of these runs as a fresh process instead.
_IMPORT_TIME = ("LANG", "AWS_DATA_PATH", "AWS_NEW_RETRIES_2026", "BOTO_DISABLE_CRT")
_IMPORT_TIME_PREFIXES = ("PYTHON", "LC_")


def _import_time_env(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items()
            if k in _IMPORT_TIME or k.startswith(_IMPORT_TIME_PREFIXES)}


class _Zygote:
    """tests/awscli_zygote.py, one per test process (see there)."""

    def __init__(self, aws: str) -> None:
        self.aws = aws
        # The interpreter the script's #! line names, as the kernel would run it.
        with open(aws, "rb") as script:
            python = script.readline().decode().removeprefix("#!").strip()
        req_r, self._req_w = os.pipe()
        self._rep_r, rep_w = os.pipe()
        # A HOME found nowhere else, so the zygote can find what its imports made of
        # it and rewrite that for each request's HOME (tests/zygote_common.py).
        self.env = dict(os.environ, HOME=f"/nonexistent/awscli-zygote-home.{os.getpid()}")
        self.proc = subprocess.Popen(
            [python, str(Path(__file__).with_name("awscli_zygote.py")), aws, str(req_r),
             str(rep_w)], pass_fds=(req_r, rep_w), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, env=self.env)
        os.close(req_r)
        os.close(rep_w)
        self.requests = os.fdopen(self._req_w, "w", encoding="utf-8")
        self.replies = os.fdopen(self._rep_r, "r", encoding="utf-8")
        self.lock = threading.Lock()
        hello = json.loads(self.replies.readline())
        self.names = set(hello["env_read"])
        if not hello["home_other"]:
            self.names.discard("HOME")

    def _import_time(self, env: dict[str, str]) -> dict[str, str]:
        return _import_time_env(env) | {k: v for k, v in env.items() if k in self.names}

    def fits(self, env: dict[str, str]) -> bool:
        home = env.get("HOME")
        return (self.proc.poll() is None and "*" not in self.names
                and self._import_time(env) == self._import_time(self.env)
                and bool(home) and not os.path.isdir(os.path.join(home, ".local", "lib")))

    def run(self, argv: list[str], env: dict[str, str], cwd: str,
            timeout: float | None) -> tuple[int, bytes, bytes]:
        with self.lock, tempfile.TemporaryDirectory(prefix="aws-") as tmp:
            out, err = os.path.join(tmp, "out"), os.path.join(tmp, "err")
            self.requests.write(json.dumps({"argv": argv, "env": env, "cwd": cwd,
                                            "out": out, "err": err}) + "\n")
            self.requests.flush()
            pid = json.loads(self.replies.readline())["pid"]
            ready, _, _ = select.select([self.replies], [], [], timeout)
            if not ready:
                os.kill(pid, signal.SIGKILL)
                self.replies.readline()
                raise subprocess.TimeoutExpired([self.aws, *argv], timeout or 0)
            status = json.loads(self.replies.readline())["status"]
            return status, Path(out).read_bytes(), Path(err).read_bytes()

    def close(self) -> None:
        self.requests.close()
        self.proc.wait(10)
        self.replies.close()


_zygote: _Zygote | None = None


def run_aws(aws: str, *args: str, text: bool = False, timeout: float | None = 60,
            env: dict[str, str] | None = None,
            cwd: str | None = None) -> subprocess.CompletedProcess[Any]:
    """`subprocess.run([aws, *args], capture_output=True, text=text, ...)`, the same
    result (exit code, stdout and stderr bytes, decoded as subprocess decodes them),
    from a child of the zygote when `aws` is this environment's AWS CLI, else from a
    fresh process."""
    global _zygote
    env = dict(os.environ if env is None else env)
    cwd = os.getcwd() if cwd is None else cwd
    if aws != str(VENV / "bin" / "aws"):
        return subprocess.run([aws, *args], capture_output=True, text=text, timeout=timeout,
                              env=env, cwd=cwd)
    if _zygote is None or _zygote.proc.poll() is not None:
        _zygote = _Zygote(aws)
        atexit.register(_zygote.close)
    if not _zygote.fits(env):
        return subprocess.run([aws, *args], capture_output=True, text=text, timeout=timeout,
                              env=env, cwd=cwd)
    status, out, err = _zygote.run(list(args), env, cwd, timeout)
    if not text:
        return subprocess.CompletedProcess([aws, *args], status, out, err)
    # As subprocess decodes captured output in text mode.
    encoding = "utf-8" if sys.flags.utf8_mode else locale.getencoding()

    def decode(data: bytes) -> str:
        return data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")

    return subprocess.CompletedProcess([aws, *args], status, decode(out), decode(err))
