"""The Timeline: every change seen while watching, newest first.

A busy session's timeline ticks: each row's age ("3 minutes ago") moves with the
clock. A tick costs the rows whose age text changed, not the panel: the ages come
from a memo keyed as humanize rounds (`age`), each row is drawn on its own and kept
while its text is the same, and the columns keep their widths whatever the ages say
(the time column is as wide as the longest usual age), so one row's new age does not
move the others."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Console, ConsoleOptions, RenderableType
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.strip import Strip

from chime_tui.humanfmt import ago
from chime_tui.models import ProxySession
from chime_tui.monitor import Change
from chime_tui.tui.widgets.cells import lit
from chime_tui.tui.widgets.panel import SessionPanel, render_lines

if TYPE_CHECKING:
    from chime_tui.tracking import Entry

SHOWN = 50  # the newest changes shown
AGE_WIDTH = len("59 minutes ago")  # the time column fits the usual ages without moving
MIN_WHAT = 12  # narrower than this, a row is one wrapped line, not columns

_SECOND = timedelta(seconds=1)
_ages: dict[tuple[str, int], str] = {}


def age(when: datetime, now: datetime) -> str:
    """`ago(when, now)`, memoised by what its text depends on: under a minute the whole
    seconds, under an hour the whole minutes, under a day the whole hours (`ago` floors
    to the unit it says), then the days.
    A tick asks it for every row: a dictionary look-up, not humanize's formatting."""
    delta = now - when
    if delta < _SECOND:  # "just now", or the future (a clock set back): as it is
        return ago(when, now)
    days, seconds = delta.days, delta.seconds
    if days:
        if days > 36_500:  # "at the edge of the calendar" depends on more than days
            return ago(when, now)
        bucket = ("d", days)
    elif seconds < 60:
        bucket = ("s", seconds)
    elif seconds < 3600:
        bucket = ("m", seconds // 60)
    else:
        bucket = ("h", seconds // 3600)
    text = _ages.get(bucket)
    if text is None:
        if len(_ages) > 4096:
            _ages.clear()
        text = _ages[bucket] = ago(when, now)
    return text


def _what(entry: Entry) -> Text:
    """Our words as they are, the server's values made visible and each cut on its own
    (a huge old value must not hide the new one)."""
    return Text.assemble(*((lit(text, 160) if value else text) for text, value in entry.parts))


@dataclass(frozen=True, slots=True)
class Row:
    """One entry of a change: what it shows apart from its age."""

    at: datetime
    label: Text
    what: Text
    key: tuple[str, Entry]  # (its time, its words): equal keys draw equal rows


class Rows:
    """The timeline's rows with their ages, in columns: time (age), field, what (that
    one wraps). `lines(i, ...)` draws row `i` alone, as the panel caches it."""

    def __init__(self, rows: list[tuple[Row, str]]) -> None:
        self.rows = rows
        self.time_width = 8 + 3 + max(AGE_WIDTH, *(len(a) for _, a in rows))
        self.label_width = max(r.label.cell_len for r, _ in rows)

    def key(self, i: int) -> object:
        row, row_age = self.rows[i]
        return (row.key, row_age, self.time_width, self.label_width)

    def lines(self, console: Console, i: int, width: int) -> list[Text]:
        row, row_age = self.rows[i]
        when = Text(f"{row.at:%H:%M:%S} ({row_age})", style="dim")
        indent = self.time_width + 1 + self.label_width + 1
        if width - indent < MIN_WHAT:  # too narrow for columns
            return list(Text.assemble(when, " ", row.label, " ", row.what)
                        .wrap(console, width))
        when.pad_right(self.time_width - when.cell_len)
        label = row.label.copy()
        label.pad_right(self.label_width - label.cell_len)
        wrapped = row.what.wrap(console, width - indent, overflow="ellipsis") or [Text()]
        first = Text.assemble(when, " ", label, " ", wrapped[0])
        return [first, *(Text.assemble(" " * indent, line) for line in wrapped[1:])]

    def __rich_console__(self, console: Console, options: ConsoleOptions
                         ) -> Iterator[Text]:
        for i in range(len(self.rows)):
            yield from self.lines(console, i, options.max_width)


class TimelinePanel(SessionPanel):
    """Every change seen while watching: time, field, old → new (newest first); a
    Participants change as one entry per participant.

    At most a few lines of it fit (its CSS caps its height): focused, ↑ ↓ / j k, PgUp
    PgDn, Home End move through the rest, and its foot says which lines are shown. A
    change that comes in while older lines are in view adds its lines above them: the
    lines in view stay in view."""

    TITLE = "Timeline"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "scroll_lines(1)", "Older", show=False),
        Binding("up,k", "scroll_lines(-1)", "Newer", show=False),
        Binding("pagedown", "scroll_page(1)", "Older page", show=False),
        Binding("pageup", "scroll_page(-1)", "Newer page", show=False),
        Binding("end", "scroll_lines(1_000_000)", "Oldest", show=False),
        Binding("home", "scroll_lines(-1_000_000)", "Newest", show=False),
    ]
    changes: list[Change] = []

    def __init__(self, number: int, **kwargs: Any) -> None:
        super().__init__(number, **kwargs)
        # Per shown change: its rows, for the redaction they were made with.
        self.described: dict[int, tuple[Change, bool, list[Row]]] = {}
        self.first = 0  # the first line in view (0: the newest change's)
        self.count = 0  # the changes drawn (to keep the lines in view when more come)

    def time_key(self, session: ProxySession, now: datetime) -> object:
        return tuple(age(c.at, now) for c in self.changes[-SHOWN:])

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """Textual's grid measures an `auto` row at one column's width, even for a
        widget that spans all of them: the Timeline (full width, its "old → new" column
        wrapping when narrow) was measured as if a third as wide, its row made taller
        than the panel, and the rows below it left blank (issue 12.17). Measure at the
        width the panel really gets: its container's, less its own borders and padding."""
        span_width = container.width - self.styles.gutter.width
        return super().get_content_height(container, viewport, max(width, span_width))

    def set_changes(self, changes: list[Change], now: datetime) -> None:
        """Show `changes` as of `now` (the app's clock). The panel's own `now` moves only
        when a tick changes what it shows, which an empty timeline never does: drawn
        with that older time, a change just seen would read "9 seconds from now"."""
        self.changes = list(changes)
        self.now = now
        self.redraw()

    def rows_of(self, change: Change) -> list[Row]:
        known = self.described.get(id(change))
        if known is not None and known[0] is change and known[1] == self.redact:
            return known[2]
        from chime_tui.tracking import describe  # (not before the first frame)

        when = f"{change.at:%H:%M:%S}"
        rows = [Row(change.at, lit(e.label), _what(e), (when, e))
                for e in describe(change, self.redact)]
        for row in rows:
            row.label.stylize("bold")
        self.described[id(change)] = (change, self.redact, rows)
        return rows

    # -- lines in view ------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        return super().render_line(y + self.first)

    def in_view(self) -> int:
        return max(1, self.content_size.height)

    def last_first(self) -> int:
        return max(0, len(self.strips) - self.in_view())

    def scroll_to_line(self, first: int) -> None:
        first = max(0, min(first, self.last_first()))
        if first != self.first:
            self.first = first
            self.refresh()
        self.show_where()

    def action_scroll_lines(self, lines: int) -> None:
        self.scroll_to_line(self.first + lines)

    def action_scroll_page(self, pages: int) -> None:
        self.scroll_to_line(self.first + pages * self.in_view())

    def lines_above(self) -> int:
        return self.first

    def foot(self) -> str:
        """How many changes; and which lines are in view when not all of them are."""
        n = len(self.changes)
        foot = f"{n:,} change{'' if n == 1 else 's'}"
        total, shown = len(self.strips), self.in_view()
        if n and total > shown:
            foot += f" · lines {self.first + 1}–{min(total, self.first + shown)} of {total}"
        return foot

    def show_where(self) -> None:
        if self.session is None:
            return  # no foot while loading
        if (foot := self.foot()) != self.border_subtitle:
            self.border_subtitle = foot

    def draw(self, width: int, style: Style) -> list[Strip]:
        before, count, first = len(self.strips), len(self.changes), self.first
        strips = super().draw(width, style)
        if self.first and count > self.count and len(strips) > before:
            self.first += len(strips) - before  # newer lines above: the view stays put
        self.count = count
        self.first = max(0, min(self.first, self.last_first()))
        if self.first != first:
            self.refresh()  # every line in view moved
        if self.session is not None and self.foot() != self.border_subtitle:
            self.call_later(self.show_where)  # (not while the panel is being drawn)
        return strips

    def on_resize(self) -> None:
        self.scroll_to_line(self.first)

    def render_session(self, session: ProxySession, now: datetime) -> RenderableType:
        self.show_where()
        if not self.changes:
            return "no changes seen yet"
        shown = self.changes[-SHOWN:]
        rows = [(row, age(c.at, now)) for c in reversed(shown) for row in self.rows_of(c)]
        if len(self.described) > len(shown):  # keep only the shown changes' rows
            keep = {id(c) for c in shown}
            self.described = {k: v for k, v in self.described.items() if k in keep}
        return Rows(rows)

    def drawn_parts(self, console: Console, options: ConsoleOptions, style: Style,
                    width: int) -> Iterator[tuple[object, Callable[[], list[Strip]]]]:
        """Row by row: a row whose key (its words, its age, the column widths) is
        unchanged keeps its strips, so a tick draws the rows whose age moved and no
        other."""
        content = self.content
        if not isinstance(content, Rows):
            yield from super().drawn_parts(console, options, style, width)
            return
        for i in range(len(content.rows)):
            yield content.key(i), partial(self.row_strips, content, i, console, options,
                                          style, width)

    @staticmethod
    def row_strips(rows: Rows, i: int, console: Console, options: ConsoleOptions,
                   style: Style, width: int) -> list[Strip]:
        return [strip for line in rows.lines(console, i, width)
                for strip in render_lines(console, options, line, style, width)]
