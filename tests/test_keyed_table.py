"""KeyedTable against a plain model: what is drawn is always a render of the rows it
was given, and the cursor stays on its key unless that row goes away."""

from __future__ import annotations

import ast
import asyncio
import contextvars
from pathlib import Path
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.geometry import Region

from chime_tui.textsafe import clip, visible
from chime_tui.tui.widgets.keyed_table import Column, KeyedTable

COLUMNS = (Column("name", "Name", max_width=20), Column("status", "Status"),
           Column("caps", "Capabilities"), Column("expiry", "Expires in", min_width=8, live=True))
KEYS = [f"s{i:02d}" for i in range(30)]
STATUSES = ["Open", "InProgress", "Closed", "[/]", "x\x1b]0;T\x07"]
names = st.text(alphabet="ab[]/\\ \x1b\x9b\x07xyz=", max_size=30)
SORTS = ("name", "status", "key")


class TableApp(App[None]):
    CSS = "KeyedTable { height: 1fr; }"

    def __init__(self, live: dict[str, str]) -> None:
        super().__init__()
        self.live = live

    def compose(self) -> ComposeResult:
        yield KeyedTable(COLUMNS, live=lambda key: (self.live.get(key, ""),))


def expected_line(cells: list[str], widths: list[int]) -> str:
    out = ""
    for cell, width in zip(cells, widths):
        text = cell if len(cell) <= width else cell[:width - 1] + "…"
        out += " " + text.ljust(width) + " "
    return out


class TableMachine(RuleBasedStateMachine):
    """Random adds, changes, removals, sorts, filters, cursor moves and resizes."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        # One context for every step: the app's context variables are set in the first
        # and reset in the last.
        self.ctx = contextvars.copy_context()
        self.rows: dict[str, dict[str, str]] = {}
        self.live: dict[str, str] = {}
        self.app = TableApp(self.live)
        self.context = self.app.run_test(size=(60, 12))
        self.pilot = self.run(self.context.__aenter__())
        self.table = self.app.query_one(KeyedTable)
        self.table.focus()
        self.order: list[str] = []
        self.cursor: str | None = None
        self.sort = "key"
        self.reverse = False
        self.needle = ""

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(self.loop.create_task(coro, context=self.ctx))

    def teardown(self) -> None:
        self.run(self.context.__aexit__(None, None, None))
        self.loop.close()

    # -- the model's own render --------------------------------------------------------
    def push(self) -> None:
        """Hand the model to the table as the screens do, and move the model's cursor
        as the table promises to."""
        old = self.order
        order = [k for k in self.rows if self.needle in self.rows[k]["name"]]
        order.sort(key=lambda k: (self.rows[k][self.sort] if self.sort != "key" else k, k),
                   reverse=self.reverse)
        self.table.put((k, self.cells(k)) for k in self.rows)
        self.table.retain(self.rows)
        self.table.show_keys(order)
        if self.cursor is not None and self.cursor not in order:
            at = old.index(self.cursor)
            after = [k for k in old[at + 1:] if k in order]
            before = [k for k in reversed(old[:at]) if k in order]
            self.cursor = (after or before or order or [None])[0]
        elif self.cursor is None and order:
            self.cursor = order[0]
        self.order = order
        self.settle()

    def settle(self) -> None:
        """Let the app finish what the step set off, as a person sees it a moment later:
        a change of rows or widths may bring a scrollbar, whose layout takes a frame, and
        the table then keeps the cursor's row in view (a callback after that refresh).
        The invariants below are checked on that settled screen."""
        for _ in range(3):
            self.run(self.pilot.pause(0))

    def cells(self, key: str) -> list[Any]:
        row = self.rows[key]
        # Rich's Text drops some control codes itself: styled cells are built from
        # visible() text, as the screens' cells are.
        return [row["name"], Text(visible(row["status"]), style="bold"), row["caps"], ""]

    # -- steps -------------------------------------------------------------------------
    @initialize(count=st.integers(0, 25))
    def fill(self, count: int) -> None:
        for key in KEYS[:count]:
            self.rows[key] = {"name": f"n{key}", "status": "Open", "caps": "Voice"}
            self.live[key] = f"{int(key[1:])}m"
        self.push()

    @rule(key=st.sampled_from(KEYS), name=names)
    def add(self, key: str, name: str) -> None:
        self.rows[key] = {"name": name, "status": "Open", "caps": "Voice"}
        self.live[key] = "1m 00s"
        self.push()

    @rule(keys=st.lists(st.sampled_from(KEYS), min_size=1, max_size=6, unique=True),
          name=names)
    def stream(self, keys: list[str], name: str) -> None:
        """Rows appended after the shown ones, as a first load streams them in."""
        new = [k for k in keys if k not in self.rows]
        for key in new:
            self.rows[key] = {"name": name + key, "status": "Open", "caps": "SMS"}
            self.live[key] = "2m"
        self.table.put((k, self.cells(k)) for k in new)
        shown = [k for k in new if self.needle in self.rows[k]["name"]]
        self.table.append_keys(shown)
        self.order = self.order + shown
        if self.cursor is None and self.order:
            self.cursor = self.order[0]
        self.settle()

    @rule(data=st.data(), field=st.sampled_from(["name", "status", "caps", "expiry"]),
          value=names)
    @precondition(lambda self: self.rows)
    def change(self, data: st.DataObject, field: str, value: str) -> None:
        key = data.draw(st.sampled_from(sorted(self.rows)))
        if field == "expiry":
            self.live[key] = value[:10]
            self.table.refresh_live()
            self.run(self.pilot.pause(0))
            return
        if field == "status":
            value = data.draw(st.sampled_from(STATUSES))
        self.rows[key] = {**self.rows[key], field: value}
        self.push()

    @rule(data=st.data())
    @precondition(lambda self: self.rows)
    def remove(self, data: st.DataObject) -> None:
        del self.rows[data.draw(st.sampled_from(sorted(self.rows)))]
        self.push()

    @rule(sort=st.sampled_from(SORTS), reverse=st.booleans())
    def resort(self, sort: str, reverse: bool) -> None:
        self.sort, self.reverse = sort, reverse
        self.push()

    @rule(needle=st.sampled_from(["", "a", "n", "x", "s0"]))
    def filter(self, needle: str) -> None:
        self.needle = needle
        self.push()

    @rule(keys=st.lists(st.sampled_from(["up", "down", "pageup", "pagedown", "home", "end"]),
                        min_size=1, max_size=4))
    def move(self, keys: list[str]) -> None:
        # The keys go where Pilot.press sends them (the app's message queue, then the
        # focused table's bindings); each is handled before the next is sent. (press()
        # also waits for the CPU to idle twice a key: most of this test's time.)
        for key in keys:
            self.app.post_message(events.Key(key, None))
            self.run(self.pilot.pause(0))
        for key in keys:
            if not self.order:
                continue
            at = self.order.index(self.cursor) if self.cursor else 0
            # A page: the rows in view (not the line under a horizontal scrollbar).
            page = max(1, self.table.scrollable_content_region.height - 2)
            at = {"up": at - 1, "down": at + 1, "pageup": at - page, "pagedown": at + page,
                  "home": 0, "end": len(self.order) - 1}[key]
            self.cursor = self.order[max(0, min(len(self.order) - 1, at))]

    @rule(width=st.integers(20, 90), height=st.integers(4, 20))
    def resize(self, width: int, height: int) -> None:
        self.run(self.pilot.resize_terminal(width, height))
        self.run(self.pilot.pause(0))

    # -- what must hold after every step -----------------------------------------------
    @invariant()
    def drawn_lines_equal_a_plain_render_of_the_model(self) -> None:
        table = self.table
        assert table.ordered_keys == tuple(self.order)
        assert table.cursor_key == self.cursor, (table.cursor_key, self.cursor, self.order)
        plain = {k: [clip(self.rows[k]["name"]), clip(self.rows[k]["status"]),
                     clip(self.rows[k]["caps"]), clip(self.live.get(k, ""))]
                 for k in self.order}
        widths = []
        for i, column in enumerate(COLUMNS):
            w = max(len(column.label) + 2, column.min_width)
            if not column.live:
                w = max([w] + [len(plain[k][i]) for k in self.order])
            else:
                w = table.column_widths[i]  # live widths grow as values are drawn
                assert w >= max([len(column.label) + 2, column.min_width]
                                + [len(plain[k][i]) for k in table.visible_keys()])
            if column.max_width:
                w = min(w, column.max_width)
            widths.append(w)
        width, height = table.size
        x, top = int(table.scroll_x), int(table.scroll_y)
        header = [c.label + ((" ▼" if table.sort_reverse else " ▲")
                             if c.key == table.sort_column else "") for c in COLUMNS]
        lines = [expected_line(header, widths)]
        lines += [expected_line(plain[k], widths) for k in self.order[top:top + height - 1]]
        cursor_style = table.get_component_rich_style("keyed-table--cursor")
        for y in range(height):
            want = lines[y][x:x + width].ljust(width) if y < len(lines) else " " * width
            strip = table.render_line(y)
            assert strip.text == want, (y, strip.text, want)
            if y >= 1 and y < len(lines):
                is_cursor = self.order[top + y - 1] == self.cursor
                first = next(iter(strip))
                assert (first.style is not None
                        and first.style.bgcolor == cursor_style.bgcolor) == is_cursor
        if self.cursor is not None:
            at = self.order.index(self.cursor)
            view = table.scrollable_content_region.height  # above a horizontal scrollbar
            assert top <= at < top + view - 1, ("the cursor's row is in view", top, at, view)


TableMachine.TestCase.settings = settings(max_examples=20, stateful_step_count=20,
                                          deadline=None)
test_keyed_table_matches_its_model = TableMachine.TestCase


async def test_cursor_displaced_says_so_and_selected_names_the_key() -> None:
    messages: list[Any] = []
    app = TableApp({})
    async with app.run_test(message_hook=messages.append) as pilot:
        table = app.query_one(KeyedTable)
        table.focus()
        table.set_rows([(k, [k, "Open", "Voice", ""]) for k in KEYS[:6]])
        await pilot.press("down", "down", "down")
        assert table.cursor_key == "s03"
        table.set_rows([(k, [k, "Open", "Voice", ""]) for k in KEYS[:6] if k != "s03"])
        await pilot.pause()
        assert table.cursor_key == "s04"
        # (the hook sees a bubbling message once per node it reaches)
        seen = list({id(m): m for m in messages}.values())
        displaced = [m for m in seen if isinstance(m, KeyedTable.CursorDisplaced)]
        assert [(m.gone, m.key) for m in displaced] == [("s03", "s04")]
        # re-sorted: the cursor follows its key, not its index
        table.set_rows([(k, [k, "Open", "Voice", ""]) for k in reversed(KEYS[:6])])
        await pilot.pause()
        assert table.cursor_key == "s04" and table.cursor_row == 1
        await pilot.press("enter")
        seen = list({id(m): m for m in messages}.values())
        selected = [m for m in seen if isinstance(m, KeyedTable.Selected)]
        assert [m.key for m in selected] == ["s04"]


async def test_a_changed_row_repaints_only_its_own_line() -> None:
    """A tick that changes one visible row's live cell repaints that line; one that
    changes nothing repaints nothing."""
    live = {k: "5m" for k in KEYS[:8]}
    app = TableApp(live)
    async with app.run_test() as pilot:
        table = app.query_one(KeyedTable)
        table.set_rows([(k, [k, "Open", "Voice", ""]) for k in KEYS[:8]])
        await pilot.pause()
        for y in range(table.size.height):
            table.render_line(y)
        assert table.refresh_live() == 0
        live["s02"] = "4m"
        assert table.refresh_live() == 1
        await pilot.pause()
        assert "4m" in table.render_line(3).text


def test_no_module_touches_textual_internals() -> None:
    """Public Textual API only: no `textual._*` import anywhere, and in the UI (where the
    Textual objects are) no `._private` attribute but of our own `self`."""
    root = Path(__file__).parent.parent / "chime_tui"
    offenders = []
    for path in root.rglob("*.py"):
        in_ui = root / "tui" in path.parents
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and (
                    node.module.startswith("textual._") or ".textual._" in node.module):
                offenders.append(f"{path}:{node.lineno} from {node.module}")
            if isinstance(node, ast.Import):
                offenders += [f"{path}:{node.lineno} import {a.name}" for a in node.names
                              if a.name.startswith("textual._")]
            if in_ui and isinstance(node, ast.Attribute) and node.attr.startswith("_") \
                    and not node.attr.startswith("__"):
                owner = node.value
                if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                    offenders.append(f"{path}:{node.lineno} .{node.attr}")
    assert not offenders, offenders


async def test_a_narrow_table_shrinks_then_drops_the_least_important_columns() -> None:
    columns = (Column("id", "ID", shrink_to=6), Column("name", "Name", drop_priority=2),
               Column("status", "Status"), Column("parts", "Parts", drop_priority=3))

    class Narrow(App[None]):
        def compose(self) -> ComposeResult:
            yield KeyedTable(columns, fit=True)

    app = Narrow()
    async with app.run_test(size=(80, 8)) as pilot:
        table = app.query_one(KeyedTable)
        table.set_rows([("k1", ["0123456789abcdef", "a long session name", "InProgress", "2"])])
        await pilot.pause()
        assert table.render_line(1).text.split() == ["0123456789abcdef", "a", "long",
                                                     "session", "name", "InProgress", "2"]
        await pilot.resize_terminal(44, 8)
        await pilot.pause()
        assert table.render_line(0).text.split() == ["ID", "Name", "Status"]
        # Parts dropped; the ID shrunk only as far as the room left after that needs.
        assert table.render_line(1).text.split()[0] == "01234567…"
        await pilot.resize_terminal(24, 8)
        await pilot.pause()
        assert table.render_line(1).text.split() == ["012345678…", "InProgress"]


async def test_rows_that_bring_a_vertical_scrollbar_refit_the_columns() -> None:
    """Widths fitted while every row fitted in view leave no room for the vertical
    scrollbar that more rows bring: the columns are fitted again, so no horizontal
    scrollbar appears and the last header (with its sort mark) stays in view."""
    columns = (Column("id", "ID", shrink_to=6), Column("status", "Status"),
               Column("expiry", "Expires in"))

    class Fitted(App[None]):
        def compose(self) -> ComposeResult:
            yield KeyedTable(columns, fit=True)

    app = Fitted()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(KeyedTable)
        table.set_sort("expiry")
        row = ["0123456789abcdef0123", "InProgress", "1m 05s"]
        table.set_rows([("k0", row)])
        await pilot.pause()
        assert not table.show_vertical_scrollbar
        assert table.virtual_size.width == table.scrollable_content_region.width
        table.set_rows([(f"k{i}", row) for i in range(20)])  # same widths, more rows
        await pilot.pause()
        await pilot.pause()
        assert table.show_vertical_scrollbar
        assert not table.show_horizontal_scrollbar
        assert table.virtual_size.width <= table.scrollable_content_region.width
        assert table.render_line(0).text.rstrip().endswith("Expires in ▲")


async def test_a_tick_repaints_only_the_live_cells_of_a_line() -> None:
    """A countdown that changes on every line each second repaints the live column's
    cells, not whole lines: what is drawn there is the row's line, the rest of it as
    it was."""
    live = {k: "5m" for k in KEYS[:8]}
    app = TableApp(live)
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(KeyedTable)
        table.set_rows([(k, [k, "Open", "Voice", ""]) for k in KEYS[:8]])
        await pilot.pause()
        for y in range(table.size.height):
            table.render_line(y)
        x, width = table.live_span()
        header = table.render_line(0).text
        assert header[x:x + width].strip() == "Expires in"
        assert x + width == table.virtual_size.width  # the last column, to its end
        asked: list[Region] = []
        original = table.refresh

        def spy(*regions: Region, **kwargs: object) -> object:
            asked.extend(regions)
            return original(*regions, **kwargs)

        table.refresh = spy  # type: ignore[method-assign]
        for key in KEYS[:8]:
            live[key] = "4m"
        assert table.refresh_live() == 8
        # The live cells of lines 1-8, and nothing else: neighbouring lines as one region.
        assert [(r.x, r.width) for r in asked] == [(x, width)]
        assert [list(r.line_range) for r in asked] == [list(range(1, 9))]
        await pilot.pause()
        assert table.render_line(3).text[x:x + width].strip() == "4m"
        assert table.render_line(3).text.startswith(" s02 ")
        # Lines whose cells did not change are not repainted: 2 and 5-6 here.
        asked.clear()
        for key in (KEYS[0], KEYS[2], KEYS[3], KEYS[6], KEYS[7]):
            live[key] = "3m"
        assert table.refresh_live() == 5
        assert {(r.x, r.width) for r in asked} == {(x, width)}
        assert sorted(y for r in asked for y in r.line_range) == [1, 3, 4, 7, 8]
        await pilot.pause()
        assert [table.render_line(y).text[x:x + width].strip() for y in range(1, 9)] == \
            ["3m", "4m", "3m", "3m", "4m", "4m", "3m", "3m"]
