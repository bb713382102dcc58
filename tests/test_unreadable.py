"""One listed session that is not what the service model says (walk 3 #10: a wrong-typed
field) is left out of its listing and named, instead of failing the whole connector:
the other sessions are shown, and an alert names the one that could not be read. A
session listed twice in one listing is one row (walk 3 #11), and named if the two differ."""

from __future__ import annotations

import pytest

from chime_tui.aws import ChimeVoiceClient
from chime_tui.aws.errors import BadResponse
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.board import BoardScreen
from chime_tui.tui.screens.sessions import SessionListScreen
from chime_tui.tui.widgets.capabilities_panel import CapabilitiesPanel
from chime_tui.tui.widgets.fetch_status import ErrorLine
from chime_tui.tui.widgets.keyed_table import KeyedTable

from .conftest import app_settings, aws_for, wait_for

WHY = "ExpiryMinutes is not what the service model says"


def one_bad(state):
    """A connector with several sessions, and one of them served with a wrong type."""
    vc = list(state.connectors)[1]
    sids = sorted(state.sessions[vc])
    state.set_fields(vc, sids[0], {"ExpiryMinutes": "sixty"})
    return vc, sids[0], sids[1:]


async def test_the_listing_leaves_the_bad_session_out_and_names_it(server, state):
    vc, bad, good = one_bad(state)
    async with ChimeVoiceClient(aws_for(server)) as client:
        listed = await client.list_proxy_sessions(vc)
        assert sorted(s.proxy_session_id for s in listed) == good
        assert client.left_out[vc] == {bad: WHY}
        with pytest.raises(BadResponse):  # asked for by itself, it is still an error
            await client.get_proxy_session(vc, bad)
        state.set_fields(vc, bad, {"ExpiryMinutes": 30})  # the service sends it right
        listed = await client.list_proxy_sessions(vc)
        assert sorted(s.proxy_session_id for s in listed) == sorted([bad, *good])
        assert client.left_out[vc] == {}


async def test_an_item_without_a_readable_id_is_named_by_its_place(server, state):
    vc = list(state.connectors)[1]
    sid = sorted(state.sessions[vc])[0]
    state.set_fields(vc, sid, {"ProxySessionId": 12345})
    async with ChimeVoiceClient(aws_for(server)) as client:
        listed = await client.list_proxy_sessions(vc)
        assert len(listed) == len(state.sessions[vc]) - 1
        assert client.left_out[vc] == {
            "item 1": "ProxySessionId is not what the service model says"}


async def test_a_listing_with_nothing_readable_is_still_an_error(server, state):
    vc = list(state.connectors)[1]
    for sid in state.sessions[vc]:
        state.set_fields(vc, sid, {"ExpiryMinutes": "sixty"})
    async with ChimeVoiceClient(aws_for(server)) as client:
        with pytest.raises(BadResponse):
            await client.list_proxy_sessions(vc)


async def test_the_session_list_shows_the_rest_and_an_alert_names_the_one_left_out(
        server, state):
    vc, bad, good = one_bad(state)
    app = make_app(app_settings(server, voice_connector_id=vc))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                       and app.screen.loaded)
        table = app.screen.query_one(KeyedTable)
        assert table.row_count == len(good)
        assert not app.screen.has_class("-stale")
        assert str(table.border_title).startswith(f"Sessions {len(good)} · ")
        assert str(table.border_title).endswith(" · 1 left out"), table.border_title
        await wait_for(pilot, lambda: any(a.kind == "left out" for a in app.alerts_raised))
        alert, = [a for a in app.alerts_raised if a.kind == "left out"]
        assert alert.key == (vc, bad)
        assert bad in alert.message and WHY in alert.message
        # One alert, not one per refresh.
        await pilot.press("r")
        await wait_for(pilot, lambda: app.service.request_count >= 3)
        await pilot.pause(0.2)
        assert [a.kind for a in app.alerts_raised].count("left out") == 1


async def test_the_board_keeps_the_connectors_other_pins_fresh(server, state, tmp_path):
    vc, bad, good = one_bad(state)
    pins = tuple((vc, sid) for sid in good[:3])
    app = make_app(app_settings(server, pins=pins, pins_file=tmp_path / "p.json"))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                       and app.screen.last_ok is not None)
        assert not app.screen.has_class("-stale")
        assert app.screen.query_one(KeyedTable).row_count == len(pins)


def test_the_commands_never_leave_a_session_out_silently(server, state):
    """The one-shot commands print what they get: a listing they cannot read whole is
    an error (exit 255), never a shorter list (and so is the start-up helper's, after
    which the app lists the connector itself, alerting)."""
    from chime_tui.aws.sync_client import SyncChimeVoiceClient

    vc, bad, _ = one_bad(state)
    with SyncChimeVoiceClient(aws_for(server)) as client:
        with pytest.raises(BadResponse, match=f"of session {bad}"):
            client.call("list_proxy_sessions", VoiceConnectorId=vc)


async def test_a_session_listed_twice_is_one_row_and_named_if_they_differ(server, state):
    from chime_tui.aws.client import DUPLICATE

    vc = list(state.connectors)[1]
    sids = sorted(state.sessions[vc])
    # Two sessions with the same fields present (so one can be served as the other).
    shapes: dict[tuple[str, ...], str] = {}
    for sid in sids:
        other = shapes.setdefault(tuple(state.sessions[vc][sid].to_api()), sid)
        if other != sid:
            first, second = other, sid
            break
    sids = [first, second] + [x for x in sids if x not in (first, second)]
    async with ChimeVoiceClient(aws_for(server)) as client:
        # Paging over a list that changes repeats a session: the same answer twice.
        state.set_fields(vc, sids[1], state.sessions[vc][sids[0]].to_api())
        listed = await client.list_proxy_sessions(vc)
        assert [s.proxy_session_id for s in listed].count(sids[0]) == 1
        assert client.left_out[vc] == {}  # the same answer twice: nothing to say
        # Two different answers for one ID: which is the session is not known, so
        # neither is listed (walk 4 #8: the impostor's values gave a false alert), and
        # it is said.
        state.set_fields(vc, sids[1], {"Name": "someone else"})
        listed = await client.list_proxy_sessions(vc)
        assert sids[0] not in [s.proxy_session_id for s in listed]
        assert len(listed) == len(sids) - 2
        assert client.left_out[vc] == {sids[0]: DUPLICATE}


async def test_the_session_list_says_a_session_was_listed_twice(server, state):
    vc = list(state.connectors)[1]
    first, second = sorted(state.sessions[vc])[:2]
    state.set_fields(vc, second, {"ProxySessionId": first})
    app = make_app(app_settings(server, voice_connector_id=vc))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                       and app.screen.loaded)
        assert app.screen.query_one(KeyedTable).row_count == len(state.sessions[vc]) - 2
        assert first not in app.screen.by_id
        await wait_for(pilot, lambda: any(a.kind == "left out" for a in app.alerts_raised))
        alert, = [a for a in app.alerts_raised if a.kind == "left out"]
        assert alert.message == (f"session {first} was listed twice with different values in "
                                 f"voice connector {vc}'s listing: neither is shown (its "
                                 "screen and the board ask for it by its ID)")


async def test_the_start_up_helpers_listing_is_one_row_per_session_too(server, state):
    from chime_tui.aws.client import DUPLICATE
    from chime_tui.prefetch import Prefetch

    vc = list(state.connectors)[1]
    first, second = sorted(state.sessions[vc])[:2]
    state.set_fields(vc, second, {"ProxySessionId": first})
    settings = app_settings(server, voice_connector_id=vc, refresh=600)
    app = make_app(settings, prefetch=Prefetch.start(settings.aws, vc, None))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                       and app.screen.loaded, timeout=30)
        assert app.prefetch is None  # the helper's listing is what is shown
        assert app.screen.query_one(KeyedTable).row_count == len(state.sessions[vc]) - 2
        assert app.service.left_out[vc] == {first: DUPLICATE}
        await wait_for(pilot, lambda: any(a.kind == "left out" for a in app.alerts_raised))


async def test_a_pin_listed_twice_is_asked_for_by_its_id_on_the_board(server, state, tmp_path):
    """Walk 4 #8: a pinned session listed twice took the other entry's values (a false
    expiring alert, changes that never happened). The board asks for it by its ID."""
    vc = list(state.connectors)[1]
    real, other = sorted(state.sessions[vc])[:2]
    state.set_fields(vc, real, {"ExpiryMinutes": 600})
    state.set_fields(vc, other, {"ProxySessionId": real, "ExpiryMinutes": 1})
    app = make_app(app_settings(server, pins=((vc, real),), pins_file=tmp_path / "p.json"))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                       and app.screen.last_ok is not None)
        assert app.tracker.last[(vc, real)].expiry_minutes == 600  # its own answer
        assert not any(a.kind in ("expiring", "status") for a in app.alerts_raised)
        assert not app.tracker.timelines.get((vc, real))  # no change that never happened


async def test_expiring_next_leaves_a_session_listed_twice_out_too(server, state):
    from chime_tui.fleet import list_fleet

    vc = list(state.connectors)[1]
    real, other = sorted(state.sessions[vc])[:2]
    state.set_fields(vc, other, {"ProxySessionId": real, "ExpiryMinutes": 1})
    async with ChimeVoiceClient(aws_for(server)) as client:
        fleet = await list_fleet(client, [vc])
    assert real not in {s.proxy_session_id for s in fleet.sessions[vc]}
    assert len(fleet.sessions[vc]) == len(state.sessions[vc]) - 2


NULL_ITEMS = {"Capabilities": (["Voice", None], "Capabilities[1]"),
              "Participants": ([None], "Participants[0]")}


@pytest.mark.parametrize("field", NULL_ITEMS)
async def test_a_null_item_in_a_sessions_list_is_not_read_as_a_value(server, state, field):
    """Helper walk, session 16: `Capabilities: ["Voice", null]` was shown as a capability
    "None" (`✔ None`, `Voice, None`), and `Participants: [null]` as a participant "— —",
    counted. A null is none of the model's values: the session is not what the service
    model says, left out of its listing and named, and an error asked for by its ID."""
    value, where = NULL_ITEMS[field]
    vc = list(state.connectors)[1]
    sids = sorted(state.sessions[vc])
    state.set_fields(vc, sids[0], {field: value})
    async with ChimeVoiceClient(aws_for(server)) as client:
        listed = await client.list_proxy_sessions(vc)
        assert sorted(s.proxy_session_id for s in listed) == sids[1:]
        assert client.left_out[vc] == {sids[0]: f"{where} is not what the service model says"}
        with pytest.raises(BadResponse, match=rf"ProxySession\.{where.replace('[', '.')}"):
            await client.get_proxy_session(vc, sids[0])


def test_a_null_session_in_a_listing_is_left_out_and_counted():
    import json

    from chime_tui.aws.validate import UNREADABLE, check_response

    from .strategies import MODEL

    item = {"VoiceConnectorId": "vc", "ProxySessionId": "s1", "Status": "Open"}
    response = {"status_code": 200, "headers": {},
                "body": json.dumps({"ProxySessions": [None, item]}).encode()}
    check_response(MODEL.operation_model("ListProxySessions"), response, leave_out=True)
    assert json.loads(response["body"]) == {"ProxySessions": [item]}
    assert json.loads(response["headers"][UNREADABLE]) == [
        {"member": "ProxySessions", "id": None,
         "why": "the item is not what the service model says"}]


async def test_the_session_screen_shows_no_null_capability(server, state):
    vc = list(state.connectors)[1]
    sid = sorted(state.sessions[vc])[0]
    state.set_fields(vc, sid, {"Capabilities": ["Voice", None]})
    app = make_app(app_settings(server, voice_connector_id=vc, proxy_session_id=sid))
    async with app.run_test(size=(140, 40)) as pilot:
        line = app.screen.query_one(ErrorLine)
        await wait_for(pilot, lambda: line.display and "Capabilities[1]" in line.message())
        for panel in app.screen.panels():
            assert "None" not in str(panel.render())
        assert str(app.screen.query_one(CapabilitiesPanel).render()).startswith("no data yet")
