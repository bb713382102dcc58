"""A focusable bordered panel that redraws from a session and the clock.

Panels draw through the Line API (`render_line`) from strips they render themselves,
so that a change repaints only the lines whose text changed: the countdown ticking in
the Expiry panel costs one line a second, not the panel (a `Static` repaints every
line of a widget whose content it is given)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from typing import Any

from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.strip import Strip

from chime_tui.models import ProxySession
from chime_tui.tui.widgets.kept import Kept


class SessionPanel(Kept, can_focus=True):
    """Base for the detail screen's panels: set `session` (and `now`), get a redraw."""

    DEFAULT_CLASSES = "panel"
    TITLE = ""
    splices = True  # a tick's changed lines are drawn into the lines kept (see Kept)
    auto_links = False  # (it draws no links: server strings are never markup)

    session: reactive[ProxySession | None] = reactive(None, always_update=True)
    # What a panel without a session says: loading, or that the session was never found.
    placeholder: reactive[str] = reactive("loading…", init=False)
    # No repaint of its own: `watch_now` repaints what the new time changed, no more.
    now: reactive[datetime | None] = reactive(None, repaint=False)
    redact: reactive[bool] = reactive(False)
    # The session ended or was deleted: `session` is its last known state, not a live one.
    gone: reactive[bool] = reactive(False, init=False)

    def __init__(self, number: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.number = number
        self.border_title = f"{number} {self.TITLE}"
        self.content: RenderableType = Text("loading…", style="dim")  # what is shown
        self.strips: list[Strip] = []  # `content` drawn at `drawn_for`
        self.drawn_for: tuple[int, Style] | None = None  # (width, base style)
        self.line_cache: dict[object, list[Strip]] = {}  # see `draw`
        self._last_time_key: object = None
        self._last_shape: object = None
        self.console_options: ConsoleOptions | None = None  # at `drawn_for`'s width
        self._base_style: Style | None = None  # `rich_style`, until the styles change

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
        countdown costs its changed lines, not the screen's layout). The redraw is
        called here, not through `now`'s watcher: the tick is the app's idle cost."""
        if self.session is None:
            return
        key = self.time_key(self.session, now)
        if key is not None and key != self._last_time_key:
            self._last_time_key = key
            relayout = self.shape_key(self.session, now) != self._last_shape
            self.set_reactive(SessionPanel.now, now)
            self.redraw(layout=relayout)

    def watch_session(self) -> None:
        self.redraw()

    def watch_now(self) -> None:
        self.redraw()

    def watch_redact(self) -> None:
        self.redraw()

    def watch_placeholder(self) -> None:
        self.redraw()

    def watch_gone(self) -> None:
        self.redraw()

    def redraw(self, layout: bool = True) -> None:
        if self.session is None:
            self.update(Text(self.placeholder, style="dim"))  # literal, never markup
        else:
            now = self.now or datetime.now().astimezone()
            self._last_shape = self.shape_key(self.session, now)
            self.update(self.render_session(self.session, now), layout=layout)

    def render_session(self, session: ProxySession, now: datetime) -> RenderableType:
        raise NotImplementedError

    # -- drawing (the Line API) --------------------------------------------------------
    def update(self, content: RenderableType, *, layout: bool = True) -> None:
        """Show `content`. With `layout`, the panel is measured and drawn again; without,
        only the lines whose text changed are repainted (or, if the number of lines
        changed, the panel is laid out after all)."""
        self.content = content
        if layout or self.drawn_for is None or not self.size.width:
            self.drawn_for = None
            self.refresh(layout=True)
            return
        old = self.strips
        width, style = self.drawn_for
        new = self.draw(width, style)
        if len(new) != len(old):
            self.refresh(layout=True)
            return
        above = self.lines_above()
        changed = [Region(0, y - above, width, 1)
                   for y, (a, b) in enumerate(zip(old, new)) if a != b and y >= above]
        if changed:
            self.refresh(*changed)

    def lines_above(self) -> int:
        """How many of the panel's lines are scrolled out of view above it."""
        return 0

    def draw(self, width: int, style: Style) -> list[Strip]:
        """Render `content` into strips, part by part (`drawn_parts`): a part whose key
        is unchanged keeps its strips while it stays on screen, so a tick re-renders the
        countdown line only."""
        console = self.app.console
        options = self.console_options
        if self.drawn_for != (width, style) or options is None:
            self.line_cache = {}
            # Asked of the console once per width: it reads the terminal's size each time.
            options = self.console_options = console.options.update_width(width)
        cache: dict[object, list[Strip]] = {}
        strips: list[Strip] = []
        for key, drawn in self.drawn_parts(console, options, style, width):
            lines = self.line_cache.get(key) if key is not None else None
            if lines is None:
                lines = drawn()
            if key is not None:
                cache[key] = lines
            strips.extend(lines)
        self.line_cache = cache  # only what is drawn now: the cache never grows
        self.strips = strips
        self.drawn_for = (width, style)
        return strips

    def drawn_parts(self, console: Console, options: ConsoleOptions, style: Style,
                    width: int) -> Iterator[tuple[object, Callable[[], list[Strip]]]]:
        """The parts of `content` to draw, each with its key (None: drawn every time)
        and how it is drawn: a Group's one-line Texts one by one."""
        content = self.content
        for part in content.renderables if isinstance(content, Group) else [content]:
            yield _line_key(part), partial(render_lines, console, options, part, style, width)

    def render(self) -> RenderableType:
        """What the panel shows (drawn by `render_line`; here for measuring and reading)."""
        return self.content

    def notify_style_update(self) -> None:
        self._base_style = None
        super().notify_style_update()

    def on_focus(self) -> None:
        self._base_style = None

    def on_blur(self) -> None:
        self._base_style = None

    def base_style(self) -> Style:
        """`rich_style` (it walks the widget's ancestors), asked once per style change."""
        style = self._base_style
        if style is None:
            style = self._base_style = self.rich_style
        return style

    def render_line(self, y: int) -> Strip:
        width, style = self.size.width, self.base_style()
        if self.drawn_for != (width, style):
            self.draw(width, style)
        if y < len(self.strips):
            return self.strips[y]
        return Strip.blank(width, style)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if width <= 0:
            return 0
        console = self.app.console
        return len(console.render_lines(self.content, console.options.update_width(width),
                                        pad=False))


def _line_key(part: RenderableType) -> object:
    """What a one-line Text draws (None: not a one-line Text, drawn every time)."""
    if not isinstance(part, Text) or "\n" in part.plain:
        return None
    return (part.plain, tuple(part.spans), part.style, part.justify, part.overflow,
            part.no_wrap, part.end)


_JOIN = Text("\n")


def render_lines(console: Console, options: ConsoleOptions, part: RenderableType,
                 style: Style, width: int) -> list[Strip]:
    """`part` drawn `width` cells wide on `style`, as `Console.render_lines` draws it.
    A one-line Text that fits (the ticking lines: a countdown, an age) is drawn
    directly, without rich's wrapping machinery, which costs several times more than
    the line; what that shortcut gives is what rich gives (tests/test_idle_mechanisms)."""
    if isinstance(part, Text) and part.justify in (None, "default") \
            and options.justify is None and "\n" not in part.plain \
            and "\t" not in part.plain and 0 < (cells := part.cell_len) <= width:
        if part.spans:
            # As rich draws a Text: joined into one (its own style becomes a span), no end.
            segments = list(Segment.apply_style(_JOIN.join((part,)).render(console), style))
        else:  # one style for the whole line (a countdown): what rich makes of it
            own = console.get_style(part.style) if part.style else None
            segments = [Segment(part.plain, style + own if style else own)]
        if cells < width:
            segments.append(Segment(" " * (width - cells), style))
        return [Strip(segments, width)]
    return [Strip(line, width) for line in
            console.render_lines(part, options, style=style, pad=True)]
