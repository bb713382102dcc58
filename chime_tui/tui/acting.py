"""The app side of a write: open its dialog (or say writes are off), send it, and after
it the timeline entry and the refresh of the screen that shows the session.

What is sent and checked is chime_tui.actions'; the dialogs are screens/dialogs.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chime_tui.actions import WRITES_OFF, Planned
from chime_tui.sending import Audit, Outcome, perform, success_message, timeline_entry

if TYPE_CHECKING:
    from chime_tui.tui.app import ChimeTuiApp
    from chime_tui.tui.screens.base import PollingScreen


def open_write(screen: PollingScreen, kind: str) -> None:
    """A write key: its dialog for the screen's session (or connector, for a create);
    with writes off, how to turn them on, and nothing sent."""
    app = screen.app
    if not app.settings.allow_writes:
        app.notify(WRITES_OFF, severity="warning", timeout=8)
        return
    from chime_tui.tui.screens.dialogs import WriteDialog

    if kind == "create":
        vc = screen.create_target()
        if not vc:
            app.notify("No voice connector here to create a session on: open one first",
                       severity="warning", timeout=4)
            return
        app.push_screen(WriteDialog(kind, vc))
        return
    target = screen.write_target()
    if target is None:
        app.notify("No session selected", severity="warning", timeout=3)
        return
    vc, sid, session = target
    if session is None:
        app.notify(f"Session {sid} has not loaded yet: nothing to act on", severity="warning",
                   timeout=4)
        return
    app.push_screen(WriteDialog(kind, vc, session))


async def perform_write(app: ChimeTuiApp, planned: Planned) -> Outcome:
    """Send it once through the app's client; the attempt goes to the events file."""
    return await perform(app.service, planned, Audit(app.settings.events_file,
                                                     bool(app.redact)))


def after_write(app: ChimeTuiApp, outcome: Outcome) -> None:
    """The timeline entry ("extended by you"), the session as the write's answer says,
    and a fetch at once on the screen under the dialog when it shows that session."""
    from chime_tui.tui.screens.base import PollingScreen

    if outcome.session is not None and outcome.session.key in app.tracker.last:
        app.track(outcome.session)  # a watched session: its changes, as the answer says
    entry = timeline_entry(outcome)
    if entry is not None:
        key, what, old, new = entry
        app.tracker.record_action(key, app.clock(), what, old, new,
                                  ended=outcome.planned.kind == "end")
        app.raise_alerts([])  # reports an events file that cannot be written
    for screen in reversed(app.screen_stack):
        if isinstance(screen, PollingScreen):
            screen.written(outcome)
            break
    if outcome.ok:
        app.notify(success_message(outcome), timeout=5)
    if outcome.audit_error:
        app.notify(outcome.audit_error, severity="error", timeout=10)


def list_connector(app: ChimeTuiApp, voice_connector_id: str) -> None:
    """After a create that may have happened: the connector's sessions, fetched now."""
    from chime_tui.tui.screens.sessions import SessionListScreen

    screen = app.screen
    if isinstance(screen, SessionListScreen) and screen.voice_connector_id == voice_connector_id:
        screen.action_refresh()
        return
    app.open_connector(voice_connector_id)
