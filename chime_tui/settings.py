"""What one run of the app is asked to do. Plain data, no Textual."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from chime_tui.aws.settings import AwsSettings
from chime_tui.config import Preferences
from chime_tui.models import SessionKey
from chime_tui.monitor import DEFAULT_SCHEDULE, Schedule


@dataclass(frozen=True)
class AppSettings(Preferences):
    """The user's preferences (refresh, redact, theme, keys, alerts: their defaults are
    `Preferences`'), and what this run is asked to show and where."""

    aws: AwsSettings = field(default_factory=AwsSettings)
    voice_connector_id: str | None = None
    proxy_session_id: str | None = None
    demo: bool = False
    endpoint_name: str | None = None  # how the status bar names the endpoint
    config_warning: str | None = None  # shown once at start-up (markup-escaped; legacy)
    # Every problem with the settings file and CHIME_TUI_* variables, one plain-text
    # line each (name and line): see `startup_warnings`.
    config_problems: tuple[str, ...] = ()
    pins: tuple[SessionKey, ...] = ()  # --pin VC/SID: added to the board, which opens
    pins_file: Path | None = None  # where pins persist (None: not kept)
    events_file: Path | None = None  # timeline events as JSON lines
    schedule: Schedule = DEFAULT_SCHEDULE  # retry backoff bounds
    # --allow-insecure-endpoint: kept for the app's profile/region switch, which checks
    # the new settings with chime_tui.validate.aws_settings_problem.
    allow_insecure_endpoint: bool = False

    @property
    def endpoint_label(self) -> str:
        if self.endpoint_name:
            return self.endpoint_name
        return self.aws.endpoint_url or "AWS"


def startup_warnings(settings: AppSettings) -> list[str]:
    """What the app should keep on screen until the user dismisses it: every problem
    with the settings file (unknown key, bad value, unknown theme or binding id, a key
    remap that takes a key another binding needs, a file that cannot be parsed), one
    line each. Plain text with control characters made visible: show it literally
    (`Text(line)` / `notify(..., markup=False)`), never as markup."""
    from chime_tui.textsafe import clip

    return [clip(line, 400) for line in settings.config_problems]
