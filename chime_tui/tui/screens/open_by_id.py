"""Open a session (or a connector's list) by IDs typed or pasted, validated before any call."""

from __future__ import annotations

from rich.text import Text
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
        self.shown_errors: dict[str, str] = {}  # field -> the error shown under it

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
        # The first field still to fill: the session ID when the screen knows its
        # connector (typing into a prefilled, selected connector ID would replace it,
        # and open the session ID as a connector).
        self.query_one("#sid-input" if self.initial_vc else "#vc-input", Input).focus()

    def problems(self) -> tuple[str, str, str | None, str | None]:
        vc = self.query_one("#vc-input", Input).value.strip()
        sid = self.query_one("#sid-input", Input).value.strip()
        # `VC/SID` (as --pin and the pins file write a session) pasted in either field
        # is both IDs.
        for pasted in (sid, vc):
            left, slash, right = pasted.partition("/")
            if slash and not validate_voice_connector_id(left) \
                    and not validate_proxy_session_id(right):
                vc, sid = left, right
                break
        return (vc, sid, validate_voice_connector_id(vc),
                validate_proxy_session_id(sid) if sid else None)

    def on_input_changed(self, event: Input.Changed) -> None:
        """A shown error goes (or changes) as the field is fixed, not at the next Enter."""
        if not self.shown_errors:
            return
        _, _, vc_err, sid_err = self.problems()
        for name, err in (("vc", vc_err), ("sid", sid_err)):
            if name in self.shown_errors and err != self.shown_errors[name]:
                self.show_error(name, err)

    def show_error(self, name: str, error: str | None) -> None:
        self.query_one(f"#{name}-error", Label).update(Text(error or ""))
        if error:
            self.shown_errors[name] = error
        else:
            self.shown_errors.pop(name, None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        vc, sid, vc_err, sid_err = self.problems()
        self.show_error("vc", vc_err)
        self.show_error("sid", sid_err)
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
