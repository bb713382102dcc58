"""What a person sees, pinned: every screen and state, with a frozen clock.

Regenerate after an intended change with
`pytest -n 0 tests/test_snapshots.py --snapshot-update`
and review the SVGs in tests/__snapshots__/.
"""

from __future__ import annotations

import pytest

from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.detail import SessionDetailScreen
from chime_tui.tui.screens.expiring import ExpiringScreen
from chime_tui.tui.screens.sessions import SessionListScreen
from chime_tui.tui.widgets.fetch_status import ErrorLine
from chime_tui.tui.widgets.status_panel import StatusPanel

from .conftest import FIXED_NOW, app_settings, wait_for

SIZE = (120, 36)


def frozen_app(server, **kw):
    # Frozen wall clock, no jitter, zero latency: the same frame on every run.
    # The endpoint's port changes every run: name it instead.
    kw.setdefault("endpoint_name", "local endpoint")
    # Expiry alerts come from a one-second ticker: whether one has fired by the time of
    # the snapshot is a race, so snapshots show only the alerts a fetch raises.
    kw.setdefault("alert_threshold_minutes", 0)
    return make_app(app_settings(server, refresh=60, **kw), clock=lambda: FIXED_NOW,
                    rng=lambda: 0.0, timer=lambda: 0.0)


def loaded(app) -> bool:
    screen = app.screen
    fetched = getattr(screen, "last_ok", None) is not None
    poller = getattr(screen, "poller", None)
    return fetched and poller is not None and not poller.in_flight and proxy_read(app)


def proxy_read(app) -> bool:
    """A session list reads its connector's proxy settings after each listing (in a
    worker of its own): the header is drawn once that has answered."""
    vc = getattr(app.screen, "voice_connector_id", None)
    if not isinstance(app.screen, SessionListScreen) or vc is None:
        return True
    watch = app.fleet.connectors.get(vc)
    return watch is not None and (watch.proxy_known or watch.proxy_error is not None)


async def settle(pilot) -> None:
    await wait_for(pilot, lambda: loaded(pilot.app))
    await pilot.pause()


def test_connector_picker(snap_compare, frozen_server):
    assert snap_compare(frozen_app(frozen_server), terminal_size=SIZE, run_before=settle)


def test_session_list(snap_compare, frozen_server, frozen_state):
    vc = list(frozen_state.connectors)[1]
    app = frozen_app(frozen_server, voice_connector_id=vc)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_session_list_filtered_by_status(snap_compare, frozen_server, frozen_state):
    vc = list(frozen_state.connectors)[1]
    app = frozen_app(frozen_server, voice_connector_id=vc)

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("s", "s")  # InProgress only

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_session_detail_seed_example(snap_compare, frozen_server):
    app = frozen_app(frozen_server, voice_connector_id=SEED_CONNECTOR_ID,
                     proxy_session_id=SEED_SESSION_ID)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_session_detail_counting_down(snap_compare, frozen_server, frozen_state):
    vc = list(frozen_state.connectors)[1]
    sid = next(s for s, v in frozen_state.sessions[vc].items()
               if v.status == "InProgress" and v.geo_match_params)
    app = frozen_app(frozen_server, voice_connector_id=vc, proxy_session_id=sid)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_session_detail_closed(snap_compare, frozen_server, frozen_state):
    vc = list(frozen_state.connectors)[1]
    sid = next(s for s, v in frozen_state.sessions[vc].items() if v.status == "Closed")
    app = frozen_app(frozen_server, voice_connector_id=vc, proxy_session_id=sid)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_session_detail_stale_after_throttling(snap_compare, frozen_server, frozen_state):
    app = frozen_app(frozen_server, voice_connector_id=SEED_CONNECTOR_ID,
                     proxy_session_id=SEED_SESSION_ID)

    async def run_before(pilot):
        await settle(pilot)
        frozen_state.faults.throttle = -1
        await pilot.press("r")
        await wait_for(pilot, lambda: pilot.app.screen.query_one(ErrorLine).display)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_loading_before_first_answer(snap_compare, frozen_server, frozen_state):
    frozen_state.faults.latency = 30.0  # the first answer never comes during the snapshot
    app = frozen_app(frozen_server, voice_connector_id=SEED_CONNECTOR_ID,
                     proxy_session_id=SEED_SESSION_ID, read_timeout=60.0)

    async def run_before(pilot):
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SessionDetailScreen)
                       and pilot.app.screen.poller is not None
                       and pilot.app.screen.poller.in_flight)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_help_screen(snap_compare, frozen_server):
    app = frozen_app(frozen_server, voice_connector_id=SEED_CONNECTOR_ID,
                     proxy_session_id=SEED_SESSION_ID)

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_open_by_id_with_invalid_input(snap_compare, frozen_server):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+o", *"bad id", "enter")
        await pilot.pause()

    assert snap_compare(frozen_app(frozen_server), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (40, 12)])
def test_narrow_terminals(snap_compare, frozen_server, size):
    app = frozen_app(frozen_server, voice_connector_id=SEED_CONNECTOR_ID,
                     proxy_session_id=SEED_SESSION_ID, redact=True)
    assert snap_compare(app, terminal_size=size, run_before=settle)


def _pins(state, n=4):
    vc = list(state.connectors)[1]
    return tuple((vc, sid) for sid, s in state.sessions[vc].items() if s.status != "Closed")[:n] \
        + ((SEED_CONNECTOR_ID, SEED_SESSION_ID),)


def test_watch_board(snap_compare, frozen_server, frozen_state, tmp_path):
    app = frozen_app(frozen_server, pins=_pins(frozen_state), pins_file=tmp_path / "pins.json")
    assert snap_compare(app, terminal_size=(140, 30), run_before=settle)


def test_watch_board_with_a_session_gone(snap_compare, frozen_server, frozen_state, tmp_path):
    pins = _pins(frozen_state)
    app = frozen_app(frozen_server, pins=pins, pins_file=tmp_path / "pins.json")

    async def run_before(pilot):
        await settle(pilot)
        frozen_state.delete_session(*pins[1])
        await pilot.press("r")
        await wait_for(pilot, lambda: pins[1] in pilot.app.tracker.gone)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(140, 30), run_before=run_before)


def test_detail_timeline_after_changes(snap_compare, frozen_server, frozen_state):
    vc, sid = _pins(frozen_state, 1)[0]
    app = frozen_app(frozen_server, voice_connector_id=vc, proxy_session_id=sid)

    async def run_before(pilot):
        await settle(pilot)
        frozen_state.set_status(vc, sid, "Closed")
        await pilot.press("r")
        await wait_for(pilot, lambda: pilot.app.screen.query_one(StatusPanel)
                       .has_class("-changed"))
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (40, 12)])
def test_session_list_in_narrow_terminals(snap_compare, frozen_server, frozen_state, size):
    """What matters stays: status and time left, a short ID; the state of the data
    (updated, stale) on the top line."""
    vc = list(frozen_state.connectors)[1]
    app = frozen_app(frozen_server, voice_connector_id=vc)
    assert snap_compare(app, terminal_size=size, run_before=settle)


def test_watch_board_at_80_columns(snap_compare, frozen_server, frozen_state, tmp_path):
    """Status, time left and health stay; the rest shrinks or goes."""
    app = frozen_app(frozen_server, pins=_pins(frozen_state), pins_file=tmp_path / "p.json")
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


@pytest.mark.parametrize("size", [(140, 30), (80, 24)])
def test_alerts_list(snap_compare, frozen_server, frozen_state, size):
    """The whole width: When, Kind, What (the transition) and the session, once."""
    app = frozen_app(frozen_server, voice_connector_id=SEED_CONNECTOR_ID,
                     proxy_session_id=SEED_SESSION_ID)

    async def run_before(pilot):
        await settle(pilot)
        frozen_state.set_status(SEED_CONNECTOR_ID, SEED_SESSION_ID, "InProgress")
        await pilot.press("r")
        await wait_for(pilot, lambda: len(pilot.app.alerts_raised) == 1)
        await pilot.press("a")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_help_at_80x24_on_the_board(snap_compare, frozen_server, frozen_state, tmp_path):
    """The keys as a list with a cursor; the hint names the keys that scroll it."""
    app = frozen_app(frozen_server, pins=_pins(frozen_state), pins_file=tmp_path / "p.json")

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_session_detail_pinned(snap_compare, frozen_server, tmp_path):
    """● pinned in the title; the footer offers m Unpin."""
    app = frozen_app(frozen_server, voice_connector_id=SEED_CONNECTOR_ID,
                     proxy_session_id=SEED_SESSION_ID, pins_file=tmp_path / "p.json")

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("m")
        pilot.app.clear_notifications()  # the "Pinned" toast: not what this pins
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


# -- the whole picture (issue 15): at 140x45 and at 80x24 --------------------------------
FLEET_SIZES = [(140, 45), (80, 24)]


@pytest.mark.parametrize("size", FLEET_SIZES)
def test_picker_proxy_column_and_counts(snap_compare, frozen_server, size):
    """Proxy on / ⚠ off / not configured, the fallback number, counts after `c`."""
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("c")
        await wait_for(pilot, lambda: "9 requests" in str(
            pilot.app.screen.table.border_subtitle))
        await settle(pilot)

    assert snap_compare(frozen_app(frozen_server), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", FLEET_SIZES)
def test_session_list_header_of_a_disabled_connector(snap_compare, frozen_server,
                                                     frozen_state, size):
    vc = list(frozen_state.connectors)[2]  # rides eu: proxying disabled
    app = frozen_app(frozen_server, voice_connector_id=vc, redact=True)

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("r")  # two listings: the sparklines draw
        await wait_for(pilot, lambda: len(pilot.app.fleet.connectors[vc].samples) == 2)
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", FLEET_SIZES)
def test_expiring_next(snap_compare, frozen_server, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ExpiringScreen)
                       and pilot.app.screen.data is not None)
        await settle(pilot)

    assert snap_compare(frozen_app(frozen_server, redact=True), terminal_size=size,
                        run_before=run_before)
