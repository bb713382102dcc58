"""Fetch the start screen's data in a helper process while the dashboard starts.

Opening straight at a session (`--voice-connector-id VC --proxy-session-id SID`)
is the on-call path, and its cost is two big imports in a row: Textual to draw,
aiobotocore to fetch. They hold the GIL, so a thread does not overlap them. A
second process does: it runs `chime-tui get-proxy-session` (aiobotocore, like
every call) on the other core while this one imports Textual and draws the
first frame. The dashboard shows its answer first; its own client takes over
from the next poll. If the helper fails in any way, the dashboard simply makes
the call itself, which reports the failure as usual.

Opening at a connector (`--voice-connector-id VC`) works the same way: the
helper pages through ListProxySessions and writes each page as one JSON line
as soon as it has it, then an end-of-listing line (so the dashboard need not
wait for it to shut down), so the list fills while the dashboard is still starting
and the botocore parsing of 100 pages happens on the other core. If the helper
stops part way, the dashboard lists the connector itself from the first page.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import weakref
from collections.abc import AsyncIterator
from typing import Any

from chime_tui.aws.settings import AwsSettings

LISTING_NICENESS = 10  # the listing helper's, below the dashboard's (see `main`)

# The listing's last line: the pages before it are all there are.
END_OF_LISTING = {"end": "of listing"}


class PrefetchFailed(Exception):
    """The helper could not finish: the caller asks the service itself."""


# Every helper process started here, so that the app can end them all on SIGTERM or
# SIGHUP (whoever holds the Popen at that moment: a screen's wait, a reaper thread).
_LIVE: weakref.WeakSet[subprocess.Popen[bytes]] = weakref.WeakSet()


def terminate_helpers() -> None:
    """Kill every start-up helper this process started, without waiting (safe in a
    signal handler: one kill(2) each). The app calls it on SIGTERM and SIGHUP; the
    helper also ends by itself when this process dies (`_die_with_parent`)."""
    for proc in list(_LIVE):
        if proc.returncode is None:
            try:
                proc.send_signal(signal.SIGKILL)
            except OSError:
                pass


class Prefetch:
    def __init__(self, proc: subprocess.Popen[bytes] | None, listing: bool = False) -> None:
        self.proc = proc
        if proc is not None:
            _LIVE.add(proc)
        self.lines: queue.SimpleQueue[bytes] | None = None
        if proc is not None and listing:
            # A listing is read as fast as the helper writes it, so the helper never
            # waits on a full pipe while the dashboard is busy starting or adding rows.
            self.lines = queue.SimpleQueue()
            threading.Thread(target=self._read_lines, args=(proc, self.lines),
                             name="prefetch-reader", daemon=True).start()

    @staticmethod
    def _read_lines(proc: subprocess.Popen[bytes], lines: queue.SimpleQueue[bytes]) -> None:
        assert proc.stdout is not None
        try:
            for line in proc.stdout:
                lines.put(line)
        except (OSError, ValueError):
            pass
        lines.put(b"")  # end of the listing

    @classmethod
    def start(cls, aws: AwsSettings, vc: str, sid: str | None) -> Prefetch:
        """With settings already resolved (the demo's, the tests')."""
        spec = {"vc": vc, "sid": sid, "profile": aws.profile, "region": aws.region,
                "endpoint_url": aws.endpoint_url, "connect_timeout": aws.connect_timeout,
                "read_timeout": aws.read_timeout, "verify_ssl": aws.verify_ssl}
        env = dict(os.environ)
        if aws.static_credentials:  # the demo's dummy keys
            env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = aws.static_credentials
            env.pop("AWS_SESSION_TOKEN", None)
        return cls._spawn(spec, env, listing=not sid)

    @classmethod
    def start_from_flags(cls, flags: dict[str, Any], vc: str, sid: str | None) -> Prefetch:
        """With the command line's AWS options: the helper reads the settings file and
        the environment itself, exactly as the dashboard does (`aws_settings_from`), so
        it can start before the dashboard has done so."""
        return cls._spawn({"vc": vc, "sid": sid, "flags": flags}, dict(os.environ),
                          listing=not sid)

    @classmethod
    def _spawn(cls, spec: dict[str, Any], env: dict[str, str], listing: bool = False
               ) -> Prefetch:
        # A lean entry point (this module), not the full command line: every import counts.
        spec = {**spec, "parent": os.getpid()}
        cmd = [sys.executable, "-m", "chime_tui.prefetch", json.dumps(spec)]
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                    stdin=subprocess.DEVNULL, env=env)
        except OSError:
            proc = None
        return cls(proc, listing)

    def result(self, timeout: float) -> dict[str, Any] | None:
        """The session as the API returned it, or None (then fetch it yourself)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return None
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            return None
        if proc.returncode != 0:
            return None
        try:
            data = json.loads(out)
        except ValueError:
            return None
        session = data.get("ProxySession") if isinstance(data, dict) else None
        return session if isinstance(session, dict) else None

    async def session_pages(self, timeout: float) -> AsyncIterator[list[dict[str, Any]]]:
        """The connector's sessions, page by page, as the API returned them; raises
        PrefetchFailed if the helper stops before the last page."""
        import asyncio

        proc, lines = self.proc, self.lines
        if proc is None or lines is None:
            raise PrefetchFailed("no helper")
        complete = False
        try:
            while True:
                try:
                    line = lines.get_nowait()  # pages already read: no thread hop
                except queue.Empty:
                    try:
                        line = await asyncio.to_thread(lines.get, timeout=timeout)
                    except queue.Empty:
                        raise PrefetchFailed("the helper took too long") from None
                if not line:
                    raise PrefetchFailed("the helper stopped before the last page")
                try:
                    items = json.loads(line)
                except ValueError:
                    raise PrefetchFailed("a page the helper wrote is not JSON") from None
                if items == END_OF_LISTING:
                    complete = True  # no need to wait for the helper to shut down
                    break
                if not isinstance(items, list):
                    raise PrefetchFailed("a page the helper wrote is not a list")
                yield items
                await asyncio.sleep(0)  # one page per turn of the event loop
        finally:
            # Never wait for the helper on the event loop: it is reaped in a thread,
            # after it exits by itself (complete) or is killed (anything else).
            self.cancel(wait=False, kill=not complete)

    def cancel(self, wait: bool = True, kill: bool = True) -> None:
        """Stop the helper (unless kill=False: it is finishing) and reap it, here or,
        wait=False, in a background thread."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if kill and proc.poll() is None:
            proc.kill()
        if wait:
            proc.communicate()
        else:
            threading.Thread(target=proc.communicate, name="prefetch-reaper",
                             daemon=True).start()


def _die_with_parent(parent: int | None) -> None:
    """The helper never outlives the app. On Linux the kernel sends it SIGKILL when the
    app dies (prctl PR_SET_PDEATHSIG); everywhere, a watcher thread exits when the
    parent is no longer its parent (it was re-parented), checked every 0.2 s."""
    if parent is None:
        return
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            PR_SET_PDEATHSIG = 1
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the app died before the line above
        os._exit(1)

    def watch() -> None:
        import time

        while True:
            time.sleep(0.2)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main(argv: list[str]) -> int:
    """The helper: with botocore's synchronous client, print one session's JSON, or
    (without a session ID) every page of the connector's sessions, a JSON line each."""
    spec = json.loads(argv[0])
    _die_with_parent(spec.get("parent"))
    if not spec.get("sid"):
        # A listing: the dashboard draws its pages while this fetches the next ones.
        # Where the two (and a local endpoint) want more cores than there are, the
        # screen comes first: it is the one someone is looking at.
        try:
            os.nice(LISTING_NICENESS)
        except (AttributeError, OSError):  # (no nice on this platform: as it is)
            pass

    # botocore's synchronous client: no asyncio, aiohttp or aiobotocore to import,
    # which is most of a one-shot call's cost (the dashboard's live refresh stays on
    # aiobotocore).
    from chime_tui.aws.factory import PAGE_SIZE
    from chime_tui.aws.sync_client import SyncChimeVoiceClient

    if "flags" in spec:
        from argparse import Namespace

        from chime_tui.options import aws_settings_from

        try:  # the same checks as the app: a refused endpoint is refused here too
            settings = aws_settings_from(Namespace(**spec["flags"]))
        except Exception:
            return 1
    else:
        settings = AwsSettings(profile=spec["profile"], region=spec["region"],
                               endpoint_url=spec["endpoint_url"],
                               connect_timeout=spec["connect_timeout"],
                               read_timeout=spec["read_timeout"], verify_ssl=spec["verify_ssl"])
    settings = settings.with_(max_attempts=1)  # as the app's: one request per try

    try:
        with SyncChimeVoiceClient(settings) as client:
            if spec.get("sid"):
                sys.stdout.write(json.dumps(client.call(
                    "get_proxy_session", VoiceConnectorId=spec["vc"], ProxySessionId=spec["sid"])))
            else:
                for items in client.pages("list_proxy_sessions", "ProxySessions",
                                          VoiceConnectorId=spec["vc"], MaxResults=PAGE_SIZE):
                    sys.stdout.write(json.dumps(items, separators=(",", ":")) + "\n")
                    sys.stdout.flush()
                sys.stdout.write(json.dumps(END_OF_LISTING) + "\n")
            sys.stdout.flush()
    except Exception:  # any failure: the dashboard asks itself and explains it
        return 1
    return 0


if __name__ == "__main__":
    from chime_tui.aws.sync_client import pause_gc

    pause_gc()  # a short-lived process: see pause_gc
    raise SystemExit(main(sys.argv[1:]))
