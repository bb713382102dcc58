"""The user's settings file (TOML), and where the app keeps its data.

Order of precedence: flags > environment > file > defaults. Nothing touches
the filesystem at import. A malformed file never stops the app: the problem
is reported with its line, and the defaults are used.

    # ~/.config/chime-tui/config.toml
    profile = "oncall"
    region = "us-west-2"
    refresh = 5
    redact = true
    theme = "nord"
    alert_threshold_minutes = 5
    alerts = "notify"          # off | bell | notify
    [keys]                     # Textual binding ids -> keys
    refresh = "f5"
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

APP = "chime-tui"
ALERT_MODES = ("off", "bell", "notify")


@dataclass(frozen=True)
class Config:
    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    refresh: float = 5.0
    redact: bool = False
    theme: str | None = None
    alert_threshold_minutes: float = 5.0
    alerts: str = "notify"
    keys: Mapping[str, str] = field(default_factory=dict)


def _xdg(var: str, fallback: str, env: Mapping[str, str]) -> Path:
    base = env.get(var) or str(Path(env.get("HOME") or Path.home()) / fallback)
    return Path(base) / APP


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    explicit = env.get("CHIME_TUI_CONFIG")
    return Path(explicit) if explicit else _xdg("XDG_CONFIG_HOME", ".config", env) / "config.toml"


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    return _xdg("XDG_DATA_HOME", ".local/share", os.environ if env is None else env)


class ConfigError(Exception):
    pass


def _line_of(text: str, key: str) -> int | None:
    for n, line in enumerate(text.splitlines(), 1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return n
    return None


_TYPES: dict[str, tuple[type, ...]] = {
    "profile": (str,), "region": (str,), "endpoint_url": (str,), "theme": (str,),
    "refresh": (int, float), "alert_threshold_minutes": (int, float), "redact": (bool,),
    "alerts": (str,), "keys": (dict,),
}


def parse_config(text: str, where: str = "config") -> Config:
    import tomllib  # only when there is a file to read

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc).replace(
            "(at end of document)", f"(at line {max(1, len(text.splitlines()))}, the end)")
        raise ConfigError(f"{where}: {message}") from None
    values: dict[str, Any] = {}
    for key, value in data.items():
        line = _line_of(text, key)
        at = f"{where}, line {line}" if line else where
        if key not in _TYPES:
            raise ConfigError(f"{at}: unknown setting {key!r} "
                              f"(known: {', '.join(sorted(_TYPES))})")
        if isinstance(value, bool) and bool not in _TYPES[key] or not isinstance(value,
                                                                                _TYPES[key]):
            raise ConfigError(f"{at}: {key} must be {_TYPES[key][0].__name__}, "
                              f"not {type(value).__name__}")
        values[key] = value
    if "refresh" in values and not 0.5 <= values["refresh"] <= 3600:
        raise ConfigError(f"{where}, line {_line_of(text, 'refresh')}: refresh must be "
                          "between 0.5 and 3600 seconds")
    if values.get("alerts", "notify") not in ALERT_MODES:
        raise ConfigError(f"{where}, line {_line_of(text, 'alerts')}: alerts must be one of "
                          f"{', '.join(ALERT_MODES)}")
    if "keys" in values:
        keys = values["keys"]
        bad = [k for k, v in keys.items() if not isinstance(v, str)]
        if bad:
            raise ConfigError(f"{where}: [keys] values must be strings ({', '.join(bad)})")
        values["keys"] = dict(keys)
    return Config(**values)


def load_config(path: Path | None = None) -> tuple[Config, str | None]:
    """The file's settings and a warning to show; defaults when missing or malformed."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config(), None
    except (OSError, UnicodeDecodeError) as exc:
        return Config(), f"cannot read {path}: {exc}; using defaults"
    try:
        return parse_config(text, str(path)), None
    except ConfigError as exc:
        return Config(), f"{exc}; using defaults"


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
            changes["refresh"] = min(3600.0, max(0.5, float(v)))
        except ValueError:
            pass
    if (v := env.get("CHIME_TUI_REDACT")) is not None:
        changes["redact"] = v.strip().lower() in ("1", "true", "yes", "on")
    if (v := env.get("CHIME_TUI_THEME")):
        changes["theme"] = v
    return Config(**{f.name: changes.get(f.name, getattr(config, f.name))
                     for f in fields(Config)})
