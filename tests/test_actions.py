"""The write actions' core (chime_tui.actions, chime_tui.sending): requests built from a session and a change,
checked against the service model before anything is sent, the one-at-a-time guard, and
one attempt sent to the local endpoint with its audit line."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import pytest

from chime_tui.actions import (
    AREA_CODE,
    CAPABILITIES,
    COUNTRY,
    E164,
    EXPIRY_MIN,
    GEO_LEVELS,
    NAME,
    PARTICIPANTS,
    SELECTION,
    CreateForm,
    Invalid,
    WriteGuard,
    plan_capabilities,
    plan_create,
    plan_end,
    plan_extend,
    preset,
)
from chime_tui.aws.client import ChimeVoiceClient
from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID
from chime_tui.models import ProxySession
from chime_tui.sending import Audit, Outcome, failure_message, perform, timeline_entry

from .conftest import FIXED_NOW, SEED_EXAMPLE, aws_for

SEED = ProxySession.from_api(SEED_EXAMPLE["ProxySession"])


def model_shape(operation: str):
    import botocore.session

    model = botocore.session.get_session().get_service_model("chime-sdk-voice")
    return model.operation_model(operation).input_shape


def botocore_accepts(operation: str, params) -> bool:
    from botocore.validate import ParamValidator

    return not ParamValidator().validate(dict(params), model_shape(operation)).has_errors()


def test_the_constraints_are_the_service_models():
    create = model_shape("CreateProxySession").members
    update = model_shape("UpdateProxySession").members
    assert create["ExpiryMinutes"].metadata["min"] == update["ExpiryMinutes"].metadata["min"] \
        == EXPIRY_MIN
    assert "max" not in update["ExpiryMinutes"].metadata
    assert tuple(update["Capabilities"].member.enum) == CAPABILITIES
    numbers = create["ParticipantPhoneNumbers"]
    assert numbers.metadata["min"] == numbers.metadata["max"] == PARTICIPANTS
    assert numbers.member.metadata["pattern"] == E164.pattern
    assert create["Name"].metadata["pattern"] == NAME.pattern
    assert tuple(create["NumberSelectionBehavior"].enum) == SELECTION
    assert tuple(create["GeoMatchLevel"].enum) == GEO_LEVELS
    geo = create["GeoMatchParams"]
    assert set(geo.required_members) == {"Country", "AreaCode"}
    assert geo.members["Country"].metadata["pattern"] == COUNTRY.pattern
    assert geo.members["AreaCode"].metadata["pattern"] == AREA_CODE.pattern


def test_extend_sends_the_new_expiry_with_the_current_capabilities():
    planned = plan_extend(SEED, "75", FIXED_NOW)
    assert planned.operation == "update_proxy_session"
    assert dict(planned.params) == {"VoiceConnectorId": SEED_CONNECTOR_ID,
                                    "ProxySessionId": SEED_SESSION_ID,
                                    "Capabilities": ["SMS", "Voice"], "ExpiryMinutes": 75}
    assert planned.change == {"Capabilities": ["SMS", "Voice"], "ExpiryMinutes": 75}
    steps = {s.label: (s.old, s.new) for s in planned.steps}
    assert steps["ExpiryMinutes"] == ("60", "75 (+15 min)")
    assert steps["Expires"][0].startswith("2020-04-15 17:10 UTC (passed")
    assert steps["Expires"][1].startswith("2020-04-15 17:25 UTC (passed")
    assert botocore_accepts("UpdateProxySession", planned.params)
    assert (planned.old, planned.new) == (60, 75)
    assert preset(SEED, 15) == 75 and preset(SEED, 60) == 120
    assert plan_extend(SEED, preset(SEED, 60), FIXED_NOW).params["ExpiryMinutes"] == 120


def test_an_expiry_in_the_future_says_when():
    fresh = ProxySession.from_api({**SEED_EXAMPLE["ProxySession"], "ExpiryMinutes": 20,
                                   "CreatedTimestamp": "2026-11-27T11:50:00Z"})
    steps = {s.label: s for s in plan_extend(fresh, 30, FIXED_NOW).steps}
    assert steps["Expires"].old == "2026-11-27 12:10 UTC (in 10 minutes)"
    assert steps["Expires"].new == "2026-11-27 12:20 UTC (in 20 minutes)"


def test_an_expiry_still_past_is_said_plainly():
    """Walk 4, finding 2: the seed example is Open but expired in 2020; a longer expiry
    that is still past does not keep it open, and the preview says so."""
    steps = {s.label: s for s in plan_extend(SEED, "75", FIXED_NOW).steps}
    assert steps["Warning"].new.startswith("the new expiry is already past: this does not "
                                           "keep the session open")
    fresh = ProxySession.from_api({**SEED_EXAMPLE["ProxySession"], "ExpiryMinutes": 20,
                                   "CreatedTimestamp": "2026-11-27T11:50:00Z"})
    assert "Warning" not in {s.label for s in plan_extend(fresh, 30, FIXED_NOW).steps}


@pytest.mark.parametrize("fields", [{"Status": "Closed"},
                                    {"EndedTimestamp": "2026-11-27T11:00:00Z"}])
def test_an_ended_session_is_not_extended_nor_its_capabilities_changed(fields):
    ended = ProxySession.from_api({**SEED_EXAMPLE["ProxySession"], **fields})
    with pytest.raises(Invalid, match=r"this session has ended \((Closed|Open)\): an ended "
                                      "session is not extended; create a new session"):
        plan_extend(ended, "90", FIXED_NOW)
    with pytest.raises(Invalid, match="its capabilities are not changed"):
        plan_capabilities(ended, ["Voice"])


@pytest.mark.parametrize("typed, words", [
    ("", "type a number of minutes"),
    ("abc", "whole number of minutes, not 'abc'"),
    ("1.5", "whole number"),
    ("0", "from 1 to 2,147,483,647 (the service model's bounds), not 0"),
    ("-5", "not -5"),
    ("99999999999", "not 99,999,999,999"),
    ("60", "ExpiryMinutes is 60 already"),
    # Walk 3, finding 6: int() reads other scripts' digits; only 0-9 are a number here.
    ("\u0663\u0660", "not '\u0663\u0660': only the digits 0-9 are read, and it has other "
                     "digits"),
    ("\uff11\uff12\uff10", "only the digits 0-9 are read"),
    ("\u00b9\u00b2\u00b3", "only the digits 0-9 are read"),
    ("1_000", "whole number of minutes, not '1_000': type the digits 0-9 only"),
    # ... and "extend" only lengthens: a shorter value can end the session at once.
    ("30", "Extend only lengthens: 30 is not more than the current 60 minutes"),
    ("1", "Extend only lengthens: 1 is not more than the current 60 minutes"),
    # Walk 3, finding 19: a whole number too large is out of bounds, not "not a number".
    ("100000000000000000000000", "bounds), not 100,000,000,000,000,000,000,000"),
    ("0000000000000000000000000000099999999999", "not 99,999,999,999"),
    ("9" * 5000, "bounds), not 9999999999"),
])
def test_extend_refuses_what_the_model_or_sense_refuses(typed, words):
    with pytest.raises(Invalid) as bad:
        plan_extend(SEED, typed, FIXED_NOW)
    assert words in str(bad.value)


def test_leading_zeros_and_a_sign_are_still_a_number():
    assert plan_extend(SEED, " 0000000000000000000090 ", FIXED_NOW).new == 90
    assert plan_extend(SEED, "+90", FIXED_NOW).new == 90


def test_extend_needs_capabilities_the_api_accepts():
    odd = ProxySession.from_api({**SEED_EXAMPLE["ProxySession"], "Capabilities": ["Fax"]})
    with pytest.raises(Invalid) as bad:
        plan_extend(odd, "90", FIXED_NOW)
    assert "(Fax) are not ones UpdateProxySession accepts" in str(bad.value)
    with pytest.raises(Invalid):
        preset(ProxySession.from_api({**SEED_EXAMPLE["ProxySession"], "ExpiryMinutes": None}),
               15)
    with pytest.raises(Invalid, match="not known yet"):
        plan_extend(ProxySession(), "90", FIXED_NOW)


def test_change_capabilities():
    planned = plan_capabilities(SEED, ["Voice"])
    assert dict(planned.params) == {"VoiceConnectorId": SEED_CONNECTOR_ID,
                                    "ProxySessionId": SEED_SESSION_ID, "Capabilities": ["Voice"]}
    assert [(s.label, s.old, s.new) for s in planned.steps] == [
        ("Capabilities", "SMS, Voice", "Voice")]
    assert botocore_accepts("UpdateProxySession", planned.params)
    for caps, words in (([], "choose Voice, SMS or both"), (["SMS", "Voice"], "already"),
                        (["Fax"], "unknown capability 'Fax'")):
        with pytest.raises(Invalid, match=words):
            plan_capabilities(SEED, caps)


def test_end_needs_the_first_characters_of_the_id():
    planned = plan_end(SEED)
    assert planned.operation == "delete_proxy_session"
    assert dict(planned.params) == {"VoiceConnectorId": SEED_CONNECTOR_ID,
                                    "ProxySessionId": SEED_SESSION_ID}
    assert planned.confirm_prefix == "123a4b"
    assert planned.confirmed_by("123a4b") and planned.confirmed_by(" 123a4b ")
    assert not planned.confirmed_by("") and not planned.confirmed_by("123a4")
    assert not planned.confirmed_by("123A4B")
    assert botocore_accepts("DeleteProxySession", planned.params)


def test_create_builds_a_request_the_model_and_the_endpoint_accept():
    from chime_tui.emulator.checks import check_create

    form = CreateForm(participants=("+12065550111", "+1 206 555 0122"),
                      capabilities=("SMS", "Voice"), expiry_minutes="30", name="Night shift",
                      number_selection="AvoidSticky", geo_match_level="AreaCode",
                      country="US", area_code="206")
    planned = plan_create(SEED_CONNECTOR_ID, form)
    assert dict(planned.params) == {
        "VoiceConnectorId": SEED_CONNECTOR_ID,
        "ParticipantPhoneNumbers": ["+12065550111", "+12065550122"],
        "Capabilities": ["Voice", "SMS"], "ExpiryMinutes": 30, "Name": "Night shift",
        "NumberSelectionBehavior": "AvoidSticky", "GeoMatchLevel": "AreaCode",
        "GeoMatchParams": {"Country": "US", "AreaCode": "206"}}
    assert botocore_accepts("CreateProxySession", planned.params)
    assert check_create(planned.change) is None
    assert planned.key == (SEED_CONNECTOR_ID, "")
    minimal = plan_create(SEED_CONNECTOR_ID, CreateForm(participants=("+12065550111",
                                                                      "+12065550122")))
    assert minimal.change == {"ParticipantPhoneNumbers": ["+12065550111", "+12065550122"],
                              "Capabilities": ["Voice"]}
    shown = {s.label: s.new for s in plan_create(SEED_CONNECTOR_ID, form, redact=True).steps}
    assert shown["Participants"] == "+1*******11, +1*******22"
    assert shown["ExpiryMinutes"] == "30"


@pytest.mark.parametrize("form, where", [
    (CreateForm(participants=("+12065550111", "")), "participants"),
    (CreateForm(participants=("+12065550111", "0123")), "participant_2"),
    (CreateForm(participants=("+12065550111", "+12065550122"), capabilities=()),
     "capabilities"),
    (CreateForm(participants=("+12065550111", "+12065550122"), expiry_minutes="0"), "expiry"),
    (CreateForm(participants=("+12065550111", "+12065550122"), name="no_underscores"), "name"),
    (CreateForm(participants=("+12065550111", "+12065550122"), country="US"), "geo"),
    (CreateForm(participants=("+12065550111", "+12065550122"), country="usa",
                area_code="206"), "country"),
    (CreateForm(participants=("+12065550111", "+12065550122"), country="US",
                area_code="20"), "area_code"),
    (CreateForm(participants=("+12065550111", "+12065550122"), number_selection="Sticky"),
     "NumberSelectionBehavior"),
])
def test_create_names_each_problem_and_sends_nothing(form, where):
    from chime_tui.emulator.checks import check_create

    with pytest.raises(Invalid) as bad:
        plan_create(SEED_CONNECTOR_ID, form)
    assert where in [w for w, _ in bad.value.problems]
    # What is refused here, the service refuses too (or it makes no sense to send).
    caps = [c for c in CAPABILITIES if c in form.capabilities]
    body = {"ParticipantPhoneNumbers": [p.replace(" ", "") for p in form.participants
                                        if p.strip()],
            "Capabilities": caps}
    if where in ("name",):
        body["Name"] = form.name
    if where in ("country", "area_code", "geo"):
        body["GeoMatchParams"] = {"Country": form.country, **(
            {"AreaCode": form.area_code} if form.area_code else {})}
    if where == "expiry":
        body["ExpiryMinutes"] = int(form.expiry_minutes)
    if where == "NumberSelectionBehavior":
        body["NumberSelectionBehavior"] = form.number_selection
    assert check_create(body) is not None


def test_one_write_at_a_time_per_session():
    guard = WriteGuard()
    key = (SEED_CONNECTOR_ID, SEED_SESSION_ID)
    assert guard.begin(key)
    assert not guard.begin(key)  # the second waits for the first
    assert guard.begin((SEED_CONNECTOR_ID, "other"))  # another session may go
    guard.done(key)
    assert guard.begin(key)


def writes(state) -> list[tuple[str, int]]:
    return [(r.method, r.status) for r in state.requests if r.method in ("POST", "DELETE")]


def run(coro):
    return asyncio.run(coro)


async def send(server, planned, audit=None, **aws):
    async with ChimeVoiceClient(aws_for(server, **aws)) as client:
        return await perform(client, planned, audit)


@pytest.mark.parametrize("meanwhile, words", [
    ({"Capabilities": ["Voice"]}, "Capabilities now Voice"),
    ({"ExpiryMinutes": 75}, "ExpiryMinutes now 75"),
    ({"Status": "Closed"}, "it has ended (Closed)"),
])
def test_an_extend_is_not_sent_over_a_change_made_meanwhile(server, state, tmp_path,
                                                            meanwhile, words):
    """Walk 4 #18: an extend sends the Capabilities the dialog saw; another operator's
    change to them, made meanwhile (the app's view stale), was silently undone. The
    session is asked for again first: a difference stops the extend, nothing is sent."""
    path = tmp_path / "events.jsonl"
    seen = ProxySession.from_api(state.get_session(SEED_CONNECTOR_ID, SEED_SESSION_ID))
    planned = plan_extend(seen, "90", FIXED_NOW)
    state.set_fields(SEED_CONNECTOR_ID, SEED_SESSION_ID, meanwhile)
    outcome = run(send(server, planned, Audit(path)))
    assert not outcome.ok and words in str(outcome.error)
    assert writes(state) == []
    assert not path.exists()  # nothing was attempted
    said = failure_message(outcome)
    assert said.startswith(f"The session changed since this dialog opened ({words}")
    assert "nothing was sent" in said


def test_a_session_with_no_expiry_is_not_given_one_already_past():
    """Walk 4 #2: a session with no ExpiryMinutes, made 4 hours ago: 'extend' to 5
    minutes put its expiry 4 hours back, and the service ended it."""
    endless = ProxySession.from_api({**SEED_EXAMPLE["ProxySession"], "ExpiryMinutes": None,
                                     "CreatedTimestamp": "2026-11-27T08:00:00Z"})
    with pytest.raises(Invalid, match="the session has no expiry now, and this would end it"):
        plan_extend(endless, "5", FIXED_NOW)
    assert plan_extend(endless, "600", FIXED_NOW).new == 600  # 18:00, to come: fine


def audit_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_perform_sends_once_and_records_the_attempt(server, state, tmp_path):
    path = tmp_path / "events.jsonl"
    session = ProxySession.from_api(state.get_session(SEED_CONNECTOR_ID, SEED_SESSION_ID))
    outcome = run(send(server, plan_extend(session, "90", FIXED_NOW), Audit(path)))
    assert outcome.ok and outcome.session is not None
    assert outcome.session.expiry_minutes == 90
    assert writes(state) == [("POST", 201)]
    (line,) = audit_lines(path)
    assert line["operation"] == "UpdateProxySession"
    assert line["VoiceConnectorId"] == SEED_CONNECTOR_ID
    assert line["ProxySessionId"] == SEED_SESSION_ID
    assert line["change"] == {"Capabilities": ["SMS", "Voice"], "ExpiryMinutes": 90}
    assert line["result"] == {"outcome": "ok", "status": 201}
    assert line["region"] == "us-east-1" and line["endpoint"] == server.url
    key, what, old, new = timeline_entry(outcome)
    assert (key, what, old, new) == ((SEED_CONNECTOR_ID, SEED_SESSION_ID), "extended by you",
                                     60, 90)


def test_a_failed_write_is_not_retried_and_says_why(server, state, tmp_path):
    path = tmp_path / "events.jsonl"
    planned = plan_end(SEED)
    state.faults.throttle = 3
    outcome = run(send(server, planned, Audit(path), max_attempts=3))
    assert writes(state) == [("DELETE", 429)]  # one attempt, whatever the settings say
    assert "Throttled by the service: nothing was changed" in failure_message(outcome)
    assert outcome.may_retry and timeline_entry(outcome) is None
    state.faults.clear()
    state.faults.status, state.faults.status_count = 403, 1
    outcome = run(send(server, planned, Audit(path)))
    assert "your role may read but not write proxy sessions: needs chime:DeleteProxySession" \
        in failure_message(outcome)
    state.sessions[SEED_CONNECTOR_ID].clear()
    outcome = run(send(server, planned, Audit(path)))
    assert failure_message(outcome) == ("Session already gone: it ended or was deleted. "
                                        "Nothing was changed.")
    assert not outcome.may_retry
    results = [line["result"] for line in audit_lines(path)]
    assert [(r["outcome"], r["status"]) for r in results] == [("error", 429), ("error", 403),
                                                              ("error", 404)]


def test_a_bad_request_shows_the_services_words(server, state):
    state.add_rule({"status": 400, "path": "/proxy-sessions/", "message": "[bold]no[/] way"})
    outcome = run(send(server, plan_capabilities(SEED, ["SMS"])))
    assert failure_message(outcome) == ("The service refused the request (HTTP 400): "
                                        "[bold]no[/] way")


def test_a_create_whose_answer_is_lost_may_have_happened(server, state, tmp_path):
    path = tmp_path / "events.jsonl"
    state.add_rule({"latency": 1.5, "path": f"/voice-connectors/{SEED_CONNECTOR_ID}/"
                                             "proxy-sessions"})
    planned = plan_create(SEED_CONNECTOR_ID, CreateForm(
        participants=("+12065550111", "+12065550122")))
    before = len(state.sessions[SEED_CONNECTOR_ID])
    outcome = run(send(server, planned, Audit(path, redact=True), read_timeout=0.5,
                       max_attempts=3))
    assert outcome.maybe_created and not outcome.may_retry
    assert "may have been created" in failure_message(outcome)
    # The endpoint did create it; the client sent the request once.
    import time

    deadline = time.monotonic() + 5
    while not writes(state) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert writes(state) == [("POST", 201)]
    assert len(state.sessions[SEED_CONNECTOR_ID]) == before + 1
    (line,) = audit_lines(path)
    assert line["result"]["outcome"] == "unknown"
    assert line["change"]["ParticipantPhoneNumbers"] == ["+1*******11", "+1*******22"]


def test_the_timeline_entry_of_each_kind():
    created = ProxySession.from_api({**SEED_EXAMPLE["ProxySession"], "ProxySessionId": "new"})
    planned = plan_create(SEED_CONNECTOR_ID, CreateForm(participants=("+12065550111",
                                                                      "+12065550122")))
    assert timeline_entry(Outcome(planned, created)) == (
        (SEED_CONNECTOR_ID, "new"), "created by you", None, "Open")
    assert timeline_entry(Outcome(plan_end(SEED)))[1:] == ("ended by you", "Open", "deleted")
    assert timeline_entry(Outcome(plan_capabilities(SEED, ["SMS"])))[1:] == (
        "capabilities changed by you", ["SMS", "Voice"], ["SMS"])
    extended = plan_extend(SEED, "75", FIXED_NOW)
    assert timeline_entry(Outcome(extended))[1:] == ("extended by you", 60, 75)


def test_the_timeline_says_extended_only_for_a_longer_expiry():
    """Walk 3, finding 6: a shortening 60 → 30 (which ended the session) read "extended by
    you". The extend dialog refuses one now; the words do not rely on that."""
    extended = plan_extend(SEED, "75", FIXED_NOW)
    shorter = dataclasses.replace(extended, new=30)
    assert timeline_entry(Outcome(shorter))[1:] == ("shortened by you", 60, 30)
    unknown = dataclasses.replace(extended, old=None)
    assert timeline_entry(Outcome(unknown))[1:] == ("ExpiryMinutes changed by you", None, 75)
