"""Pick a voice connector: name, ID, region, proxy settings and session counts; type to
filter. Space marks connectors (for "expiring next"), `e` opens expiring next, `c` counts
every connector's sessions on each refresh (fleet-wide counts)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input

from chime_tui.fleet import ConnectorsOverview, Overview
from chime_tui.humanfmt import ago_short
from chime_tui.models import VoiceConnector
from chime_tui.textsafe import visible
from chime_tui.tui.screens.list_base import ListScreen
from chime_tui.tui.widgets.fleet_cells import count_cells, fallback_cell, proxy_cell
from chime_tui.tui.widgets.keyed_table import Cell, Column, KeyedTable

# Narrow terminals keep the name, the whole ID (names repeat; IDs do not), the proxy state
# and the Open and InProg counts with their age: the fallback number, the region and the
# closed count go first (the highest drop_priority first); names shrink. Then the columns
# close up to one space apart (TIGHT), then the proxy state is cut to 5 ('on', '⚠ off'
# whole), and the counts' age goes only after that (below ~67 columns), the counts with
# it: counts are never shown without how old they are.
TIGHT = 2
COLUMNS = (Column("mark", ""),  # ● a connector marked for expiring next
           Column("name", "Name", max_width=40, shrink_to=12),
           Column("id", "Voice connector ID"),
           Column("region", "Region", drop_priority=5),
           Column("proxy", "Proxy", max_width=16, shrink_to=5, shrink_priority=1),
           Column("fallback", "Fallback", drop_priority=6),
           # Counts are never shown without how old they are (walk 6 #1): they go with it.
           Column("open", "Open", drop_with="counted"),
           Column("inprogress", "InProg", drop_with="counted"),
           Column("closed", "Closed", drop_priority=4, drop_with="counted"),
           # How old the counts are goes last: counts minutes old must not look current
           # (walk 4 #14: at 80 columns it went first, then still did not fit).
           Column("counted", "Counted", live=True, min_width=8, drop_priority=1))


class ConnectorPickerScreen(ListScreen):
    BINDINGS = [
        Binding("escape", "clear_filter", "Clear filter", show=False, id="clear_filter"),
        Binding("e", "expiring", "Expiring next", id="expiring"),
        Binding("space", "mark", "Mark", id="mark_connector"),
        Binding("c", "count_all", "Count all", id="count_all"),
    ]
    poll_interval = 60.0
    row_noun = "Voice connector"

    def __init__(self) -> None:
        super().__init__()
        self.connectors: list[VoiceConnector] = []
        self.row_connector: dict[str, str] = {}  # row key -> voice connector ID
        self.count_all = False  # c: list every connector's sessions on each refresh
        self.requests: int | None = None  # the last refresh's
        self.not_counted: dict[str, str] = {}  # count all: connector -> why its listing failed

    def compose(self) -> ComposeResult:
        return self.compose_list("/ filter by name, ID or region", "connectors",
                                 "Voice connectors", COLUMNS, live=self.live_cells,
                                 tight_priority=TIGHT, spare_sort_room=True)

    def on_mount(self) -> None:
        self.sub_title = "voice connectors"
        self.table.focus()

    def make_source(self) -> ConnectorsOverview:
        return ConnectorsOverview(self.app.service, self.poll_interval)

    def show(self, value: Any) -> None:
        data: Overview = value
        app = self.app
        fleet = app.fleet
        now = app.clock()
        names = {c.voice_connector_id: c.name for c in data.connectors}
        for vc, proxy in data.proxies.items():
            app.raise_alerts(fleet.observe_proxy(vc, proxy, now, names.get(vc)))
        for vc, error in data.proxy_errors.items():
            fleet.proxy_failed(vc, error.kind)
        if data.listing is not None:
            for vc, sessions in data.listing.sessions.items():
                fleet.observe_listing(vc, sessions, now)
        self.not_counted = {vc: error.kind for vc, error in
                            (data.listing.errors.items() if data.listing is not None else ())}
        self.connectors = list(data.connectors)
        self.requests = data.requests
        self.render_rows()

    def matches(self) -> list[VoiceConnector]:
        needle = self.filter_text.lower()
        if not needle:
            return self.connectors
        return [
            c for c in self.connectors
            if needle in " ".join(filter(None, (c.name, c.voice_connector_id, c.aws_region))).lower()
        ]

    def cells(self, c: VoiceConnector) -> tuple[Cell, ...]:
        vc = c.voice_connector_id or ""
        app = self.app
        watch = app.fleet.connectors.get(vc)
        mark: Cell = Text("●", style="bold yellow") if vc and vc in app.fleet.marked else ""
        return (mark, c.name or "—", vc or "—", c.aws_region or "—", proxy_cell(watch),
                fallback_cell(watch, bool(app.redact)), *count_cells(watch), "")

    def live_cells(self, key: str) -> tuple[Cell, ...]:
        watch = self.app.fleet.connectors.get(self.row_connector.get(key, ""))
        latest = watch.latest if watch is not None else None
        # Short (and floored): a narrow terminal keeps it, and the counts with it.
        return (ago_short(latest.at, self.app.clock()) if latest is not None else "—",)

    def still_listed(self, key: str) -> bool:
        return key.split("#")[0] in {c.voice_connector_id for c in self.connectors}

    def render_rows(self) -> None:
        rows = []
        self.row_connector = {}
        for c in self.matches():
            vc = c.voice_connector_id or ""
            # Two connectors listed with one ID are both shown (the service said so),
            # each under a key of its own.
            key, n = vc, 1
            while key in self.row_connector:
                n += 1
                key = f"{vc}#{n}"
            self.row_connector[key] = vc
            rows.append((key, self.cells(c)))
        self.table.set_rows(rows)
        empty = f" — no voice connectors match “{self.filter_text}”" \
            if self.connectors and not rows and self.filter_text else ""
        self.table.set_titles(f"Voice connectors {len(rows):,} of {len(self.connectors):,}"
                              f"{empty}")
        self.update_subtitle()

    def update_subtitle(self) -> None:
        marked = len(self.app.fleet.marked & set(self.row_connector.values()))
        parts = ["counts: every connector, each refresh" if self.count_all
                 else "counts: from listings made (c: count all)"]
        if marked:
            parts.append(f"{marked} marked")
        if self.requests is not None:
            parts.append(f"{self.requests} request{'s' if self.requests != 1 else ''} "
                         "per refresh")
        # A connector whose listing failed keeps its counts from before (their age says
        # how old): the border says which, as expiring next does (walk 6 #6).
        names = {c.voice_connector_id: c.name for c in self.connectors}
        for vc, kind in self.not_counted.items():
            parts.append(f"{visible(names.get(vc) or vc)}: {kind}, not counted")
        self.table.set_titles(subtitle=" · ".join(parts))

    def tick(self) -> None:
        self.table.refresh_live()

    def on_screen_resume(self) -> None:
        # Back from a session list or expiring next: counts learned there show here.
        if self.connectors:
            self.render_rows()

    def apply_redaction(self) -> None:
        self.render_rows()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # ListScreen.on_input_submitted runs too (Textual calls handlers along the MRO).
        keys = self.table.ordered_keys
        if len(keys) == 1:
            self.open_row(keys[0])

    def on_keyed_table_selected(self, event: KeyedTable.Selected) -> None:
        self.open_row(event.key)

    def open_row(self, key: str | None) -> None:
        vc_id = self.row_connector.get(key or "")
        if vc_id:
            self.app.open_connector(vc_id)

    def action_clear_filter(self) -> None:
        self.clear_filter()
        self.table.focus()

    def action_expiring(self) -> None:
        self.app.open_expiring()

    def action_mark(self) -> None:
        vc = self.row_connector.get(self.table.cursor_key or "")
        if vc:
            marked = self.app.fleet.toggle_mark(vc)
            self.notify(f"{'Marked' if marked else 'Unmarked'} {vc}"
                        + (" (e: expiring next in the marked connectors)" if marked else ""),
                        timeout=3)
            self.render_rows()

    def action_count_all(self) -> None:
        self.count_all = not self.count_all
        if isinstance(self.source, ConnectorsOverview):
            self.source.count_all = self.count_all
        self.update_subtitle()  # it says which counts these are
        # Asked again at once either way: the border's requests per refresh are the new
        # mode's, not the last refresh's (it said 9 after `c` off: walk 6 #8).
        self.action_refresh()
