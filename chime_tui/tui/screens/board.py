"""The watch board: pinned sessions from any connectors, soonest to expire on top.

It draws a `chime_tui.sources.PinnedSessions` source. A pin that answers NotFound
is "missing? (checking)" until the NotFound is confirmed, and only then "gone",
with one alert, if it was seen this run; a pin never seen is "not found" (no alert).
Gone pins are still checked (at once on `r`); one that answers again is shown again."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from chime_tui.fleet import InStatus, in_status, in_status_short
from chime_tui.humanfmt import ago, ago_short, expiry_short
from chime_tui.models import ProxySession, SessionKey
from chime_tui.sources import EXPIRY_ENDED, EXPIRY_UNKNOWN, SORTS, BoardUpdate, PinnedSessions
from chime_tui.textsafe import clip
from chime_tui.tracking import BoardResult
from chime_tui.tui.screens.base import WRITE_BINDINGS
from chime_tui.tui.screens.list_base import ListScreen
from chime_tui.tui.widgets.cells import capabilities_cell, count_text, status_cell
from chime_tui.tui.widgets.keyed_table import Cell, Column, KeyedTable

# Narrow terminals keep which session, its status, time left and health. Columns give
# way from the highest priority number down (see `KeyedTable._fitted`): first the room
# kept for a sort mark and a long free text's excess (one hostile Status does not take
# the row: it is cut to the width of "InProgress"), then participants, the connector
# cut to 16 characters, the last change, capabilities and the time in status; only
# then the Session ID shrinks to its first 13 characters (enough to tell sessions
# apart), the connector goes, and at 40 columns the ID to 8 and the status to 6.
COLUMNS = (Column("vc", "Voice connector", shrink_to=17, shrink_priority=70, cut_to=10,
                  cut_priority=35, drop_priority=20),
           Column("id", "Session ID", max_width=40, shrink_to=14, shrink_priority=30,
                  cut_to=9, cut_priority=15),
           Column("status", "Status", max_width=16, shrink_to=10, shrink_priority=90,
                  cut_to=7, cut_priority=12, drop_priority=10),
           Column("caps", "Capabilities", max_width=24, shrink_to=12, shrink_priority=90,
                  drop_priority=50),
           Column("parts", "Participants", drop_priority=80),
           Column("expiry", "Expires in", min_width=10, live=True),
           # How long in its status: '3m 05s' seen changing, '≥ 3 min' since UpdatedTimestamp.
           Column("instatus", "In status", min_width=9, live=True, drop_priority=40),
           Column("changed", "Last change", min_width=14, live=True, drop_priority=60),
           Column("health", "Health", min_width=8, max_width=24, live=True, cut_to=6,
                  cut_priority=11))
# At 40 columns one space between columns (and Health cut to its label) before the
# status goes.
TIGHT = 11
LIVE = ("expiry", "instatus", "changed", "health")
FIELD_COLUMN = {"Status": "status", "Capabilities": "caps", "Participants": "parts",
                "ExpiryMinutes": "expiry", "EndedTimestamp": "status", "Session": "health"}
HIGHLIGHT = timedelta(seconds=4)


def row_key(key: SessionKey) -> str:
    return "/".join(key)


class BoardScreen(ListScreen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("m,delete", "unpin", "Unpin", id="unpin"),
        *WRITE_BINDINGS,
        # A stray m must not lose a pin: u pins the last unpinned sessions back, in turn.
        # Not in the footer (at 80 columns it would push q and ? off it; the unpin's
        # toast names the key), but in the help, always (see `check_action`).
        Binding("u", "undo_unpin", "Undo unpin", id="undo_unpin", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.result: BoardResult | None = None
        self.highlights: dict[tuple[SessionKey, str], datetime] = {}
        self.unpinned: list[SessionKey] = []  # by the user here, last last (for u)
        # The last order and what it was sorted from (see `rows`).
        self._sorted: tuple[tuple[str, list[tuple[SessionKey, ProxySession | None, bool]]],
                            list[SessionKey]] | None = None
        # Each row's time in status as last worked out, with what it was worked out from
        # (see `in_status_of`); emptied at each fetch, so rows unpinned since go.
        self._in_status: dict[SessionKey, tuple[ProxySession, int, datetime,
                                                InStatus | None]] = {}

    def compose(self) -> ComposeResult:
        return self.compose_list("/ filter pinned sessions", "board", "Watch board", COLUMNS,
                                 live=self.live_cells, tight_priority=TIGHT,
                                 spare_sort_room=True)

    def on_mount(self) -> None:
        self.sub_title = "watch board"
        self.table.focus()
        self.render_rows()

    def tick(self) -> None:
        """Once a second: the order (soonest to expire first) and the live cells; a
        highlight that ran out redraws its row. Unchanged lines are not drawn again."""
        now = self.app.clock()
        faded = {key for (key, column), until in self.highlights.items()
                 if until <= now and column not in LIVE}
        self.highlights = {k: v for k, v in self.highlights.items() if v > now}
        if faded:
            self.table.put((row_key(key), self.cells(key, now)) for key in faded
                           if self.table.has_row(row_key(key)))
        self.table.show_keys(row_key(key) for key in self.rows(now))
        self.table.refresh_live()

    def became_stale(self) -> None:
        self.render_rows()  # each row's Health says "stale, N ago"

    @property
    def pins(self) -> list[SessionKey]:
        return list(self.app.pins.pins)

    def make_source(self) -> PinnedSessions:
        return PinnedSessions(self.app, self.app.settings.refresh)

    def show(self, value: Any) -> None:
        update: BoardUpdate = value  # tracked already: alerts raised, timelines kept
        now = self.app.clock()
        for key, changes in update.changes.items():
            for change in changes:
                column = FIELD_COLUMN.get(change.field)
                if column:
                    self.highlights[(key, column)] = now + HIGHLIGHT
                self.highlights[(key, "changed")] = now + HIGHLIGHT
        for key in update.health:
            self.highlights[(key, "health")] = now + HIGHLIGHT
        first = self.result is None
        self.result = update.result
        self._in_status.clear()
        self.render_rows()
        if first and not self.touched and self.table.ordered_keys:
            # The rows waited for data in ID order, and are sorted now (soonest to
            # expire first): a cursor the user never moved starts at the top, not on
            # the row that happened to be first while they waited (walk 4 #3).
            self.table.move_cursor(self.table.ordered_keys[0])

    def action_refresh(self) -> None:
        """`r`: every pin now, the gone ones too."""
        if isinstance(self.source, PinnedSessions):
            self.source.recheck_gone()
        super().action_refresh()

    # -- rows -----------------------------------------------------------------------
    def session_of(self, key: SessionKey) -> ProxySession | None:
        return self.app.tracker.last.get(key)

    def rows(self, now: datetime) -> list[SessionKey]:
        """The pins shown, soonest to expire first. The order does not change with the
        clock (a countdown's key is its expiry less `now`): it is sorted again only when
        what it is sorted from changed, the pins, the filter, a pin's session (another
        answer is another object) or whether it is gone, not on every tick."""
        gone = self.app.tracker.gone
        last = self.app.tracker.last
        inputs = (self.filter_text, [(k, last.get(k), k in gone) for k in self.pins])
        if self._sorted is not None and self._sorted[0] == inputs:
            return list(self._sorted[1])
        expiry = SORTS["expiry"](now)  # the session list's order (sources._expiry_key)

        def soonest(key: SessionKey) -> Any:
            s = self.session_of(key)
            if key in gone:  # ended or deleted: with the ended ones, whatever it last was
                return (EXPIRY_ENDED, key)
            return (expiry(s) if s else EXPIRY_UNKNOWN, key)

        needle = self.filter_text.lower()
        keys = [k for k in self.pins if not needle or needle in "/".join(k).lower()
                or needle in ((self.session_of(k) or ProxySession()).status or "").lower()]
        order = sorted(keys, key=soonest)
        self._sorted = (inputs, order)
        return list(order)

    def health(self, key: SessionKey) -> Text:
        app = self.app
        if key in app.tracker.gone:
            return Text("gone", style="bold red")
        if key in app.tracker.not_found:  # never seen: no such session, nothing ended
            return Text("not found", style="yellow")
        if key in app.tracker.suspect:
            return Text("missing? (checking)", style="bold yellow")
        seen = app.tracker.seen_at.get(key)  # when the row's answer came
        if self.last_ok is not None and self.has_class("-stale"):
            # The row's own age, not the last good refresh's: a pin that refresh could
            # not read is older (walk 17 F1).
            when = seen if seen is not None else self.last_ok
            return Text(f"stale, {ago_short(when, app.clock())}", style="yellow")
        if self.result is not None and key in self.result.unreadable:
            # There, but its answer is not what the service model says: the row is the
            # last answer that could be read (if any), and says so. (Health's ages are
            # short: the column is 24 wide at most, and a long one pushes others out.)
            return Text(f"unreadable, {ago_short(seen, app.clock())}" if seen else "unreadable",
                        style="bold yellow")
        failed = self.result is not None and key[0] in self.result.failed
        if self.last_ok is None or failed:
            # No fresh answer for this row: none to the board yet, or its connector failed
            # in the last refresh (the others answered). A row the app saw before (here,
            # on another screen, on an earlier board) is that answer, and says its age.
            if seen is not None:
                return Text(f"stale, {ago_short(seen, app.clock())}", style="yellow")
            return Text("not fetched", style="yellow") if failed else \
                Text("waiting", style="dim")
        return Text("ok", style="green")

    def mark(self, key: SessionKey, column: str, value: Cell, now: datetime) -> Cell:
        until = self.highlights.get((key, column))
        if until is not None and until > now:
            # Reversed over the cell's own style: a red "gone" shows red while it is news.
            marked = value.copy() if isinstance(value, Text) else Text(value)
            marked.stylize("bold reverse")
            return marked
        return value

    def cells(self, key: SessionKey, now: datetime) -> tuple[Cell, ...]:
        """The cells that change only when the data does (the live ones are blank). A
        gone session's last known values are dimmed, its status in the past tense."""
        s = self.session_of(key)
        values: dict[str, Cell] = {
            "vc": key[0], "id": key[1],
            # (Shared cells: the same object for every row of a status, not a new one
            # for every pin at every refresh, and unchanged cells compare at once.)
            "status": status_cell(s.status) if s else
            Text("—" if key in self.app.tracker.not_found else "…", style="dim"),
            "caps": capabilities_cell(s.capabilities) if s else "",
            "parts": count_text(len(s.participants)) if s else "",
        }
        if s is not None and key in self.app.tracker.gone:
            values["status"] = Text(f"was {clip(s.status, 64)}" if s.status else "—",
                                    style="dim")
            values["caps"] = Text(str(values["caps"]), style="dim")
            values["parts"] = Text(str(values["parts"]), style="dim")
        return tuple(self.mark(key, column.key, values[column.key], now)
                     if column.key in values else "" for column in COLUMNS)

    def in_status_of(self, key: SessionKey, session: ProxySession, now: datetime
                     ) -> InStatus | None:
        """`in_status` of a row's session: a function of the answer, of its timeline
        (which only grows) and of when the answer came, not of the clock. A tick works
        it out again only for a row where one of those changed."""
        tracker = self.app.tracker
        timeline = tracker.timelines.get(key, [])
        seen = tracker.seen_at.get(key, now)
        known = self._in_status.get(key)
        if known is not None and known[0] is session and known[1] == len(timeline) \
                and known[2] == seen:
            return known[3]
        since = in_status(session, timeline, seen)
        self._in_status[key] = (session, len(timeline), seen, since)
        return since

    def live_cells(self, rkey: str) -> tuple[Cell, ...]:
        """The clock-driven cells of one visible row: asked for at draw time."""
        vc, _, sid = rkey.partition("/")
        key = (vc, sid)
        app = self.app
        now = app.clock()
        s = self.session_of(key)
        since = self.in_status_of(key, s, now) if s else None
        changed_at = app.tracker.last_change_at.get(key)
        if changed_at is None and since is not None and since.source == "ended":
            # No change seen (pinned after it closed), but its close was one, at the
            # EndedTimestamp the time in status counts from (walk 6 #10: "—" beside
            # "12m"); `in_status` takes none later than the answer that gave it.
            changed_at = since.since
        values: dict[str, Cell] = {
            # Gone: no countdown (it would tick for a session that no longer exists).
            "expiry": Text("—", style="dim") if key in app.tracker.gone
            else expiry_short(s, now) if s else "",
            "instatus": Text("—", style="dim") if key in app.tracker.gone
            else in_status_short(since, now) if s else "",
            "changed": ago(changed_at, now) if changed_at else "—",
            "health": self.health(key),
        }
        return tuple(self.mark(key, column, values[column], now) for column in LIVE)

    def render_rows(self) -> None:
        table = self.table
        now = self.app.clock()
        rows = self.rows(now)
        table.set_rows((row_key(key), self.cells(key, now)) for key in rows)
        empty = f" — no pinned sessions match “{self.filter_text}”" \
            if self.pins and not rows and self.filter_text else ""
        table.set_titles(f"Watch board {len(rows):,} of {len(self.pins):,}{empty}" if self.pins else
                         f"Watch board: empty — {self.app.key_display('pin')} pins the "
                         "selected session in a session list, or the session on its screen")
        requests = self.result.requests if self.result else 0
        parts = [f"{requests} request{'s' if requests != 1 else ''} per refresh"]
        for vc, error in (self.result.failed.items() if self.result else ()):
            parts.append(f"{vc}: {error.kind}, its rows stale")
        if self.result and self.result.unreadable:
            count = len(self.result.unreadable)
            parts.append(f"{count} pin{'s' if count != 1 else ''} unreadable, stale "
                         "(Enter says why)")
        table.set_titles(subtitle=" · ".join(parts))
        self.table.refresh_live()

    # -- actions --------------------------------------------------------------------
    def selected_key(self) -> SessionKey | None:
        value = self.table.cursor_key
        if not value:
            return None
        vc, _, sid = value.partition("/")
        return (vc, sid)

    def write_target(self) -> tuple[str, str, ProxySession | None] | None:
        key = self.selected_key()
        return (*key, self.session_of(key)) if key else None

    def create_target(self) -> str | None:
        key = self.selected_key()
        return key[0] if key else None

    def concerns(self, key: SessionKey) -> bool:
        return key in self.pins

    def written(self, outcome: Any) -> None:
        self.render_rows()  # an ended session is "gone" at once
        super().written(outcome)

    def on_keyed_table_selected(self, event: KeyedTable.Selected) -> None:
        key = self.selected_key()
        if key:
            self.app.open_session(*key)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "unpin" and not self.pins:
            return False  # nothing to unpin: the footer does not offer it
        if action == "undo_unpin" and not self.unpinned:
            # Disabled, not hidden (None, not False): the help lists the key before the
            # first unpin, as the README's key table does.
            return None
        return True

    def still_listed(self, key: str) -> bool:
        """A row the user unpinned here left on purpose, and one still pinned was hidden
        by the user's filter (walk 4 #5): no notice about either."""
        vc, _, sid = key.partition("/")
        return (vc, sid) in self.unpinned or (vc, sid) in self.app.pins.pins

    def action_unpin(self) -> None:
        key = self.selected_key()
        if key and key in self.app.pins.pins:
            self.unpinned.append(key)
            self.app.toggle_pin(key, undo_key=self.app.key_display("undo_unpin"))
            self.render_rows()
            self.refresh_bindings()

    def action_undo_unpin(self) -> None:
        if not self.unpinned:
            return
        key = self.unpinned.pop()
        if key not in self.app.pins.pins:
            self.app.pins.add(key)
            if self.app.pins.warning:
                self.notify(self.app.pins.warning, severity="warning", timeout=10)
            self.notify(f"Pinned {key[1]} again", timeout=3)
        self.render_rows()
        self.table.move_cursor(row_key(key))
        self.refresh_bindings()
        if isinstance(self.source, PinnedSessions):
            self.action_refresh()  # its row fills in now, not at the next refresh

    def parent_screen(self) -> Screen[None]:
        """Back from the board opened at start: the screen asked for on the command line."""
        return self.app.start_screen()

    def action_back(self) -> None:
        if not self.clear_filter():  # Esc: the filter first, then back
            self.app.go_back()
