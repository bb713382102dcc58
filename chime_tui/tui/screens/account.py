"""Switch AWS profile and region inside the app (boto3's profile and region lists)."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select, Static

from chime_tui.aws.client import available_profiles, available_regions

DEFAULT = "(default chain)"


class AccountScreen(ModalScreen[tuple[str | None, str | None] | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel_account")]

    def __init__(self, profile: str | None, region: str | None) -> None:
        super().__init__()
        self.current_profile = profile
        self.current_region = region

    def compose(self) -> ComposeResult:
        with Vertical(id="account-box"):
            yield Static("Profile and region", id="account-title")
            yield Label("Profile (from the AWS config files)")
            yield Select([(DEFAULT, DEFAULT)], value=DEFAULT, allow_blank=False, id="profile")
            yield Label("Region")
            yield Select([(r, r) for r in [self.current_region or "us-east-1"]],
                         value=self.current_region or "us-east-1", allow_blank=False, id="region")
            with Horizontal(id="account-buttons"):
                yield Button("Switch", variant="primary", id="switch")
                yield Button("Cancel", id="cancel")

    profiles: list[str] | None = None  # None until the lists are read

    def on_mount(self) -> None:
        self.load_lists()

    @work(thread=True, exit_on_error=False)
    def load_lists(self) -> None:
        # boto3 reads files and its data: off the event loop.
        profiles, regions = available_profiles(), available_regions()
        self.app.call_from_thread(self.fill, profiles, regions)

    def fill(self, profiles: list[str], regions: list[str]) -> None:
        profile = self.query_one("#profile", Select)
        profile.set_options([(DEFAULT, DEFAULT)] + [(p, p) for p in profiles])
        profile.value = self.current_profile if self.current_profile in profiles else DEFAULT
        region = self.query_one("#region", Select)
        current = self.current_region or "us-east-1"
        region.set_options([(r, r) for r in sorted(set(regions) | {current})])
        region.value = current
        self.profiles = profiles  # the lists are filled: what the choices are
        profile.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "switch":
            profile = self.query_one("#profile", Select).value
            region = self.query_one("#region", Select).value
            self.dismiss((None if profile == DEFAULT else str(profile), str(region)))
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
