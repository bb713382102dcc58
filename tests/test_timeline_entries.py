"""The Timeline in words: a Participants change says, per participant, what changed
(walk 3 #23: it was the JSON of both lists, cut at the panel's edge before the part
that changed); phone numbers masked with redaction on; the events file keeps the raw
old and new lists."""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest

from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID
from chime_tui.monitor import Change
from chime_tui.tracking import describe
from chime_tui.tui.app import make_app
from chime_tui.tui.widgets.timeline_panel import TimelinePanel

from .conftest import app_settings, wait_for
from .test_app import detail_loaded
from .vclock import VirtualClock

AT = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
A = {"PhoneNumber": "+12065550147", "ProxyPhoneNumber": "+19135550170"}
B = {"PhoneNumber": "+14015550133", "ProxyPhoneNumber": "+19135550170"}
C = {"PhoneNumber": "+14015550155", "ProxyPhoneNumber": "+19135550171"}


def entries(old, new, redacted=False) -> list[tuple[str, str]]:
    change = Change(AT, "vc", "sid", "Participants", old, new)
    return [(e.label, e.text) for e in describe(change, redacted)]


def test_a_participants_number_changing_is_one_entry_with_both_numbers():
    moved = dict(A, PhoneNumber="+12065550176")
    assert entries([A, B], [moved, B]) == [
        ("participant 1", "number +12065550147 → +12065550176")]
    assert entries([A, B], [moved, B], redacted=True) == [
        ("participant 1", "number +1*******47 → +1*******76")]
    # Its proxy number too, in the same entry.
    both = dict(moved, ProxyPhoneNumber="+19135550199")
    assert entries([A, B], [both, B], redacted=True) == [
        ("participant 1", "number +1*******47 → +1*******76, proxy +1*******70 → +1*******99")]


def test_a_participant_added_or_removed():
    assert entries([A], [A, B], redacted=True) == [
        ("participant 2", "added +1*******33 (proxy +1*******70)")]
    assert entries([A, B], [A]) == [
        ("participant 2", "removed +14015550133 (proxy +19135550170)")]
    # The first one gone: it is removed, not every later one "changed".
    assert entries([A, B, C], [B, C], redacted=True) == [
        ("participant 1", "removed +1*******47 (proxy +1*******70)")]
    # None before: each one added.
    assert entries(None, [A, B], redacted=True) == [
        ("participant 1", "added +1*******47 (proxy +1*******70)"),
        ("participant 2", "added +1*******33 (proxy +1*******70)")]


def test_participants_that_are_not_a_list_fall_back_to_old_and_new():
    assert entries("garbage", [A], redacted=True) == [
        ("Participants", 'garbage → [{"PhoneNumber":"+1*******47",'
                         '"ProxyPhoneNumber":"+1*******70"}]')]
    assert entries([A], [A, 7]) == [("participant 2", "added 7")]


def test_other_fields_read_as_before():
    change = Change(AT, "vc", "sid", "Capabilities", ["Voice"], ["Voice", "SMS"])
    assert [(e.label, e.text) for e in describe(change, False)] == [
        ("Capabilities", '["Voice"] → ["Voice","SMS"]')]
    assert describe(Change(AT, "vc", "sid", "Status", None, "Open"), False)[0].text \
        == "— → Open"


@asynccontextmanager
async def participants_changed(server, state, after, size, **settings):
    """The seed session on its screen, then its Participants changed to `after` and
    the change in its Timeline: (the pilot, the Timeline panel)."""
    clock = VirtualClock()
    app = make_app(app_settings(server, refresh=0.3, voice_connector_id=SEED_CONNECTOR_ID,
                                proxy_session_id=SEED_SESSION_ID, **settings),
                   **clock.app_kwargs())
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        await clock.idle(app)
        state.set_fields(SEED_CONNECTOR_ID, SEED_SESSION_ID, {"Participants": after})
        await clock.advance(0.3)
        panel = app.screen.query_one(TimelinePanel)
        await wait_for(pilot, lambda: panel.border_subtitle == "1 change")
        await pilot.pause()
        yield pilot, panel


def panel_lines(panel: TimelinePanel) -> list[str]:
    return [panel.render_line(y).text.rstrip() for y in range(panel.size.height)]


@pytest.mark.parametrize("redact", [True, False])
async def test_at_80_columns_the_entry_shows_the_change_whole(server, state, isolated_env,
                                                              redact):
    """On screen at 80 columns: one line, both numbers, nothing cut; the events file
    keeps the whole old and new lists (masked with redaction on)."""
    events = isolated_env / "events.jsonl"
    before = state.sessions[SEED_CONNECTOR_ID][SEED_SESSION_ID].to_api()["Participants"]
    after = [dict(before[0], PhoneNumber="+12065550176"), *before[1:]]
    async with participants_changed(server, state, after, (80, 40), redact=redact,
                                    events_file=events) as (pilot, panel):
        lines = [x for x in panel_lines(panel) if x.strip()]
        await pilot.press("x")  # redaction toggled: the entry follows
        await pilot.pause()
        toggled = "\n".join(panel_lines(panel))
    masked = "+1*******00 → +1*******76"
    assert (masked in toggled) is not redact
    assert ("+12065550176" in toggled) is redact
    old, new = ("+1*******00", "+1*******76") if redact else ("+12065550100", "+12065550176")
    assert len(lines) == 1, lines
    assert lines[0].endswith(f"participant 1 number {old} → {new}"), lines
    assert "…" not in lines[0]
    [event] = [json.loads(x) for x in events.read_text().splitlines()]
    assert event["field"] == "Participants"
    assert event["old"][0]["PhoneNumber"] == old and event["new"][0]["PhoneNumber"] == new
    assert len(event["old"]) == len(event["new"]) == len(before)


async def test_a_participants_number_with_control_characters_is_shown_escaped(
        server, state):
    before = state.sessions[SEED_CONNECTOR_ID][SEED_SESSION_ID].to_api()["Participants"]
    after = [dict(before[0], PhoneNumber="+1206\x1b[2J555"), *before[1:]]
    async with participants_changed(server, state, after, (120, 40)) as (_, panel):
        shown = "\n".join(panel_lines(panel))
    assert "number +12065550100 → +1206\\x1b[2J555" in shown
    assert "\x1b" not in shown
