"""Walk 1 findings 7, 8, 9, 10, 13 and 18: what the status lines, errors and toasts say
is readable in full (the state and the fix), at wide and narrow sizes, and says what
really happened."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from textual.geometry import Region
from textual.screen import Screen
from textual.widget import Widget

from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID
from chime_tui.tui.app import make_app
from chime_tui.tui.widgets.fetch_status import AlertLine, ErrorLine, FetchStatus

from .awscli import run_aws
from .conftest import app_settings, wait_for
from .test_cli import aws, chime_tui  # noqa: F401  (the session fixture)
from .test_layout_gaps import uncovered_rows
from .vclock import VirtualClock


def on_screen(screen: Screen[None], widget: Widget) -> str:
    """The text `widget` draws, line by line, after checking that nothing else (a toast)
    is drawn over any of its cells: what a person can read of it."""
    region = widget.region
    assert region.width and region.height, f"{widget!r} takes no room"
    for y in range(region.y, region.bottom):
        for x in range(region.x, region.right):
            top, _ = screen.get_widget_at(x, y)
            assert top is widget or widget in top.ancestors, (x, y, top)
    lines = widget.render_lines(Region(0, 0, region.width, region.height))
    return "\n".join(strip.text.rstrip() for strip in lines)


def flat(text: str) -> str:
    return " ".join(text.split())


def loaded(app) -> bool:
    return getattr(app.screen, "last_ok", None) is not None


@pytest.mark.parametrize("size", [(140, 45), (80, 24)])
async def test_the_error_line_shows_the_state_and_the_fix_at_140_and_80(server, state, size):
    """Finding 7: a 403's line ended at "run `aws sso" (140 cols), "— credentials" (80)."""
    app = make_app(app_settings(server, refresh=60, voice_connector_id=SEED_CONNECTOR_ID,
                                proxy_session_id=SEED_SESSION_ID))
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        state.faults.status, state.faults.status_count = 403, -1
        await pilot.press("r")
        line = app.screen.query_one(ErrorLine)
        await wait_for(pilot, lambda: line.display and line.outcome is not None)
        await pilot.pause(0.2)
        text = flat(on_screen(app.screen, line))
        assert text.startswith("⚠ showing data from"), text
        assert "(stale)" in text and "next try in" in text
        assert "credentials expired or not allowed" in text
        # The tests' keys are in the environment, where `aws sso login` cannot help
        # (walk 4 #9); with a profile, tests/test_faults.py sees the login hint.
        assert "(environment keys, AWS_ACCESS_KEY_ID): renew them and restart" in text, text
        assert text.endswith("or check IAM permissions"), text
        assert "sso login" not in text
        assert uncovered_rows(app.screen) == []


async def test_the_alert_line_says_what_and_which_session_at_40_columns(server, state):
    """Finding 7: at 40x12 the alert line was just `🔔 expiring: session`."""
    vc = list(state.connectors)[1]
    now = datetime.now(UTC)
    sid = next(s for s, v in state.sessions[vc].items() if v.status != "Closed"
               and v.expiry_minutes and timedelta(0) < v.created
               + timedelta(minutes=v.expiry_minutes) - now < timedelta(minutes=4))
    app = make_app(app_settings(server, refresh=60, voice_connector_id=vc,
                                proxy_session_id=sid))
    async with app.run_test(size=(40, 12)) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        line = app.screen.query_one(AlertLine)
        await wait_for(pilot, lambda: line.display)
        await pilot.pause(0.2)
        text = flat(on_screen(app.screen, line))
        assert text.startswith(f"🔔 expiring: session {sid[:8]}"), text
        assert "expires" in text, text


@pytest.mark.parametrize("size", [(40, 12), (80, 24)])
async def test_the_top_line_keeps_the_state_when_narrow(server, state, size):
    """Finding 13: at 40 columns the top line read `updated 10:59:13 UTC (25 ms) · 16`:
    paused and the stale age were cut. When the state does not fit, its parts are
    shortened instead (at 80 columns too, once fetching, paused, stale and redacted add
    up)."""
    clock = VirtualClock()
    app = make_app(app_settings(server, refresh=5, voice_connector_id=SEED_CONNECTOR_ID,
                                proxy_session_id=SEED_SESSION_ID, redact=True),
                   **clock.app_kwargs())
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await clock.idle(app)
        status = app.screen.query_one(FetchStatus)
        await pilot.press("p")
        await clock.advance(25.0)  # stale after two refreshes: 10 s
        await pilot.pause(0.1)
        text = on_screen(app.screen, status)
        assert "25 seconds ago" in text and "⏸ paused" in text, text
        state.faults.latency = 1.0  # a slow answer (real time: the endpoint's)
        await pilot.press("r")  # a fetch while paused: it says so
        await wait_for(pilot, lambda: status.fetching)
        await pilot.pause(0.05)
        text = on_screen(app.screen, status)
        assert "25 seconds ago" in text and "⟳ fetching" in text and "⏸ paused" in text, text
        if size[0] == 80:
            assert "redacted" in text, text
        state.faults.latency = 0.0
        await wait_for(pilot, lambda: not status.fetching)
        # Wide, the same state in full words.
        await pilot.resize_terminal(140, 45)
        await wait_for(pilot, lambda: status.content_size.width > 100)
        await pilot.pause(0.1)
        assert "updated " in on_screen(app.screen, status)


@pytest.mark.parametrize("size", [(140, 45), (80, 24)])
@pytest.mark.parametrize("key", ["e", "c"])
async def test_a_toast_is_read_in_full_and_hides_no_live_data(
        server, tmp_path, monkeypatch, size, key):
    """Finding 9: at 140 columns the export toast's second line (the path) was hidden
    and the copy toast's end ("to a file instead") too. Every line of the toast is drawn,
    nothing covers it, and it covers no live widget (tests/test_layout_gaps.py)."""
    from chime_tui.tui.widgets.panel import SessionPanel

    monkeypatch.chdir(tmp_path / "..")
    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
    app = make_app(app_settings(server, refresh=60, voice_connector_id=SEED_CONNECTOR_ID,
                                proxy_session_id=SEED_SESSION_ID, redact=True))
    async with app.run_test(size=size, notifications=True) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press(key)
        await wait_for(pilot, lambda: bool(app.screen.query("Toast")))
        await pilot.pause(0.3)
        message = app.notices[-1].message
        assert ("Exported (redacted) to ./proxy-session-" if key == "e" else "tmux may block it") in message
        (toast,) = app.screen.query("Toast")
        shown = on_screen(app.screen, toast).replace("▌", "")  # its left border
        assert "".join(shown.split()) == "".join(message.split()), (shown, message)
        if size[0] == 140:
            assert toast.region.height == 1, "one line at 140 columns"
        # It lies on the header and the top line only: nothing live under it.
        status = app.screen.query_one(FetchStatus)
        assert toast.region.bottom <= status.region.bottom, (toast.region, shown)
        live = [*app.screen.query(SessionPanel)]
        assert all(w.region.y > status.region.y for w in live)


@pytest.mark.parametrize("size", [(140, 45), (80, 24)])
async def test_settings_problems_are_listed_in_alerts_and_the_notice_goes(
        server, isolated_env, monkeypatch, size):
    """Finding 10: settings problems were one toast that never went away (over the header
    for the whole run, no key to dismiss it), with a literal `\\n` between problems."""
    from chime_tui.tui.screens.alerts import AlertsScreen

    from .test_settings_validation import launch_settings, write_config

    write_config('[keys]\nrefresh = "x"\npin = "j"\n')
    settings = launch_settings(monkeypatch, "--endpoint-url", server.url,
                               "--voice-connector-id", SEED_CONNECTOR_ID,
                               "--proxy-session-id", SEED_SESSION_ID)
    problems = list(settings.config_problems)
    assert len(problems) == 2 and "line 3" in problems[1], problems
    app = make_app(settings)
    async with app.run_test(size=size, notifications=True) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        notes = [n for n in app.notices if n.title == "Settings file"]
        assert len(notes) == 1, notes
        note = notes[0]
        assert "\\n" not in note.message and "\n" not in note.message, note
        assert note.message.startswith("config.toml: line 2: keys.refresh"), note
        assert "· line 3: keys.pin" in note.message and "(a lists them)" in note.message
        assert note.timeout is not None and note.timeout <= 30  # it goes by itself
        # Its title and one line, on the header and the top line only, read in full.
        await wait_for(pilot, lambda: bool(app.screen.query("Toast")))
        (toast,) = app.screen.query("Toast")
        shown = on_screen(app.screen, toast)
        assert "".join(note.message.split()) in "".join(shown.replace("▌", "").split())
        assert toast.region.bottom <= app.screen.query_one(FetchStatus).region.bottom
        # Every problem, whole, in the alerts history, read from the keyboard.
        await pilot.press("a")
        assert isinstance(app.screen, AlertsScreen)
        assert [a.message for a in app.screen.alerts if a.kind == "settings"] == problems
        await pilot.press("enter")  # a settings problem names no session to open
        await pilot.pause(0.1)
        assert isinstance(app.screen, AlertsScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, AlertsScreen)


def test_a_missing_profile_is_named_as_the_aws_cli_names_it(server, state, aws):  # noqa: F811
    """Finding 8: `--profile nope` printed "An error occurred (ProfileNotFound): credentials
    expired or not allowed (profile nope)…" and exited 253. The AWS CLI prints "The config
    profile (nope) could not be found" and exits 255: the same words, the same code."""
    ids = ["--voice-connector-id", SEED_CONNECTOR_ID, "--proxy-session-id", SEED_SESSION_ID,
           "--endpoint-url", server.url, "--region", "us-east-1"]
    ours = chime_tui("get-proxy-session", "--profile", "nope", *ids)
    theirs = run_aws(aws, "--profile", "nope", "chime-sdk-voice", "get-proxy-session", *ids,
                     text=True)
    assert theirs.returncode == 255 and "The config profile (nope) could not be found" \
        in theirs.stderr
    assert (ours.returncode, ours.stderr, ours.stdout) == \
        (theirs.returncode, theirs.stderr, theirs.stdout)
    assert state.requests == []  # nothing was sent


async def test_a_missing_profile_says_so_in_the_app(server, state):
    app = make_app(app_settings(server, refresh=60, voice_connector_id=SEED_CONNECTOR_ID,
                                proxy_session_id=SEED_SESSION_ID, profile="nope"))
    async with app.run_test(size=(140, 45)) as pilot:
        line = app.screen.query_one(ErrorLine)
        await wait_for(pilot, lambda: line.display and line.outcome is not None)
        await pilot.pause(0.1)
        text = flat(on_screen(app.screen, line))
        assert "profile nope not found" in text and "~/aws-config" in text, text
        assert "aws configure --profile nope" in text
        assert "credentials expired" not in text and "sso" not in text
        assert state.requests == []


async def test_the_demo_credentials_hint_names_what_the_header_names(server, state):
    """Finding 8: in --demo a 403 said "(the default credentials): run `aws sso login`"
    while the header said "profile demo"."""
    from chime_tui.demo import demo_aws_settings
    from chime_tui.settings import AppSettings

    from .conftest import aws_for

    app = make_app(AppSettings(aws=demo_aws_settings(aws_for(server), server), refresh=60,
                               demo=True, endpoint_name="demo endpoint",
                               voice_connector_id=SEED_CONNECTOR_ID,
                               proxy_session_id=SEED_SESSION_ID))
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        status = app.screen.query_one(FetchStatus)
        assert "profile demo ·" in on_screen(app.screen, status)
        state.faults.status, state.faults.status_count = 403, -1
        await pilot.press("r")
        line = app.screen.query_one(ErrorLine)
        await wait_for(pilot, lambda: line.display and line.outcome is not None)
        await pilot.pause(0.1)
        text = flat(on_screen(app.screen, line))
        assert "(profile demo" in text and "default credentials" not in text, text
        assert "aws sso login" not in text  # no profile to log in to: built-in keys


async def test_a_read_timeout_is_one_request_per_try(server, state, monkeypatch):
    """Finding 18: with a slow endpoint one try took two reads (botocore's own retry,
    total_max_attempts=2: "last try failed after 21.0 s") while the board said "1 request
    per refresh". The app owns the retries (its backoff, shown): one request per try, and
    the message says what happened (no answer in time), not "unreachable"."""
    from dataclasses import replace

    from .test_settings_validation import launch_settings

    settings = launch_settings(monkeypatch, "--endpoint-url", server.url,
                               "--cli-read-timeout", "0.5", "--refresh", "60")
    settings = replace(settings, voice_connector_id=SEED_CONNECTOR_ID,
                       proxy_session_id=SEED_SESSION_ID, pins_file=None)
    app = make_app(settings)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        state.faults.latency = 1.5
        before = state.served
        await pilot.press("r")
        line = app.screen.query_one(ErrorLine)
        await wait_for(pilot, lambda: line.display and line.outcome is not None)
        await pilot.pause(0.1)
        assert state.served - before == 1
        text = flat(on_screen(app.screen, line))
        assert f"timed out talking to {server.url}" in text, text
        assert "no answer within the read timeout" in text and "unreachable" not in text
        state.faults.latency = 0.0


def test_config_check_flags_a_profile_that_is_in_no_aws_file(isolated_env):
    """Finding 8: `config check` passed `profile = "nonexistent-profile"`."""
    from .test_settings_validation import write_config

    write_config('profile = "nonexistent-profile"\n')
    check = chime_tui("config", "check")
    assert check.returncode == 253, check
    assert "profile nonexistent-profile not found" in check.stderr
    assert "aws configure --profile nonexistent-profile" in check.stderr
    (isolated_env / "aws-config").write_text("[profile nonexistent-profile]\nregion = us-east-1\n")
    assert chime_tui("config", "check").returncode == 0
