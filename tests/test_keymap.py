"""The core list of binding ids matches the TUI's bindings; remaps are checked by it."""

from __future__ import annotations

import pytest
from textual.binding import Binding

from chime_tui.keymap import ALL, BINDINGS, keymap_problems, normalize_key


def tui_bindings() -> dict[str, tuple[str, set[str]]]:
    """Every Binding with an id declared by the app and its screens (read, not changed)."""
    from chime_tui.tui.app import ChimeTuiApp
    from chime_tui.tui.screens.account import AccountScreen
    from chime_tui.tui.screens.alerts import AlertsScreen
    from chime_tui.tui.screens.board import BoardScreen
    from chime_tui.tui.screens.detail import SessionDetailScreen
    from chime_tui.tui.screens.dialogs import WriteDialog
    from chime_tui.tui.screens.expiring import ExpiringScreen
    from chime_tui.tui.screens.help import HelpScreen
    from chime_tui.tui.screens.open_by_id import OpenByIdScreen
    from chime_tui.tui.screens.picker import ConnectorPickerScreen
    from chime_tui.tui.screens.sessions import SessionListScreen

    screens = {"picker": ConnectorPickerScreen, "sessions": SessionListScreen,
               "detail": SessionDetailScreen, "board": BoardScreen, "help": HelpScreen,
               "open_by_id": OpenByIdScreen, "account": AccountScreen, "alerts": AlertsScreen,
               "write_dialog": WriteDialog, "expiring": ExpiringScreen}
    found: dict[str, tuple[str, set[str]]] = {}

    def add(binding: object, where: set[str]) -> None:
        if isinstance(binding, Binding) and binding.id:
            keys, scope = found.setdefault(binding.id, (binding.key, set()))
            assert keys == binding.key, f"{binding.id} has two default keys"
            scope |= where

    for binding in ChimeTuiApp.BINDINGS:
        add(binding, set(ALL))
    for name, cls in screens.items():
        for klass in cls.__mro__:  # inherited BINDINGS apply too
            for binding in getattr(klass, "BINDINGS", []) if "BINDINGS" in vars(klass) else []:
                add(binding, {name})
    return found


def test_the_core_list_matches_the_tui():
    tui = tui_bindings()
    core = {bid: (keys, set(scope)) for bid, (keys, scope) in BINDINGS.items()}
    assert core == tui


@pytest.mark.parametrize("keymap, needle", [
    ({"refresh": "q"}, "keys.refresh = 'q' takes q, which quit needs"),
    ({"pin": "r"}, "takes r, which refresh needs"),
    ({"board": "ctrl+p"}, "which the command palette needs"),
    ({"refersh": "f5"}, "unknown binding id 'refersh'"),
    ({"quit": "[/]"}, "'[/]' is not a key"),
    ({"quit": 5}, "keys.quit must be a string"),
    ({"extend": "m"}, "takes m, which pin and unpin needs"),
])
def test_bad_remaps_are_named(keymap, needle):
    problems = keymap_problems(keymap)
    assert len(problems) == 1 and needle in problems[0][1], problems


@pytest.mark.parametrize("keymap", [
    {"refresh": "f5"}, {"refresh": "q", "quit": "ctrl+x"}, {"help": "?"},
    {"copy": "y", "export": "ctrl+e"}, {"sort": "S"},
    {"back": "escape,backspace"},
])
def test_good_remaps_pass(keymap):
    assert keymap_problems(keymap) == []


def test_keys_are_normalized_as_textual_does():
    assert normalize_key("?") == "question_mark"
    assert normalize_key("/") == "slash"
    assert normalize_key("f5") == "f5"


def test_the_new_core_modules_import_neither_textual_nor_asyncio():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import chime_tui.files, chime_tui.validate, chime_tui.keymap, chime_tui.config\n"
        "import chime_tui.pins\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'botocore',\n"
        "             'aiobotocore') or m in ('asyncio', 'tomllib'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
