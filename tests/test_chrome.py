"""The app's chrome: the alerts list, the help, the command palette, pin wording and
hints, and the small words (walk1 findings 11, 14, 15, 16 and 19), driven by
keyboard through the Pilot against the local endpoint."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from textual.widgets import Input, Label

from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.alerts import AlertsScreen
from chime_tui.tui.screens.board import BoardScreen
from chime_tui.tui.screens.detail import SessionDetailScreen
from chime_tui.tui.screens.help import HelpScreen
from chime_tui.tui.screens.open_by_id import OpenByIdScreen
from chime_tui.tui.screens.picker import ConnectorPickerScreen
from chime_tui.tui.screens.sessions import SessionListScreen
from chime_tui.tui.widgets.keyed_table import KeyedTable

from .conftest import app_settings, wait_for

_TEXT = re.compile(r'<text[^>]*\bx="([\d.]+)"[^>]*\by="([\d.]+)"[^>]*>(.*?)</text>', re.S)


def screen_lines(app) -> list[str]:
    """What the terminal shows, line by line (from the app's SVG screenshot)."""
    rows: dict[float, list[tuple[float, str]]] = {}
    for x, y, text in _TEXT.findall(app.export_screenshot()):
        plain = html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\xa0", " ")
        rows.setdefault(float(y), []).append((float(x), plain))
    return ["".join(t for _, t in sorted(parts)) for _, parts in sorted(rows.items())]


def screen_text(app) -> str:
    return "\n".join(screen_lines(app))


def detail_app(server, **kw):
    return make_app(app_settings(server, voice_connector_id=SEED_CONNECTOR_ID,
                                 proxy_session_id=SEED_SESSION_ID, **kw))


def detail_loaded(app) -> bool:
    return isinstance(app.screen, SessionDetailScreen) and app.screen.session is not None


def live_pins(state, n=3):
    vc = list(state.connectors)[1]
    return tuple((vc, sid) for sid, s in state.sessions[vc].items() if s.status != "Closed")[:n]


def board_loaded(app) -> bool:
    screen = app.screen
    return isinstance(screen, BoardScreen) and screen.last_ok is not None


# -- 11: the alerts list ---------------------------------------------------------------
@pytest.mark.parametrize("size", [(140, 40), (80, 24)])
async def test_alerts_list_shows_the_transition_full_width(server, state, size):
    app = detail_app(server)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        state.set_status(SEED_CONNECTOR_ID, SEED_SESSION_ID, "InProgress")
        await pilot.press("r")
        await wait_for(pilot, lambda: len(app.alerts_raised) == 1)
        await pilot.press("a")
        assert isinstance(app.screen, AlertsScreen)
        await pilot.pause()
        box = app.screen.query_one("#alerts-box")
        assert box.outer_size.width == size[0]  # the whole width
        table = app.screen.query_one(KeyedTable)
        labels = [c.label for c in table.columns]
        assert [x for x in labels if x in ("When", "Kind", "What")] == ["When", "Kind", "What"]
        # no horizontal scrolling: every drawn column fits
        assert table.max_scroll_x == 0
        text = screen_text(app)
        assert "Open → InProgress" in text
        # the session is named once, not twice
        row = table.row_cells(table.ordered_keys[0])
        assert sum(SEED_SESSION_ID in str(cell) for cell in row) == 1
        assert "status" in text


async def test_a_long_alert_leaves_its_session_in_view(server, state):
    """Walk 17 F3: a "left out" alert's What (150 characters and more) pushed the Session
    column off the right edge, at 140 columns and even at 220: two alerts about two
    sessions looked the same. The session comes before the What."""
    from chime_tui.tracking import Alert

    app = detail_app(server)
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        others = [f"{c}{SEED_SESSION_ID[1:]}" for c in "ab"]
        app.raise_alerts([Alert(app.clock(), (SEED_CONNECTOR_ID, sid), "left out",
                                f"session {sid} could not be read (Capabilities[1] is not what "
                                "the service model says): left out of voice connector "
                                f"{SEED_CONNECTOR_ID}'s listing " + "x" * 60)
                          for sid in others])
        await pilot.press("a")
        assert isinstance(app.screen, AlertsScreen)
        await pilot.pause()
        text = screen_text(app)
        for sid in others:
            assert sid in text, text  # in view, without scrolling sideways
        assert "could not be read (Capabilities[1]" in text


# -- 14: the command palette --------------------------------------------------------------
async def test_palette_keys_opens_this_apps_help_and_offers_no_maximize(server):
    app = detail_app(server)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert titles.count("Keys") == 1
        assert "Maximize" not in titles and "Minimize" not in titles
        # Textual's Screenshot wrote phone numbers to ~/Downloads, 0644, unredacted.
        assert "Screenshot" not in titles
        # the palette's other useful commands stay
        assert {"Theme", "Quit", "Open by ID", "Refresh now", "Alerts"} <= set(titles)
        await pilot.press("ctrl+p")
        await pilot.press(*"Keys")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert not app.screen.query("HelpPanel")


# -- 15: the help -----------------------------------------------------------------------
async def test_help_at_80x24_scrolls_with_its_keys_and_lists_each_key_once(server, state,
                                                                           tmp_path):
    app = make_app(app_settings(server, pins=live_pins(state), pins_file=tmp_path / "p.json"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: board_loaded(app))
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.pause()
        table = app.screen.query_one(KeyedTable)
        keys = [str(table.get_cell(k, "key")) for k in table.ordered_keys]
        listed = [k for k in keys if k]
        assert len(listed) == len(set(listed)), keys
        words = " ".join(listed).split()
        assert words.count("j") == 1 and words.count("k") == 1, listed
        assert table.cursor_row == 0
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1
        await pilot.pause()
        assert "Everywhere" in screen_text(app)  # the last group is in view
        assert table.scroll_y > 0
        await pilot.press("home")
        assert table.cursor_row == 0 and table.scroll_y == 0
        await pilot.press("pagedown")
        assert table.cursor_row > 5
        await pilot.press("pageup")
        assert table.cursor_row == 0
        await pilot.press("q")  # q quits anywhere, the help too
        await pilot.pause()
        assert app.return_code == 0


async def test_q_quits_from_the_alerts_list(server):
    app = detail_app(server)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        await pilot.press("a")
        assert isinstance(app.screen, AlertsScreen)
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0


async def test_escape_still_closes_the_help_and_alerts(server):
    app = detail_app(server)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        for key in ("question_mark", "a"):
            await pilot.press(key)
            assert isinstance(app.screen, HelpScreen | AlertsScreen)
            await pilot.press("escape")
            assert isinstance(app.screen, SessionDetailScreen)


# -- 16: pin wording, remapped hints, undo ---------------------------------------------------
async def test_detail_footer_and_title_say_whether_the_session_is_pinned(server, tmp_path):
    app = detail_app(server, pins_file=tmp_path / "p.json")
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        screen = app.screen
        assert screen.active_bindings["m"].binding.description == "Pin"
        assert "pinned" not in screen.sub_title
        await pilot.press("m")
        await pilot.pause()
        assert screen.active_bindings["m"].binding.description == "Unpin"
        assert "● pinned" in screen.sub_title
        text = screen_text(app)
        assert "m Unpin" in text.replace("\u258f", " ").replace("  ", " ") or \
            re.search(r"\bm\s+Unpin\b", text), text[-400:]
        await pilot.press("m")
        await pilot.pause()
        assert (SEED_CONNECTOR_ID, SEED_SESSION_ID) not in app.pins.pins
        assert screen.active_bindings["m"].binding.description == "Pin"
        assert "pinned" not in screen.sub_title


async def test_detail_pin_remapped_names_the_remapped_key(server, tmp_path):
    app = detail_app(server, pins_file=tmp_path / "p.json", keys={"pin": "P"})
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        await pilot.press("P")
        assert (SEED_CONNECTOR_ID, SEED_SESSION_ID) in app.pins.pins
        await pilot.pause()
        assert app.screen.active_bindings["P"].binding.description == "Unpin"
        await pilot.press("P")
        assert (SEED_CONNECTOR_ID, SEED_SESSION_ID) not in app.pins.pins


async def test_empty_board_hint_names_the_key_bound_to_pin(server, tmp_path):
    app = make_app(app_settings(server, pins_file=tmp_path / "p.json", keys={"pin": "P"}))
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen))
        title = str(app.screen.query_one(KeyedTable).border_title)
        assert "P pins" in title and "m pins" not in title, title


async def test_unpin_on_the_board_can_be_undone_and_is_not_news(server, state, tmp_path):
    pins = live_pins(state)
    app = make_app(app_settings(server, pins=pins, pins_file=tmp_path / "p.json"))
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_for(pilot, lambda: board_loaded(app))
        table = app.screen.query_one(KeyedTable)
        first = table.cursor_key
        assert first is not None
        await pilot.press("m", "m")  # two stray presses: two pins gone
        await pilot.pause()
        assert len(app.pins.pins) == len(pins) - 2
        said = [n.message for n in app.notices]
        assert not any("left the list" in m for m in said), said
        assert "u pins it again" in said[-1], said[-1]
        assert app.screen.active_bindings["u"].binding.description == "Undo unpin"
        await pilot.press("u", "u")
        await pilot.pause()
        assert set(app.pins.pins) == set(pins)
        assert table.row_count == len(pins)
        assert not app.screen.active_bindings["u"].enabled  # nothing left to undo
        await pilot.press("u")  # disabled: nothing happens
        await pilot.pause()
        assert set(app.pins.pins) == set(pins)


async def test_the_boards_help_names_undo_unpin_before_any_unpin(server, state, tmp_path):
    app = make_app(app_settings(server, pins=live_pins(state), pins_file=tmp_path / "p.json"))
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_for(pilot, lambda: board_loaded(app))
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = dict(app.screen.groups)["This screen"]
        assert ("u", "Undo unpin") in rows, rows


# -- 19: the small things --------------------------------------------------------------------
def list_app(server, state, **kw):
    vc = list(state.connectors)[1]
    return make_app(app_settings(server, voice_connector_id=vc, **kw)), vc


def list_loaded(app) -> bool:
    return isinstance(app.screen, SessionListScreen) and app.screen.loaded


async def test_picker_interval_is_shown_and_documented(server):
    from pathlib import Path

    app = make_app(app_settings(server, refresh=5))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "last_ok", None) is not None)
        assert "every 60 s" in screen_text(app)
    readme = Path(__file__).parent.parent.joinpath("README.md").read_text()
    assert "connector picker refreshes every 60 s" in readme


async def test_sort_is_named_in_words_with_its_direction_at_80_columns(server, state):
    app, _ = list_app(server, state)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: list_loaded(app))
        table = app.screen.query_one(KeyedTable)
        while app.screen.sort != "parts":
            await pilot.press("o")
        await pilot.pause()
        assert "sort: participants ▲" in str(table.border_subtitle)
        assert "sort: participants ▲" in screen_text(app)
        await pilot.press("O")
        await pilot.pause()
        assert "sort: participants ▼" in str(table.border_subtitle)
        while app.screen.sort != "id":
            await pilot.press("o")
        assert "sort: session ID ▲" in str(table.border_subtitle)


async def test_an_empty_filtered_list_says_so(server, state):
    vc = list(state.connectors)[1]
    for sid in [s for s, v in state.sessions[vc].items() if v.status == "Open"]:
        state.set_status(vc, sid, "Closed")
    app = make_app(app_settings(server, voice_connector_id=vc))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: list_loaded(app))
        await pilot.press("s")  # Open: none
        await pilot.pause()
        assert app.screen.query_one(KeyedTable).row_count == 0
        assert "no Open sessions" in screen_text(app)
        await pilot.press("s", "slash", *"zzzz")  # InProgress, and a text nothing matches
        await pilot.pause()
        assert "no InProgress sessions match “zzzz”" in screen_text(app)


async def test_empty_filtered_picker_and_board_say_so(server, state, tmp_path):
    app = make_app(app_settings(server, pins=live_pins(state), pins_file=tmp_path / "p.json"))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: board_loaded(app))
        await pilot.press("slash", *"zzzz")
        await pilot.pause()
        assert "no pinned sessions match “zzzz”" in screen_text(app)
        await pilot.press("escape", "escape")  # the filter, then back: the picker
        await wait_for(pilot, lambda: getattr(app.screen, "last_ok", None) is not None
                       and not isinstance(app.screen, BoardScreen))
        await pilot.press("slash", *"zzzz")
        await pilot.pause()
        assert "no voice connectors match “zzzz”" in screen_text(app)


def test_an_expiry_not_today_has_its_date():
    from datetime import UTC, datetime

    from chime_tui.humanfmt import expiry_sentence
    from chime_tui.models import ProxySession

    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    old = ProxySession.from_api({"ProxySessionId": "x", "Status": "Open", "ExpiryMinutes": 60,
                                 "CreatedTimestamp": "2020-04-15T16:10:10Z"})
    assert expiry_sentence(old, now).endswith("(2020-04-15 17:10 UTC)")
    today = ProxySession.from_api({"ProxySessionId": "x", "Status": "Open",
                                   "ExpiryMinutes": 60,
                                   "CreatedTimestamp": "2026-11-27T11:30:00Z"})
    assert expiry_sentence(today, now).endswith("(12:30 UTC)")


def test_a_session_with_time_left_is_never_100_percent_used():
    from datetime import UTC, datetime

    from chime_tui.models import ProxySession
    from chime_tui.tui.widgets.expiry_panel import used_text

    now = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
    s = ProxySession.from_api({"ProxySessionId": "x", "Status": "Open", "ExpiryMinutes": 60,
                               "CreatedTimestamp": "2026-11-27T11:00:11Z"})  # 11 s left
    assert s.time_to_expiry(now) == timedelta(seconds=11)
    assert used_text(s, now) == "99% of 60 min used"
    done = ProxySession.from_api({"ProxySessionId": "x", "Status": "Open", "ExpiryMinutes": 60,
                                  "CreatedTimestamp": "2026-11-27T10:00:00Z"})
    assert used_text(done, now) == "100% of 60 min used"


async def test_open_by_id_starts_on_the_first_field_still_to_fill(server):
    """Where the connector is known (a session, its list) it is filled in and the
    session ID is typed: what is typed opens that session, never the session ID as a
    connector; from the picker, the connector ID comes first."""
    app = detail_app(server)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, OpenByIdScreen)
        assert app.screen.focused is app.screen.query_one("#sid-input", Input)
        await pilot.press("escape")
        await pilot.press("escape")  # the session list (its connector), then the dialog
        await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen))
        await pilot.press("ctrl+o")
        dialog = app.screen
        assert dialog.focused is dialog.query_one("#sid-input", Input)
        assert dialog.query_one("#vc-input", Input).value == SEED_CONNECTOR_ID
        await pilot.press(*SEED_SESSION_ID, "enter")
        await wait_for(pilot, lambda: detail_loaded(app))
        assert (app.screen.voice_connector_id, app.screen.proxy_session_id) == \
            (SEED_CONNECTOR_ID, SEED_SESSION_ID)
        await pilot.press("escape")
        await pilot.press("escape")  # the picker, which knows no connector
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectorPickerScreen))
        await pilot.press("ctrl+o")
        assert app.screen.focused is app.screen.query_one("#vc-input", Input)


async def test_open_by_id_error_clears_when_fixed_and_enter_submits(server):
    app = make_app(app_settings(server))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "last_ok", None) is not None)
        await pilot.press("ctrl+o", *SEED_CONNECTOR_ID[:-1], "minus", "enter")
        screen = app.screen
        assert isinstance(screen, OpenByIdScreen)
        await pilot.pause()
        error = screen.query_one("#vc-error", Label)
        assert str(error.render()).strip(), "an error is shown"
        await pilot.press("backspace", SEED_CONNECTOR_ID[-1])  # now valid
        await pilot.pause()
        assert not str(error.render()).strip(), "the error went when the field was fixed"
        await pilot.press("tab", *SEED_SESSION_ID, "shift+tab")
        assert screen.focused is screen.query_one("#vc-input", Input)
        await pilot.press("enter")  # both valid: Enter in the connector field opens
        await wait_for(pilot, lambda: detail_loaded(app))
        assert app.screen.proxy_session_id == SEED_SESSION_ID


async def test_hints_name_the_remapped_keys(server, state, tmp_path):
    app = detail_app(server, pins_file=tmp_path / "p.json",
                     keys={"pause": "P", "alerts": "A", "export": "E", "board": "B"})
    async with app.run_test(size=(160, 36)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        await pilot.press("P")
        await pilot.pause()
        assert "⏸ paused (P resumes)" in screen_text(app)
        await pilot.press("P")
        await pilot.press("m")
        assert "(B opens the board)" in app.notices[-1].message
        await pilot.press("c")
        assert "E exports it" in app.notices[-1].message
        state.set_status(SEED_CONNECTOR_ID, SEED_SESSION_ID, "InProgress")
        await pilot.press("r")
        await wait_for(pilot, lambda: len(app.alerts_raised) == 1)
        await pilot.pause()
        assert "(A: every alert)" in screen_text(app)


async def test_list_footer_says_unpin_for_a_pinned_row(server, state, tmp_path):
    app, vc = list_app(server, state, pins_file=tmp_path / "p.json")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_for(pilot, lambda: list_loaded(app))
        screen = app.screen
        assert screen.active_bindings["m"].binding.description == "Pin"
        await pilot.press("m")
        assert (vc, screen.selected_id()) in app.pins.pins
        assert screen.active_bindings["m"].binding.description == "Unpin"
        await pilot.press("down")
        await pilot.pause()
        assert screen.active_bindings["m"].binding.description == "Pin"
        await pilot.press("up", "m")
        assert (vc, screen.selected_id()) not in app.pins.pins


async def test_the_footer_is_rebuilt_only_when_its_keys_change(
        server, state, tmp_path, monkeypatch):
    """Textual's Footer removes and mounts all of its keys whenever the screen says its
    bindings may have changed (each selection in a list does: Pin or Unpin). A move
    between two rows that are not pinned changes no key: the footer stays as built. A
    pin changes one: it is built again, and says Unpin."""
    from textual.widgets import Footer

    app, vc = list_app(server, state, pins_file=tmp_path / "p.json")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_for(pilot, lambda: list_loaded(app))
        await pilot.pause(0.2)
        built: list[object] = []
        real = Footer.compose

        def compose(self):
            built.append(self)
            return real(self)

        monkeypatch.setattr(Footer, "compose", compose)

        def keys() -> str:
            return screen_lines(app)[-1]

        assert " Pin " in keys() and "Unpin" not in keys()
        await pilot.press("down")
        await pilot.pause(0.1)
        assert built == []  # the same keys: not built again
        assert " Pin " in keys() and "Unpin" not in keys()
        await pilot.press("m")
        await pilot.pause(0.1)
        assert (vc, app.screen.selected_id()) in app.pins.pins
        assert built and "Unpin" in keys()
        await pilot.press("down")
        await pilot.pause(0.1)
        assert " Pin " in keys() and "Unpin" not in keys()


async def test_the_board_starts_its_cursor_at_the_top_once_sorted(server, state, tmp_path):
    """Walk 4 #3: the rows wait for data in ID order; once sorted (soonest to expire
    first) the cursor stayed on the smallest ID, a row in the middle: Enter opened a
    session the user was not looking at."""
    vc = list(state.connectors)[1]
    pins = tuple((vc, sid) for sid, s in sorted(state.sessions[vc].items())
                 if s.status != "Closed")
    app = make_app(app_settings(server, pins=pins, pins_file=tmp_path / "p.json"))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: board_loaded(app))
        await pilot.pause()
        table = app.screen.query_one(KeyedTable)
        first = "/".join(pins[0])  # the smallest ID: the top row while they waited
        assert table.ordered_keys[0] != first  # (sorted by expiry, it is elsewhere)
        assert table.cursor_key == table.ordered_keys[0]


async def test_the_boards_filter_hiding_the_cursor_row_is_no_news(server, state, tmp_path):
    """Walk 4 #5: typing a filter on the board said the cursor's session 'left the
    list' (a toast per keystroke): the user's own filter hid it; it is still pinned."""
    pins = live_pins(state)
    app = make_app(app_settings(server, pins=pins, pins_file=tmp_path / "p.json"))
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_for(pilot, lambda: board_loaded(app))
        table = app.screen.query_one(KeyedTable)
        other = next(k for k in table.ordered_keys if k != table.cursor_key)
        await pilot.press("slash", *other.split("/")[1][:8])
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.pause(0.2)
        assert not any("left the list" in n.message for n in app.notices), app.notices
