from datetime import UTC

from hypothesis import given
from hypothesis import strategies as st

from chime_tui.textsafe import clip, has_unsafe, visible


def test_escape_sequences_are_made_visible() -> None:
    name = "x\u001b]52;c;ZWNobyBwd25lZA==\u001b\\y"
    shown = visible(name)
    assert "\x1b" not in shown
    assert shown == "x\\x1b]52;c;ZWNobyBwd25lZA==\\x1b\\y"
    assert visible("a\u009bb\x07c\nd\t\u202e") == "a\\x9bb\\x07c\\nd\\t\\u202e"


def test_plain_strings_are_unchanged() -> None:
    assert visible("[link=https://evil.example]click[/link]") == \
        "[link=https://evil.example]click[/link]"
    assert visible("Zoë 東京") == "Zoë 東京"


def test_clip_bounds_huge_values() -> None:
    huge = "n" * 50_000_000
    out = clip(huge, 100)
    assert len(out) == 101 and out.endswith("…")


@given(st.text())
def test_nothing_unsafe_survives(value: str) -> None:
    assert not has_unsafe(visible(value))


def test_invisible_characters_are_made_visible() -> None:
    assert visible("zero\u200bwidth\ufeff\u2060\u2028") == "zero\\u200bwidth\\ufeff\\u2060\\u2028"


def test_a_date_at_the_edge_of_the_calendar_is_not_a_crash() -> None:
    from datetime import datetime

    from chime_tui.humanfmt import ago, expiry_sentence
    from chime_tui.models import ProxySession

    now = datetime(2026, 11, 28, tzinfo=UTC)
    edge = ProxySession.from_api({"ProxySessionId": "x", "Status": "Open", "ExpiryMinutes": 60,
                                  "CreatedTimestamp": "9999-12-31T23:59:59.999Z"})
    assert ago(edge.created, now) == "at the edge of the calendar"
    assert expiry_sentence(edge, now)
