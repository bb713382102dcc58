"""Run `python -m chime_tui ...` many times without paying its start-up each time.

Started once per test process (by tests/ourcli.py) with the tests' interpreter and
environment; imports what the commands import (never `chime_tui.__main__` itself, nor
Textual), then for every request forks a child that becomes what a fresh
`python -m chime_tui ...` process would be: the caller's stdin and pipes for stdout and
stderr (passed over the socket), its own environment, working directory, umask and
arguments, `chime_tui/__main__.py` run as `__main__` by runpy as `-m` runs it, and the
interpreter's exit handling (non-daemon threads joined, atexit handlers, streams
flushed, the exit status). Only the imported modules are shared; tests/ourcli.py runs
a real fresh process whenever the request's environment differs from this one's in a
variable read while they were imported (the names are recorded here and sent back).

Protocol over a SOCK_SEQPACKET socket (its descriptor on the command line): first a
hello {"env_read": [...], "modules": [...]}; then per request one JSON message
{"module", "argv", "env", "cwd", "umask"} carrying three descriptors (stdin, stdout, stderr);
two JSON messages back: {"pid"}, then {"status"} (the exit code, or -signal as
subprocess reports it).
"""

from __future__ import annotations

import json
import os
import socket
import sys

SOCK = socket.socket(fileno=int(sys.argv[1]))
# As `python -m` sets it: the working directory first on the path (not this file's).
sys.path[0] = os.getcwd()

# What the commands import, whichever one runs. Importing them while recording which
# environment variables are read tells the client which requests can share them.
PRELOAD = (
    "chime_tui.options", "chime_tui.textsafe", "chime_tui.validate", "chime_tui.config",
    "chime_tui.models", "chime_tui.documents", "chime_tui.files", "chime_tui.audit",
    "chime_tui.actions", "chime_tui.sending", "chime_tui.cli.commands", "chime_tui.cli.writes",
    "chime_tui.cli.output", "chime_tui.cli.table", "chime_tui.cli.params",
    "chime_tui.cli.connector_proxy", "chime_tui.cli.watch", "chime_tui.cli.debug",
    "chime_tui.aws.sync_client", "chime_tui.aws.factory", "chime_tui.aws.settings",
    "chime_tui.aws.errors", "chime_tui.aws.validate", "chime_tui.aws.client",
    "chime_tui.emulator", "chime_tui.demo", "botocore.session", "botocore.client",
    "botocore.parsers", "botocore.serialize", "botocore.httpsession", "jmespath", "yaml",
)

_read: set[str] = set()
_Environ = type(os.environ)
_getitem = _Environ.__getitem__
_iter = _Environ.__iter__


def _recording_getitem(self: object, key: str) -> str:
    _read.add(key)
    return _getitem(self, key)  # type: ignore[arg-type]


def _recording_iter(self: object):  # noqa: ANN202
    _read.add("*")  # the whole environment (os.environ.copy(), dict(os.environ))
    return _iter(self)  # type: ignore[arg-type]


_Environ.__getitem__ = _recording_getitem  # type: ignore[method-assign]
_Environ.__iter__ = _recording_iter  # type: ignore[method-assign]
try:
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
finally:
    _Environ.__getitem__ = _getitem  # type: ignore[method-assign]
    _Environ.__iter__ = _iter  # type: ignore[method-assign]

assert "chime_tui.__main__" not in sys.modules and "textual" not in sys.modules


def _home_holders() -> tuple[list[tuple[object, str]], list[str]]:
    """Where the imports kept a string made from HOME (botocore's cache directories,
    ~/.aws/models): this process runs with HOME set to a name found nowhere else, so
    every string holding it came from HOME. Those held by a module's or a class's
    attribute or by a function's default values can be rewritten in a child; any other
    holder (of everything reachable from the modules) is named, and then the client
    forks no request with another HOME."""
    import gc
    import types

    home = os.environ["HOME"]
    seen: set[int] = set()
    todo: list[object] = list(sys.modules.values())
    holders: list[object] = []
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        refs = gc.get_referents(obj)
        if any(type(r) is str and home in r for r in refs):
            holders.append(obj)
        todo.extend(r for r in refs if id(r) not in seen and type(r) is not str)
    fixable: list[tuple[object, str]] = []
    other: list[str] = []
    for obj in holders:
        owner = None
        for ref in gc.get_referrers(obj):
            if isinstance(ref, types.ModuleType) and vars(ref) is obj:
                owner = (ref, "dict")
            elif isinstance(ref, type) and isinstance(obj, dict) and len(obj) == len(
                    ref.__dict__) and all(ref.__dict__.get(k, obj) is v for k, v in obj.items()):
                owner = (ref, "dict")
            elif isinstance(ref, types.FunctionType) and obj in (ref.__defaults__,
                                                                 ref.__kwdefaults__):
                owner = (ref, "defaults")
            if owner:
                break
        if owner is None:
            other.append(f"{type(obj).__name__}: {str(obj)[:100]}")
        else:
            fixable.append(owner)
    return fixable, other


HOME_FIXABLE, HOME_OTHER = _home_holders()


def _rehome(home: str) -> None:
    """Make the strings made from this process's HOME at import what they are in a
    fresh process started with `home`."""
    old = os.environ["HOME"]
    for holder, kind in HOME_FIXABLE:
        if kind == "defaults":
            for attr in ("__defaults__", "__kwdefaults__"):
                values = getattr(holder, attr)
                if isinstance(values, tuple):
                    setattr(holder, attr, tuple(v.replace(old, home) if isinstance(v, str)
                                                else v for v in values))
                elif isinstance(values, dict):
                    setattr(holder, attr, {k: v.replace(old, home) if isinstance(v, str)
                                           else v for k, v in values.items()})
            continue
        names = vars(holder)
        for name, value in list(names.items()):
            if isinstance(value, str) and old in value:
                setattr(holder, name, value.replace(old, home))


def child(request: dict, fds: list[int]) -> int:
    import atexit
    import runpy
    import threading
    import time
    import traceback

    SOCK.close()
    for fd, target in zip(fds, (0, 1, 2), strict=True):
        os.dup2(fd, target)
        os.close(fd)
    os.umask(request["umask"])
    _rehome(request["env"]["HOME"])
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()
    os.chdir(request["cwd"])
    sys.path[0] = os.getcwd()
    sys.argv = ["-m", *request["argv"]]  # runpy puts the module's path first, as -m does
    try:
        runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
        status = 0
    except SystemExit as exc:
        code = exc.code
        if code is None:
            status = 0
        elif isinstance(code, int):
            status = code & 0xFF
        else:
            print(code, file=sys.stderr)
            status = 1
    except BaseException:
        traceback.print_exc()
        status = 1
    # What the interpreter does on the way out, in its order.
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            status = 120
    return status


def main() -> None:
    SOCK.send(json.dumps({"env_read": sorted(_read), "home_other": HOME_OTHER,
                          "modules": sorted({m.split(".")[0] for m in sys.modules})}).encode())
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(SOCK, 1 << 20, 3)
        except OSError:
            return
        if not data:
            return
        request = json.loads(data)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                status = child(request, fds)
            finally:
                os._exit(status)
        for fd in fds:
            os.close(fd)
        SOCK.send(json.dumps({"pid": pid}).encode())
        _, wait_status = os.waitpid(pid, 0)
        SOCK.send(json.dumps({"status": os.waitstatus_to_exitcode(wait_status)}).encode())


if __name__ == "__main__":
    main()
