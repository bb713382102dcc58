"""The Textual app and `make_app`, the factory the CLI and the tests share."""

from __future__ import annotations

import random
import time
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from chime_tui import __version__
from chime_tui.aws.client import ChimeVoiceClient
from chime_tui.settings import AppSettings
from chime_tui.tui.screens.detail import SessionDetailScreen
from chime_tui.tui.screens.help import HelpScreen
from chime_tui.tui.screens.open_by_id import OpenByIdScreen
from chime_tui.tui.screens.picker import ConnectorPickerScreen
from chime_tui.tui.screens.sessions import SessionListScreen


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class ChimeTuiApp(App[None]):
    CSS_PATH = "chime_tui.tcss"
    TITLE = "chime-tui"
    # Narrow terminals stack the panels in one scrolling column.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (90, "-wide")]
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Keys", id="help"),
        Binding("ctrl+o", "open_by_id", "Open by ID", id="open_by_id"),
        Binding("x", "toggle_redact", "Redact", id="redact"),
    ]

    def __init__(self, settings: AppSettings, service: ChimeVoiceClient,
                 clock: Callable[[], datetime] = utcnow,
                 rng: Callable[[], float] = random.random,
                 timer: Callable[[], float] = time.perf_counter, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.service = service
        # Injectable for frozen-clock snapshots: wall clock, backoff jitter, latency timer.
        self.clock = clock
        self.rng = rng
        self.timer = timer
        self.redact = settings.redact

    @property
    def context_label(self) -> str:
        s = self.settings.aws
        profile = s.profile or ("demo" if self.settings.demo else "default")
        region = self.service.region or s.region or "region from profile"
        return f"profile {profile} · {region} · {self.settings.endpoint_label}"

    def on_mount(self) -> None:
        self.sub_title = f"v{__version__}"
        self.apply_user_settings()
        vc, sid = self.settings.voice_connector_id, self.settings.proxy_session_id
        self.push_screen(ConnectorPickerScreen(covered=bool(vc)))
        if vc:
            self.push_screen(SessionListScreen(vc, covered=bool(sid)))
            if sid:
                self.push_screen(SessionDetailScreen(vc, sid))

    def apply_user_settings(self) -> None:
        """Theme, key remapping (binding ids) and any problem with the config file."""
        s = self.settings
        if s.config_warning:
            self.notify(s.config_warning, title="Settings file", severity="warning", timeout=15)
        if s.theme:
            if s.theme in self.available_themes:
                self.theme = s.theme
            else:
                self.notify(f"unknown theme {s.theme!r}; known: "
                            f"{', '.join(sorted(self.available_themes))}",
                            severity="warning", timeout=10)
        if s.keys:
            self.set_keymap(dict(s.keys))

    async def on_unmount(self) -> None:
        await self.service.close()

    # -- navigation (screens ask the app; the app owns the stack) ---------------------
    def open_connector(self, voice_connector_id: str) -> None:
        self.push_screen(SessionListScreen(voice_connector_id))

    def open_session(self, voice_connector_id: str, proxy_session_id: str) -> None:
        self.push_screen(SessionDetailScreen(voice_connector_id, proxy_session_id))

    # -- actions ----------------------------------------------------------------------
    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        rows: list[tuple[str, str]] = []
        seen: set[str] = set()
        for key, active in self.screen.active_bindings.items():
            b = active.binding
            if b.description and (key, b.description) not in seen:
                seen.add((key, b.description))
                rows.append((self.get_key_display(b), b.description))
        self.push_screen(HelpScreen(rows))

    def action_open_by_id(self) -> None:
        current = getattr(self.screen, "voice_connector_id", "") or ""

        def opened(result: tuple[str, str | None] | None) -> None:
            if result is None:
                return
            vc, sid = result
            if sid:
                self.open_session(vc, sid)
            else:
                self.open_connector(vc)

        self.push_screen(OpenByIdScreen(current), opened)

    def action_toggle_redact(self) -> None:
        self.redact = not self.redact
        for screen in self.screen_stack:
            apply = getattr(screen, "apply_redaction", None)
            if apply is not None:
                apply()
        self.notify("Phone numbers redacted" if self.redact else "Phone numbers shown",
                    timeout=2)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Open by ID", "Open a voice connector or session by its ID",
                            self.action_open_by_id)
        yield SystemCommand("Toggle redaction", "Mask phone numbers on screen",
                            self.action_toggle_redact)
        yield SystemCommand("Show keys", "Every key binding of this screen", self.action_help)
        if hasattr(screen, "action_refresh"):
            yield SystemCommand("Refresh now", "Fetch again now", screen.action_refresh)
            yield SystemCommand("Pause or resume auto-refresh", "Stop or restart polling",
                                screen.action_toggle_pause)


def make_app(settings: AppSettings, service: ChimeVoiceClient | None = None,
             **kwargs: Any) -> ChimeTuiApp:
    """Build the app; the service (one aiobotocore client) is created here if not given."""
    return ChimeTuiApp(settings, service or ChimeVoiceClient(settings.aws), **kwargs)
