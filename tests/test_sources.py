"""The data sources behind the screens, on their own: no Textual, the real local
endpoint over loopback, a plain host in place of the app."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chime_tui.aws.client import ChimeVoiceClient
from chime_tui.aws.errors import NotFound
from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID, EmulatorServer, EmulatorState, populate
from chime_tui.emulator.state import to_api
from chime_tui.models import ProxySession
from chime_tui.monitor import Change
from chime_tui.pins import PinStore
from chime_tui.prefetch import END_OF_LISTING, Prefetch
from chime_tui.sources import (
    ConnectorSessions,
    OneSession,
    PinnedSessions,
    Source,
    sort_sessions,
)
from chime_tui.tracking import Alert, SessionTracker

from .conftest import aws_for


class Host:
    """What the app gives a source: a client, a tracker, a clock, the helper's hand-off."""

    def __init__(self, server: EmulatorServer, prefetch: Prefetch | None = None,
                 start: tuple[str, str | None] = (SEED_CONNECTOR_ID, None)) -> None:
        self.service = ChimeVoiceClient(aws_for(server))
        self.tracker = SessionTracker(timedelta(minutes=0))
        self.pins = PinStore(None)
        self.now = datetime.now(UTC)
        self.clock = lambda: self.now
        self.ticks = 0.0
        self.timer = lambda: self.ticks
        self.prefetch = prefetch
        self.start = start
        self.alerts: list[Alert] = []
        self.client_opened_after: list[float] = []

    @property
    def prefetch_timeout(self) -> float:
        return 30.0

    def take_prefetch(self, vc: str, sid: str | None) -> Prefetch | None:
        if (vc, sid) != self.start:
            return None
        prefetch, self.prefetch = self.prefetch, None
        return prefetch

    def open_client_later(self, delay: float) -> None:
        self.client_opened_after.append(delay)

    def raise_alerts(self, alerts: list[Alert]) -> None:
        self.alerts.extend(alerts)

    def track(self, session: ProxySession) -> list[Change]:
        changes, alerts = self.tracker.observe(session, self.clock())
        self.raise_alerts(alerts)
        return changes


def big_state(sessions: int = 250) -> tuple[EmulatorState, str]:
    state = populate(EmulatorState(), seed=4, connectors=1, big_connector_sessions=sessions)
    big = [vc for vc, c in state.connectors.items() if c.name == "load test"][0]
    return state, big


def helper_writing(tmp_path: Path, pages: list[list[dict[str, object]]], end: bool) -> Prefetch:
    """A start-up helper (a real process) that writes these pages, and the end line or not."""
    lines = "".join(json.dumps(p) + "\n" for p in pages)
    if end:
        lines += json.dumps(END_OF_LISTING) + "\n"
    path = tmp_path / "pages.jsonl"
    path.write_text(lines)
    script = f"import sys; sys.stdout.write(open({str(path)!r}).read()); sys.exit({0 if end else 1})"
    return Prefetch(subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE),
                    listing=True)


# -- the sessions of a connector ---------------------------------------------------------

async def test_the_first_listing_is_handed_out_page_by_page_then_sorted_whole():
    state, big = big_state(250)
    with EmulatorServer(state) as srv:
        host = Host(srv)
        pages: list[list[ProxySession]] = []
        source = ConnectorSessions(host, big, 5.0, order=lambda: "id", on_page=pages.append)
        try:
            listing = await source.fetch()
            assert [len(p) for p in pages] == [100, 100, 50]  # as they came, 100 a page
            ids = [s.proxy_session_id for s in listing.sessions]
            assert listing.sorted_by == "id" and ids == sorted(ids) and len(ids) == 250
            assert state.request_count("proxy-sessions") == 3
            again = await source.fetch()  # a refresh: the whole listing only
            assert len(pages) == 3 and len(again.sessions) == 250
            assert state.request_count("proxy-sessions") == 6
        finally:
            await host.service.close()


async def test_the_helpers_listing_comes_first_and_a_broken_one_is_listed_again(tmp_path):
    state, big = big_state(250)
    items = [to_api(s) for s in state.session_items(big)]
    with EmulatorServer(state) as srv:
        host = Host(srv, helper_writing(tmp_path, [items[:100], items[100:]], end=True),
                    start=(big, None))
        pages: list[list[ProxySession]] = []
        source = ConnectorSessions(host, big, 5.0, on_page=pages.append)
        listing = await source.fetch()
        assert len(listing.sessions) == 250 and [len(p) for p in pages] == [100, 150]
        assert state.request_count() == 0  # every page came from the helper
        assert host.client_opened_after == [2.0]  # our client opens once the rows are in
        assert host.prefetch is None  # taken once

        broken = Host(srv, helper_writing(tmp_path, [items[:100]], end=False),
                      start=(big, None))
        source = ConnectorSessions(broken, big, 5.0)
        try:
            listing = await source.fetch()
            assert len({s.proxy_session_id for s in listing.sessions}) == 250
            assert state.request_count("proxy-sessions") == 3  # from the first page again
            assert broken.client_opened_after == []
        finally:
            await broken.service.close()


async def test_large_listings_are_polled_less_often_not_counting_the_clients_opening(server):
    host = Host(server)
    source = ConnectorSessions(host, SEED_CONNECTOR_ID, 5.0)
    pace = source.pace
    assert pace is not None
    source.setup_time = 1.5  # the first fetch opened the client
    assert pace(2.0) == 5.0  # a small list keeps the interval
    assert pace(4.0) == 10.0  # 2.5 s of listing: at least 4 times that
    assert Source(5.0).pace is None  # other sources keep their interval


async def test_sort_orders_every_session_by_the_named_key():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    sessions = [ProxySession.from_api({"ProxySessionId": sid, "Status": status,
                                       "VoiceConnectorId": "v", "Participants": []})
                for sid, status in (("b", "Closed"), ("c", "Open"), ("a", "InProgress"))]
    assert [s.proxy_session_id for s in await sort_sessions(sessions, "status", now)] == \
        ["c", "a", "b"]
    assert [s.proxy_session_id for s in await sort_sessions(sessions, "id", now)] == \
        ["a", "b", "c"]


# -- one session -------------------------------------------------------------------------

async def test_one_session_is_tracked_and_its_changes_returned(server, state):
    host = Host(server)
    source = OneSession(host, SEED_CONNECTOR_ID, SEED_SESSION_ID, 5.0)
    try:
        first = await source.fetch()
        assert first.session.proxy_session_id == SEED_SESSION_ID and first.changes == []
        assert host.tracker.last[source.key] is first.session
        state.set_status(SEED_CONNECTOR_ID, SEED_SESSION_ID, "Closed")
        second = await source.fetch()
        assert "Status" in [c.field for c in second.changes]
        assert [a.kind for a in host.alerts] == ["status"]
        assert host.tracker.timelines[source.key]  # the change is on the timeline
    finally:
        await host.service.close()


async def test_not_found_is_not_gone_until_a_later_try_confirms_it(server, state):
    host = Host(server)
    never = OneSession(host, SEED_CONNECTOR_ID, "no-such-session", 5.0)
    with pytest.raises(NotFound, match="no session with this ID"):
        await never.fetch()
    assert host.alerts == [] and not never.gone  # never seen: not found, not gone

    source = OneSession(host, SEED_CONNECTOR_ID, SEED_SESSION_ID, 5.0, recheck_seconds=5.0)
    try:
        await source.fetch()
        state.delete_session(SEED_CONNECTOR_ID, SEED_SESSION_ID)
        with pytest.raises(NotFound):
            await source.fetch()
        assert source.key in host.tracker.suspect and not source.gone and host.alerts == []
        host.now += timedelta(seconds=5)  # the re-check, a few seconds later
        with pytest.raises(NotFound):
            await source.fetch()
        assert source.gone and [a.kind for a in host.alerts] == ["gone"]
    finally:
        await host.service.close()


async def test_the_helpers_session_comes_first(server, state):
    prefetch = Prefetch.start(aws_for(server), SEED_CONNECTOR_ID, SEED_SESSION_ID)
    host = Host(server, prefetch, start=(SEED_CONNECTOR_ID, SEED_SESSION_ID))
    source = OneSession(host, SEED_CONNECTOR_ID, SEED_SESSION_ID, 5.0)
    before = len(state.requests)
    update = await source.fetch()
    assert update.session.proxy_session_id == SEED_SESSION_ID
    assert host.service.request_count == 0 and host.client_opened_after == [0.5]
    assert len(state.requests) == before + 1  # the helper's one request
    assert host.prefetch is None


# -- the watch board ---------------------------------------------------------------------

async def test_the_board_tracks_its_pins_and_flags_a_missing_one(server, state):
    host = Host(server)
    vc = SEED_CONNECTOR_ID
    sids = sorted(state.sessions[vc])[:2]
    for sid in sids:
        host.pins.add((vc, sid))
    source = PinnedSessions(host, 5.0)
    try:
        update = await source.fetch()
        assert set(update.result.sessions) == {(vc, s) for s in sids}
        assert update.health == set() and all(c == [] for c in update.changes.values())
        state.delete_session(vc, sids[0])
        update = await source.fetch()
        # Missing from a complete listing and NotFound to a get after it: confirmed.
        assert update.health == {(vc, sids[0])}
        assert (vc, sids[0]) in host.tracker.gone
        assert [a.kind for a in host.alerts] == ["gone"]
        assert (vc, sids[0]) in source.rechecked
    finally:
        await host.service.close()
