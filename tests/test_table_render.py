"""What the tables draw, read from the rendered lines (walk 1, findings 2, 6 and 17).

- Cell styles reach the terminal: a styled cell's own style (a Text with no spans)
  was dropped when the line was built, so the board's change highlight, its red
  "gone" and yellow "missing?"/"stale", and the list's status colours never showed.
- Sorting by expiry groups sessions: counting down, then live with no expiry, then
  ended (one key, shared by the session list and the board).
- Board columns follow what is shown now, fit narrow terminals, and keep the cursor's
  row in view.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult

from chime_tui.emulator import EmulatorServer
from chime_tui.models import ProxySession
from chime_tui.sources import sort_sessions
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.board import BoardScreen
from chime_tui.tui.screens.sessions import SessionListScreen
from chime_tui.tui.widgets.keyed_table import Column, KeyedTable

from .conftest import app_settings, wait_for
from .test_board_gone import (
    REFRESH,
    board_app,
    board_loaded,
    fail_until_stale,
    open_pins,
    recover,
    small_state,
)
from .vclock import VirtualClock


def cell_segments(table: KeyedTable, key: str, column: str) -> list[Segment]:
    """The segments that draw one cell's text (its padding left out), from the
    table's own render of the row's line."""
    at = table.ordered_keys.index(key) - int(table.scroll_y) + 1
    assert 1 <= at < table.size.height, f"{key} is not in view"
    segments = list(table.render_line(at))
    x = 0
    for col, width in zip(table.columns, table.drawn_widths):
        if not width:
            continue
        if col.key == column:
            start, end = x + 1, x + 1 + width
            break
        x += width + 2
    else:
        raise AssertionError(f"column {column} is not drawn")
    # The line's segments cut at the cell's edges (a segment may run across cells: the
    # table joins neighbouring segments of the same style).
    _, inside, _ = Segment.divide(segments, [start, end, sum(s.cell_length for s in segments)])
    return [seg for seg in inside if seg.text.strip()]


def styles_of(segments: list[Segment]) -> list[Style]:
    assert segments, "the cell draws nothing"
    return [s.style or Style.null() for s in segments]


# -- the table on its own -----------------------------------------------------------------

class StyledApp(App[None]):
    CSS = "KeyedTable { height: 1fr; }"

    def compose(self) -> ComposeResult:
        yield KeyedTable((Column("name", "Name"), Column("health", "Health")))


async def test_a_cells_own_style_is_drawn_on_every_kind_of_row() -> None:
    app = StyledApp()
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.query_one(KeyedTable)
        table.focus()
        spans = Text("ok, ")
        spans.append("late", style="bold yellow")
        table.set_rows([
            ("cursor", ["a", Text("gone", style="bold red")]),  # the cursor's row
            ("odd", ["b", Text("changed", style="bold reverse")]),  # a striped row
            ("plain", ["c", Text("missing?", style="yellow")]),
            ("spans", ["d", spans]),
        ])
        await pilot.pause()
        red = Style.parse("red").color
        yellow = Style.parse("yellow").color
        for style in styles_of(cell_segments(table, "cursor", "health")):
            assert style.color == red and style.bold
        for style in styles_of(cell_segments(table, "odd", "health")):
            assert style.reverse and style.bold
        for style in styles_of(cell_segments(table, "plain", "health")):
            assert style.color == yellow
        late = [s for s in cell_segments(table, "spans", "health") if "late" in s.text]
        assert late and all(s.style and s.style.color == yellow and s.style.bold for s in late)
        # The same text in another style is another line (the cache keys on the style).
        table.put([("plain", ["c", Text("missing?", style="green")])])
        await pilot.pause()
        green = Style.parse("green").color
        for style in styles_of(cell_segments(table, "plain", "health")):
            assert style.color == green


# -- the board and the list ---------------------------------------------------------------

async def test_the_board_draws_its_highlight_and_a_gone_row_in_their_styles(tmp_path):
    state = small_state()
    pins = open_pins(state, 3)
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = board_app(srv, tmp_path, pins, clock)
        async with app.run_test(size=(160, 30)) as pilot:
            await board_loaded(pilot, clock, 1)
            table = app.screen.query_one(KeyedTable)
            changed, deleted = ("/".join(pins[0]), "/".join(pins[1]))
            state.set_status(*pins[0], "Closed")
            state.delete_session(*pins[1])
            await clock.advance(REFRESH)
            assert pins[1] in app.tracker.gone
            await pilot.pause()
            # Closed and gone sort with the ended sessions, after the live one.
            assert table.ordered_keys[0] == "/".join(pins[2])
            assert set(table.ordered_keys[1:]) == {changed, deleted}
            # The change is highlighted: bold reverse over the status cell.
            for style in styles_of(cell_segments(table, changed, "status")):
                assert style.reverse and style.bold
            # Gone: red (reversed while it is news).
            red = Style.parse("red").color
            for style in styles_of(cell_segments(table, deleted, "health")):
                assert style.color == red and style.bold
            await clock.advance(5.0)  # the highlight fades
            await pilot.pause()
            for style in styles_of(cell_segments(table, changed, "status")):
                assert not style.reverse
            for style in styles_of(cell_segments(table, deleted, "health")):
                assert style.color == red and style.bold and not style.reverse


async def test_the_session_list_draws_status_colours(server, state):
    vc = list(state.connectors)[1]
    app = _list_app(server, vc)
    async with app.run_test(size=(140, 30)) as pilot:
        await list_loaded(pilot, len(state.sessions[vc]))
        table = app.screen.query_one(KeyedTable)
        by_status: dict[str, Any] = {}
        for key in table.visible_keys():
            status = str(table.get_cell(key, "status"))
            by_status.setdefault(status, key)
        assert "Open" in by_status
        green = Style.parse("green").color
        for style in styles_of(cell_segments(table, by_status["Open"], "status")):
            assert style.color == green and style.bold


async def list_loaded(pilot: Any, rows: int) -> None:
    """The session list has drawn every row of its first complete listing."""
    app = pilot.app

    def done() -> bool:
        screen = app.screen
        return (isinstance(screen, SessionListScreen) and screen.last_ok is not None
                and screen.poller is not None and not screen.poller.in_flight
                and screen.query_one(KeyedTable).row_count == rows)

    await wait_for(pilot, done)
    await pilot.pause()


def _list_app(server: EmulatorServer, vc: str) -> Any:
    return make_app(app_settings(server, refresh=60, voice_connector_id=vc,
                                 alert_threshold_minutes=0))


# -- finding 6: sorting by expiry groups sessions --------------------------------------------

def expiry_group(s: ProxySession | None, now: datetime) -> tuple[int, float]:
    """0: a countdown (past expiry: 0 left), 1: live with no expiry, 2: ended, 3: not
    known yet; then the seconds left."""
    if s is None:
        return (3, 0.0)
    if s.is_closed:
        return (2, 0.0)
    left = s.time_to_expiry(now)
    return (1, 0.0) if left is None else (0, left.total_seconds())


def assert_grouped(sessions: list[ProxySession | None], now: datetime) -> None:
    groups = [expiry_group(s, now) for s in sessions]
    assert groups == sorted(groups), [g[0] for g in groups]


async def test_sorting_by_expiry_never_mixes_live_sessions_with_ended_ones():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    created = (now - timedelta(minutes=30)).isoformat()

    def session(sid: str, status: str, minutes: int | None, ended: bool = False
                ) -> ProxySession:
        data: dict[str, Any] = {"ProxySessionId": sid, "Status": status,
                                "VoiceConnectorId": "v", "Participants": [],
                                "CreatedTimestamp": created}
        if minutes is not None:
            data["ExpiryMinutes"] = minutes
        if ended:
            data["EndedTimestamp"] = now.isoformat()
        return ProxySession.from_api(data)

    # In the order of their IDs, as a listing gives them: ended, live and no expiry mixed.
    sessions = [session("a", "Closed", 60), session("b", "Open", None),
                session("c", "Open", 90), session("d", "InProgress", None),
                session("e", "Closed", None), session("f", "InProgress", 40),
                session("g", "Open", 20), session("h", "Open", 60, ended=True)]
    ordered = [s.proxy_session_id for s in await sort_sessions(sessions, "expiry", now)]
    # Past expiry (g, 10 min ago) first, then counting down, soonest first; then live
    # with no expiry; then ended.
    assert ordered[:3] == ["g", "f", "c"]
    assert set(ordered[3:5]) == {"b", "d"} and set(ordered[5:]) == {"a", "e", "h"}


async def test_the_list_and_the_board_sort_by_expiry_in_the_same_groups(server, state,
                                                                         tmp_path):
    vc = list(state.connectors)[1]
    live_without = [sid for sid, s in state.sessions[vc].items()
                    if s.status != "Closed" and s.to_api().get("ExpiryMinutes") is None]
    assert live_without, "the seeded connector has live sessions with no expiry"
    app = _list_app(server, vc)
    async with app.run_test(size=(140, 60)) as pilot:
        await list_loaded(pilot, len(state.sessions[vc]))
        screen = app.screen
        assert isinstance(screen, SessionListScreen)
        keys = screen.query_one(KeyedTable).ordered_keys
        assert len(keys) == len(state.sessions[vc])
        assert_grouped([screen.by_id[k] for k in keys], app.clock())
    pins = tuple((vc, sid) for sid in state.sessions[vc])
    app = make_app(app_settings(server, refresh=60, pins=pins, pins_file=tmp_path / "p.json",
                                alert_threshold_minutes=0))
    async with app.run_test(size=(140, 60)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                       and app.screen.result is not None)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        order = screen.rows(app.clock())
        assert len(order) == len(pins)
        assert_grouped([app.tracker.last.get(k) for k in order], app.clock())
        assert screen.query_one(KeyedTable).ordered_keys == tuple("/".join(k) for k in order)


# -- finding 17: columns follow what is shown now, and fit ------------------------------------

class LiveApp(App[None]):
    CSS = "KeyedTable { height: 1fr; }"

    def __init__(self) -> None:
        super().__init__()
        self.live: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield KeyedTable((Column("id", "Session ID", max_width=40, shrink_to=9),
                          Column("health", "Health", min_width=8, max_width=24, live=True)),
                         live=lambda key: (self.live.get(key, ""),), fit=True)


async def test_a_live_column_narrows_again_when_its_long_value_is_gone():
    app = LiveApp()
    async with app.run_test(size=(50, 8)) as pilot:
        table = app.query_one(KeyedTable)
        sid = "123a4bc5-67d8-901e-2f3g-h4ghjk56789l"
        app.live.update({sid: "ok", "b": "ok"})
        table.set_rows([(sid, [sid]), ("b", ["b"])])
        await pilot.pause()
        assert table.drawn_widths == (36, 8)
        app.live[sid] = "stale, 17 seconds ago"  # a throttle episode
        table.refresh_live()
        await pilot.pause()
        await pilot.pause()
        assert table.drawn_widths[1] == 21
        assert table.drawn_widths[0] < 36  # Session ID gave way
        app.live[sid] = "ok"  # over
        table.refresh_live()
        await pilot.pause()
        await pilot.pause()
        assert table.drawn_widths == (36, 8)
        assert sid in "".join(s.text for s in table.render_line(1))


async def test_the_board_gives_the_width_of_a_stale_episode_back_to_the_session_id(tmp_path):
    state = small_state()
    pins = open_pins(state, 3)
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = board_app(srv, tmp_path, pins, clock)
        async with app.run_test(size=(100, 20)) as pilot:
            await board_loaded(pilot, clock, 1)
            table = app.screen.query_one(KeyedTable)
            await pilot.pause()
            before = table.drawn_widths
            health = [c.key for c in table.columns].index("health")
            assert before[health] == 8
            # a failing episode: stale
            rule = await fail_until_stale(pilot, state, clock, table, pins[0], 500, 3.0)
            assert table.drawn_widths[health] > 8  # it shows whole, other columns give way
            await recover(pilot, state, clock, table, pins, rule)
            assert table.drawn_widths == before  # the Session ID has its width back


async def test_the_board_at_40_columns_fits_without_a_horizontal_scrollbar(server, state,
                                                                          tmp_path):
    vc = list(state.connectors)[1]
    pins = tuple((vc, sid) for sid, s in state.sessions[vc].items() if s.status != "Closed")[:9]
    app = make_app(app_settings(server, refresh=60, pins=pins, pins_file=tmp_path / "p.json",
                                alert_threshold_minutes=0))
    async with app.run_test(size=(40, 12)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                       and app.screen.result is not None)
        await pilot.pause()
        table = app.screen.query_one(KeyedTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width
        assert not table.show_horizontal_scrollbar
        drawn = dict(zip([c.key for c in table.columns], table.drawn_widths))
        # Which session, its time left and the fetch health stay.
        assert drawn["id"] >= 8 and drawn["expiry"] and drawn["health"]
        rows = table.scrollable_content_region.height - 1
        assert rows == table.size.height - 1 and len(table.visible_keys()) == rows
        # Esc from a session's screen: the cursor's row is in view.
        await pilot.press("end")
        await pilot.pause()
        last = table.ordered_keys[-1]
        assert table.cursor_key == last
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, BoardScreen))
        await pilot.pause()
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen))
        await pilot.pause()
        await pilot.pause()
        table = app.screen.query_one(KeyedTable)
        assert table.cursor_key == last
        assert table.cursor_key in table.visible_keys()


async def test_the_board_shows_duplicate_capabilities_once(server, state, tmp_path):
    vc = list(state.connectors)[1]
    sid = next(sid for sid, s in state.sessions[vc].items() if s.status != "Closed")
    state.update_session(vc, sid, {"Capabilities": ["Voice", "Voice", "Voice", "SMS",
                                                    "Voice"]})
    app = make_app(app_settings(server, refresh=60, pins=((vc, sid),),
                                pins_file=tmp_path / "p.json", alert_threshold_minutes=0))
    async with app.run_test(size=(140, 20)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                       and app.screen.result is not None)
        await pilot.pause()
        assert str(app.screen.query_one(KeyedTable).get_cell(f"{vc}/{sid}", "caps")) == \
            "Voice, SMS"


async def test_long_names_give_way_before_the_session_id(server, state):
    vc = list(state.connectors)[1]
    with state.lock:
        for s in state.sessions[vc].values():
            s.name = "N" * 200
            s.capabilities = ["Voice", "SMS", "VeryLongCapabilityName"]
    app = _list_app(server, vc)
    async with app.run_test(size=(140, 30)) as pilot:
        await list_loaded(pilot, len(state.sessions[vc]))
        table = app.screen.query_one(KeyedTable)
        drawn = dict(zip([c.key for c in table.columns], table.drawn_widths))
        assert drawn["id"] == 36  # the whole ID
        assert 10 <= drawn["name"] <= 32
        assert table.virtual_size.width <= table.scrollable_content_region.width
        line = "".join(s.text for s in table.render_line(1))
        assert table.ordered_keys[0] in line


class IdAndName(App[None]):
    """One table, ID and Name, filling the screen."""

    CSS = "KeyedTable { height: 1fr; }"

    def compose(self) -> ComposeResult:
        yield KeyedTable((Column("id", "ID"), Column("name", "Name")))


async def test_a_table_that_cannot_fit_keeps_the_cursors_row_above_its_scrollbar():
    """A horizontal scrollbar takes a line: the cursor's row is scrolled into the lines
    left above it (it used to land under the scrollbar, out of sight)."""
    app = IdAndName()
    async with app.run_test(size=(30, 8)) as pilot:
        table = app.query_one(KeyedTable)
        table.focus()
        table.set_rows([(f"k{i:02d}", [f"k{i:02d}", "n" * 40]) for i in range(20)])
        await pilot.pause()
        assert table.show_horizontal_scrollbar
        rows = table.scrollable_content_region.height - 1
        assert rows == table.size.height - 2
        await pilot.press("end")
        await pilot.pause()
        line = table.ordered_keys.index("k19") - int(table.scroll_y) + 1
        assert 1 <= line <= rows
        assert table.visible_keys()[-1] == "k19" and len(table.visible_keys()) == rows


async def test_a_scrollbar_that_appears_later_does_not_hide_the_cursors_row():
    """A cell that grows wider than the table brings a horizontal scrollbar, which takes
    the last line of the view: the cursor's row on that line is scrolled back above it
    (found by the state machine: a renamed row widened the Name column)."""
    app = IdAndName()
    async with app.run_test(size=(30, 8)) as pilot:
        table = app.query_one(KeyedTable)
        table.focus()
        table.set_rows([(f"k{i:02d}", [f"k{i:02d}", "n"]) for i in range(20)])
        await pilot.pause()
        assert not table.show_horizontal_scrollbar
        rows = table.scrollable_content_region.height - 1
        for _ in range(rows - 1):
            await pilot.press("down")
        await pilot.pause()
        assert table.visible_keys()[-1] == table.cursor_key  # on the view's last line
        table.put([(table.ordered_keys[0], [table.ordered_keys[0], "n" * 60])])
        await pilot.pause()
        await pilot.pause()
        assert table.show_horizontal_scrollbar
        assert table.cursor_key in table.visible_keys()


async def test_a_streamed_wide_row_that_brings_a_scrollbar_keeps_the_cursor_in_view():
    """The same through `append_keys` (a first load streaming in), which widens columns
    on its own path (found by the state machine: page down, then a wide row streams)."""
    app = IdAndName()
    async with app.run_test(size=(30, 8)) as pilot:
        table = app.query_one(KeyedTable)
        table.focus()
        table.set_rows([(f"k{i:02d}", [f"k{i:02d}", "n"]) for i in range(12)])
        await pilot.pause()
        await pilot.press("pagedown")
        await pilot.pause()
        assert table.visible_keys()[-1] == table.cursor_key
        table.put([("k99", ["k99", "w" * 60])])
        table.append_keys(["k99"])
        await pilot.pause()
        await pilot.pause()
        assert table.show_horizontal_scrollbar
        assert table.cursor_key in table.visible_keys()


async def test_a_table_one_cell_short_of_fitting_draws_one_space_between_columns():
    class Tight(App[None]):
        def compose(self) -> ComposeResult:
            yield KeyedTable((Column("id", "ID", shrink_to=6), Column("status", "Status")),
                             fit=True)

    app = Tight()
    async with app.run_test(size=(18, 6)) as pilot:
        table = app.query_one(KeyedTable)
        table.set_rows([("k1", ["0123456789abcdef", "InProgress"])])
        await pilot.pause()
        assert table.render_line(1).text.rstrip() == " 01234… InProgress"
        assert table.render_line(0).text.rstrip() == " ID     Status"
        assert table.virtual_size.width <= table.scrollable_content_region.width
