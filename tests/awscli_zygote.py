"""Run the reference AWS CLI many times without paying its start-up each time.

Started once per test process with the AWS CLI environment's Python; imports
`awscli.clidriver` once, then for every request forks a child that becomes what a
fresh `aws` process would be: its own environment, working directory, arguments,
stdin from /dev/null, stdout and stderr to the given files, and exit status. The
child runs exactly what the `aws` script runs (`awscli.clidriver.main()`), with
everything created afresh (session, credentials, config); only the imported modules
are shared, and tests/awscli.py falls back to a real process whenever the request's
environment differs from this one's in a variable read at import time.

Protocol (file descriptors given on the command line): first a hello line back
{"env_read", "home_other"} (the variables read while importing, and where a string
made from HOME could not be rewritten: see tests/zygote_common.py); then one JSON line
a request {"argv", "env", "cwd", "out", "err"}; two JSON lines back: {"pid"}, then
{"status"} (the child's exit code, or -signal as subprocess reports it).
"""

from __future__ import annotations

import json
import os
import sys

AWS_SCRIPT = sys.argv[1]
REQUESTS, REPLIES = int(sys.argv[2]), int(sys.argv[3])
# As the `aws` script runs: its directory first on the path (not this file's, which
# holds a tests/awscli.py that would shadow the package).
sys.path[0] = os.path.dirname(AWS_SCRIPT)



def _common():  # noqa: ANN202
    """tests/zygote_common.py, by path (this directory is not on the path)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "zygote_common", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                      "zygote_common.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


common = _common()
# The point of this process: the driver, and the handlers every command loads (their
# import is most of a call's time), recording the environment variables read meanwhile.
ENV_READ = common.import_recording_env(["awscli.clidriver", "awscli.handlers"])
HOME_FIXABLE, HOME_OTHER = common.home_holders()
import awscli.clidriver  # noqa: E402

DATA_PATH = os.environ["AWS_DATA_PATH"]  # what importing awscli set


def child(request: dict) -> int:
    import atexit
    import time

    for fd in (REQUESTS, REPLIES):
        os.close(fd)
    null = os.open(os.devnull, os.O_RDONLY)
    out = os.open(request["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    err = os.open(request["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    for fd, target in ((null, 0), (out, 1), (err, 2)):
        os.dup2(fd, target)
        os.close(fd)
    common.rehome(HOME_FIXABLE, request["env"]["HOME"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ["AWS_DATA_PATH"] = DATA_PATH  # as `import awscli` sets it
    time.tzset()
    os.chdir(request["cwd"])
    sys.argv = [AWS_SCRIPT, *request["argv"]]
    # The `aws` script, then the interpreter's handling of sys.exit().
    if os.environ.get("LC_CTYPE", "") == "UTF-8":
        os.environ["LC_CTYPE"] = "en_US.UTF-8"
    status = common.exit_status(lambda: sys.exit(awscli.clidriver.main()))
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            status = 120
    return status


def main() -> None:
    requests = os.fdopen(REQUESTS, "r", encoding="utf-8")
    replies = os.fdopen(REPLIES, "w", encoding="utf-8")
    replies.write(json.dumps({"env_read": sorted(ENV_READ), "home_other": HOME_OTHER}) + "\n")
    replies.flush()
    for line in requests:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                status = child(request)
            finally:
                os._exit(status)
        replies.write(json.dumps({"pid": pid}) + "\n")
        replies.flush()
        _, wait_status = os.waitpid(pid, 0)
        replies.write(json.dumps({"status": os.waitstatus_to_exitcode(wait_status)}) + "\n")
        replies.flush()


if __name__ == "__main__":
    main()
