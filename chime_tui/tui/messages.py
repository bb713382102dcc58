"""Typed messages that workers post back to screens."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from chime_tui.monitor import PollOutcome


class FetchStarted(Message):
    """A poll has started (the status bar shows a fetch under way)."""


class Fetched(Message):
    """A poll has finished, with a value or a typed error."""

    def __init__(self, outcome: PollOutcome[Any]) -> None:
        super().__init__()
        self.outcome = outcome


class SessionsPage(Message):
    """One page of a connector's sessions, on the first load (shown as it arrives)."""

    def __init__(self, sessions: list[Any]) -> None:
        super().__init__()
        self.sessions = sessions
