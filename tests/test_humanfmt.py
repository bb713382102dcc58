"""Dates as people read them, at the calendar's edges too."""

from __future__ import annotations

from datetime import UTC, datetime

from chime_tui.humanfmt import short_time, utc_clock


def test_year_one_is_padded_as_any_other_year():
    # strftime's %Y writes year 1 as "1": "1-01-01 00:00:00 UTC" read as no date at all.
    first = datetime(1, 1, 1, tzinfo=UTC)
    assert utc_clock(first) == "0001-01-01 00:00:00 UTC"
    assert short_time(first, datetime(2026, 11, 28, tzinfo=UTC)) == "0001-01-01 00:00 UTC"
    last = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert utc_clock(last) == "9999-12-31 23:59:59 UTC"
    assert utc_clock(datetime(2026, 3, 5, 7, 8, 9, tzinfo=UTC)) == "2026-03-05 07:08:09 UTC"
