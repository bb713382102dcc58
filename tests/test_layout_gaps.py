"""Issue 12.17: after `p` then `r` on the session screen, five rows above the footer
were left blank. The cause: Textual's grid sizes an `auto` row by one column's width,
even for a widget that spans all three, so the Timeline (a full-width panel whose
"old → new" column wraps when narrow) was measured as if a third as wide, and its row
was made taller than the panel. The rows between the panel and the footer belonged to
no widget. Here every row between the top line and the footer must belong to a
widget that draws it, at wide and narrow sizes, after changes fill the Timeline."""

from __future__ import annotations

import pytest
from textual.containers import Grid
from textual.screen import Screen

from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID
from chime_tui.tui.app import make_app
from chime_tui.tui.widgets.timeline_panel import TimelinePanel

from .conftest import app_settings, wait_for


def uncovered_rows(screen: Screen[None]) -> list[int]:
    """Rows where only the screen or the panels' grid shows through."""
    width, height = screen.size
    rows = []
    for y in range(height):
        for x in (2, width // 2, width - 3):
            widget, _ = screen.get_widget_at(x, y)
            if isinstance(widget, (Screen, Grid)):
                rows.append(y)
                break
    return rows


async def settled(pilot, screen: Screen[None]) -> None:
    """Under load the panels' first drawing and the layout after the Timeline grows can
    take a few frames (while loading, six one-line panels do not fill a narrow screen):
    what must never happen is rows left blank once it has settled (the bug sat there for
    good)."""
    try:
        await wait_for(pilot, lambda: uncovered_rows(screen) == [], timeout=3)
    except AssertionError:
        pass


@pytest.mark.parametrize("size", [(140, 45), (120, 36), (80, 24)])
async def test_no_blank_rows_when_the_timeline_fills(server, state, size):
    app = make_app(app_settings(server, refresh=60, voice_connector_id=SEED_CONNECTOR_ID,
                                proxy_session_id=SEED_SESSION_ID, alert_threshold_minutes=0))
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "last_ok", None) is not None)
        await settled(pilot, app.screen)
        assert uncovered_rows(app.screen) == []
        await pilot.press("p")
        # Three changes with long old → new values: the Timeline gets three lines.
        state.update_session(SEED_CONNECTOR_ID, SEED_SESSION_ID,
                             {"Capabilities": ["Voice"], "ExpiryMinutes": 90})
        await pilot.press("r")
        timeline = app.screen.query_one(TimelinePanel)
        await wait_for(pilot, lambda: len(timeline.changes) >= 3)
        await settled(pilot, app.screen)
        assert uncovered_rows(app.screen) == []


async def test_a_row_hidden_by_the_users_own_filter_is_no_news(server, state):
    """Typing a filter or cycling the status filter moves the cursor off rows the user
    chose to hide: a notice per key press would bury the screen. A row the API stopped
    listing is still announced (tests/test_truth.py)."""
    from chime_tui.tui.screens.sessions import SessionListScreen

    vc = list(state.connectors)[1]
    app = make_app(app_settings(server, refresh=60, voice_connector_id=vc))
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                       and app.screen.loaded and app.screen.table.row_count == 40)
        seen: list[str] = []
        original = app.notify

        def record(message: str, **kw: object) -> None:
            seen.append(str(message))
            original(message, **kw)  # type: ignore[arg-type]

        app.notify = record  # type: ignore[method-assign]
        await pilot.press("s", "s", "s")  # the status filter, three times
        await pilot.press("slash", *"zz-no-such")
        await pilot.pause(0.3)
        assert app.screen.table.row_count == 0
        assert not [n for n in seen if "left the list" in n], seen


def covered_live_points(screen: Screen[None], live: list) -> list[tuple[int, int, str]]:
    """Points of the live widgets (panels, tables, alert and error lines) where another
    widget (a toast) is drawn on top."""
    hidden = []
    for widget in live:
        region = widget.region
        for y in range(region.y, region.bottom):
            for x in range(region.x, region.right, 3):
                top, _ = screen.get_widget_at(x, y)
                if top is not widget and widget not in top.ancestors:
                    hidden.append((x, y, type(top).__name__))
    return hidden


async def test_toasts_hide_no_live_data(server, state):
    """Item 12.10: a toast (pause, pin, copy) sits over the header's right half, not
    over the Timeline, the panels, the alert line or the table."""
    from chime_tui.tui.widgets.fetch_status import AlertLine, ErrorLine
    from chime_tui.tui.widgets.panel import SessionPanel

    app = make_app(app_settings(server, refresh=60, voice_connector_id=SEED_CONNECTOR_ID,
                                proxy_session_id=SEED_SESSION_ID))
    async with app.run_test(size=(140, 45), notifications=True) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "last_ok", None) is not None)
        await pilot.press("p", "m")  # two toasts at once
        await pilot.pause(0.3)
        screen = app.screen
        live = [*screen.query(SessionPanel), *[w for w in screen.query(AlertLine) if w.display],
                *[w for w in screen.query(ErrorLine) if w.display]]
        width, height = screen.size
        toasts = {type(screen.get_widget_at(x, y)[0]).__name__
                  for y in range(height) for x in range(0, width, 2)} & {"Toast"}
        assert toasts, "the toasts this test is about were not shown"
        assert covered_live_points(screen, live) == []
