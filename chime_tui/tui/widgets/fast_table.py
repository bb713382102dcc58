"""A DataTable that measures plain-text cells without Rich's measuring machinery,
and adds rows in batches.

DataTable measures every new cell through Rich's `__rich_measure__`, which for
10,000 rows of 6 columns blocks the event loop for about two seconds. Our
cells are single-line strings (escaped, so never accidental markup) or `Text`,
whose width is just `cell_len`, so this subclass computes column widths
directly and falls back to DataTable's own code for anything else (labels,
auto-height rows, other renderables).

`add_rows_keyed` does for a batch of plain one-line rows what `add_row` does for
one (the same bookkeeping, in the same private structures), but updates the
cursor once per batch instead of once per row (the per-row reactive update was
most of the cost of adding 10,000 rows), and keeps the rendered rows already on
screen: appending rows changes neither the existing rows nor their positions,
so only the row offsets are recomputed, and when a column gets wider only that
column's rendered cells are dropped (DataTable drops them all).
Without that, each batch re-rendered every visible cell through Rich. The
cached row order and line offsets are extended the same way instead of being
rebuilt from all rows for every batch.

Textual is pinned below 9 for these private hooks; tests compare both with
DataTable's own results, and the snapshot and app tests exercise them.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import zip_longest
from typing import Any, Iterable, Sequence

from rich.cells import cell_len

from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.geometry import Size
from textual.widgets import DataTable
from textual.widgets.data_table import DuplicateKey, Row, RowKey


@lru_cache(maxsize=256)
def _markup_width(value: str) -> int:
    return Text.from_markup(value).cell_len


def text_width(value: Any) -> int | None:
    """The width of a one-line plain or markup string or Text; None for anything else."""
    if isinstance(value, str):
        if "\n" in value:
            return None
        return _markup_width(value) if "[" in value else len(value) if value.isascii() \
            else cell_len(value)
    if isinstance(value, Text) and "\n" not in value.plain:
        return value.cell_len
    return None


class FastTable(DataTable[Any]):
    def add_rows_keyed(self, rows: Iterable[tuple[str, Sequence[Any]]]) -> None:
        """Add (key, cells) rows of height 1 without labels, as `add_row` would."""
        columns = self.ordered_columns
        column_keys = [c.key for c in columns]
        locations, data, table_rows, new_rows = \
            self._row_locations, self._data, self.rows, self._new_rows
        before = self.row_count
        was_empty = before == 0
        index = before
        added: list[Row] = []
        for key, cells in rows:
            row_key = RowKey(key)
            if row_key in locations:
                raise DuplicateKey(f"The row key {row_key!r} already exists.")
            if len(cells) > len(column_keys):
                raise ValueError("More values provided than there are columns.")
            locations[row_key] = index
            index += 1
            data[row_key] = dict(zip_longest(column_keys, cells))
            row = table_rows[row_key] = Row(row_key, 1, None, False)
            new_rows.add(row_key)
            added.append(row)
        if not added:
            return
        self._require_update_dimensions = True
        # The row order and the line offsets only grow at the end: extend the cached ones
        # rather than have DataTable walk all 10,000 rows again for each batch.
        count = self._update_count
        ordered = self._ordered_row_cache.get((before, count))
        self._ordered_row_cache.clear()
        if ordered is not None:
            self._ordered_row_cache[(index, count)] = ordered + added
        offsets = self._offset_cache.get(count)
        self._offset_cache.clear()
        if offsets is not None:
            self._offset_cache[count] = offsets + [(row.key, 0) for row in added]
        self.cursor_coordinate = self.cursor_coordinate
        if was_empty and columns and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()
        self.refresh()
        self.check_idle()

    def sort_by_keys(self, keys: Sequence[str]) -> None:
        """Put the rows in this order (every row's key, once), as `sort` would with a key
        giving each row its position here, and fill the row-order and line-offset caches
        at once instead of leaving the next redraw to walk every row twice."""
        rows = self.rows
        ordered = [rows[key] for key in keys]  # type: ignore[index]  # str finds its RowKey
        if len(ordered) != self.row_count or len(set(keys)) != len(ordered):
            raise ValueError("sort_by_keys needs every row's key exactly once")
        self._row_locations = TwoWayDict({row.key: i for i, row in enumerate(ordered)})
        self._update_count += 1
        count = self._update_count
        self._ordered_row_cache.clear()
        self._ordered_row_cache[(len(ordered), count)] = ordered
        self._offset_cache.clear()
        if all(row.height == 1 for row in ordered):
            self._offset_cache[count] = [(row.key, 0) for row in ordered]
        self.refresh()

    def _forget_columns(self, keys: set[Any]) -> None:
        """Wider columns: their rendered cells are stale, the others' still good (a cell
        is rendered at its column's width); every rendered line is stale (they are laid
        out again). DataTable would drop every cell instead, and redraw them all."""
        cells = self._cell_render_cache
        for key in [key for key in cells.keys() if key[1] in keys]:
            cells.discard(key)
        self._row_render_cache.clear()
        self._line_cache.clear()
        self.refresh()

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        new_rows = list(new_rows)
        columns = self.ordered_columns
        widths = [c.content_width for c in columns]
        for row_key in new_rows:
            row = self.rows.get(row_key)
            if row is None or row_key not in self._row_locations:
                continue
            if row.label is not None or row.auto_height:
                super()._update_dimensions(new_rows)
                return
            cells = self._data[row_key]
            for i, column in enumerate(columns):
                width = text_width(cells.get(column.key))
                if width is None:
                    super()._update_dimensions(new_rows)
                    return
                if width > widths[i]:
                    widths[i] = width
        wider = {column.key for column, width in zip(columns, widths)
                 if column.content_width != width}
        for column, width in zip(columns, widths):
            column.content_width = width
        if wider:
            self._forget_columns(wider)
        # As DataTable does after measuring: the scrollable size follows the content.
        data_width = sum(column.get_render_width(self) for column in self.columns.values())
        header_height = self.header_height if self.show_header else 0
        self.virtual_size = Size(data_width + self._row_label_column_width,
                                 self._total_row_height + header_height)
