"""The real app, driven by keyboard through the Pilot, against the local endpoint."""

from __future__ import annotations

import io

from textual.widgets import Input

from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.detail import SessionDetailScreen
from chime_tui.tui.screens.help import HelpScreen
from chime_tui.tui.screens.open_by_id import OpenByIdScreen
from chime_tui.tui.screens.picker import ConnectorPickerScreen
from chime_tui.tui.screens.sessions import SessionListScreen
from chime_tui.tui.widgets.capabilities_panel import CapabilitiesPanel
from chime_tui.tui.widgets.expiry_panel import ExpiryPanel
from chime_tui.tui.widgets.fetch_status import ErrorLine, FetchStatus
from chime_tui.tui.widgets.keyed_table import KeyedTable
from chime_tui.tui.widgets.participants_panel import ParticipantsPanel
from chime_tui.tui.widgets.status_panel import StatusPanel

from .conftest import app_settings, wait_for
from .vclock import VirtualClock


def text_of(widget) -> str:
    from rich.console import Console

    console = Console(width=200, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def table(app) -> KeyedTable:
    return app.screen.query_one(KeyedTable)


def seed_session_app(server, clock: VirtualClock | None = None, **kw):
    """The app opened straight at the seed's example session (on `clock`'s time, with
    no jitter, if one is given)."""
    app_kw = {"rng": lambda: 0.0, **clock.app_kwargs()} if clock is not None else {}
    return make_app(app_settings(server, voice_connector_id=SEED_CONNECTOR_ID,
                                 proxy_session_id=SEED_SESSION_ID, **kw), **app_kw)


def detail_loaded(app) -> bool:
    return isinstance(app.screen, SessionDetailScreen) and app.screen.session is not None


async def test_walk_picker_list_detail_by_keyboard(server, state):
    app = make_app(app_settings(server))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectorPickerScreen)
                       and table(app).row_count == 4)
        assert table(app).border_title == "Voice connectors 4 of 4"
        await pilot.press("enter")  # the seed's example connector is first
        await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                       and table(app).row_count == 1)
        assert str(table(app).border_title).startswith("Sessions 1 · ")  # counts follow
        await pilot.press("enter")
        await wait_for(pilot, lambda: detail_loaded(app))
        screen = app.screen
        assert "Open" in text_of(screen.query_one(StatusPanel))
        caps = text_of(screen.query_one(CapabilitiesPanel))
        assert "✔ Voice" in caps and "✔ SMS" in caps
        parts = text_of(screen.query_one(ParticipantsPanel))
        assert "+12065550100" in parts and "+14015550101" in parts and "+19135550199" in parts
        assert "expired" in text_of(screen.query_one(ExpiryPanel))  # 2020 + 60 minutes
        await pilot.press("escape")
        assert isinstance(app.screen, SessionListScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ConnectorPickerScreen)


async def test_type_to_filter_connectors(server, state):
    app = make_app(app_settings(server))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: table(app).row_count == 4)
        await pilot.press("slash", *"seed")
        await wait_for(pilot, lambda: table(app).row_count == 1)
        assert table(app).border_title == "Voice connectors 1 of 4"
        await pilot.press("enter")  # one match: Enter opens it
        await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen))
        assert app.screen.voice_connector_id == SEED_CONNECTOR_ID


async def test_tab_and_digits_move_between_panels(server):
    app = seed_session_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        assert isinstance(app.focused, StatusPanel)
        await pilot.press("tab")
        assert isinstance(app.focused, CapabilitiesPanel)
        await pilot.press("4")
        assert isinstance(app.focused, ParticipantsPanel)
        await pilot.press("shift+tab")
        assert isinstance(app.focused, ExpiryPanel)


async def test_opens_straight_at_a_session_without_listing_first(server, state):
    app = seed_session_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        paths = [r.path for r in state.requests]
        # Screens underneath do no work until they are shown.
        assert paths == [f"/voice-connectors/{SEED_CONNECTOR_ID}/proxy-sessions/{SEED_SESSION_ID}"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: table(app).row_count == 1)


async def test_back_builds_the_screens_under_the_start_screen_only_when_needed(server, state):
    """Opened at a session, only that screen exists; Back builds its connector's list,
    then the connector picker, each fetching once it is shown."""
    app = seed_session_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        assert [type(s) for s in app.screen_stack[1:]] == [SessionDetailScreen]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                       and table(app).row_count == 1)
        assert app.screen.voice_connector_id == SEED_CONNECTOR_ID
        assert len(app.screen_stack) == 2
        await pilot.press("enter")  # and forward again, onto a stack this time
        await wait_for(pilot, lambda: detail_loaded(app))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectorPickerScreen)
                       and table(app).row_count > 0)
        assert any(r.path == "/voice-connectors" for r in state.requests)
        await pilot.press("escape")  # the picker is the root: Back leaves it as it is
        assert isinstance(app.screen, ConnectorPickerScreen)


async def test_live_refresh_follows_a_status_change(server, state):
    vc = list(state.connectors)[1]
    sid = next(s for s, v in state.sessions[vc].items() if v.status == "Open")
    clock = VirtualClock()
    app = make_app(app_settings(server, refresh=0.5, voice_connector_id=vc, proxy_session_id=sid),
                   **clock.app_kwargs())
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        await clock.idle(app)
        assert "Open" in text_of(app.screen.query_one(StatusPanel))
        state.set_status(vc, sid, "InProgress")
        await clock.advance(0.5)  # the next poll
        await wait_for(pilot, lambda: "InProgress" in text_of(app.screen.query_one(StatusPanel)),
                       timeout=3)
        state.set_status(vc, sid, "Closed")
        await clock.advance(0.5)
        await wait_for(pilot, lambda: "Closed" in text_of(app.screen.query_one(StatusPanel)),
                       timeout=3)
        assert "ended" in text_of(app.screen.query_one(ExpiryPanel))


async def test_throttling_keeps_data_marks_it_stale_and_recovers(server, state):
    clock = VirtualClock()
    app = seed_session_app(server, clock, refresh=0.5)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        await clock.idle(app)
        screen = app.screen
        state.faults.throttle = -1
        await clock.advance(0.5)
        assert screen.has_class("-stale")
        line = screen.query_one(ErrorLine)
        assert line.display
        message = line.message()
        assert "throttled" in message and "next try in" in message and "stale" in message
        # The last good data is still on screen.
        assert "+12065550100" in text_of(screen.query_one(ParticipantsPanel))
        # Backoff: over 2 s of sustained throttling, far fewer requests than 2 s / 0.5 s
        # polls: the production schedule waits 2 s, then 4 s.
        before = len(state.requests)
        await clock.advance(2.0)
        assert len(state.requests) - before == 1
        await clock.advance(3.9)
        assert len(state.requests) - before == 1
        state.faults.throttle = 0
        await pilot.press("r")
        await wait_for(pilot, lambda: not screen.has_class("-stale"), timeout=3)
        assert not screen.query_one(ErrorLine).display


async def test_missing_session_says_so_and_is_only_checked_again_every_30_s(server, state):
    clock = VirtualClock()
    app = seed_session_app(server, clock, refresh=0.3)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        await clock.idle(app)
        state.delete_session(SEED_CONNECTOR_ID, SEED_SESSION_ID)
        line = app.screen.query_one(ErrorLine)
        await clock.advance(0.3)
        await wait_for(pilot, lambda: line.display)
        assert "session not found: it ended or was deleted" in line.message()
        count = len(state.requests)
        await clock.advance(4.9)  # polling stopped; one re-check comes 5 s later
        assert len(state.requests) == count
        await clock.advance(0.1, settle=False)  # (it confirms: gone; nothing more to wait for)
        await wait_for(pilot, lambda: (SEED_CONNECTOR_ID, SEED_SESSION_ID) in app.tracker.gone)
        assert len(state.requests) == count + 1
        await clock.settle(2)  # the app's tick, and the next check of a gone session
        await clock.advance(29.9)
        assert len(state.requests) == count + 1  # polling stopped: no more until then
        await clock.advance(0.2)  # (as often as the board checks a gone pin)
        assert len(state.requests) == count + 2 and state.requests[-1].status == 404
        assert app.screen.session is not None  # last known state kept


async def test_open_by_id_validates_before_any_call(server, state):
    app = make_app(app_settings(server))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: table(app).row_count == 4)
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, OpenByIdScreen)
        before = len(state.requests)
        await pilot.press(*"NOT-VALID", "enter")
        assert isinstance(app.screen, OpenByIdScreen)
        assert "voice connector ID must be" in str(app.screen.query_one("#vc-error").render())
        assert len(state.requests) == before
        app.screen.query_one("#vc-input", Input).value = SEED_CONNECTOR_ID
        app.screen.query_one("#sid-input", Input).value = SEED_SESSION_ID
        app.screen.query_one("#sid-input", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: detail_loaded(app))



async def test_open_by_id_takes_vc_slash_sid_pasted_in_either_field(server, state):
    """`VC/SID`, as --pin and the pins file write a session, pasted whole."""
    for field in ("#sid-input", "#vc-input"):
        await open_pasted(server, field)


async def open_pasted(server, field: str) -> None:
    app = make_app(app_settings(server))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: table(app).row_count == 4)
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, OpenByIdScreen)
        app.screen.query_one(field, Input).value = f"{SEED_CONNECTOR_ID}/{SEED_SESSION_ID}"
        app.screen.query_one("#sid-input", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: detail_loaded(app))
        assert app.screen.proxy_session_id == SEED_SESSION_ID


async def test_selection_filter_and_sort_survive_refresh(server, state):
    vc = list(state.connectors)[1]
    clock = VirtualClock()
    app = make_app(app_settings(server, refresh=0.3, voice_connector_id=vc),
                   **clock.app_kwargs())
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: table(app).row_count == 40)
        await clock.idle(app)
        await pilot.press("s")  # status filter: Open
        screen = app.screen
        assert screen.status_filter == "Open"
        await pilot.press("o")  # sort: status
        await pilot.press("down", "down")
        selected = screen.selected_id()
        title = table(app).border_title
        assert title.startswith("Sessions ") and " of 40 · Open " in title
        fetches = len(state.requests)
        await clock.advance(0.6)  # two polls
        await wait_for(pilot, lambda: len(state.requests) >= fetches + 2, timeout=3)
        assert screen.selected_id() == selected
        assert screen.status_filter == "Open" and screen.sort == "status"


async def test_help_lists_every_binding_and_pause_stops_polling(server, state):
    clock = VirtualClock()
    app = seed_session_app(server, clock, refresh=0.3)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        actions = {row[1] for _, rows in app.screen.groups for row in rows}
        assert {"Refresh", "Pause", "Back", "Quit", "Open by ID", "Redact"} <= actions
        # this app's keys only, grouped, in one style
        assert not {"Copy selected text", "Page left", "Scroll left"} & actions
        assert [g for g, _ in app.screen.groups] == ["This screen", "Moving", "Everywhere"]
        assert all(a[:1].isupper() for a in actions)
        await pilot.press("escape")
        await pilot.press("p")
        assert app.screen.query_one(FetchStatus).paused
        await wait_for(pilot, lambda: not app.screen.poller.in_flight)
        count = len(state.requests)
        await clock.advance(1.0, settle=False)
        assert len(state.requests) == count
        await pilot.press("p")  # the poll due while paused is made, one, no more
        await wait_for(pilot, lambda: len(state.requests) == count + 1)
        await clock.idle(app)
        await clock.advance(0.29)
        assert len(state.requests) == count + 1
        await clock.advance(0.01)
        assert len(state.requests) == count + 2


async def test_redaction_toggle_masks_phone_numbers(server):
    app = seed_session_app(server, redact=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        panel = app.screen.query_one(ParticipantsPanel)
        assert "+1*******00" in text_of(panel) and "2065550100" not in text_of(panel)
        await pilot.press("x")
        assert "+12065550100" in text_of(panel)


async def test_quit_closes_the_client(server):
    app = make_app(app_settings(server))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: table(app).row_count == 4)
        assert app.service._client is not None
        await pilot.press("q")
    assert app.service._client is None


async def test_j_and_k_move_in_the_picker_too(server):
    app = make_app(app_settings(server))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: table(app).row_count == 4)
        await pilot.press("j", "j")
        assert table(app).cursor_row == 2
        await pilot.press("k")
        assert table(app).cursor_row == 1


async def test_each_fetch_is_handled_once(server, state, monkeypatch):
    """Textual runs message handlers along the class hierarchy: a screen's on_fetched
    must not call the base class's as well, or every answer is handled twice."""
    recorded: list[bool] = []
    original = FetchStatus.record
    monkeypatch.setattr(FetchStatus, "record",
                        lambda self, outcome: (recorded.append(outcome.ok),
                                               original(self, outcome)))
    app = make_app(app_settings(server, voice_connector_id=SEED_CONNECTOR_ID))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: table(app).row_count == 1)
        await pilot.press("r")
        # (Each listing is followed by the connector's proxy settings: not counted here.)
        await wait_for(pilot, lambda: state.request_count("/proxy-sessions") == 2)
        await pilot.pause(0.3)
    assert recorded == [True, True]  # two fetches, each recorded once
