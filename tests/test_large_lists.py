"""Large lists: streamed pages, sorted once, prefetch."""

from __future__ import annotations

from chime_tui.emulator import (
    SEED_CONNECTOR_ID,
    SEED_SESSION_ID,
    EmulatorServer,
    EmulatorState,
    populate,
)
from chime_tui.prefetch import Prefetch
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.sessions import SessionListScreen
from chime_tui.tui.widgets.keyed_table import KeyedTable

from .conftest import app_settings, aws_for, wait_for


async def test_a_big_connector_streams_then_sorts_and_counts_every_row(tmp_path):
    state = populate(EmulatorState(), seed=4, connectors=1, big_connector_sessions=2500)
    big = [vc for vc, c in state.connectors.items() if c.name == "load test"][0]
    with EmulatorServer(state) as srv:
        app = make_app(app_settings(srv, voice_connector_id=big, refresh=60))
        titles: list[str] = []
        async with app.run_test(size=(120, 36)) as pilot:
            def done() -> bool:
                table = app.screen.query_one(KeyedTable)
                titles.append(str(table.border_title))
                return isinstance(app.screen, SessionListScreen) and \
                    str(table.border_title).startswith("Sessions 2,500 · ")
            await wait_for(pilot, done, timeout=30)
            screen = app.screen
            table = screen.query_one(KeyedTable)
            shown = list(table.ordered_keys)
            assert shown == [s.proxy_session_id for s in screen.visible_sessions()]
            await pilot.press("ctrl+end")
            assert table.cursor_row == 2499
    assert any("loading…" in t for t in titles)  # rows appeared while pages still came in


async def test_prefetch_helper_answers_first_and_falls_back_when_it_cannot(server, state):
    settings = app_settings(server, voice_connector_id=SEED_CONNECTOR_ID,
                            proxy_session_id=SEED_SESSION_ID)
    prefetch = Prefetch.start(settings.aws, SEED_CONNECTOR_ID, SEED_SESSION_ID)
    raw = prefetch.result(timeout=30)
    assert raw is not None and raw["ProxySessionId"] == SEED_SESSION_ID
    bad = Prefetch.start(aws_for(server), SEED_CONNECTOR_ID, "no-such-session")
    assert bad.result(timeout=30) is None  # the app then asks itself and reports the error
    app = make_app(settings, prefetch=Prefetch.start(settings.aws, SEED_CONNECTOR_ID,
                                                     SEED_SESSION_ID))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "session", None) is not None,
                       timeout=30)
        assert app.prefetch is None  # used once
        count = len(state.requests)
        await pilot.press("r")
        await wait_for(pilot, lambda: len(state.requests) > count, timeout=10)


def test_the_early_helper_reads_the_settings_file_as_the_dashboard_does(server, isolated_env,
                                                                        monkeypatch):
    """Started from the bare command-line flags (before the dashboard reads its settings),
    the helper resolves the endpoint from the settings file itself."""
    config = isolated_env / "config.toml"
    config.write_text(f'endpoint_url = "{server.url}"\n')
    monkeypatch.setenv("CHIME_TUI_CONFIG", str(config))
    flags = {"profile": None, "region": None, "endpoint_url": None, "cli_connect_timeout": 3.0,
             "cli_read_timeout": 10.0, "no_verify_ssl": False}
    raw = Prefetch.start_from_flags(flags, SEED_CONNECTOR_ID, SEED_SESSION_ID).result(30)
    assert raw is not None and raw["ProxySessionId"] == SEED_SESSION_ID
    config.write_text('endpoint_url = "http://127.0.0.1:9"\n')  # nothing listens there
    assert Prefetch.start_from_flags(flags, SEED_CONNECTOR_ID, SEED_SESSION_ID).result(30) is None


async def test_the_listing_helper_fills_the_list_before_the_app_opens_its_client():
    state = populate(EmulatorState(), seed=4, connectors=1, big_connector_sessions=2500)
    big = [vc for vc, c in state.connectors.items() if c.name == "load test"][0]
    with EmulatorServer(state) as srv:
        settings = app_settings(srv, voice_connector_id=big, refresh=60)
        app = make_app(settings, prefetch=Prefetch.start(settings.aws, big, None))
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen) and
                           str(app.screen.query_one(KeyedTable).border_title)
                           .startswith("Sessions 2,500 · "), timeout=30)
            assert app.service._client is None  # every page came from the helper
            assert len(state.requests) == 25  # 2,500 sessions, 100 a page, asked once
            assert app.prefetch is None  # used once
            shown = list(app.screen.query_one(KeyedTable).ordered_keys)
            assert shown == [s.proxy_session_id for s in app.screen.visible_sessions()]


async def test_a_helper_that_stops_part_way_is_replaced_by_the_apps_own_listing(tmp_path):
    """The helper wrote two pages and failed: the app lists the connector itself, from
    the first page, and shows every session once."""
    import json
    import subprocess
    import sys

    from chime_tui.emulator.state import to_api

    state = populate(EmulatorState(), seed=4, connectors=1, big_connector_sessions=450)
    big = [vc for vc, c in state.connectors.items() if c.name == "load test"][0]
    items = [to_api(s) for s in state.session_items(big)]
    pages = tmp_path / "pages.jsonl"
    pages.write_text("".join(json.dumps(items[i:i + 100]) + "\n" for i in (0, 100)))
    script = f"import sys; sys.stdout.write(open({str(pages)!r}).read()); sys.exit(1)"  # no end line
    failing = Prefetch(subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE),
                       listing=True)
    with EmulatorServer(state) as srv:
        settings = app_settings(srv, voice_connector_id=big, refresh=60)
        app = make_app(settings, prefetch=failing)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen) and
                           str(app.screen.query_one(KeyedTable).border_title).startswith("Sessions 450 · "),
                           timeout=30)
            table = app.screen.query_one(KeyedTable)
            keys = list(table.ordered_keys)
            assert len(keys) == len(set(keys)) == 450
            # the app's own listing, from the first page
            assert state.request_count("/proxy-sessions") == 5
