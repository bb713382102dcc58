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

from textual.containers import Grid, Vertical
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Footer, Header, Input


class Kept(Widget):
    """A widget whose lines, once drawn for a crop, are given again until it changes."""

    keep: ClassVar[bool] = True  # False: every frame drawn anew, as Textual draws it

    _kept: tuple[Region, Size, list[Strip]] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        kept, size = self._kept, self.size
        if kept is not None and kept[0] == crop and kept[1] == size and Kept.keep:
            return kept[2]
        strips = super().render_lines(crop)
        self._kept = (crop, size, strips)
        return strips

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        self._kept = None
        return super().refresh(*regions, repaint=repaint, layout=layout,
                               recompose=recompose)

    def notify_style_update(self) -> None:
        self._kept = None
        super().notify_style_update()


class KeptHeader(Header, Kept):
    """Textual's Header (its own lines: the bar behind its title and icon)."""


class KeptFooter(Footer, Kept):
    """Textual's Footer (its own lines: the bar behind its keys)."""


class KeptGrid(Grid, Kept):
    """Textual's Grid (its own lines: the background between its children)."""


class KeptVertical(Vertical, Kept):
    """Textual's Vertical (its own lines)."""


class KeptInput(Input, Kept):
    """Textual's Input."""
