"""`--output table`: the AWS CLI's table layout, so runbooks see the same boxes.

The layout follows awscli's `table.py` and `TableFormatter` (Apache License 2.0,
Copyright Amazon.com, Inc. or its affiliates): sections per nested object or
list, sorted scalar keys as columns, widths scaled to the widest section, and a
vertical (key, value) layout when the table is wider than the terminal.
"""

from __future__ import annotations

import os
import unicodedata
from typing import IO, Any

BRIGHT_BLUE = ("\x1b[1m\x1b[34m", "\x1b[0m")
DIM_YELLOW = ("\x1b[2m\x1b[33m", "\x1b[0m")


def text_length(text: Any) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in str(text))


def center(text: str, length: int, left: str = "|", right: str = "|",
           length_of_text: int | None = None) -> str:
    n = text_length(text) if length_of_text is None else length_of_text
    start = length // 2 - n // 2 - 1
    so_far = text_length(left) + start + n
    return left + " " * start + text + " " * (length - text_length(right) - so_far) + right


def align_left(text: str, length: int, left: str = "|", right: str = "|",
               length_of_text: int | None = None, padding: int = 2) -> str:
    n = text_length(text) if length_of_text is None else length_of_text
    if length - (n + padding + text_length(left) + text_length(right)) < 0:
        padding = 0
    so_far = len(left) + padding + n
    return left + " " * padding + text + " " * (length - so_far - len(right)) + right


class Section:
    def __init__(self, title: str = "", indent: int = 0) -> None:
        self.title = title
        self.indent = indent
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self.widths: list[int] = []
        self.columns: int | None = None

    def _measure(self, row: list[Any]) -> None:
        if not self.widths:
            self.widths = [text_length(e) for e in row]
        else:
            for i, e in enumerate(row):
                self.widths[i] = max(text_length(e), self.widths[i])

    def add_header(self, headers: list[str]) -> None:
        self._measure(headers)
        if self.columns is None:
            self.columns = len(headers)
        self.headers = headers

    def add_row(self, row: list[Any]) -> None:
        if self.columns is None:
            self.columns = len(row)
        if len(row) != self.columns:
            raise ValueError(f"Row should have {self.columns} elements, instead it has {len(row)}")
        cells = [str(e) for e in row]
        self.rows.append(cells)
        self._measure(cells)

    def column_widths(self, padding: int = 0, max_width: int | None = None) -> list[int]:
        unscaled = [w + padding for w in self.widths]
        if max_width is None or not unscaled:
            return unscaled
        factor = max_width / float(sum(unscaled))
        scaled = [int(round(factor * w)) for w in unscaled]
        off = sum(scaled) - max_width
        while off != 0:
            order = range(len(scaled)) if off > 0 else reversed(range(len(scaled)))
            for i in order:
                if off > 0:
                    scaled[i] -= 1
                    off -= 1
                else:
                    scaled[i] += 1
                    off += 1
                if off == 0:
                    break
        return scaled

    def total_width(self, padding: int = 0, outer: int = 0) -> int:
        total = sum(w + padding for w in self.column_widths()) + 2 + 2 * outer
        return max(text_length(self.title) + 2 + 2 * outer, total)


class Table:
    def __init__(self, width: int, color: bool) -> None:
        self.sections: list[Section] = []
        self.width = width
        self.color = color

    def new_section(self, title: str, indent: int = 0) -> None:
        self.sections.append(Section(title, indent))

    @property
    def current(self) -> Section:
        return self.sections[-1]

    def _max_width(self) -> int:
        return max(s.total_width(padding=4, outer=s.indent) for s in self.sections)

    def render(self, out: IO[str]) -> None:
        max_width = self._max_width()
        if max_width > self.width:
            for i, s in enumerate(self.sections):
                if len(s.rows) == 1 and s.headers:
                    vertical = Section(s.title, s.indent)
                    for header, value in zip(s.headers, s.rows[0]):
                        vertical.add_row([header, value])
                    self.sections[i] = vertical
            max_width = self._max_width()
        out.write("-" * max_width + "\n")
        for s in self.sections:
            self._render_section(s, max_width, out)

    def _style(self, text: str, style: tuple[str, str]) -> str:
        return f"{style[0]}{text}{style[1]}" if self.color else text

    def _render_section(self, s: Section, max_width: int, out: IO[str]) -> None:
        edge = self._style("|", DIM_YELLOW)
        lines: list[str] = []
        width = max_width - s.indent * 2
        if s.title:
            lines.append(center(s.title, width))
            if not s.headers and not s.rows:
                lines.append("+%s+" % ("-" * (width - 2)))
        if s.headers:
            widths = s.column_widths(padding=4, max_width=width)
            lines.append(_line_break(widths))
            lines.append("".join(
                center(h, w, "|" if i == 0 else "", "|") for i, (w, h) in
                enumerate(zip(widths, s.headers))))
        if s.rows:
            widths = s.column_widths(padding=4, max_width=width)
            if widths:
                lines.append(_line_break(widths))
                for row in s.rows:
                    lines.append("".join(
                        align_left(self._style(e, BRIGHT_BLUE), w, "|" if i == 0 else "", "|",
                                   length_of_text=text_length(e))
                        for i, (w, e) in enumerate(zip(widths, row))))
                lines.append(_line_break(widths))
        for line in lines:
            out.write(edge * s.indent + line + edge * s.indent + "\n")


def _line_break(widths: list[int]) -> str:
    return "".join("+%s+" % ("-" * (w - 2)) if i == 0 else "%s+" % ("-" * (w - 1))
                   for i, w in enumerate(widths))


def _scalar(value: Any) -> bool:
    return not isinstance(value, (list, dict))


def _split_keys(d: dict[str, Any]) -> tuple[list[str], list[str]]:
    return (sorted(k for k in d if _scalar(d[k])), sorted(k for k in d if not _scalar(d[k])))


class TableBuilder:
    def __init__(self, table: Table) -> None:
        self.table = table

    def build(self, title: str | None, current: Any, indent: int = 0) -> bool:
        if not current:
            return False
        if title is not None:
            self.table.new_section(title, indent)
        if isinstance(current, list):
            if isinstance(current[0], dict):
                self._from_list(current, indent, title)
            else:
                for item in current:
                    if _scalar(item):
                        self.table.current.add_row([item])
                    elif all(_scalar(e) for e in item):
                        self.table.current.add_row(item)
                    else:
                        self.build(None, item)
        if isinstance(current, dict):
            self._from_dict(current, indent)
        return True

    def _from_dict(self, current: dict[str, Any], indent: int) -> None:
        headers, more = _split_keys(current)
        if len(headers) == 1:
            self.table.current.add_row([headers[0], current[headers[0]]])
        elif headers:
            self.table.current.add_header(headers)
            self.table.current.add_row([current[k] for k in headers])
        for key in more:
            self.build(key, current[key], indent + 1)

    def _from_list(self, current: list[Any], indent: int, title: str | None) -> None:
        headers_set: set[str] = set()
        more_set: set[str] = set()
        for item in current:
            h, m = _split_keys(item)
            headers_set.update(h)
            more_set.update(m)
        headers, more = sorted(headers_set), sorted(more_set)
        self.table.current.add_header(headers)
        for n, element in enumerate(current):
            if n and more:
                self.table.new_section(title or "", indent)
                self.table.current.add_header(headers)
            self.table.current.add_row([element.get(h, "") for h in headers])
            for key in more:
                if key in element:
                    self.build(key, element[key], indent + 1)


def terminal_width(out: IO[str], default: int = 80) -> int:
    """The terminal's width as the AWS CLI reads it (the tty itself, not $COLUMNS)."""
    try:
        return os.get_terminal_size(out.fileno()).columns
    except (AttributeError, ValueError, OSError):
        return default


def write_table(title: str, data: Any, out: IO[str], color: bool = False) -> None:
    table = Table(terminal_width(out), color)
    if TableBuilder(table).build(title, data):
        table.render(out)
