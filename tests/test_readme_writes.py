"""The README's examples for get-voice-connector-proxy and the write commands, as written."""

from __future__ import annotations

import stat
import subprocess

from .ourcli import run_chime_tui
from .test_readme import README, blocks, commands, output_lines


def run(line: str, cwd) -> subprocess.CompletedProcess[str]:
    import shlex

    words = shlex.split(line, comments=True)
    assert words[0] == "chime-tui"
    return run_chime_tui(*words[1:], timeout=60, cwd=cwd)


def test_the_proxy_settings_example_prints_what_the_readme_shows(tmp_path):
    lang, lines = next((lang, lines) for lang, lines in blocks(README.read_text())
                       if any("get-voice-connector-proxy --demo" in x for x in lines))
    assert lang == "console"
    (line,) = commands(lines, prompt="$ ")
    result = run(line, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == output_lines(lines)


def test_the_write_examples_run_as_written(tmp_path):
    lines = next(lines for lang, lines in blocks(README.read_text())
                 if any("update-proxy-session --demo" in x for x in lines))
    ran = []
    for line in commands(lines):
        if line.startswith("chime-tui"):
            result = run(line, tmp_path)
            assert result.returncode == 0, (line, result.stderr)
            ran.append(line.split()[1])
    assert ran == ["update-proxy-session", "delete-proxy-session", "create-proxy-session"]
    audit = tmp_path / "incident.jsonl"
    assert stat.S_IMODE(audit.stat().st_mode) == 0o600
    assert '"operation": "DeleteProxySession"' in audit.read_text()
