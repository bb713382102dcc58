from __future__ import annotations

from datetime import datetime

from rich.console import Group, RenderableType
from rich.text import Text

from chime_tui.humanfmt import clock_countdown, expiry_sentence, utc_clock
from chime_tui.models import ExpiryState, ProxySession
from chime_tui.tui.widgets.panel import SessionPanel


class ExpiryPanel(SessionPanel):
    """Live countdown, share of ExpiryMinutes used, humanized and absolute times."""

    TITLE = "Expiry"

    def time_key(self, session: ProxySession, now: datetime) -> object:
        if self.gone:
            return None  # no countdown for a session that is gone
        state = session.expiry_state(now)
        left = session.time_to_expiry(now)
        if state is ExpiryState.COUNTING and left is not None:
            # Everything shown (countdown, sentence, bar, share used) follows from the
            # whole seconds left, and the day (the sentence names the date once the
            # expiry is on another day): no need to word the sentence to compare it.
            return state, int(left.total_seconds()), now.date()
        return state, expiry_sentence(session, now)

    def shape_key(self, session: ProxySession, now: datetime) -> object:
        return None if self.gone else session.expiry_state(now)

    def render_session(self, session: ProxySession, now: datetime) -> RenderableType:
        if self.gone:
            return Group(Text("gone", style="bold red"),
                         Text("no countdown: the session ended or was deleted", style="dim"))
        state = session.expiry_state(now)
        left = session.time_to_expiry(now)
        if state is ExpiryState.COUNTING and left is not None:
            head = Text(clock_countdown(left), style="bold")
            if left.total_seconds() < 300:
                head.stylize("bold red")
        elif state is ExpiryState.EXPIRED:
            head = Text("expired", style="bold red")
        elif state is ExpiryState.ENDED:
            head = Text("ended", style="bold")
        else:
            head = Text("—", style="dim")
        lines: list[RenderableType] = [head, Text(expiry_sentence(session, now))]
        frac = session.elapsed_fraction(now)
        if frac is not None:
            lines.append(bar(frac, 20))
            lines.append(Text(used_text(session, now), style="dim"))
        if session.expires_at:
            lines.append(Text(f"at {utc_clock(session.expires_at)}", style="dim"))
        return Group(*lines)


def bar(fraction: float, width: int) -> Text:
    """The elapsed share of ExpiryMinutes as a bar; red in the last tenth."""
    filled = round(max(0.0, min(1.0, fraction)) * width)
    style = "red" if fraction >= 0.9 else "green"
    return Text("█" * filled, style=style) + Text("░" * (width - filled), style="dim")


def used_text(session: ProxySession, now: datetime) -> str:
    """'42% of 60 min used': rounded down, so never 100% while time is left."""
    frac = session.elapsed_fraction(now) or 0.0
    percent = int(frac * 100)
    if percent >= 100 and session.expiry_state(now) is ExpiryState.COUNTING:
        percent = 99
    return f"{percent}% of {session.expiry_minutes} min used"
