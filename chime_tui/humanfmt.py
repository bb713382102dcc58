"""Times and durations for people (humanize), shared by the screens and the CLI."""

from __future__ import annotations

from datetime import datetime, timedelta

from chime_tui.models import ExpiryState, ProxySession, redact_phone


def clock_countdown(delta: timedelta) -> str:
    """'1:02:03' style countdown, never negative."""
    total = max(0, int(delta.total_seconds()))
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}"


def _floored(delta: timedelta) -> timedelta:
    """`delta` floored to the unit humanize says it in under a day (seconds, minutes,
    hours; it rounds them), its sign kept: what is said is never more than it is."""
    secs = int(abs(delta.total_seconds()))
    if secs >= 86400:
        return delta
    floored = timedelta(seconds=secs - secs % (1 if secs < 60 else 60 if secs < 3600 else 3600))
    return -floored if delta < timedelta(0) else floored


def in_words(delta: timedelta) -> str:
    """'in 43 minutes', floored: 43m 55s left is 'in 43 minutes', never 'in 44' (an
    alert at 4m 50s said 'expires in 5 minutes' beside the board's '4m 50s': walk 6 #2)."""
    import humanize  # imported on first use: not needed before the first frame

    try:
        return "in " + humanize.naturaldelta(_floored(delta))
    except (OverflowError, ValueError):  # a date at the edge of the calendar
        return "in a very long time"


def ago(when: datetime | None, now: datetime) -> str:
    """'3 minutes ago' (or 'just now'); '—' when unknown."""
    if when is None:
        return "—"
    delta = now - when
    if timedelta(0) <= delta < timedelta(seconds=1):
        return "just now"
    # Floored to the unit it is said in. Humanize rounds: 51m 41s was "52 minutes ago"
    # beside "≥ 51 min" for the same instant, and 1m 31s "2 minutes ago" beside "1m 31s"
    # (walk 4 #11). An age is never said to be older than it is (nor a time ahead of
    # the clock further ahead).
    delta = _floored(delta)
    import humanize

    try:
        return humanize.naturaltime(delta)
    except (OverflowError, ValueError):  # 9999-12-31 and the like: data, not a crash
        return "at the edge of the calendar"


def ago_short(when: datetime | None, now: datetime) -> str:
    """A narrow table cell's age, floored: '42s ago', '7m ago', '2h 05m ago', '3d ago';
    'just now'; '—' when unknown; a time ahead of the clock as 'in 5s'."""
    if when is None:
        return "—"
    secs = int((now - when).total_seconds())
    ahead = secs < 0
    secs = abs(secs)
    if secs < 1:
        return "just now"
    if secs < 60:
        text = f"{secs}s"
    elif secs < 3600:
        text = f"{secs // 60}m"
    elif secs < 86400:
        text = f"{secs // 3600}h {secs % 3600 // 60:02d}m"
    else:
        text = f"{secs // 86400}d"
    return f"in {text}" if ahead else f"{text} ago"


def ago_minutes(when: datetime | None, now: datetime) -> str:
    """As `ago`, to the minute: 'under a minute ago', '3 minutes ago' (beside a full
    timestamp the seconds add nothing, and a line that changes every second costs a
    redraw every second)."""
    if when is not None and timedelta(0) <= now - when < timedelta(minutes=1):
        return "under a minute ago"
    return ago(when, now)


def day(when: datetime) -> str:
    """'2026-11-28', and '0001-01-01' for year 1 (strftime's %Y does not pad it)."""
    return f"{when.year:04d}-{when.month:02d}-{when.day:02d}"


def utc_clock(when: datetime | None) -> str:
    return f"{day(when)} {when:%H:%M:%S} UTC" if when else "—"


def short_time(when: datetime, now: datetime | None = None) -> str:
    """'14:05 UTC' on `now`'s day (or with no `now`), else '2020-04-15 17:10 UTC'."""
    if now is not None and when.date() != now.date():
        return f"{day(when)} {when:%H:%M} UTC"
    return when.strftime("%H:%M UTC")


def expiry_short(session: ProxySession, now: datetime) -> str:
    """One cell for a table: '43m 10s', 'expired', 'ended', '—'."""
    state = session.expiry_state(now)
    if state is ExpiryState.COUNTING:
        left = session.time_to_expiry(now) or timedelta(0)
        secs = int(left.total_seconds())
        if secs >= 86400:
            return f"{secs // 86400}d {secs % 86400 // 3600}h"
        if secs >= 3600:
            return f"{secs // 3600}h {secs % 3600 // 60:02d}m"
        return f"{secs // 60}m {secs % 60:02d}s"
    return {ExpiryState.EXPIRED: "expired", ExpiryState.ENDED: "ended"}.get(state, "—")


def expiry_sentence(session: ProxySession, now: datetime) -> str:
    """'expires in 43 minutes (14:05 UTC)', 'expired 3 minutes ago', 'ended 2 hours ago'."""
    state = session.expiry_state(now)
    expires = session.expires_at
    if state is ExpiryState.COUNTING and expires:
        return f"expires {in_words(expires - now)} ({short_time(expires, now)})"
    if state is ExpiryState.EXPIRED and expires:
        return f"expired {ago(expires, now)} ({short_time(expires, now)})"
    if state is ExpiryState.ENDED:
        when = session.ended
        return f"ended {ago(when, now)}" if when else "closed"
    return "no expiry set" if session.expiry_minutes is None else "expiry unknown"


def phone(number: str | None, redact: bool) -> str:
    if not number:
        return "—"
    return (redact_phone(number) or "—") if redact else number
