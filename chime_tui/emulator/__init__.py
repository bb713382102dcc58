"""The project's local Chime SDK Voice endpoint (no AWS account needed)."""

from chime_tui.emulator.server import EmulatorServer, make_web_app
from chime_tui.emulator.state import (
    SEED_CONNECTOR_ID,
    SEED_SESSION_ID,
    EmulatorState,
    Faults,
    populate,
)

__all__ = [
    "EmulatorServer", "EmulatorState", "Faults", "SEED_CONNECTOR_ID", "SEED_SESSION_ID",
    "make_web_app", "populate",
]
