"""What a `python -m` process sees of itself, printed as JSON (tests/test_ourcli.py runs
it fresh and forked from the zygote, and compares)."""

from __future__ import annotations

import json
import locale
import os
import random
import site
import stat
import sys
import threading
import time

import botocore.credentials
import botocore.loaders
import botocore.tokens
import botocore.utils


def kind(fd: int) -> str:
    mode = os.fstat(fd).st_mode
    return "fifo" if stat.S_ISFIFO(mode) else "chr" if stat.S_ISCHR(mode) else "reg"


def main() -> int:
    umask = os.umask(0)
    os.umask(umask)
    facts = {
        "argv": sys.argv, "path0": sys.path[0], "cwd": os.getcwd(), "umask": umask,
        "main": __name__, "env": dict(os.environ), "stdin": sys.stdin.read(),
        "fds": [kind(fd) for fd in (0, 1, 2)], "tty": [os.isatty(fd) for fd in (0, 1, 2)],
        "encoding": [sys.stdout.encoding, sys.stdout.errors, locale.getpreferredencoding()],
        "buffering": [sys.stdout.line_buffering, sys.stderr.line_buffering],
        "flags": list(sys.flags), "tz": list(time.tzname), "threads": threading.active_count(),
        "user_site": site.USER_SITE, "user_base": site.USER_BASE,
        "botocore_home": [botocore.utils.JSONFileCache.CACHE_DIR,
                          botocore.utils.JSONFileCache.__init__.__defaults__[0],
                          botocore.loaders.Loader.CUSTOMER_DATA_PATH,
                          botocore.tokens.SSOTokenProvider._SSO_TOKEN_CACHE_DIR,
                          botocore.credentials.SSOProvider._SSO_TOKEN_CACHE_DIR],
        "modules_main": "chime_tui.__main__" in sys.modules,
    }
    print(json.dumps(facts))
    print(random.random(), file=sys.stderr)  # each process its own random state
    return int(os.environ.get("PROBE_EXIT", "0"))


if __name__ == "__main__":
    sys.exit(main())
