"""The live layer over a list screen's table (chime_tui.tui.widgets.keyed_table):
a tick repaints the countdown cells there and the table's own lines stay as drawn;
wherever the layer is, it draws what the table shows under it; a tick uses it only
when it is exactly over the live cells; the mouse on it acts on the table."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from rich.segment import Segment
from textual import events
from textual.geometry import Region
from textual.strip import Strip

from chime_tui.humanfmt import expiry_short
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.sessions import SessionListScreen
from chime_tui.tui.widgets.keyed_table import KeyedTable, LiveLayer

from .conftest import app_settings, wait_for
from .test_chrome import screen_lines


class Clock:
    def __init__(self, now) -> None:
        self.now = now

    def __call__(self):
        return self.now


def list_app(server, state, clock: Clock) -> Any:
    vc = list(state.connectors)[1]
    return make_app(app_settings(server, refresh=600, voice_connector_id=vc,
                                 alert_threshold_minutes=0), clock=clock)


async def loaded(pilot: Any) -> tuple[SessionListScreen, KeyedTable, LiveLayer]:
    app = pilot.app

    def done() -> bool:
        screen = app.screen
        return (isinstance(screen, SessionListScreen) and screen.last_ok is not None
                and screen.table.row_count > 0 and screen.table.layer_in_place())

    await wait_for(pilot, done)
    # The tests tick by hand (`refresh_live`): the app's own tick, on the real clock,
    # would put a layer a test moved back before it looked.
    app.ticker.pause()
    await pilot.pause(0.1)
    screen = app.screen
    return screen, screen.table, screen.query_one(LiveLayer)


def cells(strip: Strip) -> list[tuple[str, object]]:
    """A strip, cell by cell: (character, style)."""
    out: list[tuple[str, object]] = []
    for segment in strip:
        for char in segment.text:
            out.append((char, segment.style))
    return out


def row_on_screen(app: Any, sid: str) -> str:
    return next(line for line in screen_lines(app) if sid in line)


def spy_table_lines(monkeypatch) -> list[int]:
    """The lines the table draws itself from now on."""
    drawn: list[int] = []
    real = KeyedTable.render_line

    def render_line(self, y):
        drawn.append(y)
        return real(self, y)

    monkeypatch.setattr(KeyedTable, "render_line", render_line)
    return drawn


async def test_a_list_tick_repaints_the_live_cells_not_the_table_lines(
        server, state, monkeypatch):
    clock = Clock(state.clock())
    app = list_app(server, state, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        screen, table, layer = await loaded(pilot)
        drawn = spy_table_lines(monkeypatch)
        spans: list[int] = []
        real_span = KeyedTable.render_span

        def render_span(self, y, x0, x1, view_height, **filtered):
            spans.append(y)
            return real_span(self, y, x0, x1, view_height, **filtered)

        monkeypatch.setattr(KeyedTable, "render_span", render_span)
        clock.now += timedelta(seconds=1)
        changed = table.refresh_live()
        await pilot.pause(0.1)
        assert changed > 5  # countdowns under an hour tick every second
        assert drawn == []  # the table's lines stayed as drawn
        assert len(spans) == changed  # the layer drew the lines whose cells moved
        # and the screen shows each visible row's countdown of now
        for key in table.visible_keys()[:10]:
            session = screen.by_id[key]
            assert expiry_short(session, clock.now) in row_on_screen(app, key)


async def test_a_table_line_drawn_before_the_tick_does_not_hide_the_tick_from_the_layer(
        server, state):
    """Textual draws a table's lines again on its own, without `refresh` (a widget whose
    size changed is marked dirty directly): such a draw, after the clock moved and before
    the tick, shows the table's line with the new countdowns under the layer. The tick
    must still repaint the layer over them, or the screen keeps the old countdowns."""
    clock = Clock(state.clock())
    app = list_app(server, state, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        screen, table, layer = await loaded(pilot)
        clock.now += timedelta(seconds=1)
        for y in range(table.scrollable_content_region.height):
            table.render_line(y)  # (as Textual's styles cache asks for a dirty line)
        table.refresh_live()
        await pilot.pause(0.1)
        moved = 0
        for key in table.visible_keys()[:10]:
            session = screen.by_id[key]
            now = expiry_short(session, clock.now)
            moved += now != expiry_short(session, clock.now - timedelta(seconds=1))
            assert now in row_on_screen(app, key), key
        assert moved  # (countdowns under an hour tick every second)


async def test_the_layer_draws_what_the_table_draws_under_it(server, state):
    clock = Clock(state.clock())
    app = list_app(server, state, clock)
    async with app.run_test(size=(120, 30)) as pilot:
        _, table, _ = await loaded(pilot)
        width, view = table.size.width, table.scrollable_content_region.height
        for scroll in (0, 5):
            table.scroll_to(y=scroll, animate=False)
            await pilot.pause(0.05)
            for y in range(view + 1):  # the header, every row, past the last
                line = table.render_line(y) if y < view else Strip.blank(width)
                for x0, x1 in ((0, width), (3, 17), (width - 20, width), (50, 51)):
                    want = cells(line.crop_extend(x0, x1, None)) if y < view \
                        else [(" ", None)] * (x1 - x0)
                    got = cells(table.render_span(y, x0, x1, view))
                    assert [c for c, _ in got] == [c for c, _ in want], (scroll, y, x0)
                    if y < view:
                        assert got == want, (scroll, y, x0, x1)


async def test_the_layer_draws_what_the_app_filters_make_of_the_table(
        server, state, tmp_path):
    """The layer converts the cells' colours once per cell (the app's ANSIToTruecolor,
    applied to its kept cells) instead of filtering each new line: what it draws is the
    table's line put through every one of the app's filters, style for style. On a
    board, whose live cells have colours of their own (a health of green "ok")."""
    from textual.filter import ANSIToTruecolor
    from textual.geometry import Region

    from chime_tui.tui.screens.board import BoardScreen

    vc = list(state.connectors)[1]
    pins = tuple((vc, s["ProxySessionId"]) for s in state.list_sessions(vc)[:8])
    app = make_app(app_settings(server, refresh=600, pins=pins,
                                pins_file=tmp_path / "pins.json"),
                   clock=Clock(state.clock()))
    async with app.run_test(size=(160, 40)) as pilot:
        def board_drawn() -> bool:
            screen = app.screen
            return (isinstance(screen, BoardScreen) and screen.table.row_count == len(pins)
                    and screen.table.layer_in_place())

        await wait_for(pilot, board_drawn)
        app.ticker.pause()
        await pilot.pause(0.1)
        table, layer = app.screen.table, app.screen.query_one(LiveLayer)
        filters = list(layer.get_line_filters())
        assert filters and isinstance(filters[0], ANSIToTruecolor)
        background = layer.background_colors[1]
        content = table.scrollable_content_region  # (where the layer's lines are taken)
        x, top = layer.region.x - content.x, layer.region.y - content.y
        converted = 0
        # The lines over the table's lines in view (a layer left taller by a layout that
        # just shrank the table draws the table's own lines below them, as drawn: that
        # is `test_the_layer_draws_what_the_table_draws_under_it`'s).
        in_view = min(layer.size.height, content.height - top)
        assert in_view > len(pins)  # the header's line below, every row, blank lines
        for y in range(in_view):
            line = table.render_line(top + y).crop_extend(x, x + layer.size.width, None)
            want = line
            for line_filter in filters:
                want = want.apply_filter(line_filter, background)
            got = layer.render_lines(Region(0, y, layer.size.width, 1))[0]
            assert cells(got) == cells(want), y
            converted += cells(want) != cells(line)
        assert converted  # the filter changed what it drew (the ANSI green of "ok")


async def test_the_layer_sits_over_the_live_cells_and_follows_them(server, state):
    clock = Clock(state.clock())
    app = list_app(server, state, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        _, table, layer = await loaded(pilot)
        x, y, width, height = table.layer_geometry() or (0, 0, 0, 0)
        content = table.scrollable_content_region
        assert layer.region.y == content.y + 1  # under the header
        assert layer.region.height == content.height - 1
        assert width and layer.region.width == width
        # Narrower: the columns fit again, the live column moves; the layer with it.
        await pilot.resize_terminal(100, 30)
        await wait_for(pilot, table.layer_in_place)
        assert table.layer_geometry() != (x, y, width, height)
        await pilot.resize_terminal(61, 20)
        await wait_for(pilot, table.layer_in_place)


async def test_no_live_cells_in_view_no_layer(server, state, monkeypatch):
    # (Scrolled sideways past the live columns, or no line in view under the header.)
    clock = Clock(state.clock())
    app = list_app(server, state, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        _, table, layer = await loaded(pilot)
        monkeypatch.setattr(KeyedTable, "live_span", lambda self: None)
        table.place_layer()
        await pilot.pause(0.1)
        assert not layer.display and not table.layer_in_place()
        drawn = spy_table_lines(monkeypatch)
        clock.now += timedelta(seconds=1)
        assert table.refresh_live() > 5
        await pilot.pause(0.1)
        assert drawn  # the table drew its countdowns itself
        monkeypatch.undo()  # live cells in view again: the next tick puts the layer back
        clock.now += timedelta(seconds=1)
        table.refresh_live()
        await wait_for(pilot, table.layer_in_place)  # and, cells in view again, the layer


async def test_a_tick_does_not_use_a_layer_that_is_not_over_the_live_cells(
        server, state, monkeypatch):
    clock = Clock(state.clock())
    app = list_app(server, state, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        screen, table, layer = await loaded(pilot)
        layer.styles.offset = (0, 1)  # elsewhere (as a layout the table missed would)
        await pilot.pause(0.1)
        assert not table.layer_in_place()
        drawn = spy_table_lines(monkeypatch)
        clock.now += timedelta(seconds=1)
        assert table.refresh_live() > 5
        await pilot.pause(0.1)
        assert drawn  # the table drew the countdowns itself
        await wait_for(pilot, table.layer_in_place)  # and put its layer back
        for key in table.visible_keys()[:10]:
            assert expiry_short(screen.by_id[key], clock.now) in row_on_screen(app, key)


async def test_the_mouse_on_the_layer_acts_on_the_table(server, state):
    clock = Clock(state.clock())
    app = list_app(server, state, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        _, table, layer = await loaded(pilot)
        keys = table.visible_keys()
        await pilot.click(LiveLayer, offset=(1, 3))
        assert table.cursor_key == keys[3]
        assert table.has_focus
        layer.post_message(events.MouseScrollDown(layer, 1, 1, 0, 1, 0, False, False, False))
        await pilot.pause(0.1)
        # as far as the same notch over the table's other columns scrolls it
        assert table.scroll_y == app.scroll_sensitivity_y


def test_a_layer_strip_is_what_the_table_strip_is_cell_by_cell():
    # (The helper above compares cells, not segments: a strip cut at other places.)
    a = Strip([Segment("ab"), Segment("cd")], 4)
    b = Strip([Segment("abcd")], 4)
    assert cells(a) == cells(b)


async def test_the_layer_shows_what_the_table_shows_there_filters_and_all(
        server, state, monkeypatch):
    # NO_COLOR: the app filters every widget's lines to monochrome; the layer, which
    # draws its lines itself, must too: on screen it is the table's cells, as the table
    # would show them (its own lines, through Textual's styles cache and filters).
    monkeypatch.setenv("NO_COLOR", "1")
    from textual.geometry import Region

    clock = Clock(state.clock())
    app = list_app(server, state, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        _, table, layer = await loaded(pilot)
        tr, lr = table.region, layer.region
        under = table.render_lines(Region(0, 0, tr.width, tr.height))
        mine = layer.render_lines(Region(0, 0, lr.width, lr.height))
        dx, dy = lr.x - tr.x, lr.y - tr.y
        assert len(mine) == lr.height > 5
        for y, strip in enumerate(mine):
            want = cells(under[dy + y].crop(dx, dx + lr.width))
            assert cells(strip) == want, y
        for strip in mine:
            for segment in strip:
                for color in (segment.style.color, segment.style.bgcolor):
                    if color is not None and color.triplet is not None:
                        r, g, b = color.triplet
                        assert r == g == b  # monochrome


def shown_table(table: KeyedTable) -> list[str]:
    """The table's lines in view as Textual holds them drawn (its own lines, not the
    layer's), inside the border."""
    from textual.geometry import Region

    region, content = table.region, table.scrollable_content_region
    dx, dy = content.x - region.x, content.y - region.y
    lines = table.render_lines(Region(0, 0, region.width, region.height))
    return [lines[dy + y].crop(dx, dx + content.width).text for y in range(content.height)]


def drawn_now(table: KeyedTable) -> list[str]:
    """The table's lines in view drawn afresh, at its scroll offsets of now."""
    width = table.scrollable_content_region.width
    return [table.render_line(y).text[:width]
            for y in range(table.scrollable_content_region.height)]


async def test_scrolled_sideways_every_line_is_at_one_offset(server, state):
    # (Walk 5 #1: a scroll that passed through 0.998 drew the table's lines at 0 and
    # the layer at 1, and ticks no longer repaint the table's lines to mend it.)
    clock = Clock(state.clock())
    app = list_app(server, state, clock)
    async with app.run_test(size=(34, 20)) as pilot:
        _, table, layer = await loaded(pilot)
        assert table.max_scroll_x >= 1  # too narrow for its columns: it scrolls sideways
        for offset in (0.6, 0.998, 1.0):  # (as an animated scroll passes)
            table.scroll_x = offset
            await pilot.pause(0.05)
        await wait_for(pilot, table.layer_in_place)
        # (The clock stands still: the table's own lines hold the countdowns of now.)
        assert shown_table(table) == drawn_now(table)
        # the wheel sideways over the layer scrolls the table as over its other cells
        table.scroll_x = before = 0
        await pilot.pause(0.05)
        layer.post_message(events.MouseScrollRight(layer, 1, 1, 0, 0, 0, False, False, False))
        await pilot.pause(0.1)
        assert table.scroll_x == min(before + app.scroll_sensitivity_x, table.max_scroll_x)
        await wait_for(pilot, table.layer_in_place)
        assert shown_table(table) == drawn_now(table)


async def test_a_layer_over_the_tables_border_shows_the_border(server, state):
    # (Walk 5 #3: when the table got shorter, the layer, a frame later to follow,
    # painted blank over the table's bottom border.)
    from textual.geometry import Region

    clock = Clock(state.clock())
    app = list_app(server, state, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        _, table, layer = await loaded(pilot)
        layer.styles.height = layer.region.height + 1  # over the bottom border
        await pilot.pause(0.05)
        lr, tr = layer.region, table.region
        assert lr.bottom == tr.bottom
        last = layer.render_lines(Region(0, 0, lr.width, lr.height))[-1]
        border = table.render_lines(Region(0, tr.height - 1, tr.width, 1))[0]
        dx = lr.x - tr.x
        assert cells(last) == cells(border.crop(dx, dx + lr.width))
        assert any("status: all · sort: expiry" in line for line in screen_lines(app))


def board_settled(server, state, tmp_path):
    """A board of a connector's open sessions on a clock the test moves (no expiry
    alerts: a toast would repaint the screen whole)."""
    vc = list(state.connectors)[1]
    pins = tuple((vc, s["ProxySessionId"]) for s in state.list_sessions(vc)
                 if s["Status"] != "Closed")[:12]
    clock = Clock(state.clock())
    app = make_app(app_settings(server, refresh=600, pins=pins, alert_threshold_minutes=0,
                                pins_file=tmp_path / "pins.json"), clock=clock)
    return app, clock, vc


async def board_ready(pilot, clock, rows: int):
    """The board shown, its ticker paused, past the first fetch's highlights."""
    from .test_idle_mechanisms import board_shown

    app = pilot.app
    await board_shown(pilot, rows)
    await wait_for(pilot, lambda: app.screen.table.layer_in_place())
    app.ticker.pause()
    clock.now += timedelta(seconds=4)  # past the first fetch's highlights
    app.screen.tick()
    await pilot.pause(0.1)
    return app.screen.table, app.screen.query_one(LiveLayer)


def spy_layer_regions(monkeypatch) -> list[Region]:
    """The regions of the live layer refreshed from now on (a whole refresh: its own)."""
    regions: list[Region] = []
    real = LiveLayer.refresh

    def refresh(self, *parts, **kw):
        regions.extend(parts or [Region(0, 0, self.size.width, self.size.height)])
        return real(self, *parts, **kw)

    monkeypatch.setattr(LiveLayer, "refresh", refresh)
    return regions


async def test_a_board_tick_sends_the_terminal_only_the_live_cells_that_changed(
        server, state, tmp_path, monkeypatch):
    """A board's live columns are its countdown, time in status, last change and
    health; a second moves the countdowns. What a tick repaints (and so what is sent
    to the terminal) is the changed cells, not the whole layer, and every character
    that changed on screen is inside what it repainted."""
    app, clock, _ = board_settled(server, state, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        table, layer = await board_ready(pilot, clock, 12)
        whole = Region(0, 0, layer.size.width, layer.size.height)
        before = [cells(strip) for strip in layer.render_lines(whole)]  # (as drawn)
        regions = spy_layer_regions(monkeypatch)
        clock.now += timedelta(seconds=1)
        assert table.refresh_live() > 5
        await pilot.pause(0.1)
        after = [cells(strip) for strip in layer.render_lines(whole)]
        assert regions and all(r.width < layer.size.width for r in regions), regions
        moved = 0
        for y, (old, new) in enumerate(zip(before, after)):
            assert len(old) == len(new) == layer.size.width
            for x, (a, b) in enumerate(zip(old, new)):
                if a != b:
                    moved += 1
                    assert any(r.contains(x, y) for r in regions), (x, y, regions)
        assert moved  # (the countdowns moved)


async def test_a_live_cell_drawn_but_not_sent_is_repainted_by_the_next_tick(
        server, state, tmp_path, monkeypatch):
    """A tick repaints the countdown cells; if the layer draws those lines after the
    clock moved on (its line drawn whole, with a new time in status too), the terminal
    is sent the part the tick repainted. A cell outside it is not noted as shown: the
    next tick repaints it. (Each changed cell reaches the terminal in one or the other.)"""
    from chime_tui.fleet import in_status, in_status_short

    app, clock, vc = board_settled(server, state, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        table, layer = await board_ready(pilot, clock, 12)
        regions = spy_layer_regions(monkeypatch)
        tick = clock.now + timedelta(seconds=1)
        clock.now = tick
        assert table.refresh_live() > 5  # the countdowns' cells
        # The frame comes after the clock passed a minute, the tick's own cells gone
        # (as when the frame is late and the tick's work was let go).
        clock.now = tick + timedelta(seconds=60)
        table._live_memo.clear()
        await pilot.pause(0.1)
        table.refresh_live()  # the clock did not move since the frame
        await pilot.pause(0.1)

        def in_status_at(key: str, at) -> str:
            s = app.tracker.last[(vc, key.partition("/")[2])]
            return in_status_short(in_status(s), at)

        keys = table.visible_keys()
        moved = [k for k in keys if in_status_at(k, tick) != in_status_at(k, clock.now)]
        assert moved  # ("≥ 3 min" moves by the minute)
        x = dict(zip([c.key for c in table.columns if c.live], table._live_xs()))["instatus"]
        assert x is not None
        layer_x = layer.region.x - table.scrollable_content_region.x
        for key in moved:
            y = keys.index(key)  # (the layer's line 0 is the first row)
            assert any(r.contains(x[0] - layer_x, y) and r.contains(x[1] - 1 - layer_x, y)
                       for r in regions), (key, regions)


def count_live_calls(table: KeyedTable) -> dict[str, int]:
    """How many times the table asks its `live` callback for a row's cells, from now."""
    calls = {"n": 0}
    real = table.live
    assert real is not None

    def counted(key: str) -> Any:
        calls["n"] += 1
        return real(key)

    table.live = counted
    return calls


async def test_a_tick_asks_each_row_in_view_for_its_live_cells_once(
        server, state, tmp_path):
    """The app's tick works out each visible row's live cells (to find which changed);
    the frame that draws them draws those, without asking every row again. It did ask
    again: the screen runs its after-refresh callbacks once idle, which came before the
    layer's repaint reached it, and the tick's cells were dropped before the frame."""
    app, clock, vc = board_settled(server, state, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        table, layer = await board_ready(pilot, clock, 12)
        calls = count_live_calls(table)
        for _ in range(3):
            clock.now += timedelta(seconds=1)
            calls["n"] = 0
            app.tick_second()
            await pilot.pause(0.1)
            assert calls["n"] == len(table.visible_keys()) == 12
            for key in table.visible_keys():  # and what is drawn is the clock's now
                s = app.tracker.last[(vc, key.partition("/")[2])]
                assert expiry_short(s, clock.now) in row_on_screen(app, key.partition("/")[2])


async def test_a_board_shown_again_draws_its_countdowns_at_the_time_it_is_shown(
        server, state, tmp_path):
    """Under a session's screen the board is not ticked; shown again, it shows the time
    it is shown at before its next tick, not the countdowns it had when it was hidden
    (its lines were drawn then, and kept)."""
    app, clock, vc = board_settled(server, state, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        table, layer = await board_ready(pilot, clock, 12)
        board = app.screen
        clock.now += timedelta(seconds=1)
        app.tick_second()
        await pilot.pause(0.1)
        sid = table.visible_keys()[0].partition("/")[2]
        app.open_session(vc, sid)
        await wait_for(pilot, lambda: app.screen is not board)
        await pilot.pause(0.1)
        assert not board.ticking
        for _ in range(150):  # minutes move: every countdown's text does
            clock.now += timedelta(seconds=1)
            app.tick_second()
        await pilot.pause(0.1)
        app.pop_screen()
        await wait_for(pilot, lambda: app.screen is board)
        await pilot.pause(0.1)
        for key in table.visible_keys():
            s = app.tracker.last[(vc, key.partition("/")[2])]
            assert expiry_short(s, clock.now) in row_on_screen(app, key.partition("/")[2])
