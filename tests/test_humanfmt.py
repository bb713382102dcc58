"""Dates as people read them, at the calendar's edges too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chime_tui.fleet import InStatus, in_status_short
from chime_tui.humanfmt import ago, short_time, utc_clock


def test_year_one_is_padded_as_any_other_year():
    # strftime's %Y writes year 1 as "1": "1-01-01 00:00:00 UTC" read as no date at all.
    first = datetime(1, 1, 1, tzinfo=UTC)
    assert utc_clock(first) == "0001-01-01 00:00:00 UTC"
    assert short_time(first, datetime(2026, 11, 28, tzinfo=UTC)) == "0001-01-01 00:00 UTC"
    last = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert utc_clock(last) == "9999-12-31 23:59:59 UTC"
    assert utc_clock(datetime(2026, 3, 5, 7, 8, 9, tzinfo=UTC)) == "2026-03-05 07:08:09 UTC"


def test_an_age_is_floored_to_the_unit_it_is_said_in():
    """Walk 4 #11: humanize rounds, so one instant read "changed 52 minutes ago" beside
    "in status ≥ 51 min", and "2 minutes ago" beside "1m 31s". An age is never said to
    be older than it is: the same floor as the time in status."""
    now = datetime(2026, 11, 28, 20, 27, 55, tzinfo=UTC)
    for delta, said, bound in ((timedelta(minutes=51, seconds=41), "51 minutes ago", "≥ 51 min"),
                               (timedelta(minutes=1, seconds=31), "a minute ago", "≥ 1 min"),
                               (timedelta(hours=1, minutes=50), "an hour ago", "≥ 1h 50m"),
                               (timedelta(hours=23, minutes=40), "23 hours ago", "≥ 23h 40m")):
        assert ago(now - delta, now) == said, delta
        assert in_status_short(InStatus("Open", now - delta, False, "updated"), now) == bound
    assert ago(now - timedelta(seconds=59, microseconds=900_000), now) == "59 seconds ago"
    assert ago(now - timedelta(days=1, hours=20), now) == "a day ago"
    assert ago(now - timedelta(milliseconds=400), now) == "just now"
    assert ago(now + timedelta(seconds=5), now) == "5 seconds from now"  # a clock behind


def test_a_short_age_is_floored_and_narrow():
    from chime_tui.humanfmt import ago_short

    now = datetime(2026, 11, 28, 20, 27, 55, tzinfo=UTC)
    said = {timedelta(milliseconds=300): "just now", timedelta(seconds=59.9): "59s ago",
            timedelta(minutes=7, seconds=59): "7m ago", timedelta(hours=2, minutes=5, seconds=59):
            "2h 05m ago", timedelta(days=3, hours=23): "3d ago",
            timedelta(seconds=-5): "in 5s"}
    assert {d: ago_short(now - d, now) for d in said} == said
    assert ago_short(None, now) == "—"


def test_time_left_is_floored_too():
    """Walk 6 #2: 'expires in 44 minutes' at 43m 55s left, and an alert's 'expires in 5
    minutes' at 4m 50s beside the board's '4m 50s': time left is never said longer."""
    from chime_tui.humanfmt import in_words

    assert in_words(timedelta(minutes=43, seconds=55)) == "in 43 minutes"
    assert in_words(timedelta(minutes=4, seconds=50)) == "in 4 minutes"
    assert in_words(timedelta(seconds=3599)) == "in 59 minutes"
    assert in_words(timedelta(seconds=90)) == "in a minute"
    now = datetime(2026, 11, 28, 20, 27, 55, tzinfo=UTC)
    assert ago(now + timedelta(hours=1, minutes=34), now) == "an hour from now"
