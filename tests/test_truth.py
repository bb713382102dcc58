"""Truth on screen: after a refresh every row of the session list says what
ListProxySessions says, and the cursor stays on the session the user chose."""

from __future__ import annotations

from rich.text import Text

from chime_tui.tui.app import make_app
from chime_tui.tui.screens.detail import SessionDetailScreen
from chime_tui.tui.screens.sessions import SessionListScreen
from chime_tui.tui.widgets.keyed_table import KeyedTable

from .conftest import app_settings, wait_for
from .vclock import VirtualClock


def plain(cell: object) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)


def rows_match_the_api(table: KeyedTable, state, vc: str) -> None:
    listed = {s["ProxySessionId"]: s for s in state.list_sessions(vc)}
    assert set(table.ordered_keys) == set(listed)
    for key in table.ordered_keys:
        assert plain(table.get_cell(key, "status")) == listed[key]["Status"], key
        assert plain(table.get_cell(key, "name")) == (listed[key].get("Name") or ""), key
    # and what is drawn: each visible line names its session and that session's status
    top = int(table.scroll_y)
    for y, key in enumerate(table.ordered_keys[top:top + table.size.height - 1], start=1):
        line = table.render_line(y).text
        assert key in line and f" {listed[key]['Status']} " in line, (y, line)


def list_app(server, vc: str, clock: VirtualClock):
    return make_app(app_settings(server, refresh=0.3, voice_connector_id=vc),
                    **clock.app_kwargs())


async def listed(pilot, clock: VirtualClock) -> KeyedTable:
    """The connector's 40 sessions listed; the list's table."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                   and app.screen.loaded and app.screen.table.row_count == 40)
    await clock.idle(app)
    return app.screen.table


async def two_polls(pilot, clock: VirtualClock, state) -> None:
    before = len(state.requests)
    await clock.advance(0.6)
    await wait_for(pilot, lambda: len(state.requests) >= before + 2, timeout=5)
    await pilot.pause(0.1)


async def test_status_changes_that_re_sort_the_list_show_truly_and_keep_the_cursor(
        server, state):
    vc = list(state.connectors)[1]
    clock = VirtualClock()
    app = make_app(app_settings(server, refresh=0.3, voice_connector_id=vc),
                   **clock.app_kwargs())
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                       and app.screen.loaded and app.screen.table.row_count == 40)
        await clock.idle(app)
        screen = app.screen
        table = screen.table
        await pilot.press("o")  # sort by status: a status change moves the row
        await pilot.press("home", "down", "down", "down", "down")  # the 5th row
        chosen = table.cursor_key
        assert chosen is not None and table.cursor_row == 4
        order = list(table.ordered_keys)
        # Eleven sessions change status, above and below the cursor, and one above it
        # goes away: rows move under the user.
        others = [k for k in order if k != chosen]
        for i, key in enumerate(others[:11]):
            status = {"Open": "Closed", "InProgress": "Open", "Closed": "InProgress"}[
                plain(table.get_cell(key, "status"))]
            state.set_status(vc, key, status)
            if i % 3 == 0:
                state.set_fields(vc, key, {"Name": f"renamed {i} [/]"})
        state.delete_session(vc, others[11])
        before = len(state.requests)
        await clock.advance(0.6)  # two polls
        await wait_for(pilot, lambda: len(state.requests) >= before + 2, timeout=5)
        await pilot.pause(0.1)
        rows_match_the_api(table, state, vc)
        assert table.cursor_key == chosen  # the same session, wherever its row went
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionDetailScreen))
        assert app.screen.proxy_session_id == chosen


async def test_the_chosen_session_going_away_moves_the_cursor_to_its_neighbour_and_says_so(
        server, state):
    vc = list(state.connectors)[1]
    clock = VirtualClock()
    app = list_app(server, vc, clock)
    async with app.run_test(size=(140, 45)) as pilot:
        table = await listed(pilot, clock)
        await pilot.press("down", "down")
        chosen = table.cursor_key
        after = table.ordered_keys[3]
        state.delete_session(vc, chosen)
        await clock.advance(0.3)  # the next poll
        await wait_for(pilot, lambda: table.row_count == 39, timeout=5)
        assert table.cursor_key == after
        said = f"Session {chosen} left the list; the cursor moved to {after}"
        # The notice is a message handled after the row goes: wait for it, then check.
        await wait_for(pilot, lambda: any(said in str(n.message) for n in app.notices))
        notes = [str(n.message) for n in app.notices]
        assert any(said in n for n in notes), notes


async def test_sort_indicator_reverse_header_click_and_created_column(server, state):
    vc = list(state.connectors)[1]
    app = make_app(app_settings(server, refresh=60, voice_connector_id=vc))
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                       and app.screen.loaded and app.screen.table.row_count == 40)
        screen = app.screen
        table = screen.table
        assert "Expires in ▲" in table.render_line(0).text
        title = str(table.border_title)
        counts = {s: sum(1 for x in state.list_sessions(vc) if x["Status"] == s)
                  for s in ("Open", "InProgress", "Closed")}
        assert title == (f"Sessions 40 · Open {counts['Open']} · InProgress "
                         f"{counts['InProgress']} · Closed {counts['Closed']}")
        await pilot.press("o")  # status: active first
        statuses = [plain(table.get_cell(k, "status")) for k in table.ordered_keys]
        rank = {"Open": 0, "InProgress": 1, "Closed": 2}
        assert [rank[s] for s in statuses] == sorted(rank[s] for s in statuses)
        assert "Status ▲" in table.render_line(0).text
        await pilot.press("O")  # reversed
        statuses = [plain(table.get_cell(k, "status")) for k in table.ordered_keys]
        assert statuses[0] == "Closed" and statuses[-1] == "Open"
        assert "Status ▼" in table.render_line(0).text
        await pilot.press("o")  # created: a Created column appears, newest first
        await pilot.pause()
        header = table.render_line(0).text
        assert "Created ▲" in header
        created = [plain(table.get_cell(k, "created")) for k in table.ordered_keys]
        assert created == sorted(created, reverse=True)
        await pilot.press("o")  # id: the Created column goes again
        await pilot.pause()
        assert "Created" not in table.render_line(0).text
        # a click on a header sorts by that column; a second click reverses it
        x = table.render_line(0).text.index("Name") + 1
        await pilot.click(KeyedTable, offset=(x + 1, 1))  # +1: the table's border
        await pilot.pause()
        assert screen.sort == "name" and not screen.reverse
        await pilot.click(KeyedTable, offset=(x + 1, 1))
        await pilot.pause()
        assert screen.sort == "name" and screen.reverse
        names = [plain(table.get_cell(k, "name")).lower() for k in table.ordered_keys]
        assert names == sorted(names, reverse=True)


async def test_the_board_and_the_picker_keep_the_cursor_on_its_key(server, state, tmp_path):
    from chime_tui.tui.screens.board import BoardScreen
    from chime_tui.tui.screens.picker import ConnectorPickerScreen

    vc = list(state.connectors)[1]
    active = [s for s in state.list_sessions(vc) if s["Status"] != "Closed"][:4]
    pins = tuple((vc, s["ProxySessionId"]) for s in active)
    app = make_app(app_settings(server, refresh=0.3, pins=pins,
                                pins_file=tmp_path / "pins.json"))
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                       and app.screen.table.row_count == 4 and app.screen.result is not None)
        table = app.screen.table
        await pilot.press("home", "down", "down")
        chosen = table.cursor_key
        at = table.cursor_row
        # The chosen session now expires first: the board re-sorts it to the top.
        state.set_fields(vc, chosen.partition("/")[2], {"ExpiryMinutes": 1,
                                                         "CreatedTimestamp":
                                                         app.clock().isoformat()})
        await wait_for(pilot, lambda: table.ordered_keys[0] == chosen, timeout=5)
        assert table.cursor_key == chosen and table.cursor_row == 0 != at
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionDetailScreen))
        assert app.screen.proxy_session_id == chosen.partition("/")[2]

    app = make_app(app_settings(server, refresh=0.3))
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectorPickerScreen)
                       and app.screen.table.row_count == 4)
        table = app.screen.table
        await pilot.press("down", "down")
        chosen = table.cursor_key
        with state.lock:
            del state.connectors[table.ordered_keys[0]]  # a row above it goes
        await pilot.press("r")
        await wait_for(pilot, lambda: table.row_count == 3, timeout=5)
        assert table.cursor_key == chosen and table.cursor_row == 1


async def test_the_picker_says_when_the_selected_connector_leaves(server, state):
    from chime_tui.tui.screens.picker import ConnectorPickerScreen

    app = make_app(app_settings(server, refresh=60))
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectorPickerScreen)
                       and app.screen.table.row_count == 4)
        table = app.screen.table
        await pilot.press("down")
        chosen, after = table.cursor_key, table.ordered_keys[2]
        with state.lock:
            del state.connectors[chosen]
        await pilot.press("r")
        await wait_for(pilot, lambda: table.row_count == 3, timeout=5)
        assert table.cursor_key == after
        notes = [str(n.message) for n in app.notices]
        assert f"Voice connector {chosen} left the list; the cursor moved to {after}" in notes


async def test_an_untouched_cursor_stays_at_the_top_when_its_session_closes(server, state):
    """Walks 16 and 17b: nobody had moved the cursor; the top row's session closed, sorted
    to the end with the Closed ones, and the cursor, following it, scrolled the view to
    them: the sessions expiring soonest went out of view. A cursor the user never moved
    is on the top row; one they moved follows its session (the test above)."""
    vc = list(state.connectors)[1]
    clock = VirtualClock()
    app = list_app(server, vc, clock)
    async with app.run_test(size=(140, 16)) as pilot:
        table = await listed(pilot, clock)
        top = table.cursor_key
        assert top == table.ordered_keys[0] and table.cursor_row == 0
        assert plain(table.get_cell(top, "status")) != "Closed"
        state.set_status(vc, top, "Closed")
        await two_polls(pilot, clock, state)
        assert table.ordered_keys[0] != top  # it sorted away...
        assert table.cursor_row == 0 and table.cursor_key == table.ordered_keys[0]
        assert table.scroll_y == 0  # ...and the view stayed on the soonest to expire
        # Chosen by the user: the cursor follows its session.
        await pilot.press("down")
        chosen = table.cursor_key
        state.set_status(vc, chosen, "Closed")
        await two_polls(pilot, clock, state)
        assert table.cursor_key == chosen
