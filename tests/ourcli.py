"""Run our own command line (`python -m chime_tui ...`) as `subprocess.run` would.

Each call gets what a fresh process gets: its arguments, environment, working
directory, umask, the caller's stdin, pipes for stdout and stderr, and its exit code;
but it is forked from one long-lived process per test process that has already
imported what the commands import (tests/ourcli_zygote.py), so the ~0.3 s of imports
is paid once. A request whose environment differs from that process's in a variable
read while it imported, or whose working directory holds a module of the same name as
one it imported, runs as a real fresh process instead; so do calls with `fresh=True`,
which tests about a fresh process (start-up, lazy imports, signals) use.
"""

from __future__ import annotations

import atexit
import json
import locale
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Read while Python starts, or by C code while importing (besides what the zygote
# records of os.environ while importing).
_START_PREFIXES = ("PYTHON", "LC_")
_START = ("LANG", "LANGUAGE", "TZ", "SSL_CERT_FILE", "SSL_CERT_DIR", "OPENSSL_CONF")


class _Zygote:
    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # A HOME found nowhere else: the zygote finds every string its imports made
        # from it, and rewrites them to each request's HOME (see there).
        self.env = dict(os.environ, HOME=f"/nonexistent/chime-tui-zygote-home.{os.getpid()}")
        self.cwd = str(ROOT)
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("ourcli_zygote.py")),
             str(theirs.fileno())], pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, env=self.env, cwd=self.cwd)
        theirs.close()
        self.sock = ours
        hello = json.loads(self.sock.recv(1 << 20))
        read = set(hello["env_read"])
        self.whole_env = "*" in read
        self.names = read - {"*"}
        if not hello["home_other"]:
            self.names.discard("HOME")
        self.modules = set(hello["modules"])
        self.lock = threading.Lock()

    def _import_time(self, env: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in env.items()
                if k in self.names or k in _START or k.startswith(_START_PREFIXES)}

    def fits(self, env: dict[str, str], cwd: str) -> bool:
        if self.proc.poll() is not None or self.whole_env:
            return False
        if self._import_time(env) != self._import_time(self.env):
            return False
        home = env.get("HOME")
        if not home or os.path.isdir(os.path.join(home, ".local", "lib")):
            return False  # Python would find its user site-packages from HOME at start
        if os.path.realpath(cwd) != os.path.realpath(self.cwd):
            # `python -m` puts the working directory first on the path.
            for entry in os.listdir(cwd):
                if entry.split(".")[0] in self.modules:
                    return False
        return True

    def run(self, module: str, argv: list[str], env: dict[str, str], cwd: str,
            stdin: bytes | None, timeout: float | None) -> tuple[int, bytes, bytes]:
        with self.lock:
            out_r, out_w = os.pipe()
            err_r, err_w = os.pipe()
            in_r = in_w = None
            if stdin is not None:
                in_r, in_w = os.pipe()
            umask = os.umask(0o022)
            os.umask(umask)
            message = json.dumps({"module": module, "argv": argv, "env": env, "cwd": cwd,
                                  "umask": umask})
            try:
                socket.send_fds(self.sock, [message.encode()],
                                [0 if in_r is None else in_r, out_w, err_w])
            finally:
                for fd in (out_w, err_w, in_r):
                    if fd is not None:
                        os.close(fd)
            pid = json.loads(self.sock.recv(1 << 16))["pid"]
            try:
                out, err = _collect(out_r, err_r, in_w, stdin, timeout)
            except subprocess.TimeoutExpired:
                os.kill(pid, signal.SIGKILL)
                self.sock.recv(1 << 16)
                raise
            status = json.loads(self.sock.recv(1 << 16))["status"]
            return status, out, err

    def close(self) -> None:
        self.sock.close()
        self.proc.wait(10)


def _collect(out_r: int, err_r: int, in_w: int | None, stdin: bytes | None,
             timeout: float | None) -> tuple[bytes, bytes]:
    """Read both pipes to their end (and write stdin), as Popen.communicate does."""
    chunks: dict[int, list[bytes]] = {out_r: [], err_r: []}
    deadline = None if timeout is None else time.monotonic() + timeout
    pending = memoryview(stdin or b"")
    with selectors.DefaultSelector() as sel:
        sel.register(out_r, selectors.EVENT_READ)
        sel.register(err_r, selectors.EVENT_READ)
        if in_w is not None and pending:
            sel.register(in_w, selectors.EVENT_WRITE)
        elif in_w is not None:
            os.close(in_w)
            in_w = None
        try:
            while sel.get_map():
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise subprocess.TimeoutExpired("chime-tui", timeout or 0)
                for key, _ in sel.select(left):
                    if key.fd == in_w:
                        try:
                            pending = pending[os.write(in_w, pending[:65536]):]
                        except BrokenPipeError:
                            pending = pending[:0]
                        if not pending:
                            sel.unregister(in_w)
                            os.close(in_w)
                            in_w = None
                    elif data := os.read(key.fd, 65536):
                        chunks[key.fd].append(data)
                    else:
                        sel.unregister(key.fd)
        finally:
            for fd in (out_r, err_r, in_w):
                if fd is not None:
                    os.close(fd)
    return b"".join(chunks[out_r]), b"".join(chunks[err_r])


_zygote: _Zygote | None = None
fresh_runs = 0  # how many calls could not be forked (for a test to look at)


def run_chime_tui(*args: str, text: bool = True, timeout: float | None = 60,
                  env: dict[str, str] | None = None, cwd: str | os.PathLike[str] | None = None,
                  input: bytes | str | None = None, fresh: bool = False,
                  ) -> subprocess.CompletedProcess[Any]:
    """`subprocess.run([sys.executable, "-m", "chime_tui", *args], capture_output=True,
    text=text, timeout=timeout, env=env, cwd=cwd, input=input)`: the same exit code and
    bytes, from a child of the zygote unless `fresh` (or the request cannot share it)."""
    return run_module("chime_tui", *args, text=text, timeout=timeout, env=env, cwd=cwd,
                      input=input, fresh=fresh)


def run_module(module: str, *args: str, text: bool = True, timeout: float | None = 60,
               env: dict[str, str] | None = None, cwd: str | os.PathLike[str] | None = None,
               input: bytes | str | None = None, fresh: bool = False,
               ) -> subprocess.CompletedProcess[Any]:
    """`python -m module *args` (run_chime_tui; tests/test_ourcli.py runs a probe)."""
    global _zygote, fresh_runs
    argv = [sys.executable, "-m", module, *args]
    env = dict(os.environ if env is None else env)
    cwd = os.getcwd() if cwd is None else os.fspath(cwd)
    if _zygote is None or _zygote.proc.poll() is not None:
        _zygote = _Zygote()
        atexit.register(_zygote.close)
    if fresh or not _zygote.fits(env, cwd):
        fresh_runs += 1
        return subprocess.run(argv, capture_output=True, text=text, timeout=timeout, env=env,
                              cwd=cwd, input=input)
    stdin = input.encode(_encoding()) if isinstance(input, str) else input
    status, out, err = _zygote.run(module, list(args), env, cwd, stdin, timeout)
    if not text:
        return subprocess.CompletedProcess(argv, status, out, err)

    def decode(data: bytes) -> str:  # as subprocess decodes captured output in text mode
        return data.decode(_encoding()).replace("\r\n", "\n").replace("\r", "\n")

    return subprocess.CompletedProcess(argv, status, decode(out), decode(err))


def _encoding() -> str:
    return "utf-8" if sys.flags.utf8_mode else locale.getencoding()
