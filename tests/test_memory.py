"""What 10,000 listed sessions cost in memory: the mechanisms, not the megabytes
(benchmarks/run.py measures those).

- A session's answer is kept once: as its fields when they give it back exactly (and
  then `raw` is made from them), else as it came. Either way `raw` is what the service
  said, value for value, type for type, key order too.
- Strings that thousands of sessions repeat (status, capabilities, connector ID) are
  one object each.
"""

from __future__ import annotations

import copy
import gc
import json
import os
from collections import OrderedDict
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chime_tui.aws.client import AwsSettings, ChimeVoiceClient
from chime_tui.emulator import EmulatorServer, EmulatorState, populate
from chime_tui.models import SESSION_KEYS, ProxySession
from chime_tui.sources import ConnectorSessions
from chime_tui.tui.app import make_app
from chime_tui.tui.screens.sessions import SessionListScreen
from chime_tui.tui.widgets.keyed_table import KeyedTable

from .conftest import SEED_EXAMPLE, app_settings, wait_for
from .strategies import proxy_sessions
from .test_sources import Host


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (True is not 1, a list not a tuple),
    with dict keys in the same order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return bool(a == b)


def listed(i: int, **change: Any) -> dict[str, Any]:
    """A session as ListProxySessions gives it: botocore gives the keys in the service
    model's order (other keys last)."""
    data = {**copy.deepcopy(SEED_EXAMPLE["ProxySession"]), "Name": f"ride {i}",
            "ProxySessionId": f"{i:08d}-8472-47bb-932b-51fc0db5a939",
            "NumberSelectionBehavior": "AvoidSticky", "GeoMatchLevel": "AreaCode",
            "GeoMatchParams": {"Country": "US", "AreaCode": "212"}, **change}
    return {**{k: data.pop(k) for k in SESSION_KEYS if k in data}, **data}


def test_a_usual_answer_is_kept_as_its_fields_and_given_back_exactly():
    data = listed(1)
    session = ProxySession.from_api(data)
    assert isinstance(session.sent, tuple)  # not the dict: the fields hold it
    assert same(session.raw, data)
    assert same(dict(session.raw), copy.deepcopy(data))  # a new dict each time, not shared


def test_a_timestamp_of_a_year_before_1000_is_given_back_in_four_digits():
    """The service writes 0001-01-01T00:00:00.000Z (strftime's %Y gave "1-01-01": such
    an answer was kept whole, not as its fields)."""
    data = listed(1, CreatedTimestamp="0001-01-01T00:00:00.000Z",
                  UpdatedTimestamp="0999-12-31T23:59:59.999Z")
    session = ProxySession.from_api(data)
    assert isinstance(session.sent, tuple)
    assert same(session.raw, data)


def test_answers_the_fields_cannot_give_back_are_kept_as_they_came():
    odd = [
        listed(1, CreatedTimestamp="2020-04-15T16:10:10Z"),  # no milliseconds
        listed(2, CreatedTimestamp="2020-04-15T18:10:10.288+02:00"),
        listed(3, ExpiryMinutes="60"),
        listed(4, ExpiryMinutes=True),
        listed(5, Capabilities=None),
        listed(6, Participants=[{"PhoneNumber": None, "ProxyPhoneNumber": "+1206"}]),
        listed(7, Participants=[{"ProxyPhoneNumber": "+1206", "PhoneNumber": "+1425"}]),
        listed(8, Future="field"),
        {"Status": "Open", "VoiceConnectorId": "vc"},  # keys out of the model's order
        listed(9, Name=5),
        listed(10, GeoMatchParams={"Country": "US", "Extra": "1"}),
        listed(11, Capabilities=("Voice",)),
        listed(12, CreatedTimestamp="2020-04-15 16:10:10.288Z"),  # a space for the T
        listed(13, CreatedTimestamp="2020-W16-3T16:10:10.288Z"),  # a week date
        listed(14, CreatedTimestamp="2020-04-15T16:10:10.2880Z"),
    ]
    for data in odd:
        session = ProxySession.from_api(data)
        assert session.sent is data, data
        assert same(session.raw, data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=proxy_sessions())
def test_raw_is_exactly_what_the_service_sent(data):
    assert same(ProxySession.from_api(data).raw, data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=8)
FIELD_NAMES = st.sampled_from(["VoiceConnectorId", "ProxySessionId", "Name", "Status",
                               "ExpiryMinutes", "Capabilities", "CreatedTimestamp",
                               "UpdatedTimestamp", "EndedTimestamp", "Participants",
                               "NumberSelectionBehavior", "GeoMatchLevel", "GeoMatchParams",
                               "PhoneNumber", "Other"])


@settings(max_examples=300, deadline=None)
@given(data=st.dictionaries(FIELD_NAMES, json_values, max_size=8))
def test_raw_is_exactly_what_a_hostile_service_sent(data):
    assert same(ProxySession.from_api(data).raw, data)


@settings(max_examples=200, deadline=None)
@given(a=proxy_sessions(), b=proxy_sessions())
def test_same_answer_is_raw_equality(a, b):
    one, two = ProxySession.from_api(a), ProxySession.from_api(b)
    assert one.same_answer(two) == (a == b)
    assert one.same_answer(ProxySession.from_api(copy.deepcopy(a)))


def test_strings_thousands_of_sessions_repeat_are_one_object_each():
    # Each from its own JSON text, as pages come: equal strings, distinct objects.
    sessions = [ProxySession.from_api(json.loads(json.dumps(listed(i)))) for i in range(3)]
    first = sessions[0]
    for other in sessions[1:]:
        assert other.status is first.status
        assert other.voice_connector_id is first.voice_connector_id
        assert other.capabilities is first.capabilities
        assert other.number_selection_behavior is first.number_selection_behavior
        assert other.sent is first.sent  # the keys, one tuple for all
        assert other.participants[0].proxy_phone_number is \
            first.participants[0].proxy_phone_number
        assert other.proxy_session_id is not first.proxy_session_id


# -- a refresh of a connector's sessions --------------------------------------------------

def _alive_sessions() -> int:
    return sum(1 for o in gc.get_objects() if type(o) is ProxySession)


async def test_a_refresh_keeps_what_the_service_says_the_same_of_and_holds_one_new_page():
    """A refresh makes a new object only for a session that changed (or is new): the rest
    are the objects already held, so it never holds a second copy of the listing, only
    the page it is reading. The listing is still exactly what the service said."""
    now = datetime.now(UTC)
    state = populate(EmulatorState(clock=lambda: now), seed=4, connectors=1,
                     big_connector_sessions=250)
    big = next(vc for vc, c in state.connectors.items() if c.name == "load test")
    with EmulatorServer(state) as srv:
        host = Host(srv)
        source = ConnectorSessions(host, big, 5.0, order=lambda: "id")
        pages = host.service.iter_proxy_session_pages
        alive_at_each_page: list[int] = []

        async def counted(*args: Any, **kwargs: Any) -> AsyncIterator[list[ProxySession]]:
            async for page in pages(*args, **kwargs):
                alive_at_each_page.append(_alive_sessions())
                yield page

        try:
            first = await source.fetch()
            held = {s.proxy_session_id: s for s in first.sessions}
            changed, gone = first.sessions[3], first.sessions[7]
            new_status = "Closed" if changed.status != "Closed" else "Open"
            state.set_status(big, changed.proxy_session_id or "", new_status)
            state.delete_session(big, gone.proxy_session_id or "")
            gc.collect()
            before = _alive_sessions()
            host.service.iter_proxy_session_pages = counted  # type: ignore[method-assign]
            again = await source.fetch()
        finally:
            await host.service.close()
    # Truth: every session as the service lists it now, nothing more, nothing less.
    listed = sorted(state.list_sessions(big) or [], key=lambda s: s["ProxySessionId"])
    assert [s.raw for s in again.sessions] == listed
    assert len(again.sessions) == 249
    for session in again.sessions:
        if session.proxy_session_id == changed.proxy_session_id:
            assert session is not changed and session.status == new_status
        else:
            assert session is held[session.proxy_session_id]
    # At each page, at most that page's new objects on top of the listing held.
    assert len(alive_at_each_page) == 3
    assert max(alive_at_each_page) <= before + 100


# -- the table of a connector's sessions --------------------------------------------------

async def test_the_list_shares_the_cells_its_rows_repeat():
    """10,000 rows say "InProgress", "SMS, Voice" and "2" thousands of times: one object
    each, shared by the rows (the table keeps a row's cells, not copies of them)."""
    state = populate(EmulatorState(), seed=4, connectors=1, big_connector_sessions=1500)
    big = next(vc for vc, c in state.connectors.items() if c.name == "load test")
    with EmulatorServer(state) as srv:
        app = make_app(app_settings(srv, voice_connector_id=big, refresh=60))
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, SessionListScreen)
                           and app.screen.loaded, timeout=30)
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SessionListScreen)
            table = screen.query_one(KeyedTable)
            by_cells: dict[tuple[str, object], object] = {}
            for key in table.ordered_keys:
                session = screen.by_id[key]
                for column, value in (("status", session.status),
                                      ("caps", session.capabilities),
                                      ("parts", len(session.participants))):
                    cell = table.get_cell(key, column)
                    assert by_cells.setdefault((column, value), cell) is cell
            assert len(by_cells) < 40  # a few statuses, capability sets and counts
            assert table.row_count == 1500


# -- the app's own client ---------------------------------------------------------------

def _builtin_endpoints() -> str:
    from botocore.loaders import Loader

    with open(os.path.join(Loader.BUILTIN_DATA_PATH, "endpoints.json"), "rb") as fp:
        return fp.read().decode("utf-8")


def test_endpoints_are_read_for_this_service_and_resolve_as_botocores_own():
    from botocore.regions import EndpointResolver

    from chime_tui.aws.endpoints import read_endpoints

    text = _builtin_endpoints()
    full = json.loads(text, object_pairs_hook=OrderedDict)
    lazy = read_endpoints(text, {"voice-chime"})
    # Only the service's entry is read: the partitions' other ~300 services are not.
    assert [list(p["services"].keys()) for p in lazy["partitions"]] == \
        [["voice-chime"] if "voice-chime" in p["services"] else [] for p in full["partitions"]]
    assert [{k: v for k, v in p.items() if k != "services"} for p in lazy["partitions"]] == \
        [{k: v for k, v in p.items() if k != "services"} for p in full["partitions"]]

    def resolve(resolver: EndpointResolver, *args: Any, **kwargs: Any) -> Any:
        try:
            return resolver.construct_endpoint(*args, **kwargs)
        except Exception as exc:  # the same error, if any
            return type(exc).__name__

    ours, botocores = EndpointResolver(lazy, True), EndpointResolver(full, True)
    for partition in full["partitions"]:
        for region in [*partition["regions"], "xx-made-up-1"]:
            # This service; services other clients on the session ask for (credentials:
            # STS, SSO), read when asked; one that does not exist.
            for service in ("voice-chime", "sts", "sso", "portal.sso", "no-such-service"):
                for fips in (False, True):
                    for dualstack in (False, True):
                        kwargs = {"use_fips_endpoint": fips, "use_dualstack_endpoint": dualstack}
                        assert resolve(ours, service, region, **kwargs) == \
                            resolve(botocores, service, region, **kwargs)
    for service in ("voice-chime", "sts", "s3"):
        for partition in botocores.get_available_partitions():
            assert ours.get_available_endpoints(service, partition) == \
                botocores.get_available_endpoints(service, partition)


async def test_the_apps_client_resolves_regions_as_a_plain_botocore_client():
    import botocore.session

    from chime_tui.aws import factory

    session = botocore.session.get_session()
    factory.read_endpoints_lazily(session)  # as ChimeVoiceClient's session
    data = session.get_component("data_loader").load_data("endpoints")
    assert list(data["partitions"][0]["services"].keys()) == ["voice-chime"]

    plain = botocore.session.get_session()
    for region in ("us-east-1", "eu-central-1", "ap-southeast-1", "us-gov-west-1"):
        async with ChimeVoiceClient(AwsSettings(region=region)) as ours:
            client = ours._client
            expected = plain.create_client("chime-sdk-voice", region_name=region,
                                           aws_access_key_id="a", aws_secret_access_key="b")
            assert client.meta.endpoint_url == expected.meta.endpoint_url
            assert client.meta.region_name == expected.meta.region_name
            assert client.meta.config.signature_version == \
                expected.meta.config.signature_version
