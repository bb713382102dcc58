"""The write dialogs, driven with Pilot against the local endpoint: what is sent is
counted on the endpoint's request log, what is refused sends nothing, a failure stays
in the dialog and leaves the dashboard as it was."""

from __future__ import annotations

import json
from typing import Any

import pytest
from textual.widgets import Button, Checkbox, Input, Static

from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.dialogs import WriteDialog
from chime_tui.tui.widgets.fetch_status import FetchStatus
from chime_tui.tui.widgets.timeline_panel import TimelinePanel

from .conftest import app_settings, wait_for

SEED = (SEED_CONNECTOR_ID, SEED_SESSION_ID)


def writes(state) -> list[tuple[str, str, int]]:
    """The write requests the endpoint received: (method, path, status)."""
    return [(r.method, r.path, r.status) for r in state.requests
            if r.method in ("POST", "DELETE")]


def audit(path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [d for d in map(json.loads, path.read_text().splitlines()) if d.get("event") == "write"]


def detail_app(server, **kw):
    kw.setdefault("allow_writes", True)
    return make_app(app_settings(server, voice_connector_id=SEED_CONNECTOR_ID,
                                 proxy_session_id=SEED_SESSION_ID, **kw))


async def loaded(pilot) -> None:
    await wait_for(pilot, lambda: getattr(pilot.app.screen, "last_ok", None) is not None)
    await pilot.pause(0.1)


async def dialog(pilot, key: str) -> WriteDialog:
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, WriteDialog))
    screen = pilot.app.screen
    assert isinstance(screen, WriteDialog)
    return screen


def plain(widget: Static) -> str:
    """What a Static shows, as plain text (a Rich table or Text)."""
    from rich.console import Console

    console = Console(width=200, color_system=None, record=True, file=open("/dev/null", "w"))
    console.print(widget.content)
    return console.export_text()


def text_of(screen, selector: str) -> str:
    return plain(screen.query_one(selector, Static))


def error_text(screen: WriteDialog) -> str:
    return text_of(screen, "#write-error").strip()


async def answered(pilot, screen: WriteDialog) -> None:
    await wait_for(pilot, lambda: screen.outcome is not None or not screen.is_attached)
    await pilot.pause(0.1)


def timeline(app) -> list[tuple[str, Any, Any]]:
    return [(c.field, c.old, c.new) for c in app.tracker.timelines.get(SEED, [])]


# -- read-only unless asked ---------------------------------------------------------------

async def test_with_writes_off_a_key_says_how_to_enable_them_and_sends_nothing(server, state):
    app = detail_app(server, allow_writes=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        before = len(app.notices)
        status = str(app.screen.query_one(FetchStatus).content)
        assert "writes enabled" not in status
        for key in ("plus", "C", "D", "N"):
            await pilot.press(key)
            await pilot.pause(0.05)
            assert not isinstance(app.screen, WriteDialog)
        seen = [n.message for n in list(app.notices)[before:]]
        assert len(seen) == 4
        assert all("--allow-writes" in m and "allow_writes = true" in m
                   and "Nothing was sent" in m for m in seen)
    assert writes(state) == []


async def test_with_writes_on_the_top_line_says_so(server):
    app = detail_app(server)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        assert "writes enabled" in str(app.screen.query_one(FetchStatus).content)


# -- extend -----------------------------------------------------------------------------

async def test_extend_with_a_preset_on_the_detail_screen(server, state, tmp_path):
    events = tmp_path / "events.jsonl"
    app = detail_app(server, events_file=events)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        screen = await dialog(pilot, "plus")
        who = text_of(screen, "#write-who")
        assert SEED_CONNECTOR_ID in who and SEED_SESSION_ID in who
        assert writes(state) == []
        await pilot.click("#write-plus-15")
        assert screen.query_one("#write-minutes", Input).value == "75"
        await pilot.pause(0.05)
        preview = text_of(screen, "#write-preview")
        assert "60 → 75 (+15 min)" in preview
        await pilot.click("#write-confirm")
        await answered(pilot, screen)
        assert not isinstance(app.screen, WriteDialog)  # done: closed
        assert [m for m, _, s in writes(state)] == ["POST"]
        assert state.get_session(*SEED)["ExpiryMinutes"] == 75
        assert state.get_session(*SEED)["Capabilities"] == ["SMS", "Voice"]  # sent as they were
        assert ("extended by you", 60, 75) in timeline(app)
        await wait_for(pilot, lambda: any(
            c.field == "extended by you" for c in app.screen.query_one(TimelinePanel).changes))
        assert app.screen.session.expiry_minutes == 75
    (line,) = audit(events)
    assert line["operation"] == "UpdateProxySession" and line["result"]["outcome"] == "ok"
    assert line["change"] == {"Capabilities": ["SMS", "Voice"], "ExpiryMinutes": 75}
    assert line["ProxySessionId"] == SEED_SESSION_ID


async def test_a_typed_expiry_out_of_bounds_is_refused_before_anything_is_sent(server, state):
    app = detail_app(server)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        screen = await dialog(pilot, "plus")
        await pilot.press("0", "enter")
        assert "from 1 to 2,147,483,647" in error_text(screen)
        await pilot.press("backspace", "enter")
        assert "type a number of minutes" in error_text(screen)
        assert isinstance(app.screen, WriteDialog)
        await pilot.press("escape")
        assert not isinstance(app.screen, WriteDialog)
    assert writes(state) == []


@pytest.mark.parametrize("key", ["plus", "C"])
async def test_an_ended_session_is_not_extended_or_changed(server, state, key):
    """Walk 4, finding 1: `+` on a Closed session previewed "→ 21:43 UTC (in an hour)"
    and sent the change; the session stayed Closed. It is refused when the dialog opens,
    and Enter sends nothing."""
    state.set_status(SEED_CONNECTOR_ID, SEED_SESSION_ID, "Closed")
    app = detail_app(server)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        screen = await dialog(pilot, key)
        await pilot.pause()
        assert "this session has ended (Closed)" in error_text(screen)
        assert "Nothing was sent" in error_text(screen)
        if key == "plus":
            await pilot.press("9", "0")
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert "this session has ended (Closed)" in error_text(screen)
    assert writes(state) == []


@pytest.mark.parametrize("typed", ["\u0663\u0660", "\uff11\uff12\uff10"])
async def test_extend_reads_only_the_digits_0_to_9(server, state, typed):
    """Walk 3, finding 6: Arabic-Indic '٣٠' (int() reads 30) was sent as ExpiryMinutes 30
    and ended the session; full-width '１２０' went as 120. Only 0-9 are a number."""
    app = detail_app(server)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        screen = await dialog(pilot, "plus")
        await pilot.press(*typed)
        assert screen.query_one("#write-minutes", Input).value == typed
        await pilot.press("enter")
        await pilot.pause(0.1)
        said = error_text(screen)
        assert f"whole number of minutes, not '{typed}'" in said
        assert "only the digits 0-9 are read" in said
        assert app.screen is screen and screen.outcome is None
        await pilot.press("escape")
    assert writes(state) == []
    assert state.get_session(*SEED)["ExpiryMinutes"] == 60


@pytest.mark.parametrize("typed", ["30", "1", "59"])
async def test_extend_refuses_a_value_that_shortens_the_session(server, state, tmp_path,
                                                                typed):
    """Walk 3, finding 6: a value below the current ExpiryMinutes (one that ends the
    session at once) went out on one Enter under an "Extend" button."""
    events = tmp_path / "events.jsonl"
    app = detail_app(server, events_file=events)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        screen = await dialog(pilot, "plus")
        await pilot.press(*typed, "enter")
        await pilot.pause(0.1)
        assert error_text(screen) == (f"Extend only lengthens: {typed} is not more than the "
                                      "current 60 minutes. Nothing was sent.")
        await pilot.click("#write-confirm")
        await pilot.pause(0.1)
        assert app.screen is screen and screen.outcome is None
        assert "Extend only lengthens" in error_text(screen)
        # A longer value goes, as before.
        await pilot.click("#write-minutes")
        await pilot.press("end", *["backspace"] * len(typed), "9", "0")
        await pilot.pause(0.05)
        assert error_text(screen) == ""
        assert "60 → 90 (+30 min)" in text_of(screen, "#write-preview")
        await pilot.press("enter")
        await answered(pilot, screen)
        assert ("extended by you", 60, 90) in timeline(app)
    assert [m for m, _, _ in writes(state)] == ["POST"]
    assert state.get_session(*SEED)["ExpiryMinutes"] == 90
    assert [line["change"]["ExpiryMinutes"] for line in audit(events)] == [90]


async def test_a_huge_whole_number_is_out_of_bounds_not_a_non_number(server, state):
    """Walk 3, finding 19: 24 digits were called "not a whole number"."""
    app = detail_app(server)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        screen = await dialog(pilot, "plus")
        await pilot.press(*"100000000000000000000000", "enter")
        await pilot.pause(0.1)
        said = error_text(screen)
        assert said == ("ExpiryMinutes must be from 1 to 2,147,483,647 (the service model's "
                        "bounds), not 100,000,000,000,000,000,000,000")
        assert "whole number" not in said
    assert writes(state) == []


async def test_double_pressing_confirm_sends_one_request(server, state):
    app = detail_app(server)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        screen = await dialog(pilot, "plus")
        await pilot.press("9", "0")
        state.add_rule({"latency": 1.0, "path": f"/proxy-sessions/{SEED_SESSION_ID}",
                        "count": 1})
        await pilot.press("enter")
        await pilot.press("enter")
        await pilot.click("#write-confirm")
        await pilot.press("enter")
        assert screen.query_one("#write-confirm", Button).disabled
        await pilot.press("escape")  # not while the write is in flight
        assert app.screen is screen
        await answered(pilot, screen)
        assert [m for m, _, _ in writes(state)] == ["POST"]
        assert state.get_session(*SEED)["ExpiryMinutes"] == 90


# -- change capabilities ------------------------------------------------------------------

async def test_change_capabilities_on_the_board(server, state, tmp_path):
    app = make_app(app_settings(server, pins=(SEED,), pins_file=None, allow_writes=True))
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.tracker.last.get(SEED) is not None)
        await pilot.pause(0.1)
        screen = await dialog(pilot, "C")
        await pilot.click("#write-cap-SMS")
        assert not screen.query_one("#write-cap-SMS", Checkbox).value
        assert "SMS, Voice → Voice" in text_of(screen, "#write-preview")
        await pilot.click("#write-confirm")
        await answered(pilot, screen)
        assert state.get_session(*SEED)["Capabilities"] == ["Voice"]
        assert [m for m, _, _ in writes(state)] == ["POST"]
        assert ("capabilities changed by you", ["SMS", "Voice"], ["Voice"]) in timeline(app)
        await wait_for(pilot, lambda: app.tracker.last[SEED].capabilities == ("Voice",))


async def test_space_ticks_a_capability_and_enter_confirms_the_change(server, state):
    """Walk 2, finding 1: the hint says "Enter or the button confirms", but Enter on a
    focused checkbox toggled it back, and nothing was sent."""
    app = detail_app(server)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        screen = await dialog(pilot, "C")
        box = screen.query_one("#write-cap-SMS", Checkbox)
        box.focus()
        await pilot.pause()
        before = box.value
        # The label says on or off, not only the box's colour (walk 4 #20).
        assert str(box.label) == f"SMS ({'on' if before else 'off'})"
        await pilot.press("space")
        assert box.value is not before
        await pilot.pause()
        assert str(box.label) == f"SMS ({'off' if before else 'on'})"
        await pilot.press("enter")
        await answered(pilot, screen)
        assert box.value is not before  # not toggled back
        assert [m for m, _, _ in writes(state)] == ["POST"]
        assert ("SMS" in state.get_session(*SEED)["Capabilities"]) is not before


async def test_change_capabilities_opens_on_the_first_box(server, state):
    """Walk 3, finding 22: the dialog opened with focus on Change, so the first Space
    (the hint: Space ticks a box) pressed Change instead of ticking a box."""
    app = detail_app(server)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        screen = await dialog(pilot, "C")
        await pilot.pause()
        voice = screen.query_one("#write-cap-Voice", Checkbox)
        assert screen.focused is voice
        assert voice.value
        await pilot.press("space")
        await pilot.pause(0.05)
        assert not voice.value
        assert error_text(screen) == ""  # Change was not pressed
        assert "SMS, Voice → SMS" in text_of(screen, "#write-preview")
        await pilot.press("enter")
        await answered(pilot, screen)
    assert [m for m, _, _ in writes(state)] == ["POST"]
    assert state.get_session(*SEED)["Capabilities"] == ["SMS"]


async def test_unchecking_every_capability_is_refused(server, state):
    app = detail_app(server)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        screen = await dialog(pilot, "C")
        await pilot.click("#write-cap-SMS")
        await pilot.click("#write-cap-Voice")
        await pilot.click("#write-confirm")
        assert "choose Voice, SMS or both" in error_text(screen)
    assert writes(state) == []


# -- end ------------------------------------------------------------------------------------

async def test_end_needs_the_first_characters_typed_on_the_session_list(server, state,
                                                                         tmp_path):
    events = tmp_path / "events.jsonl"
    app = make_app(app_settings(server, voice_connector_id=SEED_CONNECTOR_ID, allow_writes=True,
                                events_file=events))
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        sid = app.screen.table.cursor_key
        assert sid == SEED_SESSION_ID  # the seed connector's only session
        screen = await dialog(pilot, "D")
        await pilot.press("enter")  # nothing typed
        assert "type 123a4b" in error_text(screen)
        await pilot.press(*"123a4c", "enter")  # mistyped
        assert "nothing was sent" in error_text(screen)
        assert writes(state) == []
        screen.query_one("#write-typed", Input).value = ""
        await pilot.press(*"123a4b", "enter")
        await answered(pilot, screen)
        assert writes(state) == [("DELETE", f"/voice-connectors/{SEED_CONNECTOR_ID}/"
                                            f"proxy-sessions/{SEED_SESSION_ID}", 204)]
        assert ("ended by you", "Open", "deleted") in timeline(app)
        assert SEED in app.tracker.gone and not app.alerts_raised  # we know why: no alert
        await wait_for(pilot, lambda: app.screen.table.row_count == 0)  # refreshed at once
    (line,) = audit(events)
    assert line["operation"] == "DeleteProxySession" and line["result"] == {"outcome": "ok",
                                                                             "status": 204}


# -- create ---------------------------------------------------------------------------------

async def fill(pilot, screen: WriteDialog, **values: str) -> None:
    for widget_id, value in values.items():
        screen.query_one(f"#write-{widget_id}", Input).value = value
    await pilot.pause(0.1)  # the preview and the layout (a click needs the new one)
    await pilot.wait_for_scheduled_animations()


async def test_create_is_validated_before_anything_is_sent(server, state, tmp_path):
    events = tmp_path / "events.jsonl"
    app = make_app(app_settings(server, voice_connector_id=SEED_CONNECTOR_ID, allow_writes=True,
                                events_file=events, redact=True))
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        screen = await dialog(pilot, "N")
        await fill(pilot, screen, p1="+12065550111", p2="0123", name="bad_name", country="US")
        await pilot.click("#write-confirm")
        problems = error_text(screen)
        for words in ("participant 2: '0123' is not an E.164 number",
                      "up to 30 letters, digits and spaces",
                      "needs both a country and an area code"):
            assert words in problems
        assert writes(state) == []
        await fill(pilot, screen, p2="+12065550122", name="Night shift", area="206")
        assert error_text(screen) == ""  # fixed: the problems go as they are fixed
        preview = text_of(screen, "#write-preview")
        assert "+1*******11, +1*******22" in preview  # redaction applies to the preview
        await pilot.click("#write-confirm")
        await answered(pilot, screen)
        assert not isinstance(app.screen, WriteDialog)
        assert [m for m, _, _ in writes(state)] == ["POST"]
        created = [s for s in state.sessions[SEED_CONNECTOR_ID].values()
                   if s.proxy_session_id != SEED_SESSION_ID]
        assert len(created) == 1 and created[0].name == "Night shift"
        new = (SEED_CONNECTOR_ID, created[0].proxy_session_id)
        assert [c.field for c in app.tracker.timelines[new]] == ["created by you"]
        await wait_for(pilot, lambda: app.screen.table.row_count == 2)  # listed at once
    (line,) = audit(events)
    assert line["change"]["ParticipantPhoneNumbers"] == ["+1*******11", "+1*******22"]
    assert line["result"]["ProxySessionId"] == created[0].proxy_session_id


async def test_a_create_that_timed_out_may_have_happened_and_is_not_retried(server, state,
                                                                             tmp_path):
    events = tmp_path / "events.jsonl"
    app = make_app(app_settings(server, voice_connector_id=SEED_CONNECTOR_ID, allow_writes=True,
                                events_file=events, read_timeout=0.5, max_attempts=3))
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        await pilot.press("p")  # no poll in between: the next request is the create
        screen = await dialog(pilot, "N")
        await fill(pilot, screen, p1="+12065550111", p2="+12065550122")
        state.add_rule({"latency": 1.5, "count": 1,
                        "path": f"/voice-connectors/{SEED_CONNECTOR_ID}/proxy-sessions"})
        await pilot.click("#write-confirm")
        await answered(pilot, screen)
        assert "the session may have been created" in error_text(screen)
        assert screen.query_one("#write-confirm", Button).disabled  # no retry from here
        assert screen.query_one("#write-list", Button).display
        await wait_for(pilot, lambda: len(writes(state)) == 1)
        assert len(state.sessions[SEED_CONNECTOR_ID]) == 2  # it was created
        await pilot.click("#write-list")
        await wait_for(pilot, lambda: not isinstance(app.screen, WriteDialog))
        await wait_for(pilot, lambda: app.screen.table.row_count == 2)
        assert [m for m, _, _ in writes(state)] == ["POST"]
    assert [line["result"]["outcome"] for line in audit(events)] == ["unknown"]


# -- failures stay in the dialog; the dashboard is unharmed -------------------------------

@pytest.mark.parametrize("fault, words", [
    ({"status": 403}, "your role may read but not write proxy sessions: needs "
                      "chime:UpdateProxySession"),
    ({"status": 400, "message": "[red]ExpiryMinutes[/] too long \x1b[2J"},
     "The service refused the request (HTTP 400): [red]ExpiryMinutes[/] too long \\x1b[2J"),
    ({"throttle": True}, "Throttled by the service: nothing was changed"),
])
async def test_failures_are_shown_in_the_dialog(server, state, tmp_path, fault, words):
    events = tmp_path / "events.jsonl"
    app = detail_app(server, events_file=events)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        await pilot.press("p")  # the detail screen polls this path too: pause it
        screen = await dialog(pilot, "plus")
        await pilot.press("9", "0")
        # (after 1: the extend's read of the session first answers; its write fails)
        state.add_rule({**fault, "count": 1, "after": 1,
                        "path": f"/proxy-sessions/{SEED_SESSION_ID}"})
        await pilot.press("enter")
        await answered(pilot, screen)
        assert words in error_text(screen)
        assert app.screen is screen  # still open: nothing typed is lost
        assert screen.query_one("#write-minutes", Input).value == "90"
        assert not screen.query_one("#write-confirm", Button).disabled  # may confirm again
        assert state.get_session(*SEED)["ExpiryMinutes"] == 60
        assert [m for m, _, _ in writes(state)] == ["POST"]
        assert not [c for c in timeline(app) if "by you" in c[0]]
        await pilot.press("escape")
        assert not isinstance(app.screen, WriteDialog)
        detail = app.screen
        assert detail.session is not None and detail.session.expiry_minutes == 60
        assert not detail.has_class("-stale")  # the dashboard's data is as it was
    (line,) = audit(events)
    assert line["result"]["outcome"] == "error"


async def test_a_session_already_gone(server, state):
    app = detail_app(server)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        await pilot.press("p")
        screen = await dialog(pilot, "D")
        state.delete_session(*SEED)  # ended elsewhere meanwhile
        await pilot.press(*"123a4b", "enter")
        await answered(pilot, screen)
        assert "Session already gone: it ended or was deleted. Nothing was changed." \
            in error_text(screen)
        assert screen.query_one("#write-confirm", Button).disabled
        assert writes(state) == [("DELETE", f"/voice-connectors/{SEED_CONNECTOR_ID}/"
                                            f"proxy-sessions/{SEED_SESSION_ID}", 404)]


async def test_the_dialog_names_the_session_literally(server, state):
    state.set_fields(*SEED, {"Name": "[bold red]boss[/] \x1b[2J\u202e"})
    app = detail_app(server)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        screen = await dialog(pilot, "D")
        who = text_of(screen, "#write-who")
        assert "[bold red]boss[/] \\x1b[2J\\u202e" in who  # data, not markup or escapes
        await pilot.press("escape")
    assert writes(state) == []


async def test_a_second_write_to_a_session_waits_for_the_first(server, state):
    app = detail_app(server)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded(pilot)
        screen = await dialog(pilot, "plus")
        assert app.write_guard.begin(SEED)  # as if another dialog's write were in flight
        await pilot.press("9", "0", "enter")
        assert "a write to this session is already under way" in error_text(screen)
        assert writes(state) == []
        app.write_guard.done(SEED)
        await pilot.press("enter")
        await answered(pilot, screen)
        assert [m for m, _, _ in writes(state)] == ["POST"]
