"""Issue 11, item 12: the status and error lines say what is true while fetches are slow,
fail, or fail part way; a large listing is not listed again at once; a huge Name costs
a bounded render."""

from __future__ import annotations

import re
import time

from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID, EmulatorServer, EmulatorState, \
    populate
from chime_tui.monitor import Schedule
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.sessions import SessionListScreen
from chime_tui.tui.widgets.fetch_status import ErrorLine, FetchStatus
from chime_tui.tui.widgets.keyed_table import KeyedTable

from .conftest import app_settings, wait_for
from .test_app import detail_loaded, text_of

SCHEDULE = Schedule(floor=0.2, cap=1.0)  # the production schedule, shorter


def detail_app(server, **kw):
    kw.setdefault("refresh", 0.5)
    return make_app(app_settings(server, voice_connector_id=SEED_CONNECTOR_ID,
                                 proxy_session_id=SEED_SESSION_ID, schedule=SCHEDULE, **kw),
                    rng=lambda: 0.0)


def shown(widget) -> str:
    return widget.content.plain


def big_state(sessions: int) -> tuple[EmulatorState, str]:
    state = populate(EmulatorState(), seed=3, connectors=1, sessions=0,
                     big_connector_sessions=sessions)
    return state, list(state.connectors)[-1]


async def test_after_a_long_first_listing_the_next_waits_the_full_interval(tmp_path):
    state, vc = big_state(500)  # 5 pages
    state.faults.latency = 0.25  # about 1.3 s for the listing
    with EmulatorServer(state) as srv:
        app = make_app(app_settings(srv, voice_connector_id=vc, refresh=0.5, schedule=SCHEDULE),
                       rng=lambda: 0.0)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                           and app.screen.loaded, timeout=5)
            poller = app.screen.poller
            took = app.screen.query_one(FetchStatus).latency
            assert len(state.requests) == 5 and took > 1.0
            # Paced from the poll right after the first load (4 x its latency, not the
            # 0.5 s refresh), counted from the end of that fetch.
            assert poller.interval >= 4 * took
            assert poller.seconds_to_next() > 4 * took - 0.5
            await pilot.pause(1.5)
            assert len(state.requests) == 5  # no second listing yet
