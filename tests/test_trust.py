"""What a new user tripped over in the first hour (issue 12), pinned against the real
app and the local endpoint."""

from __future__ import annotations

from textual.widgets import Input, Label

from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.alerts import AlertsScreen
from chime_tui.tui.screens.detail import SessionDetailScreen
from chime_tui.tui.screens.open_by_id import OpenByIdScreen
from chime_tui.tui.screens.picker import ConnectorPickerScreen
from chime_tui.tui.screens.sessions import SessionListScreen
from chime_tui.tui.widgets.fetch_status import ErrorLine, FetchStatus

from .conftest import app_settings, wait_for
from .vclock import VirtualClock


async def test_esc_clears_the_filters_before_it_leaves(server, state):
    vc = list(state.connectors)[1]
    app = make_app(app_settings(server, refresh=60))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectorPickerScreen)
                       and app.screen.table.row_count == 4)
        app.open_connector(vc)
        await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                       and app.screen.loaded)
        screen = app.screen
        await pilot.press("slash", "o", "r", "d", "enter")  # "ord": typed, then the table
        await pilot.press("s")  # and a status filter
        assert screen.filter_text == "ord" and screen.status_filter == "Open"
        await pilot.press("escape")
        assert app.screen is screen and screen.query_one(Input).value == ""
        assert screen.status_filter == "Open"
        await pilot.press("escape")
        assert app.screen is screen and screen.status_filter is None
        assert screen.table.row_count == 40
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectorPickerScreen))


async def test_the_profile_in_use_is_named_everywhere(server, state, isolated_env,
                                                      monkeypatch):
    """AWS_PROFILE=oncall and AWS_REGION set: the top line and the credentials message
    name them (not "the default credentials", not "region from profile")."""
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    (isolated_env / "aws-credentials").write_text(
        "[oncall]\naws_access_key_id = AKIDONCALL\naws_secret_access_key = a\n")
    (isolated_env / "aws-config").write_text("[profile oncall]\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_PROFILE", "oncall")
    monkeypatch.setenv("AWS_REGION", "us-west-2")
    clock = VirtualClock()
    app = make_app(app_settings(server, refresh=0.5, voice_connector_id=SEED_CONNECTOR_ID,
                                proxy_session_id=SEED_SESSION_ID, region=None),
                   **clock.app_kwargs())
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionDetailScreen)
                       and app.screen.session is not None)
        await clock.idle(app)
        top = str(app.screen.query_one(FetchStatus).content)
        assert "│  profile oncall · us-west-2 · " in top  # the data's state first, then where
        state.faults.deny_keys = ["AKIDONCALL"]
        await clock.advance(0.5)  # the next poll
        await wait_for(pilot, lambda: app.screen.has_class("-stale"), timeout=4)
        error = str(app.screen.query_one(ErrorLine).content)
        assert "(profile oncall)" in error and "default credentials" not in error


async def test_the_open_by_id_error_wraps_instead_of_being_cut(server):
    app = make_app(app_settings(server, refresh=60, voice_connector_id=SEED_CONNECTOR_ID,
                                proxy_session_id=SEED_SESSION_ID))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, OpenByIdScreen))
        vc_input = app.screen.query_one("#vc-input", Input)
        vc_input.value = "NOT-A-CONNECTOR"
        await pilot.press("enter")
        await pilot.pause()
        label = app.screen.query_one("#vc-error", Label)
        message = str(label.render())
        assert message.endswith("(got 15 characters)")
        assert label.size.height >= 2  # wrapped in the box, whole


async def test_alerts_have_a_history_and_the_copy_says_where_it_may_not_arrive(
        server, state, monkeypatch):
    vc = list(state.connectors)[1]
    sid = next(s["ProxySessionId"] for s in state.list_sessions(vc) if s["Status"] == "Open")
    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
    clock = VirtualClock()
    app = make_app(app_settings(server, refresh=0.3, voice_connector_id=vc,
                                proxy_session_id=sid, alerts="notify"), **clock.app_kwargs())
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionDetailScreen)
                       and app.screen.session is not None)
        await clock.idle(app)
        state.set_status(vc, sid, "Closed")
        await clock.advance(0.3)  # the next poll
        await wait_for(pilot, lambda: any(a.kind == "status" for a in app.alerts_raised),
                       timeout=5)
        await pilot.press("a")
        assert isinstance(app.screen, AlertsScreen)
        assert [a.kind for a in app.screen.alerts][-1] == "status"
        await pilot.press("escape")
        await pilot.press("c")
        notes = [str(n.message) for n in app.notices]
        assert any("tmux may block it" in n and "e exports it to a file" in n for n in notes)


async def test_renewed_credentials_heal_within_seconds_without_a_key(
        server, state, isolated_env, monkeypatch):
    """After a 403 the production schedule waits 10 s and more (up to minutes) to retry;
    a renewed credentials file is noticed within a second or two and tried at once."""
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    creds = isolated_env / "aws-credentials"
    creds.write_text("[oncall]\naws_access_key_id = AKIDOLDKEY\naws_secret_access_key = a\n")
    (isolated_env / "aws-config").write_text("[profile oncall]\nregion = us-east-1\n")
    monkeypatch.setenv("AWS_PROFILE", "oncall")
    clock = VirtualClock()
    app = make_app(app_settings(server, refresh=5.0, voice_connector_id=SEED_CONNECTOR_ID,
                                proxy_session_id=SEED_SESSION_ID), **clock.app_kwargs())
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionDetailScreen)
                       and app.screen.session is not None)
        await clock.idle(app)
        state.faults.deny_keys = ["AKIDOLDKEY"]
        await pilot.press("r")
        await wait_for(pilot, lambda: app.screen.has_class("-stale"))
        await clock.idle(app)
        error = app.screen.query_one(ErrorLine)
        assert error.outcome is not None and error.outcome.next_delay >= 10  # no retry soon
        await clock.advance(1.0)  # the watch takes its first look (the app's 1 s tick)
        before = len(state.requests)
        creds.write_text("[oncall]\naws_access_key_id = AKIDNEWKEY\naws_secret_access_key = b\n")
        await clock.advance(1.0, settle=False)  # the next tick sees the change
        await wait_for(pilot, lambda: not app.screen.has_class("-stale"))
        # One try, at once: the scheduled one was 10 s and more away.
        assert state.requests[-1].status == 200 and len(state.requests) - before == 1
        notes = [str(n.message) for n in app.notices]
        assert "credentials changed — retrying" in notes


async def test_a_session_never_seen_is_not_found_not_gone(server, state):
    vc = list(state.connectors)[1]
    clock = VirtualClock()
    app = make_app(app_settings(server, refresh=0.3, voice_connector_id=vc,
                                proxy_session_id="0000aaaa-no-such-session"),
                   **clock.app_kwargs())
    async with app.run_test(size=(140, 40)) as pilot:
        line = app.screen.query_one(ErrorLine)
        await wait_for(pilot, lambda: line.display, timeout=4)
        assert "no session with this ID on this voice connector" in line.message()
        assert "ended or was deleted" not in line.message()
        from chime_tui.tui.widgets.status_panel import StatusPanel

        assert "not found" in str(app.screen.query_one(StatusPanel).render())
        await clock.idle(app)
        asked = len(state.requests)
        await clock.advance(30.0)  # no re-check (nothing was seen), no alert, not gone
        assert len(state.requests) == asked == 1
        assert app.alerts_raised == [] and not app.tracker.gone


async def test_a_pinned_session_is_marked_in_the_list(server, state, tmp_path):
    vc = list(state.connectors)[1]
    app = make_app(app_settings(server, refresh=60, voice_connector_id=vc,
                                pins_file=tmp_path / "pins.json"))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                       and app.screen.loaded)
        table = app.screen.table
        key = table.cursor_key
        assert str(table.get_cell(key, "pin")) == ""
        await pilot.press("m")
        assert (vc, key) in app.pins.pins
        assert table.render_line(1).text.lstrip().startswith("● ")
        await pilot.press("m")
        assert str(table.get_cell(key, "pin")) == ""


def test_pins_belong_to_where_they_were_made(monkeypatch):
    from chime_tui.__main__ import pins_file_name
    from chime_tui.aws.settings import AwsSettings

    monkeypatch.delenv("AWS_PROFILE", raising=False)
    assert pins_file_name(AwsSettings(), demo=True) == "pins-demo.json"
    assert pins_file_name(AwsSettings(endpoint_url="http://127.0.0.1:4566"), demo=False) == \
        "pins-endpoint-127.0.0.1_4566.json"
    assert pins_file_name(AwsSettings(profile="oncall"), demo=False) == \
        "pins-profile-oncall.json"
    assert pins_file_name(AwsSettings(), demo=False) == "pins.json"


def test_a_closed_pipe_is_not_a_traceback(server):
    import os
    import subprocess
    import sys

    cmd = (f"{sys.executable} -m chime_tui list-proxy-sessions --endpoint-url {server.url} "
           f"--voice-connector-id {list(server.state.connectors)[1]} --output human | head -1")
    result = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True,
                            text=True, env=dict(os.environ))
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr
    assert result.stdout.strip()


async def test_r_while_paused_refreshes_once_and_stays_paused_and_the_top_line_says_so(
        server, state):
    clock = VirtualClock()
    app = make_app(app_settings(server, refresh=0.3, voice_connector_id=SEED_CONNECTOR_ID,
                                proxy_session_id=SEED_SESSION_ID, redact=True),
                   **clock.app_kwargs())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionDetailScreen)
                       and app.screen.session is not None)
        await clock.idle(app)
        status = app.screen.query_one(FetchStatus)
        assert str(status.content).startswith("updated ")  # state first, at 80 columns too
        assert "every 0.3 s · numbers redacted" in str(status.content)
        await pilot.press("p")
        await clock.advance(0.5, settle=False)
        before = len(state.requests)
        assert before == 1  # paused before the poll due at 0.3 s
        await pilot.press("r")
        await wait_for(pilot, lambda: len(state.requests) == before + 1)
        await wait_for(pilot, lambda: not app.screen.poller.in_flight)
        await clock.advance(1.0, settle=False)
        assert len(state.requests) == before + 1  # once, and still paused
        assert app.screen.user_paused and "⏸ paused" in str(status.content)
        await pilot.press("x")
        assert "redacted" not in str(status.content)


async def test_the_empty_board_says_how_to_pin_and_offers_no_unpin(server, tmp_path):
    from chime_tui.tui.screens.board import BoardScreen

    app = make_app(app_settings(server, refresh=60, pins_file=tmp_path / "pins.json"))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen))
        await pilot.pause(0.2)
        assert "m pins the selected session" in str(app.screen.table.border_title)
        shown = {b.binding.action for b in app.screen.active_bindings.values()
                 if app.screen.check_action(b.binding.action, ())}
        assert "unpin" not in shown


def test_an_expiry_alert_says_what_the_expiry_panel_says():
    from datetime import timedelta

    from chime_tui.humanfmt import expiry_sentence
    from chime_tui.models import ProxySession
    from chime_tui.tracking import SessionTracker

    from .conftest import FIXED_NOW

    created = FIXED_NOW - timedelta(minutes=59, seconds=30)  # 30 s left of 60 minutes
    s = ProxySession.from_api({"VoiceConnectorId": "vc", "ProxySessionId": "sid",
                               "Status": "Open", "ExpiryMinutes": 60,
                               "CreatedTimestamp": created.isoformat()})
    _, alerts = SessionTracker().observe(s, FIXED_NOW)
    assert [a.message for a in alerts] == [f"session sid {expiry_sentence(s, FIXED_NOW)}"]
    assert "30 seconds" in alerts[0].message


async def test_an_alert_takes_a_line_of_its_own_instead_of_covering_the_timeline(server, state):
    from chime_tui.tui.widgets.fetch_status import AlertLine
    from chime_tui.tui.widgets.timeline_panel import TimelinePanel

    vc = list(state.connectors)[1]
    sid = next(s["ProxySessionId"] for s in state.list_sessions(vc) if s["Status"] == "Open")
    clock = VirtualClock()
    app = make_app(app_settings(server, refresh=0.3, voice_connector_id=vc,
                                proxy_session_id=sid, alerts="notify",
                                alert_threshold_minutes=0),  # status alerts only
                   **clock.app_kwargs())
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionDetailScreen)
                       and app.screen.session is not None)
        await clock.idle(app)
        line = app.screen.query_one(AlertLine)
        assert not line.display
        state.set_status(vc, sid, "Closed")
        await clock.advance(0.3)  # the next poll
        await wait_for(pilot, lambda: line.display, timeout=5)
        await pilot.pause(0.1)
        assert line.message.startswith("status: session ") and "→ Closed" in line.message
        assert not [n for n in app.notices if "chime-tui: status" in n.title]
        timeline = app.screen.query_one(TimelinePanel).region
        assert not timeline.overlaps(line.region)  # beside the timeline, not over it


async def test_a_404_blip_on_the_session_screen_is_not_a_deletion(server, state, monkeypatch):
    """A seen session answered NotFound once, then found again: no 'gone', no alert. A
    real deletion is confirmed by the next try, and alerted once."""
    monkeypatch.setattr(SessionDetailScreen, "recheck_seconds", 0.6)
    vc = list(state.connectors)[1]
    sid = next(s["ProxySessionId"] for s in state.list_sessions(vc) if s["Status"] == "Open")
    clock = VirtualClock()
    app = make_app(app_settings(server, refresh=0.3, voice_connector_id=vc,
                                proxy_session_id=sid, alert_threshold_minutes=0),
                   **clock.app_kwargs())
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionDetailScreen)
                       and app.screen.session is not None)
        await clock.idle(app)
        state.add_rule({"count": 1, "status": 404})
        await clock.advance(0.3)
        assert (vc, sid) in app.tracker.suspect
        mark = len(state.requests)
        await clock.advance(0.5)  # polling stopped on the 404; the re-check is at 0.6 s
        assert len(state.requests) == mark
        await clock.advance(0.1)
        assert len(state.requests) == mark + 1 and state.requests[-1].status == 200
        await wait_for(pilot, lambda: (vc, sid) not in app.tracker.suspect)
        assert not app.tracker.gone and not app.alerts_raised
        await clock.idle(app)
        state.delete_session(vc, sid)
        await clock.advance(0.3, settle=False)
        await wait_for(pilot, lambda: (vc, sid) in app.tracker.suspect)
        await clock.settle(2)  # the app's tick, and the re-check waiting its turn
        await clock.advance(0.6, settle=False)  # the re-check confirms it
        await wait_for(pilot, lambda: (vc, sid) in app.tracker.gone)
        assert [a.kind for a in app.alerts_raised] == ["gone"]


async def test_a_suspected_deletion_counts_down_to_its_re_check_instead_of_not_retrying(
        server, state, monkeypatch):
    """The first NotFound of a seen session stops the schedule, but the screen asks once
    more `recheck_seconds` later: the error line says when, not "not retrying". Once the
    re-check confirms the deletion, it counts down to the next check of a gone session
    (as often as the board checks a gone pin: tests/test_gone_session_screen.py)."""
    monkeypatch.setattr(SessionDetailScreen, "recheck_seconds", 3.0)
    vc = list(state.connectors)[1]
    sid = next(s["ProxySessionId"] for s in state.list_sessions(vc) if s["Status"] == "Open")
    clock = VirtualClock()
    app = make_app(app_settings(server, refresh=0.5, voice_connector_id=vc,
                                proxy_session_id=sid, alert_threshold_minutes=0),
                   **clock.app_kwargs())
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionDetailScreen)
                       and app.screen.session is not None)
        await clock.idle(app)
        state.delete_session(vc, sid)
        await clock.advance(0.5, settle=False)
        await wait_for(pilot, lambda: (vc, sid) in app.tracker.suspect)
        line = app.screen.query_one(ErrorLine)
        await wait_for(pilot, lambda: line.display and "next try in 3 s" in line.message())
        assert "not retrying" not in line.message()
        await clock.settle(2)  # the app's tick, and the re-check waiting its turn
        await clock.advance(1.0, settle=False)
        await wait_for(pilot, lambda: "next try in 2 s" in line.message())
        await clock.advance(2.0, settle=False)  # the re-check confirms it
        await wait_for(pilot, lambda: (vc, sid) in app.tracker.gone)
        await wait_for(pilot, lambda: "next try in 30 s" in line.message())
        assert "not retrying" not in line.message()
