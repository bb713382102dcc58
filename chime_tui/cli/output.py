"""Output formats of the AWS-CLI-like commands (redaction: chime_tui.documents).

`json` and `text` follow the AWS CLI's formatters (JSON: indent 4, no ASCII
escaping, `{}` prints nothing; text: tab-separated rows, scalar keys sorted,
nested lists and objects on rows named after their key in upper case).
`human` is this tool's own summary for people.

Server strings are data. `json`, `text` and `table` print exactly the bytes the
AWS CLI prints for the same response (raw control characters included in
`text` and `table`, and C1 characters raw in `json`: the AWS CLI does so, and
scripts compare these formats byte for byte). `yaml` writes a string with
control characters as a double-quoted scalar with escapes (the same value when
parsed back), and `human` shows them made visible (`\x1b`), never raw.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import IO, Any

from chime_tui.textsafe import has_unsafe, visible


def redact(data: Any) -> Any:
    """`chime_tui.documents.redact` (imported when asked: the JSON path needs no models)."""
    from chime_tui.documents import redact as redact_document

    return redact_document(data)


def write_json(data: Any, out: IO[str]) -> None:
    if data != {}:
        out.write(json.dumps(data, indent=4, ensure_ascii=False, default=_encode) + "\n")


def _encode(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def write_text(data: Any, out: IO[str]) -> None:
    _text(data, out, None, None)


def _text(item: Any, out: IO[str], ident: str | None, scalar_keys: list[str] | None) -> None:
    if isinstance(item, dict):
        _text_dict(item, out, ident, scalar_keys)
    elif isinstance(item, list):
        _text_list(item, out, ident)
    else:
        out.write(f"{item}\n")


def _text_list(items: list[Any], out: IO[str], ident: str | None) -> None:
    if not items:
        return
    if any(isinstance(e, dict) for e in items):
        keys = sorted({k for e in items if isinstance(e, dict)
                       for k, v in e.items() if not isinstance(v, (dict, list))})
        for e in items:
            _text(e, out, ident, keys)
    elif any(isinstance(e, list) for e in items):
        scalars = [e for e in items if not isinstance(e, (list, dict))]
        if scalars:
            _text_scalars(scalars, out, ident)
        for e in items:
            if isinstance(e, (list, dict)):
                _text(e, out, ident, None)
    else:
        _text_scalars(items, out, ident)


def _text_scalars(items: list[Any], out: IO[str], ident: str | None) -> None:
    if ident is not None:
        for e in items:
            out.write(f"{ident.upper()}\t{e}\n")
    else:
        out.write("\t".join(str(e) for e in items) + "\n")


def _text_dict(item: dict[str, Any], out: IO[str], ident: str | None,
               scalar_keys: list[str] | None) -> None:
    if scalar_keys is None:
        pairs = sorted(item.items())
        scalars = [str(v) for _, v in pairs if not isinstance(v, (dict, list))]
        nested = [(k, v) for k, v in pairs if isinstance(v, (dict, list))]
    else:
        scalars = [str(item.get(k, "")) for k in scalar_keys]
        nested = [(k, item[k]) for k in sorted(set(item) - set(scalar_keys))]
    if scalars:
        if ident is not None:
            scalars.insert(0, ident.upper())
        out.write("\t".join(scalars) + "\n")
    for key, value in nested:
        _text(value, out, key, None)


def write_human(data: Any, out: IO[str], now: datetime | None = None) -> None:
    """A compact summary for people: one block per session, or JSON for anything else.
    Every server string is shown made visible (`\\x1b`) and bounded, never raw."""
    from chime_tui.humanfmt import expiry_sentence, phone
    from chime_tui.models import ProxySession, utcnow
    from chime_tui.textsafe import clip, json_safe

    now = now or utcnow()
    sessions: list[Any] = []
    if isinstance(data, dict) and set(data) == {"Proxy"} and isinstance(data["Proxy"], dict):
        _human_proxy(data["Proxy"], out)
        return
    if isinstance(data, dict) and isinstance(data.get("ProxySession"), dict):
        sessions = [data["ProxySession"]]
    elif isinstance(data, dict) and isinstance(data.get("ProxySessions"), list):
        sessions = data["ProxySessions"]
    else:
        if data != {}:
            out.write(json_safe(json.dumps(data, indent=4, ensure_ascii=False,
                                           default=_encode)) + "\n")
        return
    for i, raw in enumerate(sessions):
        s = ProxySession.from_api(raw)
        if i:
            out.write("\n")
        title = clip(f"{s.proxy_session_id}") + (f" ({clip(s.name)})" if s.name else "")
        out.write(f"{title}\n")
        out.write(f"  status        {clip(s.status or '—')}, {expiry_sentence(s, now)}\n")
        out.write(f"  capabilities  {clip(', '.join(s.capabilities)) or '—'}\n")
        for n, p in enumerate(s.participants, 1):
            # The numbers were masked already when --redact is on.
            out.write(f"  participant {n} {clip(phone(p.phone_number, False))} via "
                      f"{clip(phone(p.proxy_phone_number, False))}\n")
        if not s.participants:
            out.write("  participants  none\n")


def _human_proxy(raw: Any, out: IO[str]) -> None:
    """A connector's proxy settings for people (the numbers were masked already with
    --redact); every value made visible."""
    from chime_tui.models import VoiceConnectorProxy
    from chime_tui.textsafe import clip

    p = VoiceConnectorProxy.from_api(raw)
    state = "off (Disabled: no new proxy sessions)" if p.disabled else "on"
    minutes = p.default_session_expiry_minutes
    out.write(f"proxying        {state}\n")
    out.write("default expiry  " + (f"{minutes} minutes" if minutes is not None else "—") + "\n")
    out.write(f"fallback number {clip(p.fall_back_phone_number or '—')}\n")
    out.write(f"countries       {clip(', '.join(p.phone_number_countries)) or '—'}\n")


# -- yaml (block style, as the AWS CLI v2 prints it; no YAML library needed) -----------

_PLAIN_OK = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-. ")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    if has_unsafe(text):
        # Double-quoted YAML with escapes (\x1b, \x9b, \n): the same string when
        # parsed, no control character on the terminal.
        return '"' + visible(text.replace("\\", "\\\\").replace('"', '\\"')) + '"'
    plain = (text and set(text) <= _PLAIN_OK and text[0].isalpha()
             and text.strip() == text and text.lower() not in _YAML_WORDS)
    return text if plain else "'" + text.replace("'", "''") + "'"


def _yaml(data: Any, indent: int, out: list[str]) -> None:
    pad = "  " * indent
    if isinstance(data, dict):
        if not data:
            out.append(pad + "{}")
        for key, value in data.items():
            if isinstance(value, dict) and value:
                out.append(f"{pad}{_yaml_scalar(key)}:")
                _yaml(value, indent + 1, out)
            elif isinstance(value, list) and value:
                out.append(f"{pad}{_yaml_scalar(key)}:")
                _yaml(value, indent, out)
            else:
                empty = "{}" if isinstance(value, dict) else "[]" if isinstance(value, list) \
                    else _yaml_scalar(value)
                out.append(f"{pad}{_yaml_scalar(key)}: {empty}")
    elif isinstance(data, list):
        if not data:
            out.append(pad + "[]")
        for item in data:
            if isinstance(item, (dict, list)) and item:
                sub: list[str] = []
                _yaml(item, indent + 1, sub)
                first = sub[0][len(pad) + 2:]
                out.append(f"{pad}- {first}")
                out.extend(sub[1:])
            else:
                out.append(f"{pad}- " + (("{}" if isinstance(item, dict) else "[]")
                                          if isinstance(item, (dict, list)) else _yaml_scalar(item)))
    else:
        out.append(pad + _yaml_scalar(data))


def write_yaml(data: Any, out: IO[str]) -> None:
    lines: list[str] = []
    _yaml(data, 0, lines)
    out.write("\n".join(lines) + "\n")
