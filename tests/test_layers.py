"""The layers, from the import graph (every import, lazy ones in functions too):
models <- aws <- monitor/tracking <- sources <- (cli | tui); the emulator apart; nothing
imports the entry point; the UI never imports the commands."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parent.parent / "chime_tui"
CORE = ("chime_tui.models", "chime_tui.ids", "chime_tui.aws", "chime_tui.monitor", "chime_tui.tracking",
        "chime_tui.textsafe", "chime_tui.options", "chime_tui.settings", "chime_tui.config",
        "chime_tui.files", "chime_tui.validate", "chime_tui.documents", "chime_tui.pins",
        "chime_tui.humanfmt", "chime_tui.keymap", "chime_tui.prefetch", "chime_tui.credwatch",
        "chime_tui.audit", "chime_tui.sources", "chime_tui.actions", "chime_tui.sending",
        "chime_tui.fleet")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def graph() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        name = module_name(path)
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
        out[name] = {m for m in found if m.startswith("chime_tui")}
    return out


def under(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def test_the_layers_hold():
    problems = []
    for module, imports in sorted(graph().items()):
        for imp in sorted(imports):
            if under(imp, "chime_tui.__main__"):
                problems.append(f"{module} imports the entry point")
            if under(module, "chime_tui.tui") and under(imp, "chime_tui.cli"):
                problems.append(f"{module} (UI) imports {imp} (commands)")
            if under(module, *CORE) and under(imp, "chime_tui.tui", "chime_tui.cli",
                                               "chime_tui.emulator"):
                problems.append(f"{module} (core) imports {imp}")
            if under(module, "chime_tui.models", "chime_tui.ids") and under(imp, "chime_tui.aws",
                                                           "chime_tui.monitor",
                                                           "chime_tui.tracking"):
                problems.append(f"{module} imports {imp} (models are the bottom layer)")
            if under(module, "chime_tui.aws") and under(imp, "chime_tui.monitor",
                                                        "chime_tui.tracking",
                                                        "chime_tui.sources"):
                problems.append(f"{module} imports {imp} (aws is below polling)")
            if under(module, "chime_tui.monitor", "chime_tui.tracking") and under(
                    imp, "chime_tui.sources"):
                problems.append(f"{module} imports {imp} (sources are built on polling "
                                "and tracking)")
            if under(module, "chime_tui.emulator") and not under(
                    imp, "chime_tui.emulator", "chime_tui.models", "chime_tui.textsafe"):
                problems.append(f"{module} (the emulator stands apart) imports {imp}")
    assert not problems, "\n".join(problems)


def test_the_credential_watch_sees_a_renewal(tmp_path):
    from chime_tui.credwatch import CredentialWatch

    creds = tmp_path / "credentials"
    cache = tmp_path / "sso" / "cache"
    cache.mkdir(parents=True)
    watch = CredentialWatch([creds, cache])
    assert not watch.changed()
    creds.write_text("[default]\n")
    assert watch.changed() and not watch.changed()
    (cache / "token.json").write_text("{}")  # aws sso login
    assert watch.changed()
