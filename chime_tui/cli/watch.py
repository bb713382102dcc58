"""`get-proxy-session --watch`: one JSON line per change, for terminals and logs.

Lines: first `{"event": "snapshot", ...}` with the session, then
`{"event": "change", "field", "old", "new"}` per changed field, `{"event":
"error", ...}` while a fetch fails (with the wait before the next try), and a
last `{"event": "closed"}` or `{"event": "gone"}` when the session ends or
disappears (a NotFound is confirmed by a second try 5 s later, as in the dashboard:
until then it is an `error` line). Each line carries the time. Polls never overlap; throttling backs
off as in the dashboard.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import IO, Any

from chime_tui.aws.client import ChimeVoiceClient
from chime_tui.aws.errors import NotFound
from chime_tui.models import ProxySession, utcnow
from chime_tui.monitor import Poller, diff_sessions, stamp
from chime_tui.sources import RECHECK_SECONDS


def json_line(data: Any) -> str:
    """One JSON line with every control character escaped: json.dumps escapes C0 but
    leaves C1 (\x9b is a one-byte CSI) and bidi overrides raw."""
    from chime_tui.textsafe import json_safe

    return json_safe(json.dumps(data, ensure_ascii=False)) + "\n"


async def watch_session(client: ChimeVoiceClient, vc: str, sid: str, interval: float,
                        out: IO[str] = sys.stdout,
                        transform: Callable[[Any], Any] = lambda d: d,
                        clock: Callable[[], datetime] = utcnow,
                        recheck: float = RECHECK_SECONDS) -> int:
    def line(event: str, **fields: Any) -> None:
        out.write(json_line(transform({"time": stamp(clock()), "event": event, **fields})))
        out.flush()

    poller: Poller[ProxySession] = Poller(lambda: client.get_proxy_session(vc, sid),
                                          interval=interval, clock=clock)
    last: ProxySession | None = None
    missing = False  # a NotFound not yet confirmed (as the dashboard: a blip is not gone)
    while True:
        outcome = await poller.poll_once()
        if outcome.error is not None:
            if isinstance(outcome.error, NotFound):
                if last is None:
                    # Never seen: not "gone" but not found, exactly as without --watch
                    # (exit 254 with the same message).
                    raise outcome.error
                if missing:  # confirmed by a second try, `recheck` seconds later
                    line("gone", reason=outcome.error.message)
                    return 0
                missing = True
                line("error", kind=outcome.error.kind, message=outcome.error.message,
                     next_try_in=round(recheck, 1))
                await asyncio.sleep(recheck)
                continue
            line("error", kind=outcome.error.kind, message=outcome.error.message,
                 next_try_in=round(outcome.next_delay or 0, 1))
            if outcome.next_delay is None:
                return 254
            await asyncio.sleep(outcome.next_delay)
            continue
        missing = False
        session = outcome.value
        assert session is not None
        if last is None:
            line("snapshot", ProxySession=dict(session.raw))
        else:
            for change in diff_sessions(last, session, outcome.fetched_at):
                line("change", field=change.field, old=change.old, new=change.new)
        last = session
        if session.is_closed:
            line("closed", EndedTimestamp=session.raw.get("EndedTimestamp"))
            return 0
        await asyncio.sleep(interval)
