"""What the dashboard does before its first frame (issue 14: TUI first frame <= 0.6 x the AWS
CLI's get). The timing itself lives in benchmarks/ (scenario_startup); these pin the
mechanisms: the start screen is pushed once the app has mounted (its first layout is the
first frame, not one Textual throws away), only the start screen's modules are loaded by
then, and the cyclic collector is paused until that frame is out."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID
from chime_tui.tui.app import ChimeTuiApp, make_app
from chime_tui.tui.screens.detail import SessionDetailScreen

from .conftest import aws_for, wait_for

# Opened at a session, none of these is needed for the first frame: each is loaded when
# first used (polling, which starts after it, the writes, the board, the help...).
LATER = (
    "aiobotocore", "botocore", "aiohttp",  # the app's own client: after the first frame
    "chime_tui.sources", "chime_tui.tracking", "chime_tui.fleet",  # polling, tracking
    "chime_tui.actions", "chime_tui.sending", "chime_tui.tui.acting",  # the writes
    "chime_tui.tui.screens.dialogs", "chime_tui.tui.screens.help",
    "chime_tui.tui.screens.board", "chime_tui.tui.screens.sessions",
    "chime_tui.tui.screens.picker", "chime_tui.tui.screens.alerts",
    "chime_tui.documents", "chime_tui.cli.output", "humanize", "jmespath",
    "textual.widgets._data_table", "chime_tui.tui.widgets.keyed_table",
)

# Runs the real app (headless) opened at a session; at the first frame (the first
# refresh of the start screen) it prints what it saw as JSON, then quits.
FIRST_FRAME = """
import gc, json, sys
from chime_tui.tui.startup import pause_gc
if {pause}:
    pause_gc()
from chime_tui.aws.settings import AwsSettings
from chime_tui.settings import AppSettings
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.detail import SessionDetailScreen

seen = {{}}
mounted = SessionDetailScreen.on_mount

def on_mount(self):
    # The screen's first callback after a refresh: before polling starts (which
    # asks for its own after the screen resumes).
    seen["gc while building"] = gc.isenabled()
    mounted(self)
    self.call_after_refresh(first_frame, self.app)

def first_frame(app):
    screen = app.screen
    seen["screen"] = type(screen).__name__
    seen["panels"] = [str(p.border_title) for p in screen.query(".panel")]
    seen["loaded"] = sorted(m for m in {later!r} if m in sys.modules)
    app.set_timer(0.3, lambda: after_first_frame(app))  # the frame's other callbacks ran

def after_first_frame(app, waited=0):
    # Once the app's own client is open: opening it pauses the collector for a moment
    # (chime_tui.aws.client._make_session), whatever the app's start did.
    if not app.service.is_open and waited < 300:
        app.set_timer(0.05, lambda: after_first_frame(app, waited + 1))
        return
    seen["client open"] = app.service.is_open
    seen["gc after"] = gc.isenabled()
    app.exit()

SessionDetailScreen.on_mount = on_mount
app = make_app(AppSettings(aws=AwsSettings(endpoint_url={url!r}, region="us-east-1"),
                           voice_connector_id={vc!r}, proxy_session_id={sid!r}))
app.run(headless=True, size=(120, 36))
print(json.dumps(seen))
"""


def first_frame(server, pause: bool) -> dict:
    code = FIRST_FRAME.format(pause=pause, later=LATER, url=server.url, vc=SEED_CONNECTOR_ID,
                              sid=SEED_SESSION_ID)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_at_the_first_frame_only_the_start_screens_modules_are_loaded(server):
    seen = first_frame(server, pause=False)
    # The frame is the session's screen, its panels there (titled, before any data)...
    assert seen["screen"] == "SessionDetailScreen"
    assert seen["panels"] == ["1 Status", "2 Capabilities", "3 Expiry", "4 Participants",
                              "5 Details", "6 Timeline"]
    # ... and nothing that only later work needs is loaded yet.
    assert seen["loaded"] == []


def test_the_collector_is_paused_until_the_first_frame_is_out(server):
    seen = first_frame(server, pause=True)
    assert seen["gc while building"] is False
    assert seen["client open"] is True and seen["gc after"] is True


def test_the_app_does_not_start_the_collector_it_did_not_pause(server):
    seen = first_frame(server, pause=False)
    assert seen["gc while building"] is True
    assert seen["client open"] is True and seen["gc after"] is True


@pytest.mark.parametrize("short_lived", [False, True])
def test_the_command_line_pauses_the_collector_for_the_dashboard_and_restores_it(short_lived):
    """`chime-tui --voice-connector-id VC --proxy-session-id SID`: paused before the
    helper is spawned (which is before Textual is imported: tests/test_sync_path.py),
    still paused when the app runs, and running again once the command line returns,
    whatever the app did. The same from the console script (`short_lived`, whose own
    pause for one-shot commands ends before the dashboard's begins)."""
    code = (
        "import gc, sys\n"
        "import chime_tui.prefetch as p\n"
        "seen = []\n"
        "def spawn(cls, spec, env, listing=False):\n"
        "    seen.append(('spawn', gc.isenabled()))\n"
        "    return cls(None)\n"
        "p.Prefetch._spawn = classmethod(spawn)\n"
        "from chime_tui.tui.app import ChimeTuiApp\n"
        "def run(self, *a, **k):\n"
        "    seen.append(('run', gc.isenabled()))\n"
        "ChimeTuiApp.run = run\n"
        "import chime_tui.__main__ as m\n"
        "m.has_terminal = lambda: True\n"  # (its output is captured)
        "from chime_tui.__main__ import main\n"
        f"rc = main(['--endpoint-url', 'http://127.0.0.1:9', '--voice-connector-id', "
        f"{SEED_CONNECTOR_ID!r}, '--proxy-session-id', {SEED_SESSION_ID!r}], "
        f"short_lived={short_lived})\n"
        "seen.append(('after', rc, gc.isenabled()))\n"
        "print(seen)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == \
        "[('spawn', False), ('run', False), ('after', 0, True)]"


async def test_the_start_screen_is_pushed_once_the_app_has_mounted(server, monkeypatch):
    """Textual draws nothing while the app mounts: a screen pushed from on_mount was laid
    out and rendered for a frame that was thrown away (its footer's keys composed twice on
    the way), then drawn again. It is pushed on the next turn of the app's queue."""
    events: list[object] = []
    mounted = ChimeTuiApp.on_mount
    opened = ChimeTuiApp.open_start_screens

    def on_mount(self: ChimeTuiApp) -> None:
        mounted(self)
        events.append(("mounted", [type(s).__name__ for s in self.screen_stack]))

    def open_start_screens(self: ChimeTuiApp) -> None:
        events.append("open")
        opened(self)

    monkeypatch.setattr(ChimeTuiApp, "on_mount", on_mount)
    monkeypatch.setattr(ChimeTuiApp, "open_start_screens", open_start_screens)
    from chime_tui.settings import AppSettings

    app = make_app(AppSettings(aws=aws_for(server), voice_connector_id=SEED_CONNECTOR_ID,
                               proxy_session_id=SEED_SESSION_ID))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionDetailScreen)
                       and app.screen.session is not None)
    assert events == [("mounted", ["Screen"]), "open"]
