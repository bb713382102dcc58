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

from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult

from chime_tui.emulator import EmulatorServer
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.sessions import SessionListScreen
from chime_tui.tui.widgets.keyed_table import Column, KeyedTable

from .conftest import app_settings, wait_for
from .test_board_gone import REFRESH, board_app, board_loaded, open_pins, small_state
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
    out, pos = [], 0
    for seg in segments:
        length = seg.cell_length
        if pos + length > start and pos < end and seg.text.strip():
            out.append(seg)
        pos += length
    return out


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
        await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                       and app.screen.last_ok is not None)
        await pilot.pause()
        table = app.screen.query_one(KeyedTable)
        by_status: dict[str, Any] = {}
        for key in table.visible_keys():
            status = str(table.get_cell(key, "status"))
            by_status.setdefault(status, key)
        assert "Open" in by_status
        green = Style.parse("green").color
        for style in styles_of(cell_segments(table, by_status["Open"], "status")):
            assert style.color == green and style.bold


def _list_app(server: EmulatorServer, vc: str) -> Any:
    return make_app(app_settings(server, refresh=60, voice_connector_id=vc,
                                 alert_threshold_minutes=0))
