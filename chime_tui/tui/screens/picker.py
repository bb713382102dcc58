"""Pick a voice connector: name, ID, region; type to filter."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input

from chime_tui.models import VoiceConnector
from chime_tui.tui.screens.list_base import ListScreen
from chime_tui.tui.widgets.keyed_table import Column, KeyedTable

COLUMNS = (Column("name", "Name", max_width=40, shrink_to=12),
           Column("id", "Voice connector ID", shrink_to=10), Column("region", "Region",
                                                                   drop_priority=1))


class ConnectorPickerScreen(ListScreen):
    BINDINGS = [
        Binding("escape", "clear_filter", "Clear filter", show=False, id="clear_filter"),
    ]
    poll_interval = 60.0
    row_noun = "Voice connector"

    def __init__(self) -> None:
        super().__init__()
        self.connectors: list[VoiceConnector] = []
        self.row_connector: dict[str, str] = {}  # row key -> voice connector ID

    def compose(self) -> ComposeResult:
        return self.compose_list("/ filter by name, ID or region", "connectors",
                                 "Voice connectors", COLUMNS)

    def on_mount(self) -> None:
        self.sub_title = "voice connectors"
        self.table.focus()

    async def fetch(self) -> list[VoiceConnector]:
        return await self.app.service.list_voice_connectors()

    def show(self, value: Any) -> None:
        self.connectors = list(value)
        self.render_rows()

    def matches(self) -> list[VoiceConnector]:
        needle = self.filter_text.lower()
        if not needle:
            return self.connectors
        return [
            c for c in self.connectors
            if needle in " ".join(filter(None, (c.name, c.voice_connector_id, c.aws_region))).lower()
        ]

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
            rows.append((key, (c.name or "—", vc or "—", c.aws_region or "—")))
        self.table.set_rows(rows)
        empty = f" — no voice connectors match “{self.filter_text}”" \
            if self.connectors and not rows and self.filter_text else ""
        self.table.set_titles(f"Voice connectors {len(rows):,} of {len(self.connectors):,}"
                              f"{empty}")

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
