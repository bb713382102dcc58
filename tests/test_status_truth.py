"""Issue 11, item 12: the status and error lines say what is true while fetches are slow,
fail, or fail part way; a large listing is not listed again at once; a huge Name costs
a bounded render."""

from __future__ import annotations

import re

from chime_tui.emulator import (
    SEED_CONNECTOR_ID,
    SEED_SESSION_ID,
    EmulatorServer,
    EmulatorState,
    populate,
)
from chime_tui.monitor import Schedule
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.sessions import SessionListScreen
from chime_tui.tui.widgets.fetch_status import ErrorLine, FetchStatus
from chime_tui.tui.widgets.keyed_table import KeyedTable

from .conftest import app_settings, wait_for
from .test_app import detail_loaded, text_of
from .vclock import VirtualClock

SCHEDULE = Schedule(floor=0.2, cap=1.0)  # the production schedule, shorter


def detail_app(server, clock: VirtualClock | None = None, **kw):
    kw.setdefault("refresh", 0.5)
    return make_app(app_settings(server, voice_connector_id=SEED_CONNECTOR_ID,
                                 proxy_session_id=SEED_SESSION_ID, schedule=SCHEDULE, **kw),
                    rng=lambda: 0.0, **(clock.app_kwargs() if clock else {}))


def shown(widget) -> str:
    return widget.content.plain


def big_state(sessions: int) -> tuple[EmulatorState, str]:
    state = populate(EmulatorState(), seed=3, connectors=1, sessions=0,
                     big_connector_sessions=sessions)
    return state, list(state.connectors)[-1]


async def test_while_a_retry_is_in_flight_the_error_line_says_so_not_a_stale_countdown(
        server, state):
    clock = VirtualClock()
    app = detail_app(server, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        await clock.idle(app)
        state.add_rule({"count": 1, "status": 500})  # the next try fails at once,
        state.add_rule({"after": 1, "count": 1, "latency": 1.6})  # the retry takes 1.6 s
        line = app.screen.query_one(ErrorLine)
        await pilot.press("r")
        await wait_for(pilot, lambda: line.display and not app.screen.poller.in_flight)
        await clock.idle(app)
        await clock.advance(0.25, settle=False)  # the retry is due (the 500's backoff)
        await wait_for(pilot, lambda: app.screen.poller.in_flight)
        await clock.advance(1.0, settle=False)  # the retry still under way: the line ticks
        assert app.screen.poller.in_flight
        assert "retrying now…" in line.message() and "next try in" not in line.message()
        assert "retrying now…" in shown(line)
        await wait_for(pilot, lambda: not line.display, timeout=3)  # it succeeded


async def test_a_first_fetch_that_failed_is_not_not_fetched_yet(server, state):
    """Walk 17 F4: opened at a session whose answers cannot be read, the status line
    said "not fetched yet" beside the panels' "no data yet: the last try failed"."""
    clock = VirtualClock()
    state.faults.malformed, state.faults.malformed_count = "types", -1
    app = detail_app(server, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        status = app.screen.query_one(FetchStatus)
        assert shown(status).startswith("not fetched yet")  # before the first answer
        line = app.screen.query_one(ErrorLine)
        await wait_for(pilot, lambda: line.display)
        assert shown(status).startswith("no answer yet: the last try failed"), shown(status)
        state.faults.clear()
        await clock.advance(app.screen.poller.next_at - clock.t)
        await wait_for(pilot, lambda: detail_loaded(app))
        assert shown(status).startswith("updated ")


async def test_the_latency_after_updated_is_the_last_good_fetchs(server, state):
    app = detail_app(server)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        # A second good fetch (the first one's latency includes opening the client).
        await wait_for(pilot, lambda: len(state.requests) >= 2
                       and not app.screen.poller.in_flight, timeout=3)
        status = app.screen.query_one(FetchStatus)
        state.add_rule({"status": 500})
        state.faults.latency = 1.2
        await pilot.press("r")
        # (Waits for the failed try's answer: the screen may be marked stale before it,
        # by the clock, once the last good answer is two intervals old.)
        await wait_for(pilot, lambda: status.failed_latency is not None, timeout=3)
        assert app.screen.has_class("-stale")
        text = shown(status)
        ms = int(re.search(r"updated \d\d:\d\d:\d\d UTC \((\d+) ms\)", text).group(1))
        good = status.latency  # the last good fetch's
        assert ms == round(good * 1000) and ms < 1000  # not the failed try's 1,200 ms
        assert "last try failed after 1.2 s" in text


async def test_after_a_long_first_listing_the_next_waits_the_full_interval(tmp_path):
    """The listing takes 1.25 s of the app's (virtual) clock: the clock is moved while
    the endpoint holds its pages (0.25 s each, real time)."""
    state, vc = big_state(500)  # 5 pages
    state.faults.latency = 0.25
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = make_app(app_settings(srv, voice_connector_id=vc, refresh=0.5, schedule=SCHEDULE),
                       rng=lambda: 0.0, **clock.app_kwargs())
        async with app.run_test(size=(120, 40)) as pilot:
            # The client is open and the listing under way (opening it is not paced).
            await wait_for(pilot, lambda: len(state.requests) >= 1, timeout=5)
            await clock.advance(1.25, settle=False)
            await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                           and app.screen.loaded, timeout=5)
            await clock.idle(app)
            poller = app.screen.poller
            # (Each listing is followed by one read of the connector's proxy settings.)
            await wait_for(pilot, lambda: state.request_count("/programmable-numbers/proxy") == 1)
            assert state.request_count("/proxy-sessions") == 5 and len(state.requests) == 5 + 1
            # Paced from the poll right after the first load (4 x the listing's 1.25 s,
            # not the 0.5 s refresh), counted from the end of that fetch.
            assert poller.interval == 4 * 1.25
            assert poller.seconds_to_next() == 4 * 1.25
            await clock.advance(4.9)
            assert state.request_count("/proxy-sessions") == 5  # no second listing yet
            await clock.advance(0.1, settle=False)
            await wait_for(pilot, lambda: state.request_count("/proxy-sessions") > 5)  # then it comes


async def test_rows_from_a_listing_that_failed_part_way_are_not_no_data_yet(tmp_path):
    state, vc = big_state(500)  # 5 pages; garbage from the 4th on
    state.add_rule({"after": 3, "malformed": "html"})
    clock = VirtualClock()
    with EmulatorServer(state) as srv:
        app = make_app(app_settings(srv, voice_connector_id=vc, refresh=0.5, schedule=SCHEDULE),
                       rng=lambda: 0.0, **clock.app_kwargs())
        async with app.run_test(size=(160, 40)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                           and app.screen.query_one(ErrorLine).display, timeout=5)
            screen = app.screen
            line = screen.query_one(ErrorLine)
            table = screen.query_one(KeyedTable)
            await wait_for(pilot, lambda: table.row_count == 300, timeout=2)
            await clock.idle(app)
            await clock.advance(1.0)  # a tick (and the retries in it, failing as the first)
            assert "no data yet" not in line.message()
            assert "showing 300 sessions from an incomplete listing" in line.message()
            assert "showing 300 sessions from an incomplete listing" in shown(line)
            assert screen.has_class("-stale")
            status = shown(screen.query_one(FetchStatus))
            assert "no complete answer yet" in status and "not fetched yet" not in status
            title = str(table.border_title)
            assert title == "Sessions 300 so far (listing incomplete)"
            assert not screen.loaded
            with state.lock:
                state.faults.schedule.clear()
            await clock.advance(screen.poller.next_at - clock.t, settle=False)
            await wait_for(pilot, lambda: screen.loaded, timeout=4)
            await pilot.pause(0.1)
            assert str(table.border_title).startswith("Sessions 500 · ")
            assert not screen.has_class("-stale") and not line.display


async def test_a_five_megabyte_name_renders_bounded(server, state):
    """Detail panels, the timeline of a Name change, the session list and the connector
    picker each draw a bounded part of a 5 MB Name (textsafe.clip), and stay responsive."""
    huge = "N" * 9 + " " + "Name " * 999_998  # 5 MB, in words: unbounded, it would wrap
    # The knob's own call: POST /_emulator/faults takes at most 1 MB (aiohttp's default).
    state.set_fields(SEED_CONNECTOR_ID, SEED_SESSION_ID, {"Name": huge})
    state.set_fields(SEED_CONNECTOR_ID, None, {"Name": "Conn " * 1_000_000})
    app = detail_app(server, refresh=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app), timeout=5)
        assert app.screen.session.name == huge  # the data is whole; what is drawn is not
        await pilot.pause(0.1)
        details = text_of(app.screen.query_one("#details-panel"))
        assert "NNNNNNNNN Name Name" in details and len(details) < 20_000
        # A change to another 5 MB Name: the timeline shows it, bounded.
        state.set_fields(SEED_CONNECTOR_ID, SEED_SESSION_ID, {"Name": "More " * 1_000_000})
        await pilot.press("r")
        await wait_for(pilot, lambda: app.screen.session.name[0] == "M", timeout=3)
        await pilot.pause(0.1)
        timeline = text_of(app.screen.query_one("#timeline-panel"))
        assert "NNNNNNNNN Name Name" in timeline and len(timeline) < 20_000
        # The session list (Back), with the row of that session.
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                       and app.screen.loaded, timeout=5)
        cell = app.screen.query_one(KeyedTable).get_cell(SEED_SESSION_ID, "name")
        assert "More More More" in str(cell) and len(str(cell)) <= 600
        # Still responsive: the next key is handled (how fast is the benchmarks' to say,
        # not a timed assertion here), and the row's line is drawn at the table's width.
        await pilot.press("o")
        assert app.screen.sort == "status"
        table = app.screen.query_one(KeyedTable)
        assert table.move_cursor(SEED_SESSION_ID)
        await pilot.pause()
        line = table.render_line(table.cursor_row - int(table.scroll_y) + 1)
        assert "More More" in line.text and line.cell_length == table.size.width
        # The connector picker (Back again), with the connector's 5 MB Name.
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConnectorPickerScreen"
                       and app.screen.query_one(KeyedTable).row_count == 4, timeout=5)
        await pilot.pause(0.1)
        table = app.screen.query_one(KeyedTable)
        names = [str(table.get_cell(SEED_CONNECTOR_ID, c.key)) for c in table.columns]
        assert any("Conn Conn Conn" in n for n in names) and all(len(n) <= 600 for n in names)


def test_a_paced_interval_is_said_in_whole_seconds():
    """Walk 2, finding 6: a refresh paced by a slow listing said "every 16.8387 s"."""
    from datetime import UTC, datetime

    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    status = FetchStatus("ctx", lambda: now)
    for interval, said in ((16.8387, "every 17 s"), (4.2093, "every 4.2 s"), (0.5, "every 0.5 s"),
                           (60.0, "every 60 s")):
        status.interval = interval
        assert said in status.state_text(now, short=False).plain
