"""The write dialogs as a person sees them, pinned (frozen clock, seeded data): extend,
end with the typed ID, create, and the refusal when writes are off.

Regenerate after an intended change with
`pytest -n 0 tests/test_snapshots_writes.py --snapshot-update` and review the SVGs.
"""

from __future__ import annotations

import pytest

from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID

from .conftest import wait_for
from .test_snapshots import frozen_app, settle

BIG = (140, 45)


def on_seed(server, **kw):
    kw.setdefault("allow_writes", True)
    return frozen_app(server, voice_connector_id=SEED_CONNECTOR_ID,
                      proxy_session_id=SEED_SESSION_ID, **kw)


def test_extend_dialog(snap_compare, frozen_server):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("plus")
        await pilot.pause()
        await pilot.click("#write-plus-60")
        # A pressed button shows its "active" style for a moment: the picture is taken
        # once that is over (taken during it, it differed from run to run).
        button = pilot.app.screen.query_one("#write-plus-60")
        await wait_for(pilot, lambda: not button.has_class("-active"))
        await pilot.pause()

    assert snap_compare(on_seed(frozen_server), terminal_size=BIG, run_before=run_before)


def test_end_dialog_with_the_typed_id(snap_compare, frozen_server):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("D")
        await pilot.pause()
        await pilot.press(*"123a4b")
        await pilot.pause()

    assert snap_compare(on_seed(frozen_server), terminal_size=BIG, run_before=run_before)


async def _create(pilot):
    await settle(pilot)
    await pilot.press("N")
    await pilot.pause()
    await pilot.press(*"+12065550111", "tab", *"(206) 555-0122")  # not E.164
    await pilot.press("enter")  # refused: the problem is named, nothing is sent
    await pilot.pause()


@pytest.mark.parametrize("size", [BIG, (80, 24)])
def test_create_dialog(snap_compare, frozen_server, size):
    assert snap_compare(on_seed(frozen_server, redact=True), terminal_size=size,
                        run_before=_create)


def test_writes_off_refusal(snap_compare, frozen_server):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("plus")
        await pilot.pause()

    assert snap_compare(on_seed(frozen_server, allow_writes=False), terminal_size=BIG,
                        run_before=run_before)
