"""Is a 2xx answer this operation's answer? Checked before botocore parses it.

botocore's REST-JSON parser takes a body that is not JSON as `{"message": body}`
and a JSON object with none of the output's members as an empty answer: an HTML
page from a proxy would be an empty last page of sessions. Here such a body is
a typed `BadResponse` instead, for aiobotocore's and botocore's clients alike
(`before-parse` event). No botocore import: the shapes come with the event.
"""

from __future__ import annotations

import json
from typing import Any

from chime_tui.aws.errors import BadResponse

# A top-level member's model type -> the JSON types that may carry it.
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "structure": (dict,), "list": (list,), "map": (dict,), "string": (str,),
    "integer": (int,), "long": (int,), "boolean": (bool,), "float": (int, float),
    "double": (int, float), "timestamp": (str, int, float),
}


def _bad(why: str, body: bytes) -> BadResponse:
    return BadResponse(f"unexpected response from the service ({why})", code="BadResponse",
                       detail=body[:2000].decode("utf-8", "replace"))


def check_response(operation_model: Any, response_dict: dict[str, Any], **_: Any) -> None:
    """Raise BadResponse unless a 2xx body is a JSON object shaped like the output."""
    status = response_dict.get("status_code") or 0
    shape = operation_model.output_shape
    if not 200 <= status < 300 or shape is None or operation_model.has_streaming_output:
        return
    members = {name: m for name, m in shape.members.items()
               if not m.serialization.get("location")}
    if not members:
        return
    body = response_dict.get("body") or b""
    if isinstance(body, str):
        body = body.encode()
    if not body.strip():
        raise _bad("an empty body", body)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise _bad("the body is not JSON", body) from None
    if not isinstance(data, dict):
        raise _bad("the body is not a JSON object", body)
    known = [k for k in data if k in members]
    if data and not known:
        raise _bad(f"none of {', '.join(sorted(members))} in the body", body)
    for key in known:
        value, kind = data[key], members[key].type_name
        allowed = _JSON_TYPES.get(kind)
        if value is not None and allowed is not None and (
                not isinstance(value, allowed)
                or isinstance(value, bool) and bool not in allowed):
            raise _bad(f"{key} is not a {kind}", body)
    # A single structure (GetProxySession's ProxySession) is the whole answer.
    if len(members) == 1:
        (name, member), = members.items()
        if member.type_name == "structure" and not isinstance(data.get(name), dict):
            raise _bad(f"no {name} in the body", body)


def register(events: Any, service_id: str = "chime-sdk-voice") -> None:
    """Check every answer of a client (`client.meta.events`)."""
    events.register(f"before-parse.{service_id}.*", check_response,
                    unique_id="chime-tui-check-response")
