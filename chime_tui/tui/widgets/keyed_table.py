"""A table whose rows are keyed, drawn with Textual's public Line API.

Why not DataTable: it measures and renders every cell through Rich and keeps
several private caches that must be kept in step by hand for big lists (the
old `FastTable` did, and a re-sort could leave a row showing an old status).
This table keeps one plain model and draws from it:

- `put` sets the cells of rows by key, `show_keys` says which keys are shown and
  in what order, `retain` forgets rows the service no longer lists. Nothing else
  holds row data, so what is drawn is always a render of that model.
- Only visible lines are rendered (`render_line`), each from a cache keyed by
  everything the line shows (its cells, the column widths, cursor, stripe and
  focus); a changed row repaints its own line and nothing else.
- "Live" columns (a countdown) are asked of a callback at draw time, so a row
  scrolled into view never shows an old value, and `refresh_live` repaints only
  the visible lines whose live text changed: on the table's `LiveLayer` when it has
  one (a list screen's table does), which draws the live cells over the table, so a
  tick costs a few cells a line, not the line; else on the table's own lines.
- The cursor is a row key, never an index: it follows its row through re-sorts,
  filters and updates. If its row goes away, the cursor goes to the neighbour
  (the next row of the old order still shown, else the previous one) and a
  `CursorDisplaced` message says so.
- Strings are literal (never markup) and control characters are made visible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Self

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.color import Color
from textual.filter import ANSIToTruecolor, LineFilter
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from chime_tui.textsafe import clip, has_unsafe
from chime_tui.tui.widgets.kept import Kept

LINE_CACHE = 256  # lines kept drawn (at least; 4 screens on a tall terminal)
CELL_CACHE = 4096  # cells kept drawn (a few screens of lines)
Cell = str | Text  # a str is shown exactly as it is: never read as markup
Cells = tuple[Cell, ...]
LiveCells = Callable[[str], Sequence[Cell]]  # key -> the live columns' cells, in order


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    min_width: int = 0
    max_width: int | None = None  # wider cells are cut, with an ellipsis
    live: bool = False  # drawn from the table's `live` callback, not from `put`
    # When the table is narrower than its columns (a table made with fit=True), columns
    # give way in steps, from the highest priority number down (see `KeyedTable._fitted`):
    # a column shrinks to `shrink_to` (with an ellipsis) at `shrink_priority` (None:
    # before any column is dropped), then to `cut_to` at `cut_priority` (a last resort:
    # an identity column keeps a useful width until the less important columns went),
    # and is dropped at `drop_priority` (0: never dropped).
    shrink_to: int | None = None
    drop_priority: int = 0
    shrink_priority: int | None = None
    cut_to: int | None = None
    cut_priority: int = 0
    # Dropped with the column of this key: a value that means nothing true without the
    # other (counts without how old they are) goes when it goes.
    drop_with: str | None = None


# A row's live cells' keys (`cell_key`) and widths (`cell_width`), as `refresh_live`
# worked them out.
LiveNoted = tuple[tuple[object, ...], tuple[int, ...]]
# Noted for a live cell the terminal has not been sent (equal to no cell's key).
_UNSENT = object()


def safe_cell(cell: Cell) -> Cell:
    """The cell with control characters visible and huge values bounded."""
    if isinstance(cell, Text):
        plain = cell.plain
        if has_unsafe(plain) or len(plain) > 512 or "\n" in plain:
            return Text(clip(plain), style=cell.style)
        return cell
    return clip(cell) if has_unsafe(cell) or len(cell) > 512 else cell


def cell_key(cell: Cell) -> object:
    """A hashable stand-in for a cell: equal exactly when the cells draw the same
    (Text's own `==` ignores its style)."""
    if isinstance(cell, Text):
        return ("T", cell.plain, str(cell.style), tuple(cell.spans), cell.end)
    return cell


def same_cells(old: Cells, new: Cells) -> bool:
    """Whether two rows' cells draw the same (`cell_key` for each, the same objects
    taken as equal without a look)."""
    if len(old) != len(new):
        return False
    for a, b in zip(old, new):
        if a is b:
            continue
        if type(a) is str and type(b) is str:
            if a != b:
                return False
        elif cell_key(a) != cell_key(b):
            return False
    return True


def cell_width(cell: Cell) -> int:
    if isinstance(cell, Text):
        return cell.cell_len
    return len(cell) if cell.isascii() else cell_len(cell)


class KeyedTable(ScrollView, Kept, can_focus=True):
    """Rows keyed by a string; the first line is the column header."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,ctrl+home", "first", "First", show=False),
        Binding("end,ctrl+end", "last", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "keyed-table--header", "keyed-table--cursor", "keyed-table--even-row",
    }
    DEFAULT_CSS = """
    KeyedTable {
        background: $surface;
        color: $foreground;
        & > .keyed-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .keyed-table--even-row { background: $surface-lighten-1 50%; }
        & > .keyed-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .keyed-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
    }
    """

    class Highlighted(Message):
        """The cursor is on another row (by the user or because its row went away)."""

        def __init__(self, table: KeyedTable, key: str | None) -> None:
            super().__init__()
            self.table = table
            self.key = key

    class Selected(Message):
        """Enter, or a click on the cursor's row."""

        def __init__(self, table: KeyedTable, key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

    class HeaderSelected(Message):
        def __init__(self, table: KeyedTable, column: str) -> None:
            super().__init__()
            self.table = table
            self.column = column

    class CursorDisplaced(Message):
        """The cursor's row left the table: the cursor moved to `key` (the next row of
        the old order still shown, else the previous one, else the first; None: empty)."""

        def __init__(self, table: KeyedTable, gone: str, key: str | None) -> None:
            super().__init__()
            self.table = table
            self.gone = gone
            self.key = key

    def __init__(self, columns: Sequence[Column], *, live: LiveCells | None = None,
                 live_stamp: Callable[[], object] | None = None,
                 fit: bool = False, tight_priority: int = 0, spare_sort_room: bool = False,
                 name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.live = live
        # What the live cells are a function of besides the rows (the app's tick): the
        # ones `refresh_live` asked for are drawn until it says otherwise. None: until
        # the frame after `refresh_live` is out.
        self.live_stamp = live_stamp
        self.fit = fit  # narrow: shrink, then drop columns (see Column) to fit the width
        # When one space between columns (not two) is tried, on the columns' priority
        # scale (see `_give_way`); 0: after every column that can give did.
        self.tight_priority = tight_priority
        # Whether, too narrow, the room kept beside each header for a sort mark goes
        # first (in every column but the sorted one), before any column shrinks.
        self.spare_sort_room = spare_sort_room
        self._order: list[str] = []
        self._index: dict[str, int] = {}
        self._cursor: str | None = None
        # The lines drawn lately, a few screens of them (not every row ever drawn).
        self._lines: LRUCache[tuple[object, ...], Strip] = LRUCache(LINE_CACHE)
        # Each cell as drawn (at a width, in a row style): a line whose live cells
        # changed is put together from these, its other cells not rendered again.
        self._cell_parts: LRUCache[tuple[object, ...], list[Segment]] = LRUCache(CELL_CACHE)
        self._style_cache: dict[str, Style] = {}  # resolved once per style change
        self._filtered_styles: dict[tuple[object, ...], Style] = {}  # (`_filtered_style`)
        # The live columns' own layer over this table (`LiveLayer`), when it has one: a
        # tick repaints the live cells there, and this table's lines stay as drawn.
        self.live_layer: LiveLayer | None = None
        # The live cells `refresh_live` asked for, per row, until the frame that draws
        # them is out: a tick asks each row's callback once, not again to draw it. With
        # them, for a row it found changed, their keys and widths: drawing the row notes
        # them (`_note_live`) without working them out again (None: not worked out).
        self._live_memo: dict[str, tuple[list[Cell], LiveNoted | None]] = {}
        self._live_memo_stamp: object = None  # `live_stamp()` when they were asked for
        self._titles: dict[str, str] = {}
        self.sort_column: str | None = None
        self.sort_reverse = False
        self._reset(columns)

    def _reset(self, columns: Sequence[Column]) -> None:
        self.columns = tuple(columns)
        self._live_at = [i for i, c in enumerate(self.columns) if c.live]
        self._live_pos = {at: n for n, at in enumerate(self._live_at)}  # column -> live cell
        self._xs_memo: tuple[object, list[tuple[int, int] | None]] | None = None
        # Per row: its cells, and their widths (one tuple object for the rows of the
        # same widths: 10,000 rows have a few hundred). Nothing else is kept per row
        # but for the rows drawn (`_drawn_live`, `_live_row_widths`, the line cache).
        self._cells: dict[str, Cells] = {}
        self._row_widths: dict[str, tuple[int, ...]] = {}
        self._width_tuples: dict[tuple[int, ...], tuple[int, ...]] = {}
        self._widths: tuple[int, ...] = tuple(self._header_width(c) for c in self.columns)
        # The widest cell of each column (its header left out, max_width applied): what a
        # column that is not sorted on may shrink to when the table is too narrow (its
        # header's room for a sort mark is what goes first).
        self._content: tuple[int, ...] = (0,) * len(self.columns)
        self._draw: tuple[int, ...] = self._widths  # as drawn; 0: the column is dropped
        self._gap = 2  # spaces per column (one each side; 1: left only, a tight fit)
        self._live_widths = {i: self._widths[i] for i in self._live_at}
        # The live cells' widths as each row was last drawn: a live column is as wide as
        # what its rows show now, not the widest value it ever showed.
        self._live_row_widths: dict[str, tuple[int, ...]] = {}
        self._drawn_live: dict[str, tuple[object, ...]] = {}

    def set_columns(self, columns: Sequence[Column]) -> None:
        """Other columns: every row's cells are dropped (`put` them again); the order
        and the cursor stay, and rows show blank until then."""
        self._reset(columns)
        self._measure(force=True)

    # -- the model -------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self._order)

    @property
    def ordered_keys(self) -> tuple[str, ...]:
        return tuple(self._order)

    @property
    def column_widths(self) -> tuple[int, ...]:
        """Each column's text width (the line adds one space either side)."""
        return self._widths

    @property
    def drawn_widths(self) -> tuple[int, ...]:
        """The widths drawn now (a table made with fit=True shrinks columns to fit its
        width; 0: the column is dropped)."""
        return self._draw

    @property
    def cursor_key(self) -> str | None:
        return self._cursor

    @property
    def cursor_row(self) -> int:
        """The cursor's position in the shown rows; -1 when there are none."""
        return self._index.get(self._cursor, -1) if self._cursor is not None else -1

    def has_row(self, key: str) -> bool:
        return key in self._cells

    def get_cell(self, key: str, column: str) -> Cell:
        at = [c.key for c in self.columns].index(column)
        return self.row_cells(key)[at]

    def row_cells(self, key: str) -> Cells:
        """What the row shows now: its cells with the live columns filled in."""
        cells = self._cells.get(key) or ("",) * len(self.columns)
        if not self._live_at or self.live is None:
            return cells
        merged = list(cells)
        memo = self._memo().get(key)
        live = memo[0] if memo is not None else [safe_cell(c) for c in self.live(key)]
        for at, value in zip(self._live_at, live):
            merged[at] = value
        return tuple(merged)

    def put(self, rows: Iterable[tuple[str, Sequence[Cell]]]) -> None:
        """Set the cells of rows by key (new keys are not shown until `show_keys`)."""
        changed = False
        count = len(self.columns)
        for key, values in rows:
            cells = tuple(safe_cell(v) for v in values)
            if len(cells) < count:
                cells += ("",) * (count - len(cells))
            elif len(cells) > count:
                raise ValueError(f"{len(cells)} cells for {count} columns")
            old = self._cells.get(key)
            if old is not None and same_cells(old, cells):
                continue
            self._cells[key] = cells
            self._live_memo.pop(key, None)
            widths = tuple(cell_width(c) for c in cells)
            if len(self._width_tuples) >= 4096:  # churn: keep sharing bounded
                self._width_tuples.clear()
            self._row_widths[key] = self._width_tuples.setdefault(widths, widths)
            if key in self._index:
                changed = True
                self._refresh_key(key)
        if changed:
            self._measure()

    def retain(self, keys: Iterable[str]) -> None:
        """Forget every row not in `keys` (and stop showing it)."""
        keep = set(keys)
        for key in [k for k in self._cells if k not in keep]:
            del self._cells[key]
            del self._row_widths[key]
            self._drawn_live.pop(key, None)
            self._live_row_widths.pop(key, None)
        if any(k not in keep for k in self._order):
            self.show_keys([k for k in self._order if k in keep])

    def show_keys(self, keys: Iterable[str]) -> None:
        """Show these rows in this order (unknown and repeated keys are skipped)."""
        old_order, old_cursor = self._order, self._cursor
        order: list[str] = []
        index: dict[str, int] = {}
        cells = self._cells
        for key in keys:
            if key in cells and key not in index:
                index[key] = len(order)
                order.append(key)
        if order == old_order:
            return
        # The same rows in another order (a re-sort): the widths stand.
        same_rows = len(order) == len(old_order) and index.keys() == self._index.keys()
        self._order, self._index = order, index
        if old_cursor is not None and old_cursor not in index:
            self._cursor = self._neighbour(old_order, old_order.index(old_cursor))
            self.post_message(self.CursorDisplaced(self, old_cursor, self._cursor))
            self.post_message(self.Highlighted(self, self._cursor))
        elif old_cursor is None and order:
            self._cursor = order[0]
            self.post_message(self.Highlighted(self, self._cursor))
        if same_rows:
            self._set_widths(self._widths)
            self.refresh()
        else:
            self._measure(force=True)
        if self._cursor is not None:
            # After the new size is laid out (until then the old scroll limits hold).
            self.call_after_refresh(self._scroll_to_cursor)

    def append_keys(self, keys: Iterable[str]) -> None:
        """Show these rows after the ones shown (a streamed first load): the same as
        `show_keys(ordered_keys + keys)`, at the cost of the new rows only."""
        order, index, cells, rows = self._order, self._index, self._cells, self._row_widths
        widths = list(self._widths)
        content = list(self._content)
        start = len(order)
        for key in keys:
            if key in cells and key not in index:
                index[key] = len(order)
                order.append(key)
                for i, w in enumerate(rows[key]):
                    if w > widths[i]:
                        widths[i] = w
                    if w > content[i]:
                        content[i] = w
        if len(order) == start:
            return
        for i, column in enumerate(self.columns):
            if column.max_width:
                widths[i] = min(widths[i], column.max_width)
                content[i] = min(content[i], column.max_width)
        self._content = tuple(content)
        if self._cursor is None:
            self._cursor = order[0]
            self.post_message(self.Highlighted(self, self._cursor))
        new = tuple(widths)
        if new != self._widths:
            self._set_widths(new)
            self.refresh()
        else:
            self.refresh(Region(0, start - round(self.scroll_y) + 1, self.size.width,
                                len(order) - start))
            self._set_widths(new)

    def set_rows(self, rows: Iterable[tuple[str, Sequence[Cell]]]) -> None:
        """Exactly these rows, in this order."""
        rows = list(rows)
        self.put(rows)
        keys = [key for key, _ in rows]
        self.retain(keys)
        self.show_keys(keys)

    def move_cursor(self, key: str) -> bool:
        """Put the cursor on the row `key`, if it is shown."""
        if key not in self._index:
            return False
        self._set_cursor(key)
        return True

    def _neighbour(self, old_order: list[str], at: int) -> str | None:
        for key in old_order[at + 1:]:
            if key in self._index:
                return key
        for key in reversed(old_order[:at]):
            if key in self._index:
                return key
        return self._order[0] if self._order else None

    def _set_cursor(self, key: str | None) -> None:
        if key == self._cursor:
            return
        old, self._cursor = self._cursor, key
        for k in (old, key):
            if k is not None:
                self._refresh_key(k)
        self._scroll_to_cursor()
        self.post_message(self.Highlighted(self, key))

    # -- sizes -----------------------------------------------------------------------
    def _header_width(self, column: Column) -> int:
        width = max(cell_len(column.label) + 2, column.min_width)  # room for ▲/▼
        return min(width, column.max_width) if column.max_width else width

    def _measure(self, force: bool = False) -> None:
        content = [0] * len(self.columns)
        rows, live_rows, live_at = self._row_widths, self._live_row_widths, self._live_at
        for key in self._order:
            for i, w in enumerate(rows.get(key, ())):
                if w > content[i]:
                    content[i] = w
            if (drawn := live_rows.get(key)) is not None:
                for i, w in zip(live_at, drawn):
                    if w > content[i]:
                        content[i] = w
        widths = [max(w, self._header_width(c)) for w, c in zip(content, self.columns)]
        self._live_widths = {i: widths[i] for i in live_at}
        for i, column in enumerate(self.columns):
            if column.max_width:
                widths[i] = min(widths[i], column.max_width)
                content[i] = min(content[i], column.max_width)
        new = tuple(widths)
        changed = tuple(content) != self._content
        self._content = tuple(content)
        if new != self._widths or force or (changed and self.fit):
            self._set_widths(new)
            self.refresh()

    def _set_widths(self, widths: tuple[int, ...]) -> None:
        self._widths = widths
        self._draw, self._gap = self._fitted(widths)
        shown = [w for w in self._draw if w]
        old_width = self.virtual_size.width
        self.virtual_size = Size(sum(shown) + self._gap * len(shown), len(self._order) + 1)
        if self.virtual_size.width != old_width and self._cursor is not None:
            # Wider columns may bring a horizontal scrollbar, which takes a line of the
            # view (narrower ones may take it away): the cursor's row stays in view, once
            # the new size is laid out. (Every way widths change comes through here.)
            self.call_after_refresh(self._scroll_to_cursor)
        self._place_layer_later()

    SORT_ROOM = 1_000_000  # the rank of giving back a header's unused sort-mark room
    DEFAULT_SHRINK = 1_000  # the rank of a `shrink_to` with no `shrink_priority`

    def _give_way(self, widths: Sequence[int]) -> list[tuple[int, int | None]]:
        """The steps by which the columns give way, in order: (column, width to shrink
        to) or (column, None): drop it. First the room kept beside each header for a sort
        mark, in every column but the sorted one (it only shows there); then each
        column's `shrink_to`, `cut_to` and drop, by priority (higher first; at one
        priority a shrink before a drop, then by place). `shrink_to` without a priority
        comes before every drop, the more droppable columns' first (a long Name before
        the Session ID). (The sort room only with `spare_sort_room`.) Column -1: one
        space between columns instead of two, at `tight_priority` (after the shrinks and
        before the drops of that priority)."""
        steps: list[tuple[tuple[int, ...], int, int | None]] = [
            ((-self.tight_priority, 0, len(self.columns)), -1, None)]
        for i, column in enumerate(self.columns):
            if self.spare_sort_room and column.key != self.sort_column:
                bare = max(self._content[i], cell_len(column.label), column.min_width)
                if column.max_width:
                    bare = min(bare, column.max_width)
                if bare < widths[i]:
                    steps.append(((-self.SORT_ROOM, 0, i), i, bare))
            if column.shrink_to is not None:
                order: tuple[int, ...]
                if column.shrink_priority is None:
                    order = (-self.DEFAULT_SHRINK, 0, int(column.drop_priority == 0),
                             -column.drop_priority, i)
                else:
                    order = (-column.shrink_priority, 0, i)
                steps.append((order, i, column.shrink_to))
            if column.cut_to is not None:
                steps.append(((-column.cut_priority, 0, i), i, column.cut_to))
            if column.drop_priority:
                steps.append(((-column.drop_priority, 1, i), i, None))
        steps.sort(key=lambda step: step[0])
        return [(i, to) for _, i, to in steps]

    def _fitted(self, widths: tuple[int, ...]) -> tuple[tuple[int, ...], int]:
        """The widths to draw at and the spaces per column: the natural ones, or, in a
        table too narrow for them (fit=True): the columns give way step by step (see
        `_give_way`) until what is left fits, two spaces per column; if nothing more can
        give (or at `tight_priority`), one space between columns instead of two. Then
        what is spare is handed back, to the last to give way first: each column gives
        only as far as needed."""
        room = self.scrollable_content_region.width  # less a vertical scrollbar
        if not self.fit or not room:
            return widths, 2
        draw = list(widths)
        kept = [True] * len(widths)

        def need(gap: int) -> int:
            return sum(w + gap for w, k in zip(draw, kept) if k and w)

        gap = 2
        if need(gap) <= room:
            return widths, gap
        shrunk: list[tuple[int, int]] = []  # (column, its width before), in order
        for i, to in self._give_way(widths):
            if need(gap) <= room:
                break
            if i < 0:
                gap = 1
            elif not kept[i]:
                continue
            elif to is None:
                kept[i] = False
                gone = self.columns[i].key
                for j, column in enumerate(self.columns):
                    if column.drop_with == gone:
                        kept[j] = False
            elif to < draw[i]:
                shrunk.append((i, draw[i]))
                draw[i] = max(to, 1)
        spare = room - need(gap)
        for i, before in reversed(shrunk):
            if spare <= 0:
                break
            if kept[i]:
                back = min(spare, before - draw[i])
                draw[i] += back
                spare -= back
        return tuple(w if k else 0 for w, k in zip(draw, kept)), gap

    # -- drawing ---------------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._forget_styles()
        self._lines.clear()
        self._cell_parts.clear()
        if self.live_layer is not None:
            self.live_layer.refresh()

    def _forget_styles(self) -> None:
        """The styles resolved for drawing, and as the app's colour filter makes them:
        worked out again (a style change, focus gained or lost)."""
        self._style_cache.clear()
        self._filtered_styles.clear()

    def _style(self, part: str) -> Style:
        """The base style, or a component's over it (looked up once per style change:
        resolving CSS for every drawn line is most of a redraw's cost)."""
        style = self._style_cache.get(part)
        if style is None:
            base = self.rich_style
            style = base if part == "base" else base + self.get_component_rich_style(part)
            self._style_cache[part] = style
        return style

    def on_resize(self, event: events.Resize) -> None:
        self._lines.maxsize = max(LINE_CACHE, 4 * self.size.height)
        if self.fit:
            self._set_widths(self._widths)
            self.refresh()
        self.call_after_refresh(self._scroll_to_cursor)  # the cursor's row stays in view
        self._place_layer_later()

    def watch_show_vertical_scrollbar(self, shown: bool) -> None:
        # Rows that come or go may bring or take away the vertical scrollbar without a
        # resize: the room to fit the columns in changed all the same. (Widths fitted
        # for the room without it would need a horizontal scrollbar and push the last
        # header, with its sort mark, out of view.)
        if self.fit and self._widths:
            self._set_widths(self._widths)
            self.refresh()
        self._place_layer_later()

    def watch_show_horizontal_scrollbar(self, shown: bool) -> None:
        # The horizontal scrollbar takes (or gives back) the view's last line: the
        # cursor's row stays in view, once the new layout is in place.
        if self._cursor is not None:
            self.call_after_refresh(self._scroll_to_cursor)
        self._place_layer_later()

    def watch_scroll_x(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_x(old_value, new_value)
        if round(old_value) != round(new_value):
            self._place_layer_later()  # the live columns moved sideways

    def on_focus(self) -> None:
        self._forget_styles()
        self._refresh_key(self._cursor)

    def on_blur(self) -> None:
        self._forget_styles()
        self._refresh_key(self._cursor)

    def _line_of(self, key: str) -> int | None:
        """The line (in the widget, 0 the header) that shows `key`, if it is in view."""
        at = self._index.get(key)
        if at is None:
            return None
        y = at - round(self.scroll_y) + 1
        return y if 1 <= y < self._view_height() else None

    def _refresh_key(self, key: str | None) -> None:
        y = self._line_of(key) if key is not None else None
        if y is not None:
            self.refresh(Region(0, y, self.size.width, 1))

    def visible_keys(self) -> list[str]:
        top = round(self.scroll_y)
        return self._order[top:top + max(0, self._view_height() - 1)]

    def _view_height(self) -> int:
        """The lines in view, the header's included: not those under a horizontal
        scrollbar."""
        return self.scrollable_content_region.height

    def live_span(self) -> tuple[int, int] | None:
        """Where the live columns are drawn on a line, in the widget (x, width), the
        spaces either side included: None when none is drawn."""
        drawn = [xs for xs in self._live_xs() if xs is not None]
        if not drawn:
            return None
        return drawn[0][0], drawn[-1][1] - drawn[0][0]

    # -- the live columns' layer ------------------------------------------------------
    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        """As Widget.refresh; a repaint of this table repaints its live layer too (the
        layer draws what this table shows under it: `render_span`): where the regions
        are under it, when it is in place (a row's line, not the whole layer, for a
        row that changed), else the whole layer."""
        super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
        layer = self.live_layer
        if repaint and layer is not None:
            if regions and self.layer_in_place():
                dx, dy = layer.region.x - self.region.x, layer.region.y - self.region.y
                size = Region(0, 0, layer.size.width, layer.size.height)
                under = [part for part in (r.translate((-dx, -dy)).intersection(size)
                                           for r in regions) if part.area]
                if under:
                    layer.refresh(*under)
            else:
                layer.refresh()
        return self

    def layer_geometry(self) -> tuple[int, int, int, int] | None:
        """Where the live layer goes, relative to this table's region (x, y, width,
        height): over the live columns' cells of the lines in view (the header's not),
        within the scrollable content. None: no live cells in view."""
        span = self.live_span()
        height = self._view_height() - 1
        if span is None or height <= 0:
            return None
        content, region = self.scrollable_content_region, self.region
        left = max(0, span[0])
        width = min(span[0] + span[1], content.width) - left
        if width <= 0:
            return None
        return content.x - region.x + left, content.y - region.y + 1, width, height

    def layer_in_place(self) -> bool:
        """Whether the live layer is shown exactly over the live cells in view (as the
        last layout placed it): a tick may then repaint the layer alone."""
        layer = self.live_layer
        if layer is None or not layer.display:
            return False
        geometry = self.layer_geometry()
        if geometry is None:
            return False
        x, y, width, height = geometry
        region = self.region
        return layer.region == Region(region.x + x, region.y + y, width, height)

    def _place_layer_later(self) -> None:
        if self.live_layer is not None:
            self.call_after_refresh(self.place_layer)

    def place_layer(self) -> None:
        """Put the live layer over the live cells in view (hidden when there are none)."""
        layer = self.live_layer
        if layer is None or not self.is_mounted:
            return
        geometry = self.layer_geometry()
        if geometry is None:
            layer.display = False
            return
        x, y, width, height = geometry
        styles = layer.styles
        if (layer.display and styles.offset.x.value == x and styles.offset.y.value == y
                and styles.width is not None and styles.width.value == width
                and styles.height is not None and styles.height.value == height):
            return
        styles.offset = (x, y)
        styles.width = width
        styles.height = height
        layer.display = True

    def render_span(self, y: int, x0: int, x1: int, view_height: int, *,
                    filtered: tuple[LineFilter, Color] | None = None,
                    scroll: tuple[int, int] | None = None,
                    sent: tuple[int, int] | None = None) -> Strip:
        """What this table shows on line `y` (0: the header) from x0 to x1 (in the
        view, as `render_line`): the same cells drawn the same way, only those.
        `view_height`: `_view_height()`, asked once for the lines of a repaint.

        With `filtered`, a line filter that maps each segment on its own (such as the
        app's ANSIToTruecolor) and the background it filters on: the span as that filter
        makes it, from cells filtered once each and kept so (`_filtered_part`), not the
        whole line filtered again each time a countdown in it moves. `scroll`: the
        view's (x, y) scroll, rounded, if asked already for the lines of a repaint.
        `sent`: the part of the span (x from, x to, in the view) that reaches the
        terminal, when the line was refreshed in part (`refresh_live`): its live cells
        outside it are noted as they were before (`_note_live`)."""
        width = x1 - x0
        base = self._style("base")
        if filtered is not None:
            base = self._filtered_style(base, *filtered)
        if not 0 <= y < view_height:
            # (Only a layer the last layout left off the lines in view draws here.)
            return Strip.blank(width, base)
        scroll_x, scroll_y = scroll if scroll is not None else (round(self.scroll_x),
                                                                round(self.scroll_y))
        live: Sequence[Cell] | None = None  # the live cells, if `cells` lacks them
        if y == 0:
            labels = self._header_labels()
            cells: Sequence[Cell] = labels
            style = self._style("keyed-table--header")
        else:
            at = scroll_y + y - 1
            if at >= len(self._order):
                return Strip.blank(width, base)
            key = self._order[at]
            memo = self._memo().get(key) if self.live is not None else None
            if memo is not None and memo[1] is not None:
                # A tick's line (`refresh_live` worked its live cells out and noted
                # them): the row's own cells with those, not a merged copy of the row.
                self._note_live(key, (), sent=(x0, x1, *sent) if sent else None)
                cells = self._cells.get(key) or ("",) * len(self.columns)
                live = memo[0]
            else:
                cells = self.row_cells(key)
                self._note_live(key, cells, sent=(x0, x1, *sent) if sent else None)
            style = self._row_style(key, at)
        start, end = x0 + scroll_x, x1 + scroll_x
        gap = self._gap
        live_pos = self._live_pos
        segments: list[Segment] = []
        x, first = 0, None
        for column, drawn in enumerate(self._draw):
            if not drawn:
                continue
            if x + drawn + gap > start:
                if first is None:
                    first = x
                cell = cells[column] if live is None or column not in live_pos \
                    else live[live_pos[column]]
                segments.extend(
                    self._filtered_part(cell, cell_key(cell), drawn, style, *filtered)
                    if filtered is not None else self._part(cell, cell_key(cell), drawn, style))
            x += drawn + gap
            if x >= end:
                break
        if first is None:
            return Strip.blank(width, base)
        if first == start and x == end:  # (the span is whole cells: nothing to crop)
            return Strip(segments, width)
        return Strip(segments, x - first).crop_extend(start - first, end - first, base)

    def refresh_live(self) -> int:
        """Repaint the live cells of the visible lines whose live cells changed; how
        many lines were. Only those cells: a countdown column of a full table changes on
        every line each second, and the rest of each line is as it was; of a line's live
        cells, from the first that changed to the last (a board's countdown moves every
        second, its health and last change seldom: what is sent to the terminal is the
        countdown). Neighbouring lines go as one region (one repaint request, not one
        per line), as wide as the widest of theirs."""
        if not self._live_at or self.live is None:
            return 0
        span = self.live_span()
        view = Region(0, 0, self.size.width, self.size.height)
        drawn_live, live_widths = self._drawn_live, self._live_row_widths
        repainted = 0
        run: list[int] = []  # lines (in order) of cells to repaint, the current run
        run_x = [0, 0]  # the run's cells to repaint, in the view: x from, x to
        xs = self._live_xs()
        layer = self.live_layer
        if layer is not None and not self.layer_in_place():
            layer = None  # (not where the cells are: this table repaints them)
            self._place_layer_later()
        # Where the layer's x 0 is in the view (`layer_geometry`).
        layer_left = max(0, span[0]) if span is not None else 0

        def flush() -> None:
            if run and span is not None:
                x0, x1 = run_x
                if layer is not None:
                    # The layer's line 0 is this table's line 1 (the header's below).
                    x0, x1 = max(0, x0 - layer_left), min(layer.size.width, x1 - layer_left)
                    if x1 > x0:
                        layer.refresh(Region(x0, run[0] - 1, x1 - x0, len(run)))
                else:
                    # (The whole live span: the table draws its lines whole, and notes
                    # all their live cells as drawn.)
                    cells = Region(span[0], run[0], span[1], len(run)).intersection(view)
                    if cells.area:
                        self.refresh(cells)
            run.clear()

        memo = self._live_memo = {}
        self._live_memo_stamp = self.live_stamp() if self.live_stamp is not None else None
        for at, key in enumerate(self.visible_keys()):
            live = [safe_cell(c) for c in self.live(key)]
            keys = tuple(cell_key(c) for c in live)
            if drawn_live.get(key) == keys:
                memo[key] = (live, None)
                continue
            repainted += 1
            y = at + 1  # (visible_keys are the lines in view, the header's below)
            widths = tuple(cell_width(c) for c in live)
            memo[key] = (live, (keys, widths))
            if span is None or widths != live_widths.get(key):
                # A width that changed may change the column's: the whole line is
                # drawn, which measures it (even scrolled out of view sideways).
                flush()
                self.refresh(Region(0, y, self.size.width, 1))
            else:
                # (Scrolled sideways, the cells may be partly or wholly out of view.)
                x0, x1 = self._changed_xs(drawn_live.get(key), keys, xs, span)
                if run and run[-1] != y - 1:
                    flush()
                if run:
                    run_x[0], run_x[1] = min(run_x[0], x0), max(run_x[1], x1)
                else:
                    run_x[0], run_x[1] = x0, x1
                run.append(y)
        flush()
        if self.live_stamp is None:
            self.call_after_refresh(lambda: memo.clear())  # drawn: the next ask is a new time
        return repainted

    def _memo(self) -> dict[str, tuple[list[Cell], LiveNoted | None]]:
        """The live cells `refresh_live` asked for, while they are still the ones to draw:
        until the frame after it is out, or with `live_stamp`, until the stamp moves on.
        (Screen callbacks run once the screen is idle, which can come before the frame
        that draws a tick's lines: the frame then asked every row again.)"""
        memo = self._live_memo
        if memo and self.live_stamp is not None and self.live_stamp() != self._live_memo_stamp:
            memo.clear()  # a later tick's time: this table was not asked (not shown)
        return memo

    def _live_xs(self) -> list[tuple[int, int] | None]:
        """Where each live cell (in `_live_at`'s order) is drawn on a line, in the view:
        x from, x to, its spaces included; None for a live column not drawn."""
        scroll_x = round(self.scroll_x)
        at_now = (self._draw, self._gap, scroll_x)
        known = self._xs_memo
        if known is not None and known[0] == at_now:
            return known[1]
        xs: dict[int, tuple[int, int]] = {}
        x, gap, live_pos = -scroll_x, self._gap, self._live_pos
        for at, width in enumerate(self._draw):
            if not width:
                continue
            if at in live_pos:
                xs[at] = (x, x + width + gap)
            x += width + gap
        found = [xs.get(at) for at in self._live_at]
        self._xs_memo = (at_now, found)
        return found

    @staticmethod
    def _changed_xs(old: Sequence[object] | None, keys: Sequence[object],
                    xs: list[tuple[int, int] | None],
                    span: tuple[int, int]) -> tuple[int, int]:
        """The cells of a line to repaint, in the view (x from, x to): from the first
        live cell whose key is not `old`'s (as drawn) to the last. The whole live span
        when nothing is known of what was drawn, or no changed cell is drawn."""
        if old is not None and len(old) == len(keys):
            drawn = [x for x, a, b in zip(xs, old, keys) if a != b and x is not None]
            if drawn:
                return drawn[0][0], drawn[-1][1]
        return span[0], span[0] + span[1]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x = round(self.scroll_x)
        base = self._style("base")
        if y == 0:
            strip = self._header_strip()
        else:
            at = round(self.scroll_y) + y - 1
            if at >= len(self._order):
                return Strip.blank(width, base)
            strip = self._row_strip(self._order[at], at)
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _header_labels(self) -> list[Cell]:
        labels: list[Cell] = []
        for column in self.columns:
            label = column.label
            if column.key == self.sort_column:
                label += " ▼" if self.sort_reverse else " ▲"
            labels.append(label)
        return labels

    def _header_strip(self) -> Strip:
        labels = self._header_labels()
        style = self._style("keyed-table--header")
        key = ("header", tuple(cell_key(c) for c in labels), self._draw, self._gap, style)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._lines[key] = self._strip(labels, style)
        return strip

    def _row_style(self, key: str, at: int) -> Style:
        return self._style("keyed-table--cursor" if key == self._cursor else
                           "keyed-table--even-row" if at % 2 == 1 else "base")

    def _note_live(self, key: str, cells: Cells,
                   keys: Sequence[object] | None = None,
                   sent: tuple[int, int, int, int] | None = None) -> None:
        """The row's live cells are drawn as `cells` has them: `refresh_live` compares
        with these; a width that changed may change its column's. `keys`: the cells'
        `cell_key`s, given when the table draws the line itself (not its layer).
        `sent`: the layer drew the line from x to x (in the view) and only the part
        from x to x of it reaches the terminal: a live cell shown outside that part is
        noted as it was (the terminal still shows that), so that a tick that finds it
        changed repaints it."""
        if not self._live_at:
            return
        live_at = self._live_at
        memo = self._memo().get(key) if keys is None else None
        noted = memo[1] if memo is not None else None
        if noted is not None:  # `cells` has the live cells `refresh_live` noted
            drawn, widths = noted
            if sent is not None:
                drawn = self._sent_only(key, drawn, sent)
            self._drawn_live[key] = drawn
        else:
            drawn = tuple(keys[i] for i in live_at) if keys is not None \
                else tuple(cell_key(cells[i]) for i in live_at)
            before = self._drawn_live.get(key)
            if sent is not None:
                drawn = self._sent_only(key, drawn, sent)
            self._drawn_live[key] = drawn
            widths = tuple(cell_width(cells[i]) for i in live_at)
            layer = self.live_layer
            if (keys is not None and before is not None and drawn != before
                    and layer is not None and layer.display):
                # The table drew the row's new live cells itself, before a tick asked
                # (Textual draws a line again on its own, without `refresh`, when the
                # table's size changed): the layer over them shows the old ones, and the
                # tick, finding these noted, would leave it so.
                y = self._line_of(key)
                if y is not None and self.layer_in_place():
                    layer.refresh(Region(0, y - 1, layer.size.width, 1))
                else:
                    layer.refresh()
        old = self._live_row_widths.get(key)
        if widths != old:
            self._live_row_widths[key] = widths
            # Wider than its column, or it was the widest and is narrower now.
            column = self._live_widths
            if any(w > column[i] or (old is not None and old[n] >= column[i] > w)
                   for n, (i, w) in enumerate(zip(live_at, widths))):
                self.call_later(self._measure)

    def _sent_only(self, key: str, drawn: tuple[object, ...],
                   sent: tuple[int, int, int, int]) -> tuple[object, ...]:
        """`drawn` (a line's live cells' keys, as the layer drew them from x to x) with
        each cell that shows there outside the part sent (x to x) as it was noted
        before: the terminal did not get it. (Unknown before: a key equal to none.)"""
        x0, x1, sent0, sent1 = sent
        before = self._drawn_live.get(key)
        noted: list[object] = []
        for i, (new, xs) in enumerate(zip(drawn, self._live_xs())):
            if xs is not None:
                shown0, shown1 = max(xs[0], x0), min(xs[1], x1)
                if shown0 < shown1 and not sent0 <= shown0 <= shown1 <= sent1:
                    new = before[i] if before is not None and i < len(before) else _UNSENT
            noted.append(new)
        return tuple(noted)

    def _row_strip(self, key: str, at: int) -> Strip:
        cells = self.row_cells(key)
        keys = tuple(cell_key(c) for c in cells)
        self._note_live(key, cells, keys)
        style = self._row_style(key, at)
        line_key = (keys, self._draw, self._gap, style, key == self._cursor)
        strip = self._lines.get(line_key)
        if strip is None:
            strip = self._lines[line_key] = self._strip(cells, style, keys)
        return strip

    def _strip(self, cells: Sequence[Cell], style: Style,
               keys: Sequence[object] | None = None) -> Strip:
        """A line of cells; `keys`: their `cell_key`s, if known. A cell's neighbouring
        segments of the same style are joined (fewer to crop and divide on every
        repaint), once: each cell is drawn from `_cell_parts`."""
        segments: list[Segment] = []
        length = 0
        gap = self._gap
        for at, (cell, width) in enumerate(zip(cells, self._draw)):
            if width:
                segments.extend(self._part(cell, keys[at] if keys is not None
                                           else cell_key(cell), width, style))
                length += width + gap
        return Strip(segments, length)

    def _part(self, cell: Cell, key: object, width: int, style: Style) -> list[Segment]:
        """A cell as drawn at a width in a row style (`width` + the gap cells), from
        `_cell_parts`."""
        gap = self._gap
        part_key = (key, width, gap, style)
        part = self._cell_parts.get(part_key)
        if part is None:
            part = self._cell_segments(cell, width, style)
            part = self._cell_parts[part_key] = list(Segment.simplify(
                part[:-1] if gap == 1 else part))
        return part

    def _filtered_part(self, cell: Cell, key: object, width: int, style: Style,
                       line_filter: LineFilter, background: Color) -> list[Segment]:
        """`_part` through a per-segment line filter, on `background`: kept beside it."""
        filtered_key = (key, width, self._gap, style, line_filter, background)
        part = self._cell_parts.get(filtered_key)
        if part is None:
            part = self._cell_parts[filtered_key] = line_filter.apply(
                self._part(cell, key, width, style), background)
        return part

    def _filtered_style(self, style: Style, line_filter: LineFilter, background: Color
                        ) -> Style:
        """A style as a per-segment line filter makes it on `background` (kept)."""
        key = (style, line_filter, background)
        filtered = self._filtered_styles.get(key)
        if filtered is None:
            filtered = line_filter.apply([Segment(" ", style)], background)[0].style or style
            self._filtered_styles[key] = filtered
        return filtered

    def _cell_segments(self, cell: Cell, width: int, style: Style) -> list[Segment]:
        pad = Segment(" ", style)
        if isinstance(cell, str):
            text = cell if cell_width(cell) <= width else set_cell_size(cell, width - 1) + "…"
            return [pad, Segment(set_cell_size(text, width), style), pad]
        if cell.cell_len > width:
            cell = cell.copy()
            cell.truncate(width, overflow="ellipsis")
        # The row's style, the cell's own over it, its spans over that. Text.render
        # applies the spans but not the cell's own style when there are none (a
        # Text("gone", style="bold red") renders as one plain segment): it is added here.
        console = self.app.console
        own = style + console.get_style(cell.style, default=Style.null()) if cell.style \
            else style
        parts = [Segment(s.text, own + s.style if s.style else own)
                 for s in cell.render(console) if s.text != "\n"]
        used = sum(cell_len(s.text) for s in parts)
        return [pad, *parts, Segment(" " * (width - used), style), pad]

    # -- keys and mouse -------------------------------------------------------------
    def _page(self) -> int:
        return max(1, self._view_height() - 2)

    def _move(self, delta: int) -> None:
        if not self._order:
            return
        at = self.cursor_row if self._cursor is not None else 0
        at = max(0, min(len(self._order) - 1, at + delta))
        self._set_cursor(self._order[at])

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_page_up(self) -> None:
        self._move(-self._page())

    def action_page_down(self) -> None:
        self._move(self._page())

    def action_first(self) -> None:
        self._move(-len(self._order))

    def action_last(self) -> None:
        self._move(len(self._order))

    def action_select(self) -> None:
        if self._cursor is not None:
            self.post_message(self.Selected(self, self._cursor))

    def _scroll_to_cursor(self) -> None:
        at = self.cursor_row
        if at < 0 or not self._view_height():
            return
        rows = max(1, self._view_height() - 1)
        top = round(self.scroll_y)
        if at < top:
            self.scroll_to(y=at, animate=False, immediate=True)
        elif at >= top + rows:
            self.scroll_to(y=at - rows + 1, animate=False, immediate=True)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None:
            self.click_at(offset.x, offset.y)

    def click_at(self, x: int, y: int) -> None:
        """A click at (x, y) of the view (0: the header's line): a header sorts, a row
        gets the cursor, the cursor's row is selected."""
        if y == 0:
            x += round(self.scroll_x)
            for column, width in zip(self.columns, self._draw):
                if not width:
                    continue
                x -= width + self._gap
                if x < 0:
                    self.post_message(self.HeaderSelected(self, column.key))
                    return
            return
        at = round(self.scroll_y) + y - 1
        if 0 <= at < len(self._order):
            key = self._order[at]
            if key == self._cursor:
                self.post_message(self.Selected(self, key))
            else:
                self._set_cursor(key)

    def set_titles(self, title: str | None = None, subtitle: str | None = None) -> None:
        """The border's title and subtitle, as literal text; set only when they change
        (setting one repaints the whole table)."""
        for name, value in (("border_title", title), ("border_subtitle", subtitle)):
            if value is not None and self._titles.get(name) != value:
                self._titles[name] = value
                setattr(self, name, Text(value))

    def set_sort(self, column: str | None, reverse: bool = False) -> None:
        """Show the sort indicator on this column's header."""
        moved = column != self.sort_column
        self.sort_column, self.sort_reverse = column, reverse
        if moved and self.fit:
            self._set_widths(self._widths)  # its sort mark's room is kept, not another's
            self.refresh()
        else:
            self.refresh(Region(0, 0, self.size.width, 1))


class LiveLayer(Widget):
    """The live columns' cells of a KeyedTable's lines in view, drawn over the table
    (a sibling in the same frame, placed by `KeyedTable.place_layer`). A tick repaints
    these few cells a line here, and the table's lines, as drawn, stay in Textual's
    caches: the whole line is not styled, filtered and divided again for one countdown.

    What it draws at each place is what the table shows there (`render_span`, from the
    table's own cells and cell cache), so wherever the last layout put it, it never
    shows another row's or another column's values; a tick uses it only when it is
    exactly over the live cells (`KeyedTable.layer_in_place`).

    It draws its lines itself (`render_lines`): it has no border, padding, tint or
    opacity for Textual's styles cache to add, and that cache's work for each line was
    most of a tick's. A line is drawn again when it was refreshed (`refresh`), or when
    the layer moved or changed size; the app's line filters apply as to any widget."""

    DEFAULT_CSS = """
    LiveLayer { position: absolute; display: none; width: 1; height: 1; }
    """

    def __init__(self, table: KeyedTable) -> None:
        self._drawn: dict[int, Strip] = {}  # line -> as drawn, until refreshed
        # line -> the part of it (x from, x to) refreshed since it was drawn, where
        # only a part was: only that part reaches the terminal when it is drawn again.
        # A line not drawn and not here was refreshed whole.
        self._exposed: dict[int, tuple[int, int]] = {}
        self._drawn_at: object = None  # (place, width, filters) the lines were drawn at
        super().__init__()
        self.table = table
        # This layer's place in the table's view and the lines in view, for a click.
        self._origin = (0, 0, 0)

    def on_mount(self) -> None:
        self.table.live_layer = self
        self.table.call_after_refresh(self.table.place_layer)

    def on_unmount(self) -> None:
        if self.table.live_layer is self:
            self.table.live_layer = None

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        if repaint:
            if regions:
                exposed = self._exposed
                for region in regions:
                    x0, x1 = region.x, region.right
                    for y in range(region.y, region.bottom):
                        if self._drawn.pop(y, None) is not None:
                            exposed[y] = (x0, x1)
                        elif y in exposed:
                            a, b = exposed[y]
                            exposed[y] = (min(a, x0), max(b, x1))
            else:
                self._drawn.clear()
                self._exposed.clear()
        return super().refresh(*regions, repaint=repaint, layout=layout,
                                recompose=recompose)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn.clear()
        self._exposed.clear()

    def render_lines(self, crop: Region) -> list[Strip]:
        table = self.table
        content, region = table.scrollable_content_region, self.region
        x, top, view_height = self._origin = (region.x - content.x, region.y - content.y,
                                              content.height)
        width = self.size.width
        filters = tuple(self.get_line_filters())
        background = self.background_colors[1]
        # The app's first filter maps colours segment by segment: applied to the cells
        # as they are kept drawn (`render_span`'s `filtered`), not to each new line.
        first = filters[0] if filters and isinstance(filters[0], ANSIToTruecolor) else None
        after = filters[1:] if first is not None else filters
        drawn_at = (x, top, view_height, width, filters, background)
        if drawn_at != self._drawn_at:
            self._drawn.clear()
            self._exposed.clear()
            self._drawn_at = drawn_at
        drawn, exposed = self._drawn, self._exposed
        scroll = (round(table.scroll_x), round(table.scroll_y))
        strips: list[Strip] = []
        for y in crop.line_range:
            strip = drawn.get(y)
            if strip is None:
                if 0 <= top + y < view_height:
                    part = exposed.pop(y, None)
                    strip = table.render_span(
                        top + y, x, x + width, view_height, scroll=scroll,
                        filtered=(first, background) if first is not None else None,
                        sent=(x + part[0], x + part[1]) if part is not None else None)
                    for line_filter in after:
                        strip = strip.apply_filter(line_filter, background)
                    drawn[y] = strip
                else:
                    # Off the table's lines in view (a layout changed the table's size
                    # and the layer follows in the next frame): what the table itself
                    # draws there, its border or a line of it, as drawn (not kept).
                    strip = self._table_line(region.x, region.y + y, width)
            strips.append(strip)
        if crop.column_span != (0, width):
            x1, x2 = crop.column_span
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    def _table_line(self, x: int, y: int, width: int) -> Strip:
        """What the table draws at screen (x, y), `width` cells (blank off it)."""
        table = self.table
        area = table.region
        if not area.contains(x, y):
            return Strip.blank(width)
        line = table.render_lines(Region(0, y - area.y, area.width, 1))[0]
        return line.crop_extend(x - area.x, x - area.x + width, None)

    def render_line(self, y: int) -> Strip:
        return self.render_lines(Region(0, y, self.size.width, 1))[0]

    # The mouse acts on the table under the layer.
    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.table.focus()
        x, top, _ = self._origin
        self.table.click_at(x + event.x, top + event.y)

    # (As the table scrolls for the wheel: by the app's scroll sensitivity.)
    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._wheel(event, 1, sideways=event.ctrl or event.shift)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._wheel(event, -1, sideways=event.ctrl or event.shift)

    def on_mouse_scroll_right(self, event: events.MouseScrollRight) -> None:
        self._wheel(event, 1, sideways=True)

    def on_mouse_scroll_left(self, event: events.MouseScrollLeft) -> None:
        self._wheel(event, -1, sideways=True)

    def _wheel(self, event: events.MouseEvent, sign: int, sideways: bool) -> None:
        event.stop()
        table, app = self.table, self.app
        if sideways:
            table.scroll_to(x=table.scroll_target_x + sign * app.scroll_sensitivity_x,
                            animate=False)
        else:
            table.scroll_to(y=table.scroll_target_y + sign * app.scroll_sensitivity_y,
                            animate=False)
