"""The write dialogs: extend, change capabilities, end, create. They only draw.

What is sent, its checks, the old → new lines and the one-write-at-a-time guard
are chime_tui.actions'; sending it, chime_tui.sending's; the app side of a finished
write (timeline, refresh), chime_tui.tui.acting's. A dialog names the session (connector, ID, name: data,
shown literally), shows the change as old → new, and sends nothing until its
confirm button (or Enter) is pressed; "end" also needs the session ID's first
characters typed. While the write is in flight the confirm button is disabled,
a second press is ignored and Esc waits; a failure stays in the dialog with
everything typed kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text
from textual import getters
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from chime_tui.actions import (
    CAPABILITIES,
    GEO_LEVELS,
    PRESETS,
    SELECTION,
    TITLES,
    CreateForm,
    Invalid,
    Planned,
    plan_capabilities,
    plan_create,
    plan_end,
    plan_extend,
    preset,
)
from chime_tui.models import ProxySession
from chime_tui.sending import Outcome, failure_message
from chime_tui.textsafe import clip

if TYPE_CHECKING:
    from chime_tui.tui.app import ChimeTuiApp

CONFIRM = {"extend": "Extend", "capabilities": "Change", "end": "End session",
           "create": "Create"}


def _app_class() -> type[ChimeTuiApp]:
    from chime_tui.tui.app import ChimeTuiApp

    return ChimeTuiApp


def _row(label: str, widget: Any) -> Horizontal:
    return Horizontal(Label(label, classes="write-label"), widget, classes="write-row")


class CapabilityBox(Checkbox, inherit_bindings=False):
    """A capability's checkbox: Space ticks it; Enter confirms the dialog, as its hint
    says (a Checkbox's Enter toggled it, and what was ticked was never sent). Its label
    says on or off: a ticked box and an unticked one differ only in colour, which a
    NO_COLOR or dim terminal does not show (walk 2 #14, walk 4 #20)."""

    BINDINGS = [Binding("space", "toggle_button", "Toggle", show=False)]

    def __init__(self, capability: str, value: bool, **kwargs: Any) -> None:
        super().__init__(self.words(capability, value), value, **kwargs)
        self.capability = capability

    @staticmethod
    def words(capability: str, value: bool) -> str:
        return f"{capability} ({'on' if value else 'off'})"

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.label = self.words(self.capability, event.value)  # (the message goes on up)


class WriteDialog(ModalScreen[None]):
    """One write, from its plan to its outcome."""

    app = getters.app(_app_class)
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel_write"),
                Binding("enter", "confirm", "Confirm", show=False)]

    def __init__(self, kind: str, voice_connector_id: str,
                 session: ProxySession | None = None) -> None:
        super().__init__(classes=f"-{kind}")
        self.kind = kind
        self.voice_connector_id = voice_connector_id
        self.session = session
        self.sending = False
        self.tried = False  # a confirm was refused: problems are shown as they are fixed
        self.outcome: Outcome | None = None

    # -- drawing ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with VerticalScroll(id="write-box"):
            yield Static(Text(TITLES[self.kind], style="bold"), id="write-title")
            yield Static(self.identity(), id="write-who")
            yield from self.fields()
            yield Static("", id="write-preview")
            yield Static("", id="write-error", classes="input-error")
            with Horizontal(id="write-buttons"):
                yield Button(CONFIRM[self.kind], variant="error" if self.kind == "end"
                             else "primary", id="write-confirm", compact=True)
                yield Button("List sessions", id="write-list", classes="-hidden", compact=True)
                yield Button("Cancel", id="write-cancel", compact=True)
            yield Static("Enter or the button confirms · Esc cancels · sent once, never "
                         "retried automatically", classes="hint")

    def identity(self) -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column()
        grid.add_row("Voice connector", Text(clip(self.voice_connector_id, 200)))
        if self.session is not None:
            s = self.session
            grid.add_row("Session", Text(clip(s.proxy_session_id or "—", 200), style="bold"))
            grid.add_row("Name", Text(clip(s.name, 100)) if s.name else Text("—", style="dim"))
            grid.add_row("Status", Text(clip(s.status or "—", 40)))
        return grid

    def fields(self) -> ComposeResult:
        s = self.session
        if self.kind == "extend":
            now = "—" if s is None or s.expiry_minutes is None else str(s.expiry_minutes)
            yield _row("New ExpiryMinutes", Input(placeholder=f"minutes (now {now})",
                                                  id="write-minutes", type="integer", compact=True))
            yield Horizontal(*[Button(f"+{m} min", id=f"write-plus-{m}", classes="write-preset",
                                      compact=True)
                               for m in PRESETS], id="write-presets")
        elif self.kind == "capabilities":
            have = s.capabilities if s is not None else ()
            yield Horizontal(*[CapabilityBox(c, c in have, id=f"write-cap-{c}", compact=True)
                               for c in CAPABILITIES], classes="write-row")
        elif self.kind == "end":
            prefix = plan_end(s).confirm_prefix if s is not None else ""
            yield Static(Text.assemble("Type ", (clip(prefix or "", 40), "bold"),
                                       " (the session ID's first characters) to end it:"))
            yield _row("Confirm", Input(placeholder="the characters above", id="write-typed",
                                        compact=True))
        else:
            yield _row("Participant 1", Input(placeholder="+12065550100", id="write-p1", compact=True))
            yield _row("Participant 2", Input(placeholder="+12065550101", id="write-p2", compact=True))
            yield Horizontal(Label("Capabilities", classes="write-label"),
                             *[CapabilityBox(c, c == "Voice", id=f"write-cap-{c}", compact=True)
                               for c in CAPABILITIES], classes="write-row")
            yield _row("ExpiryMinutes", Input(placeholder="empty: the connector's default",
                                              id="write-minutes", type="integer", compact=True))
            yield _row("Name", Input(placeholder="optional: letters, digits, spaces",
                                     id="write-name", compact=True))
            yield _row("Number selection", Select([(v, v) for v in SELECTION],
                                                  prompt="default", id="write-selection",
                                                  compact=True))
            yield _row("Geo match level", Select([(v, v) for v in GEO_LEVELS],
                                                 prompt="default", id="write-geo",
                                                 compact=True))
            yield _row("Country", Input(placeholder="optional: US", id="write-country", compact=True))
            yield _row("Area code", Input(placeholder="optional: 206", id="write-area", compact=True))

    def on_mount(self) -> None:
        # The first field: an input, or (change capabilities) the first box, so the first
        # Space ticks it as the hint says (not the confirm button); end: nothing to fill.
        first: list[Widget] = [*self.query(Input)] or [*self.query(CapabilityBox)]
        (first[0] if first else self.query_one("#write-confirm", Button)).focus()
        self.show_plan()

    def show_plan(self) -> Planned | None:
        """The preview (old → new) of what the fields say now; the problem, once a
        confirm was refused."""
        try:
            planned = self.plan()
        except Invalid as exc:
            self.query_one("#write-preview", Static).update("")
            # What is wrong with the session itself (it has ended) is said at once; what
            # is wrong with a field being typed, once a confirm was refused.
            if self.tried or any(where == "session" for where, _ in exc.problems):
                self.show_error(str(exc))
            return None
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        for step in planned.steps:
            change = Text(clip(step.new, 300)) if not step.old else Text.assemble(
                Text(clip(step.old, 200), style="dim"), " → ", Text(clip(step.new, 300)))
            grid.add_row(Text(step.label), change)
        self.query_one("#write-preview", Static).update(grid)
        if self.tried and not self.sending and self.outcome is None:
            self.show_error("")
        return planned

    def show_error(self, message: str) -> None:
        self.query_one("#write-error", Static).update(Text(message))

    # -- the plan (chime_tui.actions) -------------------------------------------------
    def value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value

    def plan(self) -> Planned:
        s = self.session
        if self.kind != "create" and s is None:
            raise Invalid.one("the session has not loaded yet")
        if self.kind == "extend":
            assert s is not None
            return plan_extend(s, self.value("write-minutes"), self.app.clock())
        if self.kind == "capabilities":
            assert s is not None
            return plan_capabilities(s, [c for c in CAPABILITIES
                                         if self.query_one(f"#write-cap-{c}", Checkbox).value])
        if self.kind == "end":
            assert s is not None
            return plan_end(s)

        def chosen(widget_id: str) -> str:
            value = self.query_one(f"#{widget_id}", Select).value
            return value if isinstance(value, str) else ""

        form = CreateForm(
            participants=(self.value("write-p1"), self.value("write-p2")),
            capabilities=tuple(c for c in CAPABILITIES
                               if self.query_one(f"#write-cap-{c}", Checkbox).value),
            expiry_minutes=self.value("write-minutes"), name=self.value("write-name"),
            number_selection=chosen("write-selection"), geo_match_level=chosen("write-geo"),
            country=self.value("write-country"), area_code=self.value("write-area"))
        return plan_create(self.voice_connector_id, form, redact=bool(self.app.redact))

    # -- events -------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_plan()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.show_plan()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.show_plan()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.confirm()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button = event.button.id or ""
        if button == "write-confirm":
            self.confirm()
        elif button == "write-cancel":
            self.action_cancel()
        elif button == "write-list":
            from chime_tui.tui.acting import list_connector

            self.dismiss(None)
            list_connector(self.app, self.voice_connector_id)
        elif button.startswith("write-plus-") and self.session is not None:
            try:
                minutes = preset(self.session, int(button.rsplit("-", 1)[1]))
            except Invalid as exc:
                self.show_error(str(exc))
                return
            field = self.query_one("#write-minutes", Input)
            field.value = str(minutes)
            field.focus()

    def action_confirm(self) -> None:
        self.confirm()

    def confirm(self) -> None:
        """Check, then send once. A press while a write is in flight is ignored."""
        if self.sending or self.query_one("#write-confirm", Button).disabled:
            return
        try:
            planned = self.plan()
        except Invalid as exc:
            self.tried = True
            self.show_error(str(exc))
            return
        if self.kind == "end" and not planned.confirmed_by(self.value("write-typed")):
            self.tried = True
            self.show_error(f"type {planned.confirm_prefix} (the session ID's first "
                            "characters) to end this session; nothing was sent")
            self.query_one("#write-typed", Input).focus()
            return
        if not self.app.write_guard.begin(planned.key):
            self.show_error("a write to this session is already under way: wait for its answer")
            return
        self.sending = True
        self.outcome = None
        self.query_one("#write-confirm", Button).disabled = True
        self.show_error("")
        self.query_one("#write-error", Static).update(Text("sending… (once; no automatic "
                                                           "retry)", style="bold"))
        self.run_worker(self.send(planned), group="write", exit_on_error=False)

    async def send(self, planned: Planned) -> None:
        from chime_tui.tui.acting import perform_write

        try:
            outcome = await perform_write(self.app, planned)
        finally:
            self.app.write_guard.done(planned.key)
            self.sending = False
        self.finish(outcome)

    def finish(self, outcome: Outcome) -> None:
        from chime_tui.tui.acting import after_write

        self.outcome = outcome
        after_write(self.app, outcome)
        if outcome.ok:
            self.dismiss(None)
            return
        self.show_error(failure_message(outcome))
        self.query_one("#write-confirm", Button).disabled = not outcome.may_retry
        if outcome.maybe_created:
            self.query_one("#write-list", Button).remove_class("-hidden")
            self.query_one("#write-list", Button).focus()

    def action_cancel(self) -> None:
        if self.sending:
            self.app.notify("A write is under way: its answer is awaited (Esc again once "
                            "it is shown)", timeout=3)
            return
        self.dismiss(None)
