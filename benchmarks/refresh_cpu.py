"""The CPU of one periodic refresh, in-process: the watch board's (200 pins) and the
session list's (that connector, ~440 sessions), as `benchmarks/run.py`'s idle scenario
sets them up (the emulator with seed 7, 200 sessions of a day made on an ordinary
connector of ~240).

    .venv/bin/python benchmarks/refresh_cpu.py [--refreshes 50] [--profile board|list]
                                                [--change-one]

Prints the median process time of a refresh (request build, signing, aiohttp, botocore's
parse, our models, the tracker). The emulator runs in its own process: its CPU is not
counted. A rough figure (the machine's other load shows in it): read medians.
--change-one: before each refresh (not counted), one session's expiry is changed, so one
page of each listing differs from the last refresh's.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import base_env, start_emulator, ticking_sessions  # noqa: E402
from chime_tui.aws.client import AwsSettings, ChimeVoiceClient  # noqa: E402
from chime_tui.models import ProxySession  # noqa: E402
from chime_tui.monitor import Change  # noqa: E402
from chime_tui.pins import PinStore  # noqa: E402
from chime_tui.sources import ConnectorSessions, PinnedSessions, Source  # noqa: E402
from chime_tui.tracking import Alert, SessionTracker  # noqa: E402

PINS = 200


class Host:
    """What the app gives a source (as tests/test_sources.py's)."""

    def __init__(self, url: str, pins: list[tuple[str, str]]) -> None:
        self.service = ChimeVoiceClient(AwsSettings(endpoint_url=url, region="us-east-1"))
        self.tracker = SessionTracker(timedelta(minutes=5))
        self.pins = PinStore(None)
        self.pins.pins = list(pins)
        self.clock = lambda: datetime.now(UTC)
        self.timer = time.perf_counter
        self.alerts: list[Alert] = []

    @property
    def prefetch_timeout(self) -> float:
        return 30.0

    def take_prefetch(self, vc: str, sid: str | None) -> None:
        return None

    def open_client_later(self, delay: float) -> None:
        pass

    def raise_alerts(self, alerts: list[Alert]) -> None:
        self.alerts.extend(alerts)

    def track(self, session: ProxySession) -> list[Change]:
        changes, alerts = self.tracker.observe(session, self.clock())
        self.raise_alerts(alerts)
        return changes


async def measure(source: Source[Any], refreshes: int, profile: bool,
                  change: Callable[[int], None] | None) -> list[float]:
    for _ in range(3):  # the client opened, the first listing held
        await source.fetch()
    times = []
    prof = cProfile.Profile(time.process_time) if profile else None  # CPU, not waiting
    for n in range(refreshes):
        if change is not None:
            await asyncio.to_thread(change, n)
        if prof is not None:
            prof.enable()
        t0 = time.process_time()
        await source.fetch()
        times.append(time.process_time() - t0)
        if prof is not None:
            prof.disable()
    if prof is not None:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
    return times


async def run(url: str, vc: str, sids: list[str], refreshes: int, profile: str,
              change_one: bool) -> None:
    pins = [(vc, s) for s in sids[:PINS]]
    board_host, list_host = Host(url, pins), Host(url, [])
    change = None
    if change_one:
        from chime_tui.aws.sync_client import SyncChimeVoiceClient

        writer = SyncChimeVoiceClient(AwsSettings(endpoint_url=url, region="us-east-1"))

        def change(n: int) -> None:
            writer.call("update_proxy_session", VoiceConnectorId=vc, ProxySessionId=sids[n % 50],
                        Capabilities=["Voice", "SMS"], ExpiryMinutes=1440 + n)
    try:
        board = await measure(PinnedSessions(board_host, 5.0), refreshes, profile == "board",
                              change)
        listing = ConnectorSessions(list_host, vc, 5.0)
        lst = await measure(listing, refreshes, profile == "list", change)
        n = len(listing.held)
    finally:
        await board_host.service.close()
        await list_host.service.close()
        if change_one:
            writer.close()
    for name, times in ((f"board of {PINS} pins", board), (f"session list ({n})", lst)):
        print(f"{name}: median {1000 * statistics.median(times):.2f} ms CPU a refresh "
              f"(min {1000 * min(times):.2f}, max {1000 * max(times):.2f}, n={len(times)})")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--refreshes", type=int, default=50)
    p.add_argument("--profile", choices=("board", "list", ""), default="")
    p.add_argument("--change-one", action="store_true")
    args = p.parse_args()
    env = base_env(Path(tempfile.mkdtemp()))
    emulator, url = start_emulator(10_000, 0.0)  # as run.py (its connectors differ by it)
    try:
        vc, sids = ticking_sessions(url, env, PINS)
        os.environ.update({k: v for k, v in env.items() if k.startswith("AWS_")})
        asyncio.run(run(url, vc, sids, args.refreshes, args.profile, args.change_one))
    finally:
        emulator.terminate()
        emulator.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
