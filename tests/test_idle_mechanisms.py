"""Idle cost, pinned by mechanism (the figures live in benchmarks/): a tick that
changes nothing visible draws nothing; a ticking countdown redraws its panel without
a layout pass; a board tick repaints only the rows whose text changed."""

from __future__ import annotations

from datetime import timedelta

from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID
from chime_tui.humanfmt import expiry_short
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.board import BoardScreen
from chime_tui.tui.widgets.panel import SessionPanel

from .conftest import FIXED_NOW, app_settings, wait_for
from .test_app import detail_loaded


class Clock:
    def __init__(self) -> None:
        self.now = FIXED_NOW

    def __call__(self):
        return self.now


def spy_updates(monkeypatch) -> list[tuple[str, bool]]:
    calls: list[tuple[str, bool]] = []
    real = SessionPanel.update

    def update(self, content="", *, layout=True):
        calls.append((type(self).__name__, layout))
        return real(self, content, layout=layout)

    monkeypatch.setattr(SessionPanel, "update", update)
    return calls


def spy_panel_refreshes(monkeypatch) -> list[tuple[str, tuple, bool]]:
    """The panels' repaint requests from now on: (panel class, regions, layout)."""
    refreshes: list[tuple[str, tuple, bool]] = []
    real = SessionPanel.refresh

    def refresh(self, *regions, repaint=True, layout=False, recompose=False):
        refreshes.append((type(self).__name__, regions, layout))
        return real(self, *regions, repaint=repaint, layout=layout, recompose=recompose)

    monkeypatch.setattr(SessionPanel, "refresh", refresh)
    return refreshes


def counting_down_app_on_virtual_time(frozen_server, frozen_state):
    """`counting_down_app` on a virtual clock (tests/vclock.py): the app and the clock."""
    from .vclock import VirtualClock

    clock = VirtualClock(FIXED_NOW)
    vc = list(frozen_state.connectors)[1]
    sid = next(s["ProxySessionId"] for s in frozen_state.list_sessions(vc)
               if s["Status"] != "Closed" and s.get("ExpiryMinutes"))
    return make_app(app_settings(frozen_server, refresh=60, voice_connector_id=vc,
                                 proxy_session_id=sid), **clock.app_kwargs()), clock


def counting_down_app(frozen_server, frozen_state, clock: Clock):
    """The app opened at a session whose countdown ticks."""
    vc = list(frozen_state.connectors)[1]
    sid = next(s["ProxySessionId"] for s in frozen_state.list_sessions(vc)
               if s["Status"] != "Closed" and s.get("ExpiryMinutes"))
    return make_app(app_settings(frozen_server, refresh=60, voice_connector_id=vc,
                                 proxy_session_id=sid), clock=clock)


async def test_a_tick_that_changes_nothing_visible_draws_nothing(frozen_server, monkeypatch):
    clock = Clock()
    app = make_app(app_settings(frozen_server, refresh=60, voice_connector_id=SEED_CONNECTOR_ID,
                                proxy_session_id=SEED_SESSION_ID), clock=clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        app.screen.tick()
        calls = spy_updates(monkeypatch)
        clock.now += timedelta(seconds=1)  # the seed example expired in 2020: nothing moves
        app.screen.tick()
        assert calls == []


async def test_a_ticking_countdown_redraws_its_panel_without_a_layout(
        frozen_server, frozen_state, monkeypatch):
    clock = Clock()
    app = counting_down_app(frozen_server, frozen_state, clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        app.screen.tick()
        calls = spy_updates(monkeypatch)
        clock.now += timedelta(seconds=1)
        app.screen.tick()
        assert ("ExpiryPanel", False) in calls  # the countdown moved, in place
        assert all(layout is False for _, layout in calls), calls


def board_app(server, state, tmp_path, pins, refresh: float):
    """A board of `pins` on a clock the test moves (from the emulator's now)."""
    clock = Clock()
    clock.now = state.clock()
    return make_app(app_settings(server, refresh=refresh, pins=pins,
                                 pins_file=tmp_path / "pins.json"), clock=clock), clock


async def board_shown(pilot, rows: int) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                   and app.screen.result is not None and app.screen.table.row_count == rows)


async def test_a_board_tick_repaints_only_rows_whose_text_changed(server, state, tmp_path):
    vc = list(state.connectors)[1]
    listed = state.list_sessions(vc)
    ticking = [s["ProxySessionId"] for s in listed if s["Status"] != "Closed"][:3]
    closed = [s["ProxySessionId"] for s in listed if s["Status"] == "Closed"][:3]
    pins = tuple((vc, sid) for sid in ticking + closed)
    app, clock = board_app(server, state, tmp_path, pins, refresh=60)
    async with app.run_test(size=(160, 40)) as pilot:
        await board_shown(pilot, len(pins))
        await pilot.pause(0.1)
        table = app.screen.table
        for y in range(table.size.height):
            table.render_line(y)
        clock.now += timedelta(seconds=4)  # past the highlights of the first fetch
        app.screen.tick()
        await pilot.pause(0.1)
        for y in range(table.size.height):
            table.render_line(y)
        assert table.refresh_live() == 0  # no time has passed: nothing to repaint
        before = clock.now
        clock.now += timedelta(seconds=1)
        # the rows whose countdown text moved (under an hour left: "43m 10s"; more: "1h
        # 23m" moves once a minute), or whose time in status did (a closed row's is exact,
        # from its EndedTimestamp: "3m 05s"; a bound, "≥ 3 min", moves by the minute)
        from chime_tui.fleet import in_status, in_status_short

        def texts(sid, at):
            s = app.tracker.last[(vc, sid)]
            return expiry_short(s, at), in_status_short(in_status(s), at)

        moved = [sid for sid in ticking + closed if texts(sid, before) != texts(sid, clock.now)]
        assert moved and table.refresh_live() == len(moved)



async def test_a_board_tick_works_out_no_time_in_status_that_cannot_have_changed(
        server, state, tmp_path, monkeypatch):
    """A row's time in status is a function of its answer, its timeline and when the
    answer came: a tick works it out again only where one of those changed, and every
    row still shows what working it out afresh gives."""
    from chime_tui import fleet
    from chime_tui.fleet import in_status_short
    from chime_tui.tui.screens import board as board_mod

    vc = list(state.connectors)[1]
    listed = state.list_sessions(vc)
    first = next(s["ProxySessionId"] for s in listed if s["Status"] != "Closed")
    others = [s["ProxySessionId"] for s in listed if s["ProxySessionId"] != first]
    pins = tuple((vc, sid) for sid in [first, *others[:5]])
    app, clock = board_app(server, state, tmp_path, pins, refresh=600)
    async with app.run_test(size=(160, 40)) as pilot:
        await board_shown(pilot, len(pins))
        screen = app.screen
        app.ticker.pause()
        worked_out: list[tuple[str, str]] = []

        def counted(session, *rest):
            worked_out.append(session.key)
            return fleet.in_status(session, *rest)

        monkeypatch.setattr(board_mod, "in_status", counted)

        def shown_right() -> bool:
            tracker = app.tracker
            for key in pins:
                s = screen.session_of(key)
                fresh = fleet.in_status(s, tracker.timelines.get(key, []),
                                        tracker.seen_at.get(key, clock.now))
                cells = dict(zip(board_mod.LIVE, screen.live_cells(f"{key[0]}/{key[1]}")))
                if str(cells["instatus"]) != in_status_short(fresh, clock.now):
                    return False
            return True

        screen.tick()
        worked_out.clear()
        for _ in range(3):
            clock.now += timedelta(seconds=1)
            screen.tick()
            await pilot.pause(0.05)
            assert shown_right()
        assert worked_out == []
        # A status change: the next fetch brings a new answer and a longer timeline.
        changed = pins[0][1]
        state.set_status(vc, changed, "Closed")
        await pilot.press("r")
        await wait_for(pilot, lambda: any(c.field == "Status" for c in
                                          app.tracker.timelines.get((vc, changed), [])))
        await pilot.pause(0.1)
        clock.now += timedelta(seconds=1)
        screen.tick()
        assert (vc, changed) in worked_out and shown_right()
        worked_out.clear()
        clock.now += timedelta(seconds=1)
        screen.tick()
        assert worked_out == [] and shown_right()


async def test_a_board_tick_sorts_again_only_when_what_it_sorts_by_changed(
        server, state, tmp_path, monkeypatch):
    """The board's order does not change with the clock: a tick with the same pins,
    filter, answers and gone-set reuses it (no expiry key is computed); a new answer
    that moves a pin re-sorts it, at once and correctly."""
    from chime_tui import sources

    vc = list(state.connectors)[1]
    ticking = [s["ProxySessionId"] for s in state.list_sessions(vc)
               if s["Status"] != "Closed" and s.get("ExpiryMinutes")][:4]
    pins = tuple((vc, sid) for sid in ticking)
    clock = Clock()
    clock.now = state.clock()
    app = make_app(app_settings(server, refresh=60, pins=pins,
                                pins_file=tmp_path / "pins.json"), clock=clock)
    keyed = 0
    real = sources.SORTS["expiry"]

    def counting(now):
        key = real(now)

        def count(s):
            nonlocal keyed
            keyed += 1
            return key(s)
        return count

    monkeypatch.setitem(sources.SORTS, "expiry", counting)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                       and app.screen.result is not None and app.screen.table.row_count == 4)
        board = app.screen
        first = board.table.ordered_keys
        keyed = 0
        for _ in range(5):
            clock.now += timedelta(seconds=1)
            app.tick_second()
        assert keyed == 0 and board.table.ordered_keys == first
        # The first of them now expires last: the next answer re-sorts it to the end.
        state.update_session(*first[0].split("/"), {"ExpiryMinutes": 1_000_000})
        await pilot.press("r")
        await wait_for(pilot, lambda: board.table.ordered_keys[-1] == first[0])
        assert keyed > 0
        assert board.table.ordered_keys == (*first[1:], first[0])
        # The filter is an input too.
        await pilot.press("slash", *first[1].split("/")[1][:12], "enter")
        await wait_for(pilot, lambda: board.table.ordered_keys == (first[1],))

def test_the_details_panel_ages_move_by_the_minute():
    from chime_tui.humanfmt import ago_minutes

    then = FIXED_NOW - timedelta(seconds=12)
    assert ago_minutes(then, FIXED_NOW) == ago_minutes(then, FIXED_NOW + timedelta(seconds=40))
    assert ago_minutes(then, FIXED_NOW + timedelta(minutes=3)) == "3 minutes ago"


async def test_a_countdown_tick_repaints_one_line_of_one_panel(
        frozen_server, frozen_state, monkeypatch):
    """The countdown is one line: a tick marks that line dirty, not the Expiry panel
    (nor any other panel, whose text did not change)."""
    clock = Clock()
    app = counting_down_app(frozen_server, frozen_state, clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        app.screen.tick()
        await pilot.pause(0.1)
        refreshes = spy_panel_refreshes(monkeypatch)
        clock.now += timedelta(seconds=1)
        app.screen.tick()
        assert refreshes, "the countdown did not move"
        assert {name for name, _, _ in refreshes} == {"ExpiryPanel"}, refreshes
        for _, regions, layout in refreshes:
            assert not layout and regions, refreshes  # never the whole panel
            assert sum(r.height for r in regions) == 1, refreshes


async def test_a_time_in_status_too_wide_for_its_line_ticks_one_short_line(
        frozen_server, frozen_state, monkeypatch):
    """"in status 52m 16s (from EndedTimestamp)" does not fit the Status panel at
    120x36: the time goes on a line of its own, so a tick repaints that line (drawn
    without rich's wrapping), not a phrase wrapped mid-way over two."""
    from chime_tui.tui.widgets.status_panel import StatusPanel

    clock = Clock()
    vc = list(frozen_state.connectors)[1]
    sid = next(s for s, v in frozen_state.sessions[vc].items() if v.status == "Closed")
    app = make_app(app_settings(frozen_server, refresh=60, voice_connector_id=vc,
                                proxy_session_id=sid), clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        app.ticker.pause()
        await pilot.pause(0.1)
        panel = app.screen.query_one(StatusPanel)
        lines = [strip.text.rstrip() for strip in panel.strips]
        time = next(i for i, line in enumerate(lines) if line.startswith("in status "))
        assert time + 1 < len(lines) and lines[time + 1] == "(from EndedTimestamp)", \
            (lines, panel.content_size)
        assert len(lines[time]) + 1 + len(lines[time + 1]) > panel.content_size.width
        refreshes = spy_panel_refreshes(monkeypatch)
        clock.now += timedelta(seconds=1)
        app.screen.tick()
        status = [(regions, layout) for name, regions, layout in refreshes
                  if name == "StatusPanel"]
        assert status, "the time in status did not move"
        assert [(tuple(r.y for r in regions), layout) for regions, layout in status] \
            == [((time,), False)], status
        assert panel.strips[time].text.rstrip() != lines[time]


async def test_the_time_in_status_line_is_split_again_at_a_new_width(
        frozen_server, frozen_state):
    """Stacked at 80 columns, the time in status and its source fit on one line; made
    narrower (three panels abreast at 120), the time goes on its own line at once, not
    at the next change of its text (a bound's moves once a minute): until then rich
    wrapped the phrase mid-way ("(since" / "UpdatedTimestamp; change not seen)")."""
    from chime_tui.tui.widgets.status_panel import StatusPanel

    app = counting_down_app(frozen_server, frozen_state, Clock())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        app.ticker.pause()
        await pilot.pause(0.1)
        panel = app.screen.query_one(StatusPanel)

        def lines() -> list[str]:
            return [strip.text.rstrip() for strip in panel.strips]

        assert any(line.startswith("in status ") and line.endswith(")") for line in lines())
        await pilot.resize_terminal(120, 36)
        await pilot.pause(0.2)
        got = lines()
        time = next(i for i, line in enumerate(got) if line.startswith("in status "))
        assert "(" not in got[time] and got[time + 1].startswith("("), got


async def test_the_ticker_keeps_its_phase_whatever_the_callback_takes():
    """A once-a-second display ticks at 1, 2, 3 s, not 1, 2.3, 3.6 s: drift would make
    a countdown skip a second now and then."""
    import asyncio

    from chime_tui.tui.ticker import Ticker

    from .vclock import VirtualClock

    clock = VirtualClock()
    ticks: list[float] = []

    def slow_callback() -> None:
        ticks.append(clock.t)
        clock.t += 0.3  # the callback's own cost, on the same clock

    ticker = Ticker(clock.sleep, 1.0, slow_callback, timer=clock.monotonic)
    task = asyncio.create_task(ticker.run())
    await clock.settle()
    await clock.advance(3.5)
    assert ticks == [1.0, 2.0, 3.0]
    task.cancel()


def spy_refreshes(monkeypatch, app_class) -> tuple[list[tuple[str, int]], list[int]]:
    """Every Widget.refresh, with the number of the app tick it was made in (0: none)."""
    from textual.widget import Widget

    refreshes: list[tuple[str, int]] = []
    ticks = [0]
    inside = [0]
    real_refresh, real_tick = Widget.refresh, app_class.tick_second

    def refresh(self, *regions, repaint=True, layout=False, recompose=False):
        refreshes.append((type(self).__name__, inside[0]))
        return real_refresh(self, *regions, repaint=repaint, layout=layout,
                            recompose=recompose)

    def tick_second(self):
        ticks[0] += 1
        inside[0] = ticks[0]
        try:
            return real_tick(self)
        finally:
            inside[0] = 0

    monkeypatch.setattr(Widget, "refresh", refresh)
    monkeypatch.setattr(app_class, "tick_second", tick_second)
    return refreshes, ticks


async def test_a_second_of_a_ticking_session_is_one_wake_up_and_one_batch_of_refreshes(
        frozen_server, frozen_state, monkeypatch):
    """One timer for the app: the countdown, the ages, the top line and the expiry
    alerts all move in one callback, so Textual draws them in one frame; no screen or
    widget has a timer of its own that wakes the app apart from it."""
    from chime_tui.tui.app import ChimeTuiApp

    refreshes, ticks = spy_refreshes(monkeypatch, ChimeTuiApp)
    app, clock = counting_down_app_on_virtual_time(frozen_server, frozen_state)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        await clock.idle(app)
        await clock.advance(1.0)
        await pilot.pause(0.1)
        assert clock.sleeping == 2  # the app's tick and the poller: nothing else waits
        refreshes.clear()
        first = ticks[0]
        for _ in range(3):
            await clock.advance(1.0)
            await pilot.pause(0.05)
        assert ticks[0] == first + 3  # one callback a second
        assert ("ExpiryPanel", first + 1) in refreshes  # the countdown moved each second
        assert ("ExpiryPanel", first + 3) in refreshes
        assert all(tick for _, tick in refreshes), refreshes  # none outside the tick


async def test_a_poll_with_unchanged_data_redraws_nothing_but_the_top_line(
        frozen_server, frozen_state, monkeypatch):
    """A refresh that brings the same session draws no panel: only the top line says
    a fetch ran (and when)."""
    from chime_tui.tui.app import ChimeTuiApp

    refreshes, _ = spy_refreshes(monkeypatch, ChimeTuiApp)
    clock = Clock()
    app = counting_down_app(frozen_server, frozen_state, clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        screen = app.screen
        await pilot.pause(0.2)
        before = screen.last_ok
        refreshes.clear()
        clock.now += timedelta(seconds=5)
        await pilot.press("r")
        await wait_for(pilot, lambda: screen.last_ok != before)
        await pilot.pause(0.1)
        assert {name for name, tick in refreshes if not tick} <= {"FetchStatus"}, refreshes


async def test_a_quick_fetch_is_one_change_of_the_top_line_not_two(
        frozen_server, frozen_state, monkeypatch):
    """`⟳ fetching…` is drawn only for a fetch that lasts (SHOW_FETCHING_AFTER): one that
    answers at once would flash it for a few milliseconds, a frame of its own before the
    frame with its answer. (A slow fetch still shows it: tests/test_faults.py.)"""
    from chime_tui.monitor import PollOutcome
    from chime_tui.tui.messages import Fetched, FetchStarted
    from chime_tui.tui.widgets.fetch_status import FetchStatus

    clock = Clock()
    app = counting_down_app(frozen_server, frozen_state, clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        screen = app.screen
        status = screen.query_one(FetchStatus)
        await pilot.pause(0.1)
        shown: list[str] = []
        real = FetchStatus.show_text
        monkeypatch.setattr(FetchStatus, "show_text",
                            lambda self, text: (shown.append(text.plain), real(self, text)))
        clock.now += timedelta(seconds=5)
        screen.on_fetch_started(FetchStarted())
        assert not status.fetching and shown == []  # not drawn yet
        from chime_tui.sources import SessionUpdate

        same = SessionUpdate(screen.session, [])
        screen.on_fetched(Fetched(PollOutcome(same, None, clock.now, 0.012, 0, 60.0)))
        assert len(shown) == 1 and "fetching" not in shown[0], shown
        await pilot.pause(0.3)  # past SHOW_FETCHING_AFTER: the fetch was over before it
        assert not status.fetching and len(shown) == 1, shown
        # Under load the timer may fire and queue its callback just before the answer
        # is handled: the callback, run late, does not say a finished fetch is under way.
        screen.on_fetch_started(FetchStarted())
        late = status.fetch_number
        screen.on_fetched(Fetched(PollOutcome(same, None, clock.now, 0.012, 0, 60.0)))
        status.show_fetching(late)
        assert not status.fetching


def test_a_one_line_text_is_drawn_as_rich_draws_it():
    """The panels draw a one-line Text that fits without rich's wrapping (the ticking
    lines); what they draw is what `Console.render_lines` draws, style for style."""
    from rich.console import Console
    from rich.style import Style
    from rich.text import Text
    from textual.strip import Strip

    from chime_tui.tui.widgets.panel import render_lines

    console = Console(width=80, color_system="truecolor", file=open("/dev/null", "w"))
    texts = [Text("0:23:59:12", style="bold"), Text("changed 12 seconds ago", style="dim"),
             Text.assemble(Text("last known: ", style="dim"), Text("Open", style="bold green")),
             Text("x" * 22), Text("☎ wide 📞 cells"), Text("trailing   "), Text("  leading"),
             Text("ab", style="red") + Text("cd", style="on blue"),
             Text("█" * 10, style="green") + Text("░" * 10, style="dim"),
             Text("cut", no_wrap=True, overflow="ellipsis"), Text("no end", end=""),
             Text("longer than the panel is wide, so it wraps"), Text(""),
             # One style for the whole line (drawn as one segment, without rich's
             # span machinery): named, a Style object, a theme's name, a link.
             Text("0:00:09", style=Style(bold=True, color="red")), Text("ok", style="repr.number"),
             Text("page", style=Style(link="https://example.com")), Text(" ", style="reverse"),
             Text("bell\x07 esc\x1b[2J", style="bold")]  # (the panels make these visible first)
    for width in (22, 23, 40):
        options = console.options.update_width(width)
        for base in (Style(color="white", bgcolor="black"), Style.null()):
            for text in texts:
                ours = render_lines(console, options, text, base, width)
                rich = [Strip(line, width) for line in
                        console.render_lines(text, options, style=base, pad=True)]
                assert [list(s) for s in ours] == [list(s) for s in rich], (width, text)
                assert [s.cell_length for s in ours] == [width] * len(rich)


async def test_the_top_line_is_built_again_only_when_the_clock_changes_it(
        frozen_server, frozen_state, monkeypatch):
    """While the data is fresh the top line shows the time of the last answer, which
    the clock does not move: a tick does not build it again. Once stale, its age
    moves, and so does the line."""
    from chime_tui.tui.widgets.fetch_status import FetchStatus

    clock = Clock()
    app = counting_down_app(frozen_server, frozen_state, clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        await pilot.pause(0.1)
        status = app.screen.query_one(FetchStatus)
        built: list[str] = []
        real = FetchStatus.state_text
        monkeypatch.setattr(FetchStatus, "state_text",
                            lambda self, now, short: built.append("x") or real(self, now, short))
        for _ in range(3):
            clock.now += timedelta(seconds=1)
            status.tick()
        assert built == []
        clock.now += timedelta(seconds=2 * 60 + 5)  # past two refreshes: stale
        status.tick()
        assert built and "ago" in status.content.plain
        built.clear()
        status.tick()  # the same second: the same age
        assert built == []


async def test_a_ticker_on_a_timer_that_stands_still_ticks_every_interval():
    """A frozen timer (snapshot tests freeze it) must not stretch the ticks apart."""
    import asyncio

    from chime_tui.tui.ticker import Ticker

    from .vclock import VirtualClock

    clock = VirtualClock()
    ticks: list[float] = []
    ticker = Ticker(clock.sleep, 1.0, lambda: ticks.append(clock.t), timer=lambda: 0.0)
    task = asyncio.create_task(ticker.run())
    await clock.settle()
    await clock.advance(3.5)
    assert ticks == [1.0, 2.0, 3.0]
    task.cancel()


def test_the_client_opens_with_the_collector_paused_and_freezes_what_it_made(
        monkeypatch):
    """Its import and session (some 200,000 objects for the app's lifetime) are made
    with no collection: a full one among them, in the opening thread, held the GIL for
    15-28 ms in the middle of a first listing. Frozen when the collector is back on."""
    import asyncio
    import gc

    from chime_tui.aws import client as client_mod
    from chime_tui.aws.client import ChimeVoiceClient
    from chime_tui.aws.settings import AwsSettings

    seen: list[bool] = []
    load = client_mod._load_aiobotocore

    def watched_load():
        seen.append(gc.isenabled())
        return load()

    monkeypatch.setattr(client_mod, "_load_aiobotocore", watched_load)
    frozen_before = gc.get_freeze_count()

    async def go() -> None:
        async with ChimeVoiceClient(AwsSettings(endpoint_url="http://127.0.0.1:9",
                                                region="us-east-1")) as client:
            assert client.parsers is not None and not collector_scans(client.parsers)

    asyncio.run(go())
    assert seen == [False] and gc.isenabled() and gc.get_freeze_count() > frozen_before


def collector_scans(obj: object) -> bool:
    """Whether the cyclic collector's generations hold `obj` (a frozen object is in
    none of them: never scanned again)."""
    import gc

    return any(o is obj for o in gc.get_objects())


async def test_what_the_open_client_made_is_frozen_at_the_tick_after_its_first_answer(
        frozen_server, frozen_state):
    """The client (aiobotocore, the service model, the memos) lives as long as the app:
    it is frozen as it opens (`ChimeVoiceClient._make_session`), and what was made
    until its first answer at the tick after that answer (`settle_heap`): the collector
    stops walking them on every full collection."""
    app, clock = counting_down_app_on_virtual_time(frozen_server, frozen_state)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        parsers = app.service.parsers  # made when the client opened
        assert parsers is not None and app.service.last_status == 200
        assert not collector_scans(parsers)
        answer = app.screen.session  # made of the first answer, after the client opened
        assert not app.heap_settled and collector_scans(answer)
        await clock.idle(app)
        await clock.advance(1.0)
        await wait_for(pilot, lambda: app.heap_settled)
        assert not collector_scans(answer)
        assert not collector_scans(app.screen)  # the start screen too
