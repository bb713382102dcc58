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

def _common():  # noqa: ANN202
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "zygote_common", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                      "zygote_common.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


common = _common()
ENV_READ = common.import_recording_env(PRELOAD)
assert "chime_tui.__main__" not in sys.modules and "textual" not in sys.modules
HOME_FIXABLE, HOME_OTHER = common.home_holders()


def child(request: dict, fds: list[int]) -> int:
    import atexit
    import runpy
    import threading
    import time

    SOCK.close()
    for fd, target in zip(fds, (0, 1, 2), strict=True):
        os.dup2(fd, target)
        os.close(fd)
    os.umask(request["umask"])
    common.rehome(HOME_FIXABLE, request["env"]["HOME"])
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()
    os.chdir(request["cwd"])
    sys.path[0] = os.getcwd()
    sys.argv = ["-m", *request["argv"]]  # runpy puts the module's path first, as -m does
    status = common.exit_status(lambda: runpy.run_module(request["module"], run_name="__main__",
                                                         alter_sys=True))
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
    SOCK.send(json.dumps({"env_read": sorted(ENV_READ), "home_other": HOME_OTHER,
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
