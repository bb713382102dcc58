"""The user's settings file (TOML), and where the app keeps its data.

Order of precedence: flags > environment > file > defaults. Nothing touches
the filesystem at import. A malformed file never stops the app: each problem
(an unknown key, a value of the wrong type or out of range, an unknown theme or
binding id, a key remap that takes a key another binding needs) is reported with
its line, that setting keeps its default, and the valid settings still apply. A
file that cannot be parsed at all is reported, and the defaults are used.

    # ~/.config/chime-tui/config.toml
    profile = "oncall"
    region = "us-west-2"
    refresh = 5
    redact = true
    theme = "nord"
    alert_threshold_minutes = 5
    alerts = "notify"          # off | bell | notify
    allow_writes = false       # true: the app may extend, change, end, create sessions
    [keys]                     # Textual binding ids -> keys
    refresh = "f5"
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from chime_tui.textsafe import has_unsafe, quoted
from chime_tui.validate import ALERT_MODES

APP = "chime-tui"
DEFAULT_REFRESH = 5.0


@dataclass(frozen=True)
class Preferences:
    """What the user chooses for the dashboard (settings file, CHIME_TUI_* variables,
    flags), and the one place each choice's default is defined. `Config` (the file)
    and `chime_tui.settings.AppSettings` (one run of the app) are both built on it."""

    refresh: float = DEFAULT_REFRESH  # seconds between polls
    redact: bool = False
    theme: str | None = None
    keys: Mapping[str, str] = field(default_factory=dict)  # binding id -> keys (set_keymap)
    alert_threshold_minutes: float = 5.0
    alerts: str = "notify"  # one of ALERT_MODES: off | bell | notify
    # The app's write actions (chime_tui.actions): off, the app is read-only and a write
    # key says how to turn them on; --allow-writes turns them on for one run.
    allow_writes: bool = False

    def preferences(self) -> dict[str, Any]:
        """The preferences alone, to build other settings from: `AppSettings(**...)`."""
        return {f.name: getattr(self, f.name) for f in fields(Preferences)}


@dataclass(frozen=True)
class Config(Preferences):
    """The settings file's valid values (the environment applied by `env_overrides`):
    the preferences, and where to connect, which the AWS options resolve with the flags
    (`chime_tui.options.aws_settings_from`)."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None


def _xdg(var: str, fallback: str, env: Mapping[str, str]) -> Path:
    base = env.get(var) or str(Path(env.get("HOME") or Path.home()) / fallback)
    return Path(base) / APP


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    explicit = env.get("CHIME_TUI_CONFIG")
    return Path(explicit) if explicit else _xdg("XDG_CONFIG_HOME", ".config", env) / "config.toml"


def state_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where crash logs go ($XDG_STATE_HOME/chime-tui)."""
    return _xdg("XDG_STATE_HOME", ".local/state", os.environ if env is None else env)


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    return _xdg("XDG_DATA_HOME", ".local/share", os.environ if env is None else env)


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class Problem:
    """One problem with the settings file: where, and what. `fatal`: the file could
    not be read or parsed at all (every setting is then the default)."""

    where: str
    line: int | None
    key: str | None
    message: str
    fatal: bool = False

    def __str__(self) -> str:
        at = f"{self.where}, line {self.line}" if self.line else self.where
        return f"{at}: {self.message}"


_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]")
_ASSIGN = re.compile(r"""^\s*["']?([^"'=\s]+)["']?\s*=""")


def _lines(text: str) -> dict[tuple[str, str], int]:
    """(table, key) -> the line where the key is set; table "" is the top level."""
    found: dict[tuple[str, str], int] = {}
    table = ""
    for n, line in enumerate(text.splitlines(), 1):
        if m := _TABLE.match(line):
            table = m.group(1)
            found.setdefault(("", table), n)
        elif m := _ASSIGN.match(line):
            found.setdefault((table, m.group(1)), n)
    return found


def _line_of(text: str, key: str) -> int | None:
    return _lines(text).get(("", key))


_TYPES: dict[str, tuple[type, ...]] = {
    "profile": (str,), "region": (str,), "endpoint_url": (str,), "theme": (str,),
    "refresh": (int, float), "alert_threshold_minutes": (int, float), "redact": (bool,),
    "alerts": (str,), "keys": (dict,), "allow_writes": (bool,),
}
_TYPE_NAMES = {str: "a string", bool: "bool (true or false)", int: "a number", dict: "a table"}
_THEME_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def _value_problem(key: str, value: Any, themes: Collection[str] | None) -> str | None:
    """Why this (well-typed) value cannot be used, or None."""
    from chime_tui.validate import (
        ALERT_THRESHOLD,
        REFRESH,
        check_endpoint_url,
        check_region,
        parse_number,
    )

    if key in ("refresh", "alert_threshold_minutes"):
        low, high, unit = REFRESH if key == "refresh" else ALERT_THRESHOLD
        try:
            parse_number(value, low, high, unit)
        except ValueError as exc:
            return f"{key} {exc}"
    elif key == "alerts" and value not in ALERT_MODES:
        return f"alerts must be one of {', '.join(ALERT_MODES)}, not {quoted(value, 40)}"
    elif key == "region":
        return check_region(value, "region in the settings file")
    elif key == "endpoint_url":
        return check_endpoint_url(value, "endpoint_url")
    elif key == "profile" and (not value.strip() or has_unsafe(value)):
        return f"profile {quoted(value, 40)} is not a profile name"
    elif key == "theme":
        if themes is not None and value not in themes:
            return f"unknown theme {quoted(value, 40)} (known: {', '.join(sorted(themes))})"
        if themes is None and not _THEME_NAME.match(value):
            return f"theme {quoted(value, 40)} is not a theme name"
    return None


def read_config(text: str, where: str = "config", themes: Collection[str] | None = None
                ) -> tuple[Config, list[Problem]]:
    """The settings in `text` and every problem with them, one by one.

    A bad value or an unknown key is reported with its line and left out; the valid
    settings are still applied (a typo must not switch redaction off). A file that
    cannot be parsed yields the defaults and one fatal problem. `themes`: the theme
    names the app knows (None: only the name's form is checked)."""
    import tomllib  # only when there is a file to read

    from chime_tui.keymap import keymap_problems

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc).replace(
            "(at end of document)", f"(at line {max(1, len(text.splitlines()))}, the end)")
        return Config(), [Problem(where, None, None, message, fatal=True)]
    lines = _lines(text)
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for key, value in data.items():
        line = lines.get(("", key))

        def problem(message: str, key: str = key, line: int | None = line) -> None:
            problems.append(Problem(where, line, key, message))

        if key not in _TYPES:
            problem(f"unknown setting {quoted(key, 40)} (known: {', '.join(sorted(_TYPES))})")
            continue
        types = _TYPES[key]
        if isinstance(value, bool) and bool not in types or not isinstance(value, types):
            problem(f"{key} must be {_TYPE_NAMES.get(types[0], types[0].__name__)}, "
                    f"not {type(value).__name__}")
            continue
        if key == "keys":
            assert isinstance(value, dict)  # checked against _TYPES above
            found = keymap_problems(value)
            bad = {bid for bid, _ in found}
            for bid, message in found:
                problem(message, line=lines.get(("keys", bid), line))
            good = {b: v for b, v in value.items() if b not in bad}
            if good:
                values["keys"] = good
            continue
        if reason := _value_problem(key, value, themes):
            problem(reason)
            continue
        if key in ("refresh", "alert_threshold_minutes"):
            assert isinstance(value, (int, float))
            value = float(value)
        values[key] = value
    problems.sort(key=lambda p: p.line or 0)
    return Config(**values), problems


def parse_config(text: str, where: str = "config") -> Config:
    """The settings in `text`; ConfigError on the first problem (see `read_config`)."""
    config, problems = read_config(text, where)
    if problems:
        raise ConfigError(str(problems[0]))
    return config


def load_config_problems(path: Path | None = None, themes: Collection[str] | None = None
                         ) -> tuple[Config, list[Problem]]:
    """The file's valid settings and every problem with it (none: no file)."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config(), []
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        return Config(), [Problem(str(path), None, None, f"cannot read it: {reason}",
                                  fatal=True)]
    return read_config(text, str(path), themes)


def summary(problems: list[Problem]) -> str | None:
    """One message for all the problems: what is wrong, and what is used instead."""
    if not problems:
        return None
    lines = [str(p) for p in problems]
    if any(p.fatal for p in problems):
        lines[-1] += "; using defaults"
    else:
        keys = sorted({p.key for p in problems if p.key and p.key in _TYPES})
        lines[-1] += (f"; using defaults for {', '.join(keys)} (the other settings apply)"
                      if keys else
                      "; ignored (the valid settings apply, using defaults for the rest)")
    return "\n".join(lines)


def load_config(path: Path | None = None, themes: Collection[str] | None = None
                ) -> tuple[Config, str | None]:
    """The file's valid settings and a warning to show (None if all is well)."""
    config, problems = load_config_problems(path, themes)
    return config, summary(problems)


def env_overrides(config: Config, env: Mapping[str, str] | None = None) -> Config:
    """Environment beats the file: AWS_PROFILE, AWS_REGION, CHIME_TUI_REFRESH, ..."""
    env = os.environ if env is None else env
    changes: dict[str, Any] = {}
    if env.get("AWS_PROFILE"):
        changes["profile"] = None  # botocore reads AWS_PROFILE itself
    if env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION"):
        changes["region"] = None
    if env.get("AWS_ENDPOINT_URL") or env.get("AWS_ENDPOINT_URL_CHIME_SDK_VOICE"):
        changes["endpoint_url"] = None
    if (v := env.get("CHIME_TUI_REFRESH")) is not None:
        try:
            value = float(v)
        except ValueError:
            value = math.nan  # reported by env_problems
        if math.isfinite(value):
            from chime_tui.validate import REFRESH

            changes["refresh"] = min(REFRESH[1], max(REFRESH[0], value))
    if (v := env.get("CHIME_TUI_REDACT")) is not None:
        changes["redact"] = v.strip().lower() in ("1", "true", "yes", "on")
    if (v := env.get("CHIME_TUI_THEME")):
        changes["theme"] = v
    if (v := env.get("CHIME_TUI_ALLOW_WRITES")) is not None:
        changes["allow_writes"] = v.strip().lower() in ("1", "true", "yes", "on")
    return replace(config, **changes)


def env_problems(env: Mapping[str, str] | None = None, themes: Collection[str] | None = None
                 ) -> list[str]:
    """What is wrong with the CHIME_TUI_* variables (each is then ignored)."""
    env = os.environ if env is None else env
    problems = []
    if (v := env.get("CHIME_TUI_REFRESH")) is not None:
        try:
            if not math.isfinite(float(v)):
                raise ValueError
        except ValueError:
            problems.append(f"CHIME_TUI_REFRESH={quoted(v, 40)} is not a number of seconds; "
                            "ignored")
    if (v := env.get("CHIME_TUI_THEME")) and (reason := _value_problem("theme", v, themes)):
        problems.append(f"CHIME_TUI_THEME: {reason}; the default theme is used")
    return problems
