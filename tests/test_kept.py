"""Kept lines (chime_tui.tui.widgets.kept): a tick asks Textual to draw only the widgets
it changed, and what the kept lines show is always what Textual draws afresh, through
every change that restyles a widget without a change of its own."""

from __future__ import annotations

from textual.widget import Widget

from chime_tui.tui.app import make_app
from chime_tui.tui.screens.board import BoardScreen
from chime_tui.tui.screens.help import HelpScreen
from chime_tui.tui.screens.sessions import SessionListScreen
from chime_tui.tui.widgets.kept import Kept
from chime_tui.tui.widgets.keyed_table import KeyedTable, LiveLayer

from .conftest import FIXED_NOW, app_settings, wait_for
from .test_app import detail_loaded
from .vclock import VirtualClock


def ticking(frozen_state) -> tuple[str, str]:
    """A session of the frozen emulator whose countdown ticks."""
    vc = list(frozen_state.connectors)[1]
    sid = next(s["ProxySessionId"] for s in frozen_state.list_sessions(vc)
               if s["Status"] != "Closed" and s.get("ExpiryMinutes"))
    return vc, sid


def app_on(frozen_server, clock: VirtualClock, **kw):
    return make_app(app_settings(frozen_server, refresh=5, **kw), rng=lambda: 0.0,
                    **clock.app_kwargs())


def spy_drawn(monkeypatch) -> list[str]:
    """The widgets drawn from now on: through Textual's styles cache (which Kept asks
    on a miss only), by a widget that splices its changed lines into those kept, or,
    for a table's live layer, by the layer itself."""
    drawn: list[str] = []
    for cls, name in ((Widget, "render_lines"), (LiveLayer, "render_lines"),
                      (Kept, "_spliced")):
        real = getattr(cls, name)

        def spy(self, *args, real=real):
            drawn.append(type(self).__name__)
            return real(self, *args)

        monkeypatch.setattr(cls, name, spy)
    return drawn


async def drawn_in_a_tick(app, pilot, clock: VirtualClock, monkeypatch,
                          settle: float) -> list[str]:
    """The widgets drawn for one tick, `settle` seconds of the app's clock after loading."""
    await clock.advance(settle)
    await pilot.pause()
    drawn = spy_drawn(monkeypatch)
    await pilot.pause(0.3)  # what the first answers set off (the footer's keys) is done
    drawn.clear()
    await clock.advance(1.0)
    await pilot.pause()
    return drawn


async def same_both_ways(app, pilot, step: str) -> None:
    """The screen as drawn with kept lines is the screen as Textual draws it afresh."""
    await pilot.pause()
    kept = app.export_screenshot()
    Kept.keep = False
    try:
        fresh = app.export_screenshot()
    finally:
        Kept.keep = True
    assert kept == fresh, f"kept lines differ from a fresh drawing after: {step}"


async def restyled_then_stale(app, pilot, state) -> None:
    """Another theme, then the service throttling a refresh: the screen goes stale."""
    screen = app.screen
    app.theme = "textual-light"
    await same_both_ways(app, pilot, "a theme")
    state.faults.throttle = -1
    await pilot.press("r")
    await wait_for(pilot, lambda: screen.has_class("-stale"))
    await same_both_ways(app, pilot, "stale")


async def test_a_countdown_tick_draws_only_the_panels_it_changed(
        frozen_server, frozen_state, monkeypatch):
    clock = VirtualClock(FIXED_NOW)
    vc, sid = ticking(frozen_state)
    app = app_on(frozen_server, clock, voice_connector_id=vc, proxy_session_id=sid)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        drawn = await drawn_in_a_tick(app, pilot, clock, monkeypatch, settle=1.0)
        assert "ExpiryPanel" in drawn, drawn  # the countdown moved and was drawn
        # The panels, grid, header and footer it did not change are not drawn again.
        assert not set(drawn) & {"CapabilitiesPanel", "ParticipantsPanel", "DetailsPanel",
                                 "TimelinePanel", "KeptGrid", "KeptHeader", "KeptFooter"}, drawn


async def test_a_countdown_tick_draws_its_lines_into_the_panel_kept(
        frozen_server, frozen_state, monkeypatch):
    """The Expiry panel's changed lines go between its border's kept edges (`splices`),
    not through Textual's styles cache; the screen is what Textual draws afresh."""
    clock = VirtualClock(FIXED_NOW)
    vc, sid = ticking(frozen_state)
    app = app_on(frozen_server, clock, voice_connector_id=vc, proxy_session_id=sid)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        await clock.advance(1.0)
        await pilot.pause()
        through_cache: list[str] = []
        real = Widget.render_lines

        def render_lines(self, crop):
            through_cache.append(type(self).__name__)
            return real(self, crop)

        monkeypatch.setattr(Widget, "render_lines", render_lines)
        for _ in range(3):
            before = app.export_screenshot()
            through_cache.clear()
            await clock.advance(1.0)
            await pilot.pause()
            assert app.export_screenshot() != before  # the countdown moved
            assert not {"ExpiryPanel", "StatusPanel"} & set(through_cache), through_cache
            await same_both_ways(app, pilot, "a tick")


async def test_a_list_tick_does_not_draw_the_table_under_its_live_cells(
        frozen_server, frozen_state, monkeypatch):
    clock = VirtualClock(FIXED_NOW)
    vc, _ = ticking(frozen_state)
    app = app_on(frozen_server, clock, voice_connector_id=vc)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                       and app.screen.query_one(KeyedTable).row_count > 0)
        drawn = await drawn_in_a_tick(app, pilot, clock, monkeypatch, settle=2.0)
        assert "LiveLayer" in drawn, drawn  # the countdowns moved and were drawn
        assert not set(drawn) & {"KeyedTable", "KeptVertical", "KeptInput", "KeptHeader",
                                 "KeptFooter", "ConnectorHeader"}, drawn


async def test_kept_lines_on_the_session_screen_are_what_textual_draws(
        frozen_server, frozen_state):
    clock = VirtualClock(FIXED_NOW)
    vc, sid = ticking(frozen_state)
    app = app_on(frozen_server, clock, voice_connector_id=vc, proxy_session_id=sid)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        screen = app.screen
        await same_both_ways(app, pilot, "loaded")
        await clock.advance(1.0)
        await same_both_ways(app, pilot, "a tick")
        await pilot.press("tab")  # focus: a panel's border changes
        await same_both_ways(app, pilot, "focus moved")
        await restyled_then_stale(app, pilot, frozen_state)
        await clock.advance(1.0)
        await same_both_ways(app, pilot, "a tick while stale")
        frozen_state.faults.clear()
        await pilot.press("r")
        await wait_for(pilot, lambda: not screen.has_class("-stale"))
        await same_both_ways(app, pilot, "fresh again")
        frozen_state.set_status(vc, sid, "Closed")  # a change: highlighted, then not
        await pilot.press("r")
        await wait_for(pilot, lambda: bool(screen.query(".-changed")))
        await same_both_ways(app, pilot, "a change highlighted")
        await wait_for(pilot, lambda: not screen.query(".-changed"))
        await same_both_ways(app, pilot, "the highlight gone")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await same_both_ways(app, pilot, "a dialog over it")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await same_both_ways(app, pilot, "the dialog gone")
        await pilot.resize_terminal(80, 24)
        await same_both_ways(app, pilot, "narrow")
        await clock.advance(1.0)
        await same_both_ways(app, pilot, "a tick, narrow")
        await pilot.resize_terminal(140, 45)
        await same_both_ways(app, pilot, "wide again")


async def test_kept_lines_on_the_list_and_the_board_are_what_textual_draws(
        frozen_server, frozen_state):
    clock = VirtualClock(FIXED_NOW)
    vc, sid = ticking(frozen_state)
    app = app_on(frozen_server, clock, voice_connector_id=vc)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                       and app.screen.query_one(KeyedTable).row_count > 0)
        await same_both_ways(app, pilot, "listed")
        await clock.advance(1.0)
        await same_both_ways(app, pilot, "a tick")
        await pilot.press("down", "down")
        await same_both_ways(app, pilot, "the cursor moved")
        await pilot.press("slash", "a")
        await same_both_ways(app, pilot, "typed in the filter")
        await pilot.press("escape")
        await same_both_ways(app, pilot, "the filter left")
        await restyled_then_stale(app, pilot, frozen_state)
        frozen_state.faults.clear()
        await pilot.resize_terminal(80, 24)
        await same_both_ways(app, pilot, "narrow")
        await pilot.press("m")  # pin the row under the cursor, then the board
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                       and app.screen.query_one(KeyedTable).row_count == 1)
        await same_both_ways(app, pilot, "the board")
        await clock.advance(1.0)
        await same_both_ways(app, pilot, "a board tick")
        await pilot.resize_terminal(160, 50)
        await same_both_ways(app, pilot, "the board, wide")
