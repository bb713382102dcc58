"""The Timeline panel shows the lines that fit (its CSS caps its height); focused, the
keys move through the rest, its foot says which lines are in view, and a change that
comes in while older lines are in view leaves them in view. What is checked is what
the terminal shows, in the panel's rows of the screen."""

from __future__ import annotations

from datetime import timedelta

from chime_tui.tui.app import make_app
from chime_tui.tui.widgets.timeline_panel import TimelinePanel

from .conftest import app_settings, wait_for
from .test_app import detail_loaded
from .test_chrome import screen_lines


def panel_text(app) -> str:
    """The screen's text (a timeline row reads "Name name-04 → name-05"; the Details
    panel shows the current name alone)."""
    return "\n".join(screen_lines(app))


async def rename(pilot, state, vc: str, sid: str, name: str) -> None:
    """The session gets a new Name; a refresh brings it into the timeline."""
    app = pilot.app
    before = len(app.tracker.timelines.get((vc, sid), []))
    state.set_fields(vc, sid, {"Name": name})
    await pilot.press("r")
    await wait_for(pilot, lambda: len(app.tracker.timelines.get((vc, sid), [])) > before)
    await pilot.pause(0.05)


class Clock:
    def __init__(self, now) -> None:
        self.now = now

    def __call__(self):
        return self.now


def drawn_in_view(panel: TimelinePanel) -> list[str]:
    """The panel's lines as the compositor gets them (its border's first and last off)."""
    lines = panel.render_lines(panel.outer_size.region)[1:-1]
    return ["".join(segment.text for segment in line) for line in lines]


async def test_the_timeline_scrolls_through_the_changes_that_do_not_fit(server, state):
    vc = list(state.connectors)[1]
    sid = next(s["ProxySessionId"] for s in state.list_sessions(vc) if s["Status"] == "Open")
    clock = Clock(state.clock())
    app = make_app(app_settings(server, refresh=600, voice_connector_id=vc,
                                proxy_session_id=sid), clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        for i in range(1, 13):
            await rename(pilot, state, vc, sid, f"name-{i:02}")
        panel = app.screen.query_one(TimelinePanel)
        await pilot.press("6")
        assert app.focused is panel
        shown = panel.content_size.height
        total = len(panel.strips)
        assert total >= 12 > shown  # more lines than fit
        text = panel_text(app)
        assert "→ name-12" in text and "→ name-01" not in text  # the newest first
        assert f"12 changes · lines 1–{shown} of {total}" in text
        await pilot.press("end")
        text = panel_text(app)
        assert "→ name-01" in text and "→ name-12" not in text  # the oldest, at the end
        assert f"lines {total - shown + 1}–{total} of {total}" in text
        await pilot.press("up")
        assert f"lines {total - shown}–{total - 1} of {total}" in panel_text(app)
        await pilot.press("down")
        # A tick while scrolled: the ages move, and each line in view shows its own.
        app.ticker.pause()
        before = drawn_in_view(panel)
        clock.now += timedelta(minutes=3)
        app.screen.tick()
        await pilot.pause(0.1)
        after = drawn_in_view(panel)
        assert after != before and "3 minutes ago" in after[0]
        wanted = ["".join(seg.text for seg in strip)
                  for strip in panel.strips[panel.first:panel.first + shown]]
        assert [w.strip() in line for w, line in zip(wanted, after)] == [True] * shown
        # A change while the oldest lines are in view: they stay in view.
        await rename(pilot, state, vc, sid, "name-13")
        text = panel_text(app)
        assert "→ name-01" in text and "→ name-13" not in text
        assert f"13 changes · lines {total - shown + 2}–{total + 1} of {total + 1}" in text
        await pilot.press("home")
        text = panel_text(app)
        assert "→ name-13" in text and "→ name-01" not in text
        assert f"lines 1–{shown} of {total + 1}" in text
        await pilot.press("pagedown")  # a page on, or as far as there are lines
        first = min(shown, total + 1 - shown)
        assert f"lines {first + 1}–{first + shown} of {total + 1}" in panel_text(app)


async def test_a_tick_while_scrolled_repaints_the_lines_in_view_that_changed(server, state):
    """Only the older lines in view change (their age crosses a day, the newer ones'
    does not): the lines on screen are the panel's lines in view, not what was there."""
    vc = list(state.connectors)[1]
    sid = next(s["ProxySessionId"] for s in state.list_sessions(vc) if s["Status"] == "Open")
    start = state.clock()
    clock = Clock(start)
    app = make_app(app_settings(server, refresh=600, voice_connector_id=vc,
                                proxy_session_id=sid), clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        app.ticker.pause()
        for i in range(1, 17):
            if i == 9:
                clock.now = start + timedelta(hours=12)  # the newer eight, half a day on
            await rename(pilot, state, vc, sid, f"name-{i:02}")
        panel = app.screen.query_one(TimelinePanel)
        clock.now = start + timedelta(days=2, hours=23, minutes=59)
        app.screen.tick()
        await pilot.pause(0.1)
        await pilot.press("6", "end")
        shown = panel.content_size.height
        assert len(panel.strips) == 16 and panel.first == 16 - shown
        before = drawn_in_view(panel)
        assert all("2 days ago" in line for line in before)
        clock.now += timedelta(minutes=2)  # the older eight cross 3 days; the newer, no
        app.screen.tick()
        await pilot.pause(0.1)
        after = drawn_in_view(panel)
        wanted = ["".join(seg.text for seg in strip)
                  for strip in panel.strips[panel.first:panel.first + shown]]
        assert [w.strip() in line for w, line in zip(wanted, after, strict=True)] \
            == [True] * shown
        assert all("3 days ago" in line for line in after)
