"""Stale is said by the clock too, not only by a failed try (walk 4 #6): with no answer
for two refresh intervals (a fetch hanging until its read timeout, a pause) the screen
is marked stale, and the board's rows say so; the next answer marks it current. And a
board asks its connectors at once, so one hanging connector costs one read timeout, not
one per connector."""

from __future__ import annotations

from chime_tui.aws import ChimeVoiceClient
from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID
from chime_tui.tracking import BoardFetcher
from chime_tui.tui.app import make_app

from .conftest import app_settings, aws_for, wait_for
from .test_app import detail_loaded
from .test_board_gone import board_app, board_loaded, health
from .vclock import VirtualClock


async def test_a_session_screen_with_no_answer_for_two_intervals_is_marked_stale(server):
    clock = VirtualClock()
    app = make_app(app_settings(server, refresh=5.0, voice_connector_id=SEED_CONNECTOR_ID,
                                proxy_session_id=SEED_SESSION_ID), **clock.app_kwargs())
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: detail_loaded(app))
        await clock.idle(app)
        await pilot.press("p")  # no more answers
        await clock.advance(9.0)
        assert not app.screen.has_class("-stale")  # 9 s: within two intervals
        await clock.advance(2.0)
        await wait_for(pilot, lambda: app.screen.has_class("-stale"))
        await pilot.press("p")  # resumed: asks at once
        await wait_for(pilot, lambda: not app.screen.has_class("-stale"))


async def test_the_boards_rows_say_stale_with_no_answer_for_two_intervals(server, state,
                                                                        tmp_path):
    vc = list(state.connectors)[1]
    pins = tuple((vc, sid) for sid, s in state.sessions[vc].items() if s.status != "Closed")[:2]
    clock = VirtualClock()
    app = board_app(server, tmp_path, pins, clock)
    async with app.run_test(size=(140, 40)) as pilot:
        await board_loaded(pilot, clock, 1)
        assert health(app, pins[0]) == "ok"
        await pilot.press("p")
        await clock.advance(2 * app.screen.poller.interval + 1)
        await wait_for(pilot, lambda: health(app, pins[0]).startswith("stale, "))


class CountingClient(ChimeVoiceClient):
    """The real client, counting the listings under way at once."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.listing = 0
        self.most = 0

    async def iter_proxy_session_pages(self, *args, **kwargs):  # type: ignore[override]
        self.listing += 1
        self.most = max(self.most, self.listing)
        try:
            async for page in super().iter_proxy_session_pages(*args, **kwargs):
                yield page
        finally:
            self.listing -= 1


async def test_the_board_asks_its_connectors_at_once(server, state):
    state.faults.latency = 0.3  # each answer waits: listings one after another never overlap
    pins = [(vc, sid) for vc in list(state.connectors)[1:4]
            for sid in list(state.sessions[vc])[:1]]
    async with CountingClient(aws_for(server)) as client:
        result = await BoardFetcher(client).fetch(pins)
    assert set(result.sessions) == set(pins)
    assert client.most == 3
