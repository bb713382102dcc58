"""A DataTable that measures plain-text cells without Rich's measuring machinery.

DataTable measures every new cell through Rich's `__rich_measure__`, which for
10,000 rows of 6 columns blocks the event loop for about two seconds. Our
cells are single-line strings (escaped, so never accidental markup) or `Text`,
whose width is just `cell_len`, so this subclass computes column widths
directly and falls back to DataTable's own code for anything else (labels,
auto-height rows, other renderables). Textual is pinned below 9 for this private hook; the snapshot and
app tests exercise it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterable

from rich.cells import cell_len

from rich.text import Text
from textual.geometry import Size
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey


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
        for column, width in zip(columns, widths):
            column.content_width = width
        # As DataTable does after measuring: the scrollable size follows the content.
        data_width = sum(column.get_render_width(self) for column in self.columns.values())
        header_height = self.header_height if self.show_header else 0
        self.virtual_size = Size(data_width + self._row_label_column_width,
                                 self._total_row_height + header_height)
