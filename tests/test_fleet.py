"""chime_tui.fleet: counts over time, created per minute, proxy alerts, expiring next,
time in status (plain Python), and listing several connectors against the endpoint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chime_tui.aws import ChimeVoiceClient
from chime_tui.emulator import EmulatorServer, EmulatorState, populate
from chime_tui.fleet import (
    FleetWatch,
    InStatus,
    count_statuses,
    expiring_next,
    in_status,
    in_status_sentence,
    in_status_short,
    list_fleet,
    proxy_summary,
    read_proxies,
)
from chime_tui.humanfmt import ago
from chime_tui.models import ProxySession, VoiceConnectorProxy
from chime_tui.monitor import Change

from .conftest import aws_for

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def session(sid: str, status: str = "Open", *, vc: str = "vc1", created: datetime = NOW,
            expiry: int | None = 60, updated: datetime | None = None,
            ended: datetime | None = None) -> ProxySession:
    return ProxySession(voice_connector_id=vc, proxy_session_id=sid, status=status,
                        created=created, expiry_minutes=expiry, updated=updated or created,
                        ended=ended)


def test_counts_by_status_and_their_history():
    watch = FleetWatch()
    first = [session("a"), session("b", "InProgress"), session("c", "Closed"),
             session("d", "Weird")]
    sample = watch.observe_listing("vc1", first, NOW)
    assert (sample.open, sample.in_progress, sample.closed, sample.other, sample.total) == \
        (1, 1, 1, 1, 4)
    watch.observe_listing("vc1", [session("a", "InProgress"), session("b", "InProgress")],
                          NOW + timedelta(seconds=5))
    w = watch.connectors["vc1"]
    assert w.series("Open") == [1.0, 0.0]
    assert w.series("InProgress") == [1.0, 2.0]
    assert w.latest is not None and w.latest.total == 2
    assert count_statuses([], NOW).total == 0


def test_created_per_minute_counts_only_the_watched_time():
    watch = FleetWatch()
    before = session("old", created=NOW - timedelta(minutes=30))
    watch.observe_listing("vc1", [before], NOW + timedelta(seconds=10))
    w = watch.connectors["vc1"]
    assert w.created_per_minute(NOW + timedelta(seconds=20)) == [0]  # the old one is not new
    # Created in the first minute but before the first listing: not in the watched time.
    watch.observe_listing("vc1", [session("early", created=NOW + timedelta(seconds=5))],
                          NOW + timedelta(seconds=15))
    assert w.created_per_minute(NOW + timedelta(seconds=20)) == [0]
    new = [session("n1", created=NOW + timedelta(minutes=1, seconds=5)),
           session("n2", created=NOW + timedelta(minutes=1, seconds=50)),
           session("n3", created=NOW + timedelta(minutes=3))]
    watch.observe_listing("vc1", [before, *new], NOW + timedelta(minutes=3, seconds=30))
    assert w.created_per_minute(NOW + timedelta(minutes=3, seconds=30)) == [0, 2, 0, 1]
    # Bounded: only the last `limit` minutes.
    assert w.created_per_minute(NOW + timedelta(minutes=3, seconds=30), limit=2) == [0, 1]
    assert FleetWatch().of("x").created_per_minute(NOW) == []


def test_a_proxy_state_change_while_watched_raises_one_alert():
    watch = FleetWatch()
    on = VoiceConnectorProxy(60, False, "+12065550199", ("US",))
    off = VoiceConnectorProxy(60, True, "+12065550199", ("US",))
    assert watch.observe_proxy("vc1", on, NOW) == []  # the first read is no change
    assert watch.observe_proxy("vc1", on, NOW) == []
    alerts = watch.observe_proxy("vc1", off, NOW, name="rides")
    assert [a.kind for a in alerts] == ["proxy"]
    assert "DISABLED" in alerts[0].message and "rides" in alerts[0].message
    assert alerts[0].key == ("vc1", "")
    assert watch.observe_proxy("vc1", off, NOW) == []
    gone = watch.observe_proxy("vc1", None, NOW)
    assert "not configured" in gone[0].message
    watch.proxy_failed("vc1", "throttled")
    assert watch.connectors["vc1"].proxy_error == "throttled"
    assert watch.connectors["vc1"].proxy is None and watch.connectors["vc1"].proxy_known


def test_proxy_summary_names_every_setting():
    p = VoiceConnectorProxy(30, True, "+12065550198", ("GB", "DE"))
    line = proxy_summary(p, "+1*******98")
    assert line == ("proxy: DISABLED (Disabled: true) · default expiry 30 min · "
                    "countries GB, DE · fallback +1*******98")
    assert "not configured" in proxy_summary(None, None)


def test_marks_toggle():
    watch = FleetWatch()
    assert watch.toggle_mark("vc1") is True and watch.marked == {"vc1"}
    assert watch.toggle_mark("vc1") is False and watch.marked == set()


def test_expiring_next_merges_connectors_soonest_first():
    a = [session("a1", created=NOW - timedelta(minutes=50)),          # 10 min left
         session("a2", "Closed", created=NOW - timedelta(minutes=59)),
         session("a3", created=NOW - timedelta(minutes=90)),          # past expiry, Open
         session("a4", "InProgress", expiry=None)]
    b = [session("b1", "InProgress", vc="vc2", created=NOW - timedelta(minutes=58)),  # 2 min
         session("b2", vc="vc2", created=NOW - timedelta(minutes=10))]               # 50 min
    rows = expiring_next({"vc1": a, "vc2": b}, {"vc1": "support"}, NOW)
    # The lists' one expiry order: past expiry but not closed is due now (first).
    assert [r.session.proxy_session_id for r in rows] == ["a3", "b1", "a1", "b2", "a4"]
    assert rows[1].connector_name == "vc2" and rows[2].connector_name == "support"
    assert rows[1].key == "vc2/b1"


def test_time_in_status_exact_when_seen_else_a_lower_bound():
    s = session("a", "InProgress", updated=NOW - timedelta(minutes=3, seconds=20))
    bound = in_status(s)
    assert bound is not None and not bound.exact and bound.source == "updated"
    assert in_status_short(bound, NOW) == "≥ 3 min"
    assert "has not seen it change" in in_status_sentence(bound, NOW)
    seen_at = NOW - timedelta(seconds=65)
    timeline = [Change(NOW - timedelta(minutes=9), "vc1", "a", "Participants", 1, 2),
                Change(seen_at, "vc1", "a", "Status", "Open", "InProgress")]
    seen = in_status(s, timeline)
    assert seen is not None and seen.exact and seen.since == seen_at
    assert in_status_short(seen, NOW) == "1m 05s"
    assert in_status_sentence(seen, NOW) == \
        "InProgress for 1m 05s (since the app saw it change)"
    closed = session("c", "Closed", ended=NOW - timedelta(hours=2, minutes=7))
    assert in_status_short(in_status(closed), NOW) == "2h 07m"
    # A change the app saw into another status than the current one says nothing.
    other = [Change(seen_at, "vc1", "a", "Status", "InProgress", "Open")]
    assert in_status(s, other) == bound
    assert in_status_short(None, NOW) == "—"
    assert in_status_short(in_status(session("x", updated=NOW - timedelta(seconds=20))),
                           NOW) == "≥ 20s"
    assert in_status(ProxySession()) is None
    old = session("o", updated=NOW - timedelta(hours=1, minutes=50, seconds=59))
    assert in_status_short(in_status(old), NOW) == "≥ 1h 50m"  # a floor, never rounded up
    assert in_status_short(in_status(session("d", updated=NOW - timedelta(days=2, hours=3))),
                           NOW) == "≥ 2d 3h"



def test_an_extend_does_not_make_the_status_younger():
    """Walk 3 #3: an UpdatedTimestamp moved on by another field's change (an extend)
    says nothing new about the status: the bound stays at the earlier answer's."""
    first = NOW - timedelta(minutes=38)
    extended = NOW - timedelta(minutes=2)
    s = session("a", "InProgress", updated=extended)
    timeline = [Change(NOW - timedelta(minutes=3), "vc1", "a", "ExpiryMinutes", 60, 600),
                Change(NOW - timedelta(minutes=3), "vc1", "a", "UpdatedTimestamp",
                       first.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                       extended.strftime("%Y-%m-%dT%H:%M:%S.000Z"))]
    bound = in_status(s, timeline)
    assert bound is not None and not bound.exact and bound.since == first
    assert in_status_short(bound, NOW) == "≥ 38 min"
    assert in_status_short(in_status(s), NOW) == "≥ 2 min"  # with nothing seen before
    # The answer before a Status change was in the other status: it bounds nothing.
    into_other = [Change(NOW - timedelta(minutes=5), "vc1", "a", "Status", "Open", "Closed"),
                  Change(NOW - timedelta(minutes=5), "vc1", "a", "UpdatedTimestamp",
                         first.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                         extended.strftime("%Y-%m-%dT%H:%M:%S.000Z"))]
    assert in_status(s, into_other).since == extended


def test_a_closed_session_is_in_status_since_its_ended_timestamp_not_the_sighting():
    """Walk 2 #12: "ended 8 seconds ago" beside "in status 5s (seen changing)": the app
    saw the close up to a refresh after the service's EndedTimestamp, which is exact."""
    ended = NOW - timedelta(seconds=8)
    closed = session("c", "Closed", ended=ended)
    seen = [Change(NOW - timedelta(seconds=5), "vc1", "c", "Status", "InProgress", "Closed")]
    got = in_status(closed, seen)
    assert got is not None and got.exact and got.source == "ended" and got.since == ended
    assert in_status_short(got, NOW) == "8s"

def test_an_end_dated_after_its_sighting_is_not_the_time_in_status():
    """A Closed session whose EndedTimestamp is later than the answer that gave it (a
    hostile or broken 2030) was "in status 0s (from EndedTimestamp)", exact: it is no
    time of the end, and the bound from UpdatedTimestamp holds instead."""
    updated = NOW - timedelta(minutes=52)
    closed = session("c", "Closed", ended=NOW + timedelta(days=3 * 365), updated=updated)
    got = in_status(closed, [], seen=NOW)
    assert got is not None and not got.exact and got.source == "updated"
    assert got.since == updated and in_status_short(got, NOW) == "≥ 52 min"
    dated = session("c", "Closed", ended=NOW - timedelta(seconds=8), updated=updated)
    assert in_status(dated, [], seen=NOW).source == "ended"  # (at or before: believed)


async def test_listing_several_connectors_costs_their_pages():
    state = populate(EmulatorState(), seed=3, connectors=3, sessions=150)
    vcs = list(state.connectors)  # the seed example (1 session), then 150, 150
    with EmulatorServer(state) as srv:
        async with ChimeVoiceClient(aws_for(srv)) as client:
            mark = len(state.requests)
            listing = await list_fleet(client, [*vcs, "nosuchconnector0000000"])
            assert listing.requests == 1 + 2 + 2 + 1  # ceil(N/100) each; the 404 counts
            assert len(state.requests) - mark == listing.requests
            assert [len(listing.sessions[vc]) for vc in vcs] == [1, 150, 150]
            assert list(listing.errors) == ["nosuchconnector0000000"]
            found, errors = await read_proxies(client, vcs)
            assert set(found) == set(vcs) and not errors
            assert found[vcs[0]] is not None and not found[vcs[0]].disabled


def test_the_demo_churn_adds_sessions_where_proxying_is_on():
    """--demo shows all of it: one connector disabled, one without proxy settings, new
    sessions over time (only where proxying is on), near-expiry sessions elsewhere."""
    from chime_tui.emulator import SEED_CONNECTOR_ID

    now = [NOW]
    state = populate(EmulatorState(clock=lambda: now[0]), seed=7)
    state.churn = 20.0
    vcs = list(state.connectors)
    before = {vc: len(state.list_sessions(vc) or []) for vc in vcs}
    now[0] = NOW + timedelta(seconds=65)
    after = {vc: len(state.list_sessions(vc) or []) for vc in vcs}
    grew = {state.connectors[vc].name: after[vc] - before[vc] for vc in vcs}
    assert grew == {"seed example": 0, "support line": 3, "rides eu": 0, "deliveries": 0}
    proxies = {state.connectors[vc].name: state.get_proxy(vc) for vc in vcs}
    assert proxies["rides eu"]["Disabled"] is True and proxies["deliveries"] is None
    sessions = [ProxySession.from_api(s) for s in state.list_sessions(vcs[3]) or []]
    soon = [s for s in sessions if s.status in ("Open", "InProgress")
            and (left := s.time_to_expiry(now[0])) is not None and left.total_seconds() < 180]
    assert soon and vcs[0] == SEED_CONNECTOR_ID  # near expiry in a connector not disabled


async def test_the_picker_and_expiring_sources_count_their_requests():
    from chime_tui.fleet import ConnectorsOverview, ExpiringSessions

    state = populate(EmulatorState(), seed=3, connectors=3, sessions=150)
    vcs = list(state.connectors)
    with EmulatorServer(state) as srv:
        async with ChimeVoiceClient(aws_for(srv)) as client:
            overview = ConnectorsOverview(client, 60.0)
            mark = len(state.requests)
            first = await overview.fetch()
            assert first.requests == len(state.requests) - mark == 1 + 3
            assert first.listing is None and set(first.proxies) == set(vcs)
            overview.count_all = True
            mark = len(state.requests)
            counted = await overview.fetch()
            assert counted.requests == len(state.requests) - mark == 1 + 3 + (1 + 2 + 2)
            marked: set[str] = set()
            expiring = ExpiringSessions(client, marked, 5.0)
            every = await expiring.fetch()
            assert not every.marked and every.scope == vcs and every.requests == 1 + 5
            marked.add(vcs[2])  # the app's set, read at each fetch
            mark = len(state.requests)
            one = await expiring.fetch()
            assert one.marked and one.scope == [vcs[2]]
            assert one.requests == len(state.requests) - mark == 1 + 2
            assert expiring.pace is not None and expiring.pace(10.0) == 40.0


def test_a_status_change_seen_late_is_timed_by_the_updated_timestamp_it_moved():
    """Walk 4 #10: after an outage the app saw an Open → InProgress change 30 s after
    its last sighting and said "in status 2s (seen changing)", though the same answer
    moved UpdatedTimestamp to the change's own time, 27 s before."""
    def stamp(at: datetime) -> str:
        return at.strftime("%Y-%m-%dT%H:%M:%S.000Z")

    before, seen_at = NOW - timedelta(minutes=16), NOW - timedelta(seconds=2)
    changed = NOW - timedelta(seconds=29)
    s = session("a", "InProgress", updated=changed)
    answer = [Change(seen_at, "vc1", "a", "Status", "Open", "InProgress"),
              Change(seen_at, "vc1", "a", "UpdatedTimestamp", stamp(before), stamp(changed))]
    got = in_status(s, answer)
    assert got == InStatus("InProgress", changed, True, "changed")
    assert in_status_short(got, NOW) == "29s"
    assert in_status_sentence(got, NOW) == ("InProgress for 29s (since its UpdatedTimestamp "
                                            "when the app saw it change)")
    # Its own answer only: an UpdatedTimestamp moved by an earlier one says nothing.
    earlier = [Change(NOW - timedelta(minutes=1), "vc1", "a", "UpdatedTimestamp",
                      stamp(before), stamp(changed)),
               Change(seen_at, "vc1", "a", "Status", "Open", "InProgress")]
    assert in_status(s, earlier) == InStatus("InProgress", seen_at, True, "seen")
    # Not a time, not after the one before, or after the sighting (a service clock
    # ahead of the app's): the sighting, as before.
    for old, new in ((stamp(before), "not a date"), (stamp(changed), stamp(before)),
                     (stamp(before), stamp(NOW + timedelta(seconds=3)))):
        odd = [answer[0], Change(seen_at, "vc1", "a", "UpdatedTimestamp", old, new)]
        assert in_status(s, odd) == InStatus("InProgress", seen_at, True, "seen"), new


def test_last_change_and_time_in_status_say_the_same_instant():
    """Walk 4 #4: after a gap in sighting a board row said 'In status 5m 02s' (from the
    service's time) beside 'Last change 3 minutes ago' (the app's sighting) for one
    change. The last change is now the UpdatedTimestamp that answer moved; a change
    whose answer did not move it to a usable time keeps the sighting."""
    from chime_tui.tracking import SessionTracker

    def answer(status: str, updated: datetime, ended: datetime | None = None,
               expiry: int = 60, sid: str = "a") -> ProxySession:
        stamp = "%Y-%m-%dT%H:%M:%S.000Z"
        return ProxySession.from_api({
            "VoiceConnectorId": "vc1", "ProxySessionId": sid, "Status": status,
            "ExpiryMinutes": expiry, "CreatedTimestamp": (NOW - timedelta(hours=1)).strftime(stamp),
            "UpdatedTimestamp": updated.strftime(stamp),
            **({"EndedTimestamp": ended.strftime(stamp)} if ended else {})})

    key = ("vc1", "a")
    tracker = SessionTracker()
    tracker.observe(answer("Open", NOW - timedelta(minutes=16)), NOW - timedelta(minutes=4))
    changed = NOW - timedelta(minutes=3, seconds=41)  # during the outage
    late = answer("Closed", changed, changed)
    tracker.observe(late, NOW)  # seen again only now
    assert tracker.last_change_at[key] == changed
    bound = in_status(late, tracker.timelines[key])
    assert bound is not None and bound.since == changed
    assert ago(tracker.last_change_at[key], NOW) == "3 minutes ago"
    assert in_status_short(bound, NOW) == "3m 41s"
    # An UpdatedTimestamp past the sighting (the service's clock ahead): the sighting.
    ahead = NOW + timedelta(seconds=30)
    tracker.observe(answer("Closed", ahead, changed), NOW + timedelta(seconds=10))
    assert tracker.last_change_at[key] == NOW + timedelta(seconds=10)
    # Not moved by the answer: the sighting.
    tracker.observe(answer("Closed", ahead, changed, expiry=120), NOW + timedelta(seconds=20))
    assert tracker.last_change_at[key] == NOW + timedelta(seconds=20)
    # A close whose answer moved UpdatedTimestamp back (to the expiry, as the emulator
    # does): its EndedTimestamp, which the time in status uses too.
    other = ("vc1", "b")
    tracker.observe(answer("Open", NOW - timedelta(minutes=2), sid="b"), NOW - timedelta(seconds=5))
    expired = NOW - timedelta(minutes=3, seconds=52)
    closed = answer("Closed", expired, expired, sid="b")
    tracker.observe(closed, NOW)
    assert tracker.last_change_at[other] == expired == in_status(closed).since
    # Walk 6 #3: moved forward, but to before the sighting that still showed the old
    # status (seen InProgress 4 s ago, now Open "since 2 minutes"): not believed.
    third = ("vc1", "c")
    tracker.observe(answer("InProgress", NOW - timedelta(minutes=9), sid="c"),
                    NOW - timedelta(seconds=4))
    claimed = answer("Open", NOW - timedelta(minutes=2), sid="c")
    tracker.observe(claimed, NOW)
    assert tracker.last_change_at[third] == NOW
    assert in_status(claimed, tracker.timelines[third]) == InStatus("Open", NOW, True, "seen")


def test_a_bound_from_an_earlier_answer_holds_when_the_timestamp_is_no_date():
    """Walk 6 #5: an UpdatedTimestamp set to 'banana' (no status change) turned the
    board's 'In status ≥ 1h 59m' into '—', though the earlier answer's bound held."""
    first = NOW - timedelta(hours=1, minutes=59, seconds=30)
    s = ProxySession.from_api({"VoiceConnectorId": "vc1", "ProxySessionId": "a",
                               "Status": "InProgress", "UpdatedTimestamp": "banana"})
    assert s.updated is None
    timeline = [Change(NOW - timedelta(seconds=10), "vc1", "a", "UpdatedTimestamp",
                       first.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "banana")]
    got = in_status(s, timeline)
    assert got == InStatus("InProgress", first, False, "updated")
    assert in_status_short(got, NOW) == "≥ 1h 59m"
    assert in_status(s) is None  # nothing known at all: unknown, not a guess
