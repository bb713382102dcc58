"""Widgets that hand the compositor the lines they drew last, while nothing about them
changed.

Textual's compositor draws a frame's changed area by asking every widget whose
container's clip overlaps it for its lines, not only the widgets that changed: on the
session screen, a tick that changes two lines of two panels asks all six panels, the
grid, the header, the footer and the status line, every line of each, and each goes
through Textual's styles cache line by line (40–100 µs a widget, a tick's largest cost
after the app's own). A widget built on `Kept` keeps the lines it gave for a crop and
gives the same again until it is refreshed, restyled or resized: Textual refreshes a
widget (`Widget.refresh`) for any change of what it shows, of its styles (a class, a
pseudo-class such as focus or hover, a theme) or of its content, and tells it of a
style update (`notify_style_update`); a size or crop it was not drawn at is drawn anew.

`Kept.keep = False` turns it off: tests compare every screen drawn with and without it
(tests/test_kept.py), through the changes that restyle a widget without a change of
its own (a theme, a stale screen, focus, a dialog over it)."""

from __future__ import annotations

from typing import ClassVar, Self

from textual.color import Color
from textual.containers import Grid, Vertical
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Footer, Header, Input


class Kept(Widget):
    """A widget whose lines, once drawn for a crop, are given again until it changes.

    A widget that draws its own content lines (`render_line`, a strip exactly the
    content's width) may set `splices`: a refresh of some of its lines then redraws
    those lines only, put between the border and padding of the lines kept (`_spliced`),
    without Textual's styles cache, whose work for each call (the border's title, the
    colours behind the widget, its opacity) was most of a ticking countdown's cost.
    Only where the styles cache would add nothing else to those lines: no tint, text
    opacity, opacity, hatch, outline or links; otherwise it is asked, as on a miss."""

    keep: ClassVar[bool] = True  # False: every frame drawn anew, as Textual draws it
    splices: ClassVar[bool] = False

    _kept: tuple[Region, Size, list[Strip]] | None = None
    _kept_lines: set[int] | None = None  # content lines refreshed since (splices)
    _plain: tuple[bool, Color] | None = None  # (splices) nothing else to add (see the
    # class's doc); the background the line filters apply on
    _edges: dict[int, tuple[Strip, Strip]] | None = None  # a kept line's either side

    def render_lines(self, crop: Region) -> list[Strip]:
        kept, size = self._kept, self.size
        if kept is not None and kept[0] == crop and kept[1] == size and Kept.keep:
            lines = self._kept_lines
            if not lines:
                return kept[2]
            strips = self._spliced(kept[2], crop, lines)
            if strips is not None:
                self._kept, self._kept_lines = (crop, size, strips), None
                return strips
        strips = super().render_lines(crop)
        self._kept, self._kept_lines, self._edges = (crop, size, strips), None, None
        return strips

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        if self.splices and regions and repaint and not layout and not recompose \
                and self._kept is not None:
            lines = self._kept_lines
            if lines is None:
                lines = self._kept_lines = set()
            for region in regions:  # (in the content, as Widget.refresh takes them)
                lines.update(region.line_range)
        else:
            self._kept = self._kept_lines = None
        return super().refresh(*regions, repaint=repaint, layout=layout,
                               recompose=recompose)

    def notify_style_update(self) -> None:
        self._kept = self._kept_lines = self._plain = self._edges = None
        super().notify_style_update()

    def _spliced(self, strips: list[Strip], crop: Region, lines: set[int]
                 ) -> list[Strip] | None:
        """The kept lines with the content lines `lines` drawn again; None: ask
        Textual's styles cache instead."""
        styles = self.styles
        plain = self._plain
        if plain is None:
            plain = self._plain = (
                not styles.tint.a and styles.text_opacity == 1 and self.opacity == 1
                and not (styles.has_rule("hatch") and styles.hatch != "none")
                and not any(edge for edge, _ in styles.outline) and not self.auto_links,
                self.background_colors[1])
        width = self.outer_size.width
        if not plain[0] or crop.column_span != (0, width):
            return None
        background = plain[1]
        gutter = styles.gutter
        top, left = gutter.top, gutter.left
        content_width, content_height = self.size
        right = left + content_width
        filters = self.get_line_filters()
        edges = self._edges
        if edges is None:
            edges = self._edges = {}
        spliced = list(strips)
        for line in lines:
            at = line + top - crop.y
            if not 0 <= line < content_height or not 0 <= at < len(spliced):
                continue  # (not drawn: off the content or the crop)
            content = self.render_line(line)
            if content.cell_length != content_width:
                return None
            for line_filter in filters:
                content = content.apply_filter(line_filter, background)
            edge = edges.get(at)
            if edge is None:
                kept = spliced[at]
                edge = edges[at] = (kept.crop(0, left), kept.crop(right, width))
            spliced[at] = Strip.join([edge[0], content, edge[1]])
        return spliced


class KeptHeader(Header, Kept):
    """Textual's Header (its own lines: the bar behind its title and icon)."""


class KeptFooter(Footer, Kept):
    """Textual's Footer (its own lines: the bar behind its keys).

    Rebuilt only when what it would show changed. Textual's Footer removes and mounts
    all of its keys whenever the screen says its bindings may have changed: six times
    as a screen opens (its stack, focus and resume each say so), and again for each
    selection a list makes (the selected row's Pin or Unpin), 15-20 ms apart in a
    start-up's timeline, on the screen's loop while a listing loads. What it shows is
    a function of the screen's active bindings (each binding, whether it is enabled,
    its tooltip), the keys as the app displays them and the footer's own settings: the
    same, the keys it has are the keys it would build."""

    _composed: object = None

    def _shows(self) -> object:
        app = self.app
        return (tuple((binding, enabled, tooltip, app.get_key_display(binding))
                      for _node, binding, enabled, tooltip
                      in self.screen.active_bindings.values()),
                self.show_command_palette, app.ENABLE_COMMAND_PALETTE,
                app.COMMAND_PALETTE_BINDING, self.combine_groups)

    async def recompose(self) -> None:
        if not self.is_attached:
            return await super().recompose()
        shows = self._shows()
        if shows == self._composed:
            return
        await super().recompose()
        # (None while it has no keys: Textual's Footer builds none until the screen
        # first says its bindings are ready, whatever they are.)
        self._composed = shows if self.children else None


class KeptGrid(Grid, Kept):
    """Textual's Grid (its own lines: the background between its children)."""


class KeptVertical(Vertical, Kept):
    """Textual's Vertical (its own lines)."""


class KeptInput(Input, Kept):
    """Textual's Input."""
