"""A focusable bordered panel that redraws from a session and the clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.console import RenderableType
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from chime_tui.models import ProxySession


class SessionPanel(Static, can_focus=True):
    """Base for the detail screen's panels: set `session` (and `now`), get a redraw."""

    DEFAULT_CLASSES = "panel"
    TITLE = ""

    session: reactive[ProxySession | None] = reactive(None, always_update=True)
    # What a panel without a session says: loading, or that the session was never found.
    placeholder: reactive[str] = reactive("loading…", init=False)
    now: reactive[datetime | None] = reactive(None)
    redact: reactive[bool] = reactive(False)

    def __init__(self, number: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.number = number
        self.border_title = f"{number} {self.TITLE}"
        self._last_time_key: object = None
        self._last_shape: object = None
        self._relayout = True

    def time_key(self, session: ProxySession, now: datetime) -> object:
        """What this panel shows that depends on the clock; None: nothing does."""
        return None

    def shape_key(self, session: ProxySession, now: datetime) -> object:
        """What decides how many lines the panel has, where the clock can change it
        (e.g. counting down → expired); None: the clock never does."""
        return None

    def tick(self, now: datetime) -> None:
        """Once a second: redraw only if the clock changed what the panel shows, and
        without a layout pass unless it changed the panel's shape too (a ticking
        countdown costs its panel's lines, not the screen's layout)."""
        if self.session is None:
            return
        key = self.time_key(self.session, now)
        if key is not None and key != self._last_time_key:
            self._last_time_key = key
            shape = self.shape_key(self.session, now)
            self._relayout = shape != self._last_shape
            self._last_shape = shape
            self.now = now

    def watch_session(self) -> None:
        self.redraw()

    def watch_now(self) -> None:
        self.redraw(layout=self._relayout)
        self._relayout = True

    def watch_redact(self) -> None:
        self.redraw()

    def watch_placeholder(self) -> None:
        self.redraw()

    def redraw(self, layout: bool = True) -> None:
        if self.session is None:
            self.update(Content.styled(self.placeholder, "dim"))  # literal, never markup
        else:
            now = self.now or datetime.now().astimezone()
            self._last_shape = self.shape_key(self.session, now)
            self.update(self.render_session(self.session, now), layout=layout)

    def render_session(self, session: ProxySession, now: datetime) -> RenderableType:
        raise NotImplementedError
