"""Incident monitoring: the watch board, change detection, timeline, alerts, copy/export."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from chime_tui.aws import ChimeVoiceClient
from chime_tui.emulator import (
    SEED_CONNECTOR_ID,
    SEED_SESSION_ID,
    EmulatorServer,
    EmulatorState,
    populate,
)
from chime_tui.models import ProxySession
from chime_tui.pins import PinStore, parse_pin
from chime_tui.tracking import BoardFetcher, SessionTracker
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.board import BoardScreen
from chime_tui.tui.screens.detail import SessionDetailScreen
from chime_tui.tui.widgets.keyed_table import KeyedTable
from chime_tui.tui.widgets.status_panel import StatusPanel
from chime_tui.tui.widgets.timeline_panel import TimelinePanel

from .conftest import SEED_EXAMPLE, app_settings, aws_for, wait_for
from .test_app import detail_loaded, text_of
from .vclock import VirtualClock

UTC = UTC


def open_sessions(state, vc, n):
    return [(vc, sid) for sid, s in state.sessions[vc].items() if s.status != "Closed"][:n]


# -- plain Python ---------------------------------------------------------------------


def test_a_status_missing_from_the_answer_is_a_dash_in_the_alert_not_none():
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    tracker = SessionTracker(threshold=timedelta(minutes=5))
    raw = dict(SEED_EXAMPLE["ProxySession"], Status="InProgress")
    tracker.observe(ProxySession.from_api(raw), now)
    gone = {k: v for k, v in raw.items() if k != "Status"}
    _, alerts = tracker.observe(ProxySession.from_api(gone), now + timedelta(seconds=5))
    assert [a.message for a in alerts if a.kind == "status"] == [
        f"session {raw['ProxySessionId']}: InProgress → —"]
    _, alerts = tracker.observe(ProxySession.from_api(raw), now + timedelta(seconds=10))
    assert [a.message for a in alerts if a.kind == "status"] == [
        f"session {raw['ProxySessionId']}: — → InProgress"]

def test_tracker_alerts_once_per_event():
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    tracker = SessionTracker(threshold=timedelta(minutes=5))
    raw = dict(SEED_EXAMPLE["ProxySession"], CreatedTimestamp="2026-11-27T11:10:00Z")
    key = (raw["VoiceConnectorId"], raw["ProxySessionId"])
    changes, alerts = tracker.observe(ProxySession.from_api(raw), now)
    assert changes == [] and alerts == []
    # 54 minutes in: crosses the 5-minute threshold, once.
    _, alerts = tracker.observe(ProxySession.from_api(raw), now + timedelta(minutes=6))
    assert [a.kind for a in alerts] == ["expiring"]
    assert tracker.check_expiry(now + timedelta(minutes=7)) == []
    closed = dict(raw, Status="Closed")
    changes, alerts = tracker.observe(ProxySession.from_api(closed), now + timedelta(minutes=8))
    assert [c.field for c in changes] == ["Status"] and [a.kind for a in alerts] == ["status"]
    assert [a.kind for a in tracker.observe_gone(key, now)] == ["gone"]
    assert tracker.observe_gone(key, now) == []  # no alert storm
    assert [c.field for c in tracker.timelines[key]] == ["Status", "Session"]


async def test_board_lists_pages_instead_of_one_get_per_pin():
    state = populate(EmulatorState(), seed=3, connectors=2, sessions=250)
    vc = list(state.connectors)[1]
    pins = open_sessions(state, vc, 150)
    with EmulatorServer(state) as srv:
        async with ChimeVoiceClient(aws_for(srv)) as client:
            fetcher = BoardFetcher(client)
            result = await fetcher.fetch(pins)
            assert result.requests == 3  # ceil(250 / 100) list pages, not 150 gets
            assert set(result.sessions) == set(pins) and not result.missing
            # Two pins in a big connector: two gets beat three pages.
            small = await fetcher.fetch(pins[:2])
            assert small.requests == 2
            state.delete_session(*pins[0])
            gone = await fetcher.fetch(pins[:2])
            assert gone.missing == {pins[0]}


def test_pins_persist_and_bad_files_are_reported(tmp_path):
    store = PinStore(tmp_path / "data" / "pins.json").load()
    assert store.toggle((SEED_CONNECTOR_ID, SEED_SESSION_ID)) is True
    again = PinStore(tmp_path / "data" / "pins.json").load()
    assert again.pins == [(SEED_CONNECTOR_ID, SEED_SESSION_ID)]
    (tmp_path / "data" / "pins.json").write_text("{not json")
    broken = PinStore(tmp_path / "data" / "pins.json").load()
    assert broken.pins == [] and "cannot read pins" in broken.warning
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")  # a data "directory" that is a file: unwritable, even for root
    store = PinStore(not_a_dir / "sub" / "pins.json")
    store.add((SEED_CONNECTOR_ID, SEED_SESSION_ID))
    assert store.pins == [(SEED_CONNECTOR_ID, SEED_SESSION_ID)]  # kept for this run
    assert "cannot save pins" in (store.warning or "")


def test_parse_pin_validates():
    assert parse_pin(f"{SEED_CONNECTOR_ID}/{SEED_SESSION_ID}") == (SEED_CONNECTOR_ID,
                                                                   SEED_SESSION_ID)
    for bad in ("no-slash", "BAD/x", f"{SEED_CONNECTOR_ID}/ "):
        try:
            parse_pin(bad)
            raise AssertionError(bad)
        except ValueError:
            pass


# -- the app ----------------------------------------------------------------------------

async def test_board_from_pins_follows_changes_alerts_once_and_survives_restart(
        server, state, isolated_env):
    vc = list(state.connectors)[1]
    pins = open_sessions(state, vc, 3)
    pins_file = isolated_env / "pins.json"
    clock = VirtualClock()
    app = make_app(app_settings(server, refresh=0.4, pins=tuple(pins), pins_file=pins_file),
                   **clock.app_kwargs())
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                       and app.screen.result is not None)
        await clock.idle(app)
        table = app.screen.query_one(KeyedTable)
        assert table.row_count == 3
        assert table.border_title == "Watch board 3 of 3"
        assert table.border_subtitle == "1 request per refresh"  # one list page for 40
        # Sorted by time to expiry, soonest first.
        lefts = [app.tracker.last[k].time_to_expiry(app.clock()) for k in app.screen.rows(
            app.clock())]
        known = [x for x in lefts if x is not None]
        assert known == sorted(known)
        target = pins[0]
        state.set_status(*target, "Closed")
        await clock.advance(0.4)
        assert any(a.kind == "status" and a.key == target for a in app.alerts_raised)
        state.delete_session(*pins[1])
        await clock.advance(0.4)
        assert pins[1] in app.tracker.gone
        mark = len(state.requests)
        await clock.advance(1.0)  # more polls: still one alert per event
        assert len(state.requests) - mark == 2
        await wait_for(pilot, lambda: "gone" in str(table.get_cell("/".join(pins[1]),
                                                                   "health")))
        assert sum(a.key == target and a.kind == "status" for a in app.alerts_raised) == 1
        assert sum(a.key == pins[1] and a.kind == "gone" for a in app.alerts_raised) == 1
        assert "gone" in str(table.get_cell("/".join(pins[1]), "health"))
        await pilot.press("m")  # unpin the selected row
        assert len(app.pins.pins) == 2
    saved = json.loads(pins_file.read_text())["pins"]
    assert len(saved) == 2


async def test_pin_from_the_list_and_open_the_board(server, state, isolated_env):
    vc = list(state.connectors)[1]
    app = make_app(app_settings(server, voice_connector_id=vc,
                                pins_file=isolated_env / "pins.json"))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: app.screen.query_one(KeyedTable).row_count == 40)
        await pilot.press("m", "down", "m")
        assert len(app.pins.pins) == 2
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                       and app.screen.query_one(KeyedTable).row_count == 2)
        await pilot.press("enter")
        await wait_for(pilot, lambda: detail_loaded(app))
    # A restart: the pins are still there, and --pin opens on the board.
    again = make_app(app_settings(server, pins_file=isolated_env / "pins.json",
                                  pins=(app.pins.pins[0],)))
    async with again.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(again.screen, BoardScreen)
                       and again.screen.query_one(KeyedTable).row_count == 2)


async def test_detail_timeline_highlight_and_events_file(server, state, isolated_env):
    vc = list(state.connectors)[1]
    vc, sid = open_sessions(state, vc, 1)[0]
    events = isolated_env / "events.jsonl"
    clock = VirtualClock()
    app = make_app(app_settings(server, refresh=0.3, voice_connector_id=vc, proxy_session_id=sid,
                                events_file=events, redact=True), **clock.app_kwargs())
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        await clock.idle(app)
        caps = state.sessions[vc][sid].capabilities
        state.update_session(vc, sid, {"Capabilities": ["Voice"] if caps != ["Voice"] else ["SMS"]})
        status = app.screen.query_one(StatusPanel)
        state.set_status(vc, sid, "InProgress")
        await clock.advance(0.3)  # the next poll
        await wait_for(pilot, lambda: status.has_class("-changed"), timeout=3)
        timeline = text_of(app.screen.query_one(TimelinePanel))
        assert "Status" in timeline and "→ InProgress" in timeline
        assert "Capabilities" in timeline
    lines = [json.loads(x) for x in events.read_text().splitlines()]
    assert {"Status", "Capabilities"} <= {x["field"] for x in lines}
    assert all({"time", "field", "old", "new"} <= set(x) for x in lines)
    # One time format in the file, the audit lines' and the service's (walk 2 #13).
    stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
    assert all(stamp.fullmatch(x["time"]) for x in lines), [x["time"] for x in lines]


async def test_expiry_threshold_alert_rings_the_bell(server, state):
    vc = list(state.connectors)[1]
    now = datetime.now(UTC)
    sid = next(s for s, v in state.sessions[vc].items() if v.status != "Closed"
               and v.expiry_minutes and timedelta(0) < v.created
               + timedelta(minutes=v.expiry_minutes) - now < timedelta(minutes=4))
    clock = VirtualClock()
    app = make_app(app_settings(server, voice_connector_id=vc, proxy_session_id=sid,
                                alerts="bell"), **clock.app_kwargs())
    rings = []
    app.bell = lambda: rings.append(1)  # the terminal bell itself: count it
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        await clock.idle(app)
        await clock.advance(1.0)  # the app's expiry check, once a second
        assert any(a.kind == "expiring" for a in app.alerts_raised)
        await clock.advance(10.0)  # ten more checks, two more polls: no second alert
        assert len(rings) == 1 and not app.notices  # bell mode: no toast
        assert sum(a.kind == "expiring" for a in app.alerts_raised) == 1


async def test_copy_and_export_respect_redaction(server, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(app_settings(server, voice_connector_id=SEED_CONNECTOR_ID,
                                proxy_session_id=SEED_SESSION_ID, redact=True))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        await pilot.press("c")
        copied = json.loads(app.clipboard)
        assert copied["ProxySession"]["Participants"][0]["PhoneNumber"] == "+1*******00"
        await pilot.press("e")
        exported = list(tmp_path.glob("proxy-session-*.json"))
        assert len(exported) == 1
        assert "+12065550100" not in exported[0].read_text()
        await pilot.press("x", "c")  # redaction off: the AWS CLI's shape, unmasked
        assert json.loads(app.clipboard) == SEED_EXAMPLE


async def test_switch_profile_and_region_in_the_app(server, state, isolated_env):
    (isolated_env / "aws-config").write_text(
        f"[profile staging]\nregion = eu-west-1\nendpoint_url = {server.url}\n")
    (isolated_env / "aws-credentials").write_text(
        "[staging]\naws_access_key_id = AKIDSTAGING\naws_secret_access_key = s\n")
    app = make_app(app_settings(server))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.screen.query_one(KeyedTable).row_count == 4)
        await pilot.press("ctrl+a")
        from textual.widgets import Select

        from chime_tui.tui.screens.account import AccountScreen

        assert isinstance(app.screen, AccountScreen)
        await wait_for(pilot, lambda: bool(getattr(app.screen, "profiles", None)))
        app.screen.query_one("#profile", Select).value = "staging"
        app.screen.query_one("#region", Select).value = "eu-west-1"
        await pilot.click("#switch")
        await wait_for(pilot, lambda: app.settings.aws.profile == "staging"
                       and app.screen.query_one(KeyedTable).row_count == 4)
        assert app.service.region == "eu-west-1"
        assert "profile staging · eu-west-1" in app.context_label
        assert not isinstance(app.screen, SessionDetailScreen)


async def test_back_from_the_board_opened_at_start_goes_to_the_start_screen(server, state,
                                                                            isolated_env):
    """With --pin (and --voice-connector-id), the board is the only screen at start; Back
    builds the screen the command line asked for, then its parents."""
    from chime_tui.tui.screens.picker import ConnectorPickerScreen
    from chime_tui.tui.screens.sessions import SessionListScreen

    pins = open_sessions(state, SEED_CONNECTOR_ID, 1)
    app = make_app(app_settings(server, pins=tuple(pins), voice_connector_id=SEED_CONNECTOR_ID,
                                pins_file=isolated_env / "pins.json"))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen))
        assert len(app.screen_stack) == 2
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                       and app.screen.loaded)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectorPickerScreen))
        await pilot.press("b")  # the board again, now on top of the picker
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectorPickerScreen))


def test_an_extended_session_is_alerted_again_when_it_runs_down_again():
    """Walk 4 #7: extended after its expiring alert (6 → 7 minutes), a session that fell
    under the threshold again got no alert, and the old one kept the old time."""
    from tests.test_refresh_memo import session_at

    start = datetime(2026, 11, 28, 20, 19, 39, tzinfo=UTC)
    tracker = SessionTracker(timedelta(minutes=5))
    key = ("vc1", "s")  # (session_at's connector)
    tracker.observe(session_at("s", start, 6), start)  # expires 20:25:39
    assert tracker.check_expiry(start + timedelta(seconds=59)) == []
    first, = tracker.check_expiry(start + timedelta(minutes=1))
    assert first.key == key and "20:25 UTC" in first.message
    assert tracker.check_expiry(start + timedelta(minutes=1, seconds=5)) == []  # once
    tracker.observe(session_at("s", start, 7), start + timedelta(minutes=1, seconds=7))
    assert tracker.check_expiry(start + timedelta(minutes=1, seconds=10)) == []  # 6 min left
    again, = tracker.check_expiry(start + timedelta(minutes=2))  # under 5 minutes again
    assert "20:26 UTC" in again.message
    assert again.message.endswith("(again: its expiry moved from 20:25 UTC)")
    assert tracker.check_expiry(start + timedelta(minutes=2, seconds=1)) == []
