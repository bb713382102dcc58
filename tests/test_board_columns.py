"""Which columns give way on the board and the session list (walk 3 #1): the session
ID keeps at least its first 13 characters and the connector stays readable while
low-value columns (Participants, Last change) and a long free-text value give way."""

from __future__ import annotations

from typing import Any

import pytest

from chime_tui.emulator import EmulatorServer
from chime_tui.emulator.state import EmulatorState
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.board import BoardScreen
from chime_tui.tui.widgets.keyed_table import KeyedTable

from .conftest import app_settings, wait_for
from .test_board_gone import board_app, board_loaded, fail_until_stale, open_pins, recover, small_state
from .test_table_render import _list_app, list_loaded
from .vclock import VirtualClock

ID_MIN = 14  # 13 characters and the ellipsis: '16e6fec3-53b9…'
HOSTILE = "X" * 80 + " \x1b[5mhostile"


def drawn(table: KeyedTable) -> dict[str, int]:
    return dict(zip([c.key for c in table.columns], table.drawn_widths))


def lines(table: KeyedTable) -> list[str]:
    return [table.render_line(y).text for y in range(1, len(table.visible_keys()) + 1)]


def assert_ids_readable(table: KeyedTable, vc_at_least: int = 0) -> None:
    """Every visible row shows its session ID's first 13 characters (and its connector's
    first `vc_at_least`), and the table fits its width."""
    widths = drawn(table)
    assert widths["id"] >= ID_MIN, widths
    assert table.virtual_size.width <= table.scrollable_content_region.width
    for key, line in zip(table.visible_keys(), lines(table)):
        vc, _, sid = key.rpartition("/")
        assert sid[:13] in line, (sid, line)
        if vc_at_least:
            assert vc[:vc_at_least] in line, (vc, line)


async def board_of(pilot: Any) -> KeyedTable:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                   and app.screen.result is not None)
    await pilot.pause()
    await pilot.pause()
    return app.screen.query_one(KeyedTable)


def board(server: EmulatorServer, pins: Any, tmp_path: Any) -> Any:
    return make_app(app_settings(server, refresh=60, pins=pins, pins_file=tmp_path / "p.json",
                                 alert_threshold_minutes=0))


async def test_the_board_at_140_columns_keeps_whole_session_ids_and_the_connector(
        server: EmulatorServer, state: EmulatorState, tmp_path: Any) -> None:
    """24 pins of one connector: Participants (a '2' under a 12-cell header) goes before
    the Session ID or the connector is cut."""
    pins = open_pins(state, 24)
    assert len(pins) == 24
    async with board(server, pins, tmp_path).run_test(size=(140, 45)) as pilot:
        table = await board_of(pilot)
        assert len(table.visible_keys()) == 24
        widths = drawn(table)
        assert widths["id"] == 36  # whole
        assert widths["vc"] >= 17  # at least 16 characters of the connector ID
        assert widths["parts"] == 0  # what gave way
        assert widths["status"] and widths["expiry"] and widths["health"]
        assert_ids_readable(table, vc_at_least=16)
        for key, line in zip(table.visible_keys(), lines(table)):
            assert key.rpartition("/")[2] in line  # the whole ID


async def test_a_hostile_status_is_cut_not_given_the_session_ids_width(
        server: EmulatorServer, state: EmulatorState, tmp_path: Any) -> None:
    pins = open_pins(state, 24)
    vc, sid = pins[3]
    with state.lock:
        s = state.sessions[vc][sid]
        s.status = HOSTILE
        s.capabilities = ["Voice", "SMS", "VeryLongCapabilityName" * 3]
    async with board(server, pins, tmp_path).run_test(size=(140, 45)) as pilot:
        table = await board_of(pilot)
        widths = drawn(table)
        assert widths["id"] == 36 and widths["vc"] >= 17, widths
        assert widths["status"] <= 10  # its fair share: 'InProgress'
        assert_ids_readable(table, vc_at_least=16)
        line = lines(table)[table.visible_keys().index(f"{vc}/{sid}")]
        assert "XXXXXXXXX…" in line  # cut, with an ellipsis
    async with board(server, pins, tmp_path).run_test(size=(80, 24)) as pilot:
        table = await board_of(pilot)
        assert drawn(table)["status"] <= 10
        assert_ids_readable(table)


@pytest.mark.parametrize("size,hostile", [((140, 45), False), ((100, 20), True),
                                          ((80, 24), False), ((80, 24), True)])
async def test_a_stale_board_keeps_the_session_ids_minimum(
        tmp_path: Any, size: tuple[int, int], hostile: bool) -> None:
    """'stale, 28s ago' widens Health: other columns give way, the Session ID
    never below 13 characters (at 140 columns it stays whole: no jump), a hostile
    Status or not; on recovery the widths are as before."""
    state = small_state()
    pins = open_pins(state, 6)
    if hostile:
        with state.lock:
            state.sessions[pins[2][0]][pins[2][1]].status = HOSTILE
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = board_app(srv, tmp_path, pins, clock)
        async with app.run_test(size=size) as pilot:
            await board_loaded(pilot, clock, 1)
            table = app.screen.query_one(KeyedTable)
            await pilot.pause()
            before = table.drawn_widths
            assert_ids_readable(table)
            rule = await fail_until_stale(pilot, state, clock, table, pins[0], 503, 30.0)
            widths = drawn(table)
            assert widths["health"] >= len(str(table.get_cell("/".join(pins[0]), "health")))
            assert widths["status"] and widths["expiry"]
            assert_ids_readable(table)
            if size[0] >= 140:
                assert widths["id"] == 36
                # Health's age is short ('stale, 30s ago'): the last change stays in
                # view at 140 columns ('stale, 30 seconds ago' pushed it out; walk 17).
                assert widths["changed"] == 14
            await recover(pilot, state, clock, table, pins, rule)
            assert table.drawn_widths == before


async def test_the_board_at_40_columns_keeps_the_status(server: EmulatorServer,
                                                       state: EmulatorState,
                                                       tmp_path: Any) -> None:
    pins = open_pins(state, 9)
    async with board(server, pins, tmp_path).run_test(size=(40, 14)) as pilot:
        table = await board_of(pilot)
        widths = drawn(table)
        assert widths["id"] >= 9 and widths["status"] >= 7
        assert widths["expiry"] and widths["health"]
        assert table.virtual_size.width <= table.scrollable_content_region.width


async def test_the_session_list_gives_a_hostile_status_its_share_not_the_ids(
        server: EmulatorServer, state: EmulatorState) -> None:
    vc = list(state.connectors)[1]
    with state.lock:
        next(s for s in state.sessions[vc].values() if s.status != "Closed").status = HOSTILE
    for size in ((60, 20), (80, 24)):
        app = _list_app(server, vc)
        async with app.run_test(size=size) as pilot:
            await list_loaded(pilot, len(state.sessions[vc]))
            table = app.screen.query_one(KeyedTable)
            widths = drawn(table)
            assert widths["status"] <= 10, (size, widths)
            assert widths["id"] >= ID_MIN, (size, widths)
            assert table.virtual_size.width <= table.scrollable_content_region.width
            for key, line in zip(table.visible_keys(), lines(table)):
                assert key[:13] in line
    app = _list_app(server, vc)
    async with app.run_test(size=(40, 12)) as pilot:  # the status gets no more than the ID
        await list_loaded(pilot, len(state.sessions[vc]))
        widths = drawn(app.screen.query_one(KeyedTable))
        assert 0 < widths["status"] <= 10 and widths["id"] >= 9, widths


async def test_at_40_by_12_an_outage_leaves_rows_in_view_and_alerts_show(
        tmp_path: Any) -> None:
    """Walk 17b F4/F5: at 40×12 (the smallest size the README promises) the board in an
    outage showed no row (the filter's three lines and the warning's three took them),
    and the alerts list's one row line was its scrollbar. Under 16 lines the filter is
    one line and the alerts list the whole height."""
    from chime_tui.tui.screens.alerts import AlertsScreen
    from chime_tui.tui.widgets.fetch_status import ErrorLine

    from .test_board_gone import REFRESH, SCHEDULE
    from .test_chrome import screen_text

    state = small_state()
    pins = open_pins(state, 2)
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        # (No expiring alert: its line and the warning's three would take every row at
        # 12 lines; at 40 columns the alert line says which session, in three lines.)
        app = make_app(app_settings(srv, refresh=REFRESH, pins=pins,
                                    pins_file=tmp_path / "p.json", schedule=SCHEDULE,
                                    alert_threshold_minutes=0),
                       rng=lambda: 0.0, **clock.app_kwargs())
        async with app.run_test(size=(40, 12)) as pilot:
            await board_loaded(pilot, clock, 1)
            state.add_rule({"malformed": "html"})
            await clock.advance(0.4)
            line = app.screen.query_one(ErrorLine)
            await wait_for(pilot, lambda: line.display)
            await pilot.pause()
            assert line.outer_size.height == 3
            table = app.screen.query_one(KeyedTable)
            assert table.size.height >= 2  # the header and a row at least
            text = screen_text(app)
            assert any(sid[:6] in text for _, sid in pins), text
            # An alert, and the alerts list shows its row.
            with state.lock:
                state.faults.schedule.clear()
            state.delete_session(*pins[0])
            await clock.advance(app.screen.poller.next_at - clock.t)
            await wait_for(pilot, lambda: any(a.kind == "gone" for a in app.alerts_raised))
            await pilot.press("a")
            assert isinstance(app.screen, AlertsScreen)
            await pilot.pause()
            assert "gone" in screen_text(app), screen_text(app)
