from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text

from chime_tui.humanfmt import ago
from chime_tui.models import ProxySession
from chime_tui.tui.widgets.cells import status_text
from chime_tui.tui.widgets.panel import SessionPanel

if TYPE_CHECKING:
    from chime_tui.fleet import InStatus


class StatusPanel(SessionPanel):
    TITLE = "Status"
    # How long the session has been in its status (the screen sets it with the session).
    since: InStatus | None = None

    def time_key(self, session: ProxySession, now: datetime) -> object:
        from chime_tui.fleet import in_status_short  # with data: after the first frame

        return (ago(session.ended or session.updated, now), in_status_short(self.since, now))

    def on_resize(self) -> None:
        # Whether the time in status and its source share a line depends on the width:
        # decided again at the new one now, not at the next change of the time's text.
        if self.session is not None:
            self.redraw()

    def render_session(self, session: ProxySession, now: datetime) -> RenderableType:
        if self.gone:  # its last status is history, not a current one
            last = status_text(session.status)
            last.stylize("dim")
            return Group(Text("gone", style="bold red"),
                         Text("it ended or was deleted", style="dim"),
                         Text.assemble(Text("last known: ", style="dim"), last))
        big = status_text(session.status)
        big.stylize("bold")
        lines: list[RenderableType] = [big]
        if session.ended:
            lines.append(Text(f"ended {ago(session.ended, now)}", style="dim"))
        elif session.updated:
            # The service's UpdatedTimestamp, in its word: a change the service left
            # undated (a Status change that did not move it) is not said to be as old
            # (walk 6 #4: "changed 9 minutes ago" above "in status 1s").
            lines.append(Text(f"updated {ago(session.updated, now)}", style="dim"))
        since = self.since
        if since is not None and since.status == session.status:
            from chime_tui.fleet import in_status_short

            # Known (seen changing, the UpdatedTimestamp of that change, or its EndedTimestamp)
            # or only a lower bound: say which.
            where = {"seen": "seen changing", "changed": "from UpdatedTimestamp",
                     "ended": "from EndedTimestamp",
                     "updated": "since UpdatedTimestamp; change not seen"}[since.source]
            time, source = f"in status {in_status_short(since, now)}", f"({where})"
            if len(time) + 1 + len(source) <= self.content_size.width:
                lines.append(Text(f"{time} {source}", style="dim"))
            else:
                # Too wide for one line: the time, which moves every second, on a line
                # of its own (one short line to draw a second), then where it comes
                # from, which does not (wrapped mid-phrase, it was wrapped again every
                # second).
                lines += [Text(time, style="dim"), Text(source, style="dim")]
        return Group(*lines)
