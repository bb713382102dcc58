"""The whole picture in the app (issue 15), against the local endpoint: the picker's Proxy
column and counts, the session list's header, expiring next, time in status. Request
counts come from the endpoint's own log."""

from __future__ import annotations

import math

from rich.text import Text

from chime_tui.emulator import SEED_CONNECTOR_ID
from chime_tui.fleet import InStatus, in_status_short
from chime_tui.humanfmt import ago
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.board import BoardScreen
from chime_tui.tui.screens.detail import SessionDetailScreen
from chime_tui.tui.screens.expiring import ExpiringScreen
from chime_tui.tui.screens.picker import ConnectorPickerScreen
from chime_tui.tui.screens.sessions import SessionListScreen
from chime_tui.tui.widgets.connector_header import ConnectorHeader
from chime_tui.tui.widgets.fetch_status import AlertLine, Line
from chime_tui.tui.widgets.keyed_table import KeyedTable
from chime_tui.tui.widgets.status_panel import StatusPanel

from .conftest import app_settings, wait_for
from .test_app import detail_loaded, text_of


def table(app) -> KeyedTable:
    return app.screen.query_one(KeyedTable)


def plain(cell) -> str:
    return cell.plain if isinstance(cell, Text) else cell


def cell(app, key: str, column: str) -> str:
    return plain(table(app).get_cell(key, column))


def picker_loaded(app) -> bool:
    screen = app.screen
    return isinstance(screen, ConnectorPickerScreen) and screen.requests is not None \
        and table(app).row_count == 4


def list_requests(state, vc: str | None = None) -> int:
    return sum(r.path.endswith("/proxy-sessions") and (vc is None or f"/{vc}/" in r.path)
               for r in state.requests)


def header_text(app) -> str:
    return text_of(app.screen.query_one(ConnectorHeader).query_one("#proxy-line", Line))


async def test_picker_proxy_column_counts_and_their_requests(server, state):
    vcs = list(state.connectors)  # seed example, support line, rides eu (off), deliveries
    app = make_app(app_settings(server))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: picker_loaded(app))
        assert [cell(app, vc, "proxy") for vc in vcs] == ["on", "on", "⚠ off",
                                                          "not configured"]
        # One ListVoiceConnectors and one GetVoiceConnectorProxy per connector: no listing.
        assert len(state.requests) == 1 + 4 and list_requests(state) == 0
        assert "5 requests per refresh" in str(table(app).border_subtitle)
        assert [cell(app, vc, "open") for vc in vcs] == ["—"] * 4  # not known yet
        assert cell(app, vcs[1], "fallback") == "+12065550199"
        await pilot.press("x")
        await wait_for(pilot, lambda: cell(app, vcs[1], "fallback") == "+1*******99")
        # c: fleet-wide counts, ceil(N/100) pages a connector, on each refresh.
        mark = len(state.requests)
        await pilot.press("c")
        await wait_for(pilot, lambda: cell(app, vcs[1], "open") != "—")
        pages = sum(math.ceil(len(state.sessions[vc]) / 100) for vc in vcs)
        await wait_for(pilot, lambda: "9 requests" in str(table(app).border_subtitle))
        assert len(state.requests) - mark == 1 + 4 + pages == 9
        expected = [sum(s.status == "Open" for s in state.sessions[vc].values()) for vc in vcs]
        assert [int(cell(app, vc, "open")) for vc in vcs] == expected
        # c again: counts from the listings made; the border says so, and what a refresh
        # costs now (walk 6 #8: it kept the last count-all refresh's 9 for up to 60 s).
        mark = len(state.requests)
        await pilot.press("c")
        await wait_for(pilot, lambda: "5 requests per refresh" in str(table(app).border_subtitle))
        assert "counts: from listings made" in str(table(app).border_subtitle)
        assert len(state.requests) - mark == 5 and list_requests(state) == pages


async def count_the_second_connector(pilot, app, vc: str) -> None:
    """From the picker: open the second connector's sessions and come back, once its
    row shows the counts of that listing."""
    await wait_for(pilot, lambda: picker_loaded(app))
    await pilot.press("down", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                   and app.screen.loaded)
    await pilot.press("escape")
    await wait_for(pilot, lambda: isinstance(app.screen, ConnectorPickerScreen))
    await wait_for(pilot, lambda: cell(app, vc, "open") != "—")


async def test_counts_come_only_from_listings_made(server, state):
    """Opening one connector counts it; the others stay unknown and are not listed."""
    vcs = list(state.connectors)
    app = make_app(app_settings(server))
    async with app.run_test(size=(140, 40)) as pilot:
        await count_the_second_connector(pilot, app, vcs[1])
        closed = sum(s.status == "Closed" for s in state.sessions[vcs[1]].values())
        assert cell(app, vcs[1], "closed") == str(closed)
        assert [cell(app, vc, "open") for vc in (vcs[0], vcs[2], vcs[3])] == ["—"] * 3
        assert list_requests(state) == list_requests(state, vcs[1]) == 1


async def test_a_disabled_change_in_the_picker_raises_an_alert(server, state):
    vc = list(state.connectors)[1]
    app = make_app(app_settings(server))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: picker_loaded(app))
        assert app.alerts_raised == []
        state.connectors[vc].proxy["Disabled"] = True
        await pilot.press("r")
        await wait_for(pilot, lambda: cell(app, vc, "proxy") == "⚠ off")
        assert [a.kind for a in app.alerts_raised] == ["proxy"]
        assert "support line" in app.alerts_raised[0].message
        assert "DISABLED" in app.screen.query_one(AlertLine).message
        # The alerts list names the connector; Enter opens its sessions.
        await pilot.press("a")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AlertsScreen")
        assert cell(app, "0", "session") == vc and "DISABLED" in cell(app, "0", "what")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen))
        assert app.screen.voice_connector_id == vc


async def test_session_list_header_disabled_connector_sparklines_and_alert(server, state):
    vcs = list(state.connectors)
    off = vcs[2]  # rides eu: proxying disabled
    app = make_app(app_settings(server, voice_connector_id=off))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: "DISABLED" in header_text(app))
        header = app.screen.query_one(ConnectorHeader)
        assert header.has_class("-disabled")
        line = header_text(app)
        assert "default expiry 30 min" in line and "countries GB, DE, US" in line
        assert "fallback +12065550198" in line
        # One listing page and one GetVoiceConnectorProxy per refresh.
        assert list_requests(state) == 1 and state.request_count("/programmable-numbers/proxy") \
            == 1 and len(state.requests) == 2
        await pilot.press("x")
        await wait_for(pilot, lambda: "fallback +1*******98" in header_text(app))
        state.set_status(off, next(sid for sid, s in state.sessions[off].items()
                                   if s.status == "Open"), "InProgress")
        state.connectors[off].proxy["Disabled"] = False
        await pilot.press("r")
        await wait_for(pilot, lambda: "proxy: on" in header_text(app))
        assert not header.has_class("-disabled")
        assert [a.kind for a in app.alerts_raised] == ["proxy"]
        assert "enabled" in app.alerts_raised[0].message
        assert list_requests(state) == 2 and len(state.requests) == 4
        watch = app.fleet.connectors[off]
        open_now = sum(s.status == "Open" for s in state.sessions[off].values())
        assert watch.series("Open") == [open_now + 1, open_now]
        assert header.query_one("#spark-open").data == [open_now + 1, open_now]
        # Its last bar is the latest count, as its label says (walk 2, finding 4).
        assert header.query_one("#spark-open").summary_function([9, 21, 5]) == 5
        assert text_of(header.query_one("#label-open")).strip() == \
            f"Open {open_now} [{open_now}–{open_now + 1}]"


async def test_session_list_header_for_a_connector_without_proxy_settings(server, state):
    vc = list(state.connectors)[3]
    app = make_app(app_settings(server, voice_connector_id=vc))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: "not configured" in header_text(app))
        assert not app.screen.query_one(ConnectorHeader).has_class("-disabled")


async def test_expiring_next_from_launch_in_one_key(server, state):
    vcs = list(state.connectors)
    app = make_app(app_settings(server))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: picker_loaded(app))
        mark = len(state.requests)
        await pilot.press("e")  # the one key
        await wait_for(pilot, lambda: isinstance(app.screen, ExpiringScreen)
                       and app.screen.data is not None)
        screen = app.screen
        # One ListVoiceConnectors and every page of every connector.
        pages = sum(math.ceil(len(state.sessions[vc]) / 100) for vc in vcs)
        assert len(state.requests) - mark == 1 + pages
        assert f"{1 + pages} requests per refresh" in str(table(app).border_subtitle)
        now = app.clock()
        active = [s for vc in vcs for s in state.sessions[vc].values()
                  if s.status in ("Open", "InProgress")]
        assert table(app).row_count == len(active)
        # Due now first (past expiry, still Open: the seed's example), then soonest first.
        overdue = [s for s in active if s.expiry_minutes
                   and s.created.timestamp() + s.expiry_minutes * 60 <= now.timestamp()]
        first = screen.by_key[table(app).ordered_keys[len(overdue)]].session
        counting = [s for s in active if s.expiry_minutes
                    and s.created.timestamp() + s.expiry_minutes * 60 > now.timestamp()]
        soonest = min(counting, key=lambda s: s.created.timestamp() + s.expiry_minutes * 60)
        assert first.proxy_session_id == soonest.proxy_session_id
        names = {state.connectors[vc].name for vc in vcs}
        assert {cell(app, k, "vc") for k in table(app).ordered_keys} <= names
        key = table(app).ordered_keys[len(overdue)]
        assert "+1" in cell(app, key, "parts")
        await pilot.press("x")
        await wait_for(pilot, lambda: "*******" in cell(app, key, "parts"))
        for _ in range(len(overdue)):
            await pilot.press("down")  # to the soonest still counting down
        assert table(app).cursor_key == key
        await pilot.press("m")
        assert (key.split("/")[0], key.split("/")[1]) in app.pins.pins
        await wait_for(pilot, lambda: cell(app, key, "pin") == "●")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionDetailScreen)
                       and app.screen.session is not None)
        assert f"{app.screen.voice_connector_id}/{app.screen.proxy_session_id}" == key


async def test_expiring_next_in_the_marked_connectors_only(server, state):
    vcs = list(state.connectors)
    app = make_app(app_settings(server))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: picker_loaded(app))
        await pilot.press("down", "down", "space")  # rides eu
        await wait_for(pilot, lambda: cell(app, vcs[2], "mark") == "●")
        mark = len(state.requests)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExpiringScreen)
                       and app.screen.data is not None)
        asked = [r.path for r in state.requests[mark:]]
        assert len(asked) == 2 and asked[1].endswith(f"/{vcs[2]}/proxy-sessions")
        assert "1 marked connector" in str(table(app).border_title)
        assert {cell(app, k, "vc") for k in table(app).ordered_keys} == {"rides eu"}


def open_session_app(server, state):
    """An Open session that does not move on by itself, and the app opened at it."""
    vc = list(state.connectors)[1]
    sid = next(s for s, v in state.sessions[vc].items()
               if v.status == "Open" and v.progress_at is None)
    return vc, sid, make_app(app_settings(server, voice_connector_id=vc,
                                          proxy_session_id=sid))


async def detail_shown(pilot) -> None:
    await wait_for(pilot, lambda: detail_loaded(pilot.app))


async def test_time_in_status_of_a_change_seen_on_detail_and_board(server, state):
    """A Status change the app saw: the time in status is known (to the second), from
    the UpdatedTimestamp the change moved (the service's time of it; walk 4 #10)."""
    vc, sid, app = open_session_app(server, state)
    async with app.run_test(size=(140, 40)) as pilot:
        await detail_shown(pilot)
        panel = app.screen.query_one(StatusPanel)
        assert "in status ≥" in text_of(panel) and "change not seen" in text_of(panel)
        state.set_status(vc, sid, "InProgress")
        await pilot.press("r")
        await wait_for(pilot, lambda: "(from UpdatedTimestamp)" in text_of(panel))
        assert "in status ≥" not in text_of(panel)
        changed = state.sessions[vc][sid].updated
        since = app.screen.query_one(StatusPanel).since.since
        assert abs(since - changed).total_seconds() < 0.001, (since, changed)  # (to the ms)
        await pilot.press("m", "b")
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                       and app.screen.result is not None)
        value = cell(app, f"{vc}/{sid}", "instatus")
        assert value.endswith("s") and not value.startswith("≥")  # seen: to the second
        assert SEED_CONNECTOR_ID != vc


async def test_a_status_change_the_service_did_not_date_is_not_said_changed_long_ago(
        server, state):
    """Walk 6 #4: a Status change whose answer left UpdatedTimestamp where it was read
    "changed 9 minutes ago" above "in status 1s (seen changing)". The line is the
    service's UpdatedTimestamp, and says so: "updated 9 minutes ago"."""
    vc, sid, app = open_session_app(server, state)
    async with app.run_test(size=(140, 40)) as pilot:
        await detail_shown(pilot)
        panel = app.screen.query_one(StatusPanel)
        state.set_fields(vc, sid, {"Status": "InProgress"})  # UpdatedTimestamp unmoved
        await pilot.press("r")
        await wait_for(pilot, lambda: "(seen changing)" in text_of(panel))
        lines = text_of(panel).splitlines()
        assert not any(line.startswith("changed ") for line in lines), lines
        updated = ago(state.sessions[vc][sid].updated, app.clock())
        assert f"updated {updated}" in lines, lines


async def test_a_session_pinned_after_it_closed_has_its_close_as_last_change(server, state):
    """Walk 6 #10: a Closed session the app never saw change read Last change "—"
    beside In status "12m 15s" (from its EndedTimestamp). Its close is a change, and
    EndedTimestamp its time: the two columns say the same instant. An EndedTimestamp
    later than the answer that gave it is no time of a change: "—" still."""
    vc = list(state.connectors)[1]
    sid, future = [s for s, v in state.sessions[vc].items()
                   if v.status == "Closed" and v.ended is not None][:2]
    state.set_fields(vc, future, {"EndedTimestamp": "2030-01-01T00:00:00.000Z"})
    app = make_app(app_settings(server, pins=[(vc, sid), (vc, future)]))
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                       and app.screen.result is not None)
        key = f"{vc}/{sid}"
        ended = state.sessions[vc][sid].ended
        assert (vc, sid) not in app.tracker.last_change_at  # no change seen
        assert cell(app, key, "changed") == ago(ended, app.clock())
        assert cell(app, key, "instatus") == in_status_short(
            InStatus("Closed", ended, True, "ended"), app.clock())
        assert (vc, future) not in app.tracker.last_change_at
        assert cell(app, f"{vc}/{future}", "changed") == "—"
        # nor its time in status ("0s", exact, from a close dated 2030): a bound instead
        assert cell(app, f"{vc}/{future}", "instatus").startswith("≥")


async def test_proxy_settings_that_cannot_be_read_are_said_so(server, state):
    """An IAM policy without chime:GetVoiceConnectorProxy: the sessions still load; the
    header and the picker say the settings could not be read (never 'not configured')."""
    vc = list(state.connectors)[1]
    state.faults.only_path = "/programmable-numbers/proxy"
    state.faults.status, state.faults.status_count = 403, -1
    app = make_app(app_settings(server, voice_connector_id=vc))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: "could not be read" in header_text(app))
        assert "access denied" in header_text(app)
        await wait_for(pilot, lambda: app.screen.loaded)
        assert table(app).row_count == len(state.sessions[vc])
        await pilot.press("escape")
        await wait_for(pilot, lambda: picker_loaded(app))
        assert cell(app, vc, "proxy") == "? access denied"
        assert "not configured" not in {cell(app, k, "proxy") for k in state.connectors}


async def test_the_demo_shows_the_whole_picture_at_once(tmp_path):
    """`chime-tui --demo`'s own endpoint and settings: a disabled connector in the picker,
    and, in expiring next, a session minutes from expiry in a connector that proxies."""
    from chime_tui.aws.settings import AwsSettings
    from chime_tui.demo import demo_aws_settings, start_demo_endpoint
    from chime_tui.settings import AppSettings

    server = start_demo_endpoint()
    try:
        settings = AppSettings(aws=demo_aws_settings(AwsSettings(), server), demo=True,
                               pins_file=tmp_path / "pins.json")
        app = make_app(settings)
        async with app.run_test(size=(140, 40)) as pilot:
            await wait_for(pilot, lambda: picker_loaded(app))
            proxy = {plain(table(app).get_cell(k, "name")): cell(app, k, "proxy")
                     for k in table(app).ordered_keys}
            assert proxy == {"seed example": "on", "support line": "on", "rides eu": "⚠ off",
                             "deliveries": "not configured"}
            await pilot.press("e")
            await wait_for(pilot, lambda: isinstance(app.screen, ExpiringScreen)
                           and app.screen.data is not None)
            now = app.clock()
            soon = [row for row in app.screen.rows if row.connector_name == "support line"
                    and (left := row.session.time_to_expiry(now)) is not None
                    and 0 < left.total_seconds() < 5 * 60]
            assert soon
            position = list(table(app).ordered_keys).index(soon[0].key)
            assert position < 5  # near the top: soonest first, every connector
    finally:
        server.stop()


async def test_a_listing_with_the_same_counts_lays_nothing_out(server, state, monkeypatch):
    """The header's counts are redrawn after every listing and every proxy read; a
    label lays the screen out again (which repaints every sparkline and table line)
    only when its width changes: an idle session list is not laid out every refresh."""
    from textual.widget import Widget

    vc = list(state.connectors)[1]
    app = make_app(app_settings(server, voice_connector_id=vc, refresh=60))
    async with app.run_test(size=(140, 40)) as pilot:
        watch = lambda: app.fleet.connectors.get(vc)  # noqa: E731
        await wait_for(pilot, lambda: watch() is not None and watch().proxy_known)
        for n in (2, 3):  # "1 listing" → "2 listings" changes the width; 2 → 3 does not
            await pilot.press("r")
            await wait_for(pilot, lambda n=n: len(watch().samples) == n)
            await pilot.pause()
        header = app.screen.query_one(ConnectorHeader)
        laid_out: list[str] = []
        real = Widget.refresh

        def refresh(self, *regions, repaint=True, layout=False, recompose=False):
            if layout and header in self.ancestors_with_self:
                laid_out.append(f"{type(self).__name__}#{self.id}")
            return real(self, *regions, repaint=repaint, layout=layout, recompose=recompose)

        monkeypatch.setattr(Widget, "refresh", refresh)
        mark = state.request_count("/programmable-numbers/proxy")
        await pilot.press("r")  # listing 4: the same counts
        await wait_for(pilot, lambda: len(watch().samples) == 4 and state.request_count(
            "/programmable-numbers/proxy") == mark + 1)
        await pilot.pause()
        assert "4 listings" in text_of(header.query_one("#spark-since"))
        assert laid_out == []
        # A count of another width does lay the row out again.
        sid = next(s for s, v in state.sessions[vc].items() if v.status == "Open")
        state.delete_session(vc, sid)
        await pilot.press("r")
        await wait_for(pilot, lambda: len(watch().samples) == 5)
        await pilot.pause()
        assert any(name.startswith("SparkLabel#label-open") for name in laid_out)


async def test_expiring_next_of_marked_connectors_says_so_in_its_title(server, state):
    """Walk 2, finding 5: the title said "every connector" while the border counted the
    marked one, and only its rows were listed."""
    vc = list(state.connectors)[1]
    app = make_app(app_settings(server))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: picker_loaded(app))
        assert table(app).move_cursor(vc)
        await pilot.press("space", "e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExpiringScreen)
                       and app.screen.data is not None)
        assert app.screen.sub_title == "expiring next, 1 marked connector"
        assert "in 1 marked connector" in str(table(app).border_title)
        await pilot.press("escape", "space", "e")  # unmarked: every connector again
        await wait_for(pilot, lambda: isinstance(app.screen, ExpiringScreen)
                       and app.screen.data is not None)
        assert app.screen.sub_title == "expiring next, every connector"


async def test_a_connector_404_is_asked_again_and_the_header_says_why(server, state):
    """Walk 2, findings 10 and 17: a listing's NotFound left "proxy settings: reading…"
    for good and stopped the list until r; one 404 froze it. Now the header says why
    nothing was read, the error line counts down to a re-check 30 s later, and the list
    loads when the connector answers again."""
    from chime_tui.tui.widgets.fetch_status import ErrorLine

    from .vclock import VirtualClock

    vc = list(state.connectors)[1]
    state.add_rule({"count": 1, "status": 404, "path": "/proxy-sessions"})
    clock = VirtualClock()
    app = make_app(app_settings(server, voice_connector_id=vc, refresh=5),
                   **clock.app_kwargs())
    async with app.run_test(size=(140, 40)) as pilot:
        line = app.screen.query_one(ErrorLine)
        await wait_for(pilot, lambda: line.display)
        await wait_for(pilot, lambda: "not found" in header_text(app))
        assert "reading" not in header_text(app)
        assert "next try in 30 s" in line.message()
        await clock.idle(app)
        mark = list_requests(state)
        await clock.advance(29.0)
        assert list_requests(state) == mark  # nothing before the re-check
        await clock.advance(1.0, settle=False)
        await wait_for(pilot, lambda: app.screen.loaded)
        assert list_requests(state) == mark + 1
        await wait_for(pilot, lambda: "proxy:" in header_text(app))


async def test_the_last_row_in_view_leaving_under_a_filter_does_not_say_the_list_is_empty(
        server, state):
    """Walk 2, finding 9: a session deleted under a filter toasted "the list is empty"
    while the connector had 39 more."""
    vc = list(state.connectors)[1]
    sid = next(s for s, v in state.sessions[vc].items() if v.status == "Open")
    app = make_app(app_settings(server, voice_connector_id=vc, refresh=0.5))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                       and app.screen.loaded)
        await pilot.press("slash", *sid, "enter")
        await wait_for(pilot, lambda: table(app).row_count == 1)
        state.delete_session(vc, sid)
        await wait_for(pilot, lambda: table(app).row_count == 0)
        await wait_for(pilot, lambda: any("left the list" in n.message for n in app.notices))
        notice = next(n.message for n in app.notices if "left the list" in n.message)
        assert "no row left in view (a filter is on)" in notice
        assert "the list is empty" not in notice
        assert len(app.screen.sessions) == len(state.sessions[vc])  # the rest are listed


async def test_expiring_next_does_not_count_a_connector_it_could_not_list(server, state):
    """Walk 4 #15: with one connector's listing failing, the title said 'in 4
    connectors' while its rows were the other three's; only the border's end said so."""
    vcs = list(state.connectors)
    bad = vcs[1]
    state.add_rule({"status": 500, "path": f"/voice-connectors/{bad}/proxy-sessions"})
    app = make_app(app_settings(server))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: picker_loaded(app))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExpiringScreen)
                       and app.screen.data is not None)
        name = state.connectors[bad].name
        title = str(table(app).border_title)
        assert f"in {len(vcs) - 1} of {len(vcs)} connectors ({name} not listed)" in title, title
        assert f"{name}: " in str(table(app).border_subtitle)


async def test_the_picker_drops_how_old_its_counts_are_last(server):
    """Walk 4 #14: the picker dropped Counted first, so counts minutes old looked
    current. Fallback, Region and Closed go before it (at 100 columns, where the sort
    marks' room is given back first and some columns must still go)."""
    app = make_app(app_settings(server))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: picker_loaded(app))
        await pilot.pause()
        widths = dict(zip((c.key for c in table(app).columns), table(app).drawn_widths))
        assert widths["counted"] > 0, widths
        assert widths["fallback"] == 0, widths


async def test_the_picker_keeps_how_old_its_counts_are_at_80_columns(server, state):
    """Walk 4 #14, at 80 columns: Counted did not fit beside the connector ID and was
    dropped, so counts learned minutes ago looked current. The columns now close up
    to one space apart first: the row shows its counts and how old they are."""
    vcs = list(state.connectors)
    app = make_app(app_settings(server))
    async with app.run_test(size=(80, 24)) as pilot:
        await count_the_second_connector(pilot, app, vcs[1])
        await pilot.pause()
        t = table(app)
        widths = dict(zip((c.key for c in t.columns), t.drawn_widths))
        assert all(widths[k] > 0 for k in ("name", "id", "proxy", "open", "inprogress",
                                            "counted")), widths
        age = app.screen.live_cells(vcs[1])[0]  # how old, as a row says it now
        lines = [t.render_line(y).text for y in range(t.size.height)]
        drawn = {age, app.screen.live_cells(vcs[1])[0]}  # (a second may have turned)
        assert "Counted" in lines[0], lines[0]
        row = next(line for line in lines if vcs[1] in line)
        assert "ago" in age or age == "just now", age
        assert any(a in row for a in drawn), (row, drawn)
        assert f" {cell(app, vcs[1], 'open')} " in row, row


async def test_the_picker_never_shows_counts_without_how_old_they_are(server, state):
    """Walk 6 #1: from 77 columns down, Counted was dropped and the counts stayed,
    minutes old with nothing saying so; at 56 the view cut them ('1' for 15). Now the
    counts go with their age, and the age is short ('7m ago'), so it goes last."""
    vcs = list(state.connectors)
    app = make_app(app_settings(server))
    async with app.run_test(size=(84, 24)) as pilot:
        await count_the_second_connector(pilot, app, vcs[1])
        seen_with_counts = []
        for width in range(84, 47, -1):
            await pilot.resize_terminal(width, 24)
            await pilot.pause()
            t = table(app)
            widths = dict(zip((c.key for c in t.columns), t.drawn_widths))
            for key in ("open", "inprogress", "closed"):
                assert widths[key] == 0 or widths["counted"] > 0, (width, widths)
            lines = [t.render_line(y).text for y in range(t.size.height)]
            row = next(line for line in lines if vcs[1][:8] in line)
            if widths["open"]:
                seen_with_counts.append(width)
                age = app.screen.live_cells(vcs[1])[0]
                assert age.endswith(" ago") or age == "just now", age
                assert f" {cell(app, vcs[1], 'open')} " in row, (width, row)
            assert sum(t.drawn_widths) + t.drawn_widths.count(0) <= width, (width, widths)
        # Down to ~67 columns the counts and their age both fit.
        assert min(seen_with_counts) <= 68 and max(seen_with_counts) == 84, seen_with_counts


async def test_count_all_names_a_connector_it_could_not_count(server, state):
    """Walk 6 #6: with `c` on, a connector whose listing failed kept its older counts
    (their age honest) but nothing said which one failed; expiring next says so."""
    vcs = list(state.connectors)
    bad = vcs[3]
    app = make_app(app_settings(server))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: picker_loaded(app))
        await pilot.press("c")
        await wait_for(pilot, lambda: cell(app, bad, "open") != "—")
        state.add_rule({"status": 500, "path": f"/voice-connectors/{bad}/proxy-sessions"})
        await pilot.press("r")
        name = state.connectors[bad].name
        await wait_for(pilot, lambda: f"{name}: " in str(table(app).border_subtitle))
        assert "not counted" in str(table(app).border_subtitle)
        assert cell(app, bad, "open") != "—"  # its counts from before, with their age
        assert all(f"{state.connectors[vc].name}: " not in str(table(app).border_subtitle)
                   for vc in vcs[:3])


async def test_a_timestamp_that_is_no_date_is_shown_as_sent_not_as_absent(server, state):
    """Walk 4 #12, walk 6 #5: an UpdatedTimestamp the app cannot read was shown as
    'Updated —', as if the service had sent none. It is shown as sent (control
    characters visible) and said to be no date; an absent one stays '—'."""
    from chime_tui.tui.widgets.details_panel import DetailsPanel

    vc = list(state.connectors)[1]
    sid = next(s for s, v in state.sessions[vc].items() if v.status != "Closed")
    state.set_fields(vc, sid, {"UpdatedTimestamp": "banana\u001b[31m\u0007",
                               "EndedTimestamp": None})
    app = make_app(app_settings(server, voice_connector_id=vc, proxy_session_id=sid))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionDetailScreen)
                       and app.screen.session is not None)
        panel = app.screen.query_one(DetailsPanel)
        await wait_for(pilot, lambda: "not a date" in text_of(panel))
        text = text_of(panel)
        assert "Updated          banana\\x1b[31m\\x07 (not a date)" in text, text
        assert "\u001b" not in text and "\u0007" not in text
        assert "Ended            —" in text, text
        assert "Created          20" in text  # a date, as before
