"""A busy Timeline's idle cost, pinned by mechanism (no timings): the ages come from a
memo that follows humanize exactly; a tick that changes one row's age draws that row
only; a tick that changes no age draws nothing; the columns do not move."""

from __future__ import annotations

from datetime import timedelta

from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID
from chime_tui.humanfmt import ago
from chime_tui.monitor import Change
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.detail import SessionDetailScreen
from chime_tui.tui.widgets import timeline_panel
from chime_tui.tui.widgets.panel import SessionPanel
from chime_tui.tui.widgets.timeline_panel import Rows, TimelinePanel, age

from .conftest import FIXED_NOW, app_settings, wait_for
from .test_idle_mechanisms import Clock


def sweep() -> list[timedelta]:
    """Every quarter second of the first two hours (the half minutes humanize rounds
    on), around every half hour of the first two days, and days up to three years."""
    out = [timedelta(seconds=s / 4) for s in range(0, 2 * 3600 * 4)]
    for half_hours in range(4, 4 * 24 + 1):
        mid = timedelta(minutes=30 * half_hours)
        out += [mid + timedelta(seconds=s / 2) for s in range(-4, 5)]
    out += [timedelta(days=d, seconds=s) for d in range(1, 3 * 366) for s in (0, 43_199, 86_399)]
    out += [timedelta(microseconds=1), timedelta(seconds=1) - timedelta(microseconds=1),
            timedelta(seconds=-5), timedelta(hours=-2)]  # a clock set back
    return out


def test_the_age_memo_says_what_ago_says_for_every_delta():
    timeline_panel._ages.clear()
    wrong = [(d, age(FIXED_NOW - d, FIXED_NOW), ago(FIXED_NOW - d, FIXED_NOW))
             for d in sweep() if age(FIXED_NOW - d, FIXED_NOW) != ago(FIXED_NOW - d, FIXED_NOW)]
    assert wrong == []
    # `ago` floors the minutes and hours (humanize alone rounds them: walk 4 #11): the
    # text moves on the whole minute and hour.
    then = FIXED_NOW - timedelta(seconds=89)
    assert age(then, FIXED_NOW) == "a minute ago"
    assert age(then, FIXED_NOW + timedelta(seconds=1)) == "a minute ago"  # 90 s
    assert age(then, FIXED_NOW + timedelta(seconds=30)) == "a minute ago"  # 119 s
    assert age(then, FIXED_NOW + timedelta(seconds=31)) == "2 minutes ago"  # 120 s
    hours = FIXED_NOW - timedelta(hours=23, minutes=59)
    assert age(hours, FIXED_NOW) == "23 hours ago"  # (humanize alone: "a day ago")


def busy_app(frozen_server, clock: Clock):
    return make_app(app_settings(frozen_server, refresh=3600, voice_connector_id=SEED_CONNECTOR_ID,
                                 proxy_session_id=SEED_SESSION_ID), clock=clock)


def fifty_changes(app) -> list[Change]:
    """50 changes seen over the last hour, each at its own second."""
    key = (SEED_CONNECTOR_ID, SEED_SESSION_ID)
    changes = [Change(FIXED_NOW - timedelta(seconds=600 + 61 * i), *key, "Status",
                      "Open" if i % 2 else "InProgress", "InProgress" if i % 2 else "Open")
               for i in range(50)][::-1]
    app.tracker.timelines[key].extend(changes)
    return changes


def moved(changes: list[Change], before, after) -> int:
    """How many rows' age text differs between two times (humanize's own word)."""
    return sum(ago(c.at, before) != ago(c.at, after) for c in changes)


def spy(monkeypatch) -> tuple[list[int], list[tuple]]:
    rendered: list[int] = []
    refreshed: list[tuple] = []
    real_lines, real_refresh = Rows.lines, SessionPanel.refresh

    def lines(self, console, i, width):
        rendered.append(i)
        return real_lines(self, console, i, width)

    def refresh(self, *regions, repaint=True, layout=False, recompose=False):
        if isinstance(self, TimelinePanel):
            refreshed.append((regions, layout))
        return real_refresh(self, *regions, repaint=repaint, layout=layout, recompose=recompose)

    monkeypatch.setattr(Rows, "lines", lines)
    monkeypatch.setattr(SessionPanel, "refresh", refresh)
    return rendered, refreshed


async def test_a_tick_redraws_only_the_rows_whose_age_changed(frozen_server, monkeypatch):
    clock = Clock()
    app = busy_app(frozen_server, clock)
    async with app.run_test(size=(140, 80)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionDetailScreen)
                       and app.screen.session is not None)
        changes = fifty_changes(app)
        app.screen.show_timeline()
        panel = app.screen.query_one(TimelinePanel)
        await pilot.pause()
        assert len(panel.strips) == 50
        # A second in which exactly one row's age moves, and one in which none does.
        step = timedelta(seconds=1)
        t = FIXED_NOW
        while moved(changes, t, t + step) != 1:
            t += step
        quiet = FIXED_NOW
        while moved(changes, quiet, quiet + step) != 0:
            quiet += step
        assert quiet + step != t + step

        clock.now = t
        app.screen.tick()
        await pilot.pause()
        rendered, refreshed = spy(monkeypatch)
        clock.now = t + step
        app.screen.tick()
        [row] = rendered  # one row drawn again, the others kept as they were
        assert refreshed and all(not layout for _, layout in refreshed), refreshed
        assert [(r.y, r.height) for regions, _ in refreshed for r in regions] == [(row, 1)]
        shown = changes[::-1][row]
        assert f"({ago(shown.at, clock.now)})" in panel.strips[row].text

        clock.now = quiet
        app.screen.tick()
        await pilot.pause()
        rendered.clear()
        refreshed.clear()
        clock.now = quiet + step
        app.screen.tick()
        assert rendered == [] and refreshed == []

        # What the kept rows show is what a fresh drawing shows.
        kept = [s.text for s in panel.strips]
        panel.line_cache.clear()
        panel.drawn_for = None
        assert [s.text for s in panel.draw(panel.size.width, panel.rich_style)] == kept
        for c, line in zip(changes[::-1], kept):
            assert f"({ago(c.at, clock.now)})" in line


def test_the_columns_stay_put_whatever_the_ages_say():
    """The time column fits the usual ages: 'just now' and '59 minutes ago' rows put the
    field at the same column."""
    from rich.console import Console
    from rich.text import Text

    from chime_tui.tracking import describe
    from chime_tui.tui.widgets.timeline_panel import Row

    change = Change(FIXED_NOW, "vc", "sid", "Status", "Open", "Closed")
    [entry] = describe(change, False)
    row = Row(FIXED_NOW, Text("Status"), Text("Open → Closed"), ("12:00:00", entry))
    console = Console(width=100)
    young = Rows([(row, "just now")]).lines(console, 0, 100)[0].plain
    old = Rows([(row, "59 minutes ago")]).lines(console, 0, 100)[0].plain
    assert young.index("Status") == old.index("Status")
