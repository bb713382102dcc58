"""What the two fork servers (tests/ourcli_zygote.py for our command line,
tests/awscli_zygote.py for the reference AWS CLI) share: recording which environment
variables their imports read, and rewriting the strings their imports made from HOME
so a forked child is what a fresh process started with its own HOME would be.

Loaded by path (each zygote runs as a script with its own sys.path), standard library
only.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
import traceback
import types
from collections.abc import Callable, Iterable


def import_recording_env(names: Iterable[str]) -> set[str]:
    """Import `names`; return the environment variables read meanwhile through
    os.environ ("*" if the whole environment was read, e.g. copied)."""
    read: set[str] = set()
    environ = type(os.environ)
    getitem, iterate = environ.__getitem__, environ.__iter__

    def recording_getitem(self: os._Environ[str], key: str) -> str:
        read.add(key)
        return getitem(self, key)

    def recording_iter(self: os._Environ[str]):  # type: ignore[no-untyped-def]
        read.add("*")
        return iterate(self)

    environ.__getitem__ = recording_getitem  # type: ignore[method-assign]
    environ.__iter__ = recording_iter  # type: ignore[method-assign]
    try:
        for name in names:
            importlib.import_module(name)
    finally:
        environ.__getitem__ = getitem  # type: ignore[method-assign]
        environ.__iter__ = iterate  # type: ignore[method-assign]
    return read


def home_holders() -> tuple[list[tuple[object, str]], list[str]]:
    """Where the imports kept a string made from HOME (botocore's cache directories,
    ~/.aws/models, site's user directories): the zygote runs with HOME set to a name
    found nowhere else, so every string holding it came from HOME. Those held by a
    module's or a class's attribute or by a function's default values can be rewritten
    in a child (`rehome`); any other holder (of everything reachable from the modules)
    is named, and then the client forks no request with another HOME."""
    home = os.environ["HOME"]
    seen: set[int] = set()
    todo: list[object] = list(sys.modules.values())
    holders: list[object] = []
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        refs = gc.get_referents(obj)
        if any(type(r) is str and home in r for r in refs):
            holders.append(obj)
        todo.extend(r for r in refs if id(r) not in seen and type(r) is not str)
    fixable: list[tuple[object, str]] = []
    other: list[str] = []
    for obj in holders:
        owner = None
        for ref in gc.get_referrers(obj):
            if isinstance(ref, types.ModuleType) and vars(ref) is obj:
                owner = (ref, "dict")
            elif isinstance(ref, type) and isinstance(obj, dict) and len(obj) == len(
                    ref.__dict__) and all(ref.__dict__.get(k, obj) is v for k, v in obj.items()):
                owner = (ref, "dict")
            elif isinstance(ref, types.FunctionType) and obj in (ref.__defaults__,
                                                                 ref.__kwdefaults__):
                owner = (ref, "defaults")
            if owner:
                break
        if owner is None:
            other.append(f"{type(obj).__name__}: {str(obj)[:100]}")
        else:
            fixable.append(owner)
    return fixable, other


def rehome(fixable: list[tuple[object, str]], home: str) -> None:
    """Make the strings made from this process's HOME at import (`home_holders`) what
    they are in a fresh process started with `home`."""
    old = os.environ["HOME"]

    def swap(value: object) -> object:
        return value.replace(old, home) if isinstance(value, str) else value

    for holder, kind in fixable:
        if kind == "defaults":
            defaults = getattr(holder, "__defaults__", None)
            if defaults is not None:
                holder.__defaults__ = tuple(swap(v) for v in defaults)  # type: ignore[attr-defined]
            kwdefaults = getattr(holder, "__kwdefaults__", None)
            if kwdefaults is not None:
                holder.__kwdefaults__ = {k: swap(v) for k, v in kwdefaults.items()}  # type: ignore[attr-defined]
            continue
        for name, value in list(vars(holder).items()):
            if isinstance(value, str) and old in value:
                setattr(holder, name, swap(value))


def exit_status(main: Callable[[], object]) -> int:
    """Run `main` as the interpreter runs a script: the exit status sys.exit() gives
    (None: 0, an int: its low byte, anything else printed: 1), a traceback and 1 for
    any other exception, 0 when it returns."""
    try:
        main()
        return 0
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code & 0xFF
        print(code, file=sys.stderr)
        return 1
    except BaseException:
        traceback.print_exc()
        return 1
