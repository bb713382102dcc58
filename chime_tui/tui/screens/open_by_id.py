"""Open a session (or a connector's list) by IDs typed or pasted, validated before any call."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.validation import Function
from textual.widgets import Input, Label, Static

from chime_tui.models import validate_proxy_session_id, validate_voice_connector_id


class OpenByIdScreen(ModalScreen[tuple[str, str | None] | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel_open")]

    def __init__(self, voice_connector_id: str = "") -> None:
        super().__init__()
        self.initial_vc = voice_connector_id

    def compose(self) -> ComposeResult:
        with Vertical(id="open-box"):
            yield Static("Open by ID", id="open-title")
            yield Input(self.initial_vc, placeholder="voice connector ID", id="vc-input",
                        validators=[Function(lambda v: validate_voice_connector_id(v.strip()) is None)])
            yield Label("", id="vc-error", classes="input-error")
            yield Input(placeholder="proxy session ID (empty: list the connector's sessions)",
                        id="sid-input")
            yield Label("", id="sid-error", classes="input-error")
            yield Static("Enter opens · Esc cancels", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#vc-input" if not self.initial_vc else "#sid-input", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        vc = self.query_one("#vc-input", Input).value.strip()
        sid = self.query_one("#sid-input", Input).value.strip()
        vc_err = validate_voice_connector_id(vc)
        sid_err = validate_proxy_session_id(sid) if sid else None
        self.query_one("#vc-error", Label).update(vc_err or "")
        self.query_one("#sid-error", Label).update(sid_err or "")
        if vc_err:
            self.query_one("#vc-input", Input).focus()
            return
        if sid_err:
            self.query_one("#sid-input", Input).focus()
            return
        if event.input.id == "vc-input" and not sid:
            self.query_one("#sid-input", Input).focus()
            return
        self.dismiss((vc, sid or None))

    def action_cancel(self) -> None:
        self.dismiss(None)
