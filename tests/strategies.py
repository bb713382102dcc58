"""Hypothesis strategies built from the botocore service model's shapes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import botocore.session
from hypothesis import strategies as st

MODEL = botocore.session.get_session().get_service_model("chime-sdk-voice")
UNKNOWN = st.sampled_from(["Paused", "Fax", "Video", "", "?", "UNKNOWN_FUTURE_VALUE"])


def timestamps() -> st.SearchStrategy[str]:
    """Odd but valid ISO 8601: with or without milliseconds, 'Z' or offsets, any era."""
    def fmt(args: tuple[datetime, int, int]) -> str:
        dt, style, offset = args
        tz = timezone(timedelta(minutes=offset))
        local = dt.astimezone(tz)
        base = local.strftime("%Y-%m-%dT%H:%M:%S")
        frac = ["", f".{local.microsecond // 1000:03d}", f".{local.microsecond:06d}"][style]
        zone = "Z" if offset == 0 and style != 2 else local.strftime("%z")[:3] + ":" + \
            local.strftime("%z")[3:]
        return base + frac + zone

    return st.tuples(
        st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31),
                     timezones=st.just(UTC)),
        st.integers(0, 2), st.sampled_from([0, 0, 60, -300, 330, 840, -720]),
    ).map(fmt)


def from_shape(shape: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    t = shape.type_name
    if t == "structure":
        members = {name: from_shape(m, depth + 1) for name, m in shape.members.items()}
        required = set(shape.required_members)
        return st.fixed_dictionaries(
            {k: v for k, v in members.items() if k in required},
            optional={k: v for k, v in members.items() if k not in required})
    if t == "list":
        return st.lists(from_shape(shape.member, depth + 1), max_size=60 if depth < 2 else 3)
    if t == "timestamp":
        return timestamps()
    if t == "integer":
        return st.integers(min_value=shape.metadata.get("min", 0), max_value=10**7)
    if t == "boolean":
        return st.booleans()
    if t == "string":
        if shape.enum:
            return st.one_of(st.sampled_from(list(shape.enum)), UNKNOWN)
        if shape.name == "E164PhoneNumber":
            return st.from_regex(r"\+[1-9][0-9]{1,14}", fullmatch=True)
        if shape.name in ("Country",):
            return st.from_regex(r"[A-Z]{2}", fullmatch=True)
        if shape.name in ("AreaCode",):
            return st.from_regex(r"[0-9]{3}", fullmatch=True)
        return st.text(min_size=0, max_size=140)
    return st.none()


def proxy_sessions() -> st.SearchStrategy[dict[str, Any]]:
    shape = MODEL.shape_for("ProxySession")
    return from_shape(shape)
