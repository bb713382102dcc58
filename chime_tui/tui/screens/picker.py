"""Pick a voice connector: name, ID, region; type to filter."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input

from chime_tui.models import VoiceConnector
from chime_tui.tui.screens.list_base import ListScreen


class ConnectorPickerScreen(ListScreen):
    BINDINGS = [
        Binding("escape", "clear_filter", "Clear filter", show=False, id="clear_filter"),
    ]
    poll_interval = 60.0

    def __init__(self) -> None:
        super().__init__()
        self.connectors: list[VoiceConnector] = []

    def compose(self) -> ComposeResult:
        return self.compose_list("/ filter by name, ID or region", "connectors",
                                 "Voice connectors")

    def on_mount(self) -> None:
        self.title = "chime-tui"
        self.sub_title = "voice connectors"
        table = self.query_one(DataTable)
        table.add_column("Name", key="name")
        table.add_column("Voice connector ID", key="id")
        table.add_column("Region", key="region")
        table.focus()

    async def fetch(self) -> list[VoiceConnector]:
        return await self.app.service.list_voice_connectors()  # type: ignore[attr-defined]

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

    def render_rows(self) -> None:
        table = self.query_one(DataTable)
        selected = None
        if table.row_count and table.cursor_row >= 0:
            selected = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        rows = self.matches()
        table.clear()
        for c in rows:
            table.add_row(c.name or "—", c.voice_connector_id or "—", c.aws_region or "—",
                          key=c.voice_connector_id)
        if selected is not None:
            try:
                table.move_cursor(row=table.get_row_index(selected), animate=False)
            except Exception:
                pass
        table.border_title = f"Voice connectors {len(rows):,} of {len(self.connectors):,}"

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # ListScreen.on_input_submitted runs too (Textual calls handlers along the MRO).
        table = self.query_one(DataTable)
        if table.row_count == 1:
            self.open_row(table.coordinate_to_cell_key((0, 0)).row_key.value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.open_row(event.row_key.value)

    def open_row(self, vc_id: str | None) -> None:
        if vc_id:
            self.app.open_connector(vc_id)  # type: ignore[attr-defined]

    def action_clear_filter(self) -> None:
        filt = self.query_one(Input)
        if filt.value:
            filt.value = ""
        self.query_one(DataTable).focus()
