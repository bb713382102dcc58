from datetime import UTC, datetime, timedelta, timezone

import pytest

from chime_tui.models import (
    ExpiryState,
    ProxySession,
    VoiceConnector,
    parse_timestamp,
    redact_phone,
    validate_proxy_session_id,
    validate_voice_connector_id,
)

from .conftest import SEED_EXAMPLE

UTC = UTC


def test_seed_example_parses_every_field():
    s = ProxySession.from_api(SEED_EXAMPLE["ProxySession"])
    assert s.voice_connector_id == "abcdef1ghij2klmno3pqr4"
    assert s.proxy_session_id == "123a4bc5-67d8-901e-2f3g-h4ghjk56789l"
    assert s.status == "Open"
    assert s.expiry_minutes == 60
    assert s.capabilities == ("SMS", "Voice")
    assert s.created == datetime(2020, 4, 15, 16, 10, 10, 288000, tzinfo=UTC)
    assert s.updated == s.created
    assert s.ended is None
    assert [(p.phone_number, p.proxy_phone_number) for p in s.participants] == [
        ("+12065550100", "+19135550199"), ("+14015550101", "+19135550199")]
    assert s.expires_at == datetime(2020, 4, 15, 17, 10, 10, 288000, tzinfo=UTC)


def test_all_optional_fields_and_geo_params():
    s = ProxySession.from_api({
        "ProxySessionId": "x", "Name": "order 1", "NumberSelectionBehavior": "PreferSticky",
        "GeoMatchLevel": "AreaCode", "GeoMatchParams": {"Country": "US", "AreaCode": "206"},
        "EndedTimestamp": "2026-01-01T00:00:00Z",
    })
    assert s.name == "order 1"
    assert s.number_selection_behavior == "PreferSticky"
    assert s.geo_match_level == "AreaCode"
    assert s.geo_match_params is not None
    assert (s.geo_match_params.country, s.geo_match_params.area_code) == ("US", "206")
    assert s.ended == datetime(2026, 1, 1, tzinfo=UTC)


def test_missing_fields_and_unknown_enums_are_tolerated():
    s = ProxySession.from_api({"Status": "Paused", "Capabilities": ["Voice", "Fax"]})
    assert s.status == "Paused"
    assert s.capabilities == ("Voice", "Fax")
    assert s.participants == ()
    assert s.expires_at is None
    assert s.expiry_state(datetime.now(UTC)) is ExpiryState.UNKNOWN
    assert s.time_to_expiry(datetime.now(UTC)) is None


def test_wrong_types_do_not_raise():
    s = ProxySession.from_api({"ExpiryMinutes": "sixty", "Capabilities": "Voice",
                               "Participants": [1, None], "CreatedTimestamp": "yesterday"})
    assert s.expiry_minutes is None
    assert s.capabilities == ()
    assert len(s.participants) == 2 and s.participants[0].phone_number is None
    assert s.created is None
    with pytest.raises(ValueError):
        ProxySession.from_api(["not", "an", "object"])


@pytest.mark.parametrize("text, expected", [
    ("2020-04-15T16:10:10.288Z", datetime(2020, 4, 15, 16, 10, 10, 288000, tzinfo=UTC)),
    ("2020-04-15T16:10:10Z", datetime(2020, 4, 15, 16, 10, 10, tzinfo=UTC)),
    ("2020-04-15T18:10:10.5+02:00", datetime(2020, 4, 15, 16, 10, 10, 500000, tzinfo=UTC)),
    ("2020-04-15T16:10:10", datetime(2020, 4, 15, 16, 10, 10, tzinfo=UTC)),
    ("not a time", None),
    (None, None),
])
def test_timestamps_with_and_without_milliseconds_and_zones(text, expected):
    assert parse_timestamp(text) == expected


def test_parsed_datetimes_from_botocore_are_normalised_to_utc():
    tz = timezone(timedelta(hours=-7))
    assert parse_timestamp(datetime(2020, 1, 1, 5, tzinfo=tz)) == datetime(2020, 1, 1, 12, tzinfo=UTC)


def _session(**kw):
    base = {"Status": "Open", "ExpiryMinutes": 60, "CreatedTimestamp": "2026-11-27T12:00:00Z"}
    base.update(kw)
    return ProxySession.from_api(base)


def test_time_to_expiry_counts_down_then_says_expired():
    s = _session()
    start = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert s.time_to_expiry(start + timedelta(minutes=17)) == timedelta(minutes=43)
    assert s.expiry_state(start + timedelta(minutes=59, seconds=59)) is ExpiryState.COUNTING
    assert s.expiry_state(start + timedelta(minutes=60)) is ExpiryState.EXPIRED
    assert s.time_to_expiry(start + timedelta(hours=3)) == timedelta(0)
    assert s.elapsed_fraction(start + timedelta(minutes=15)) == pytest.approx(0.25)


def test_closed_or_ended_early_has_no_countdown():
    ended_early = _session(EndedTimestamp="2026-11-27T12:10:00Z")
    now = datetime(2026, 11, 27, 12, 20, tzinfo=UTC)
    assert ended_early.expiry_state(now) is ExpiryState.ENDED
    assert ended_early.time_to_expiry(now) is None
    assert ended_early.elapsed_fraction(now) == pytest.approx(10 / 60)
    closed = _session(Status="Closed")
    assert closed.time_to_expiry(now) is None


def test_no_expiry_minutes_means_no_expiry():
    s = _session(ExpiryMinutes=None)
    assert s.expires_at is None and s.elapsed_fraction(datetime.now(UTC)) is None


def test_voice_connector_parses():
    vc = VoiceConnector.from_api({"VoiceConnectorId": "abcdef1ghij2klmno3pqr4", "Name": "n",
                                  "AwsRegion": "us-west-2", "RequireEncryption": True})
    assert (vc.voice_connector_id, vc.name, vc.aws_region, vc.require_encryption) == (
        "abcdef1ghij2klmno3pqr4", "n", "us-west-2", True)


def test_redaction_keeps_country_code_and_last_two_digits():
    assert redact_phone("+12065550100") == "+1*******00"
    assert redact_phone("+447700900123") == "+44*******23"
    assert redact_phone(None) is None
    assert "5550" not in redact_phone("+12065550100")


@pytest.mark.parametrize("value", ["abcdef1ghij2klmno3pqr4", "abcdef1ghij2klmno3pqr",
                                   "0f8fad5b-d9cb-469f-a165-70867728950e"])
def test_valid_voice_connector_ids(value):
    assert validate_voice_connector_id(value) is None


@pytest.mark.parametrize("value", ["", "ABCDEF1GHIJ2KLMNO3PQR4", "short", "a" * 200,
                                   "abcdef1ghij2klmno3pq\n4", "abcdef1ghij2klmno3pqr4/x"])
def test_invalid_voice_connector_ids(value):
    assert validate_voice_connector_id(value)


@pytest.mark.parametrize("value", ["", "   ", "x" * 129, "a\x00b", "a/b"])
def test_invalid_proxy_session_ids(value):
    assert validate_proxy_session_id(value)


def test_seed_proxy_session_id_is_valid():
    assert validate_proxy_session_id("123a4bc5-67d8-901e-2f3g-h4ghjk56789l") is None


def test_voice_connector_proxy_from_api():
    import pytest

    from chime_tui.models import VoiceConnectorProxy

    p = VoiceConnectorProxy.from_api({"DefaultSessionExpiryMinutes": 30, "Disabled": True,
                                      "FallBackPhoneNumber": "+12065550100",
                                      "PhoneNumberCountries": ["US", "GB"]})
    assert (p.default_session_expiry_minutes, p.disabled, p.fall_back_phone_number,
            p.phone_number_countries, p.state) == (30, True, "+12065550100", ("US", "GB"), "off")
    assert VoiceConnectorProxy.from_api({}).state == "on"  # Disabled missing: not disabled
    odd = VoiceConnectorProxy.from_api({"Disabled": "no", "PhoneNumberCountries": "US"})
    assert (odd.disabled, odd.phone_number_countries) == (None, ())
    with pytest.raises(ValueError):
        VoiceConnectorProxy.from_api(None)


def test_proxy_state_for_the_picker_column():
    from chime_tui.models import VoiceConnectorProxy, proxy_state

    assert proxy_state(None) == "not configured"
    assert proxy_state(VoiceConnectorProxy(disabled=True)) == "off"
    assert proxy_state(VoiceConnectorProxy(disabled=False)) == "on"
