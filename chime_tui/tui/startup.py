"""The dashboard's start-up, before its first frame: no cyclic garbage collector.

Until the first frame, the process does little but import modules and build classes
and widgets that live as long as it does; the collector's passes over that growing
heap (about a hundred of them) cost some 15-20 ms of the start-up and find almost
nothing to free (a thousand objects, most of them from imports). The command line
pauses the collector before anything heavy is imported (`pause_gc`); the app starts it
again once its first frame is out (`resume_gc`), having frozen what it imported (see
`ChimeTuiApp.on_mount`). No Textual here: the command line imports this first.
"""

from __future__ import annotations

import gc

_paused = False


def pause_gc() -> None:
    """Stop the cyclic collector until `resume_gc` (if it runs: nothing to do if not)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_gc() -> None:
    """Start the collector again if `pause_gc` stopped it; otherwise nothing."""
    global _paused
    if _paused:
        _paused = False
        gc.enable()
