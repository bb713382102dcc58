"""The README's command lines against a live `chime-tui emulator`, as written (issue 12 item 15).

The lines are read from README.md: the `get-proxy-session` example with its printed output, and
the local endpoint's block with the runtime fault knobs (`curl ... /_emulator/faults`). Only the
port changes (a free one instead of 4566, which may be taken on a shared machine), and `aws`
is the reference AWS CLI.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .awscli import aws_cli, run_aws
from .ourcli import run_chime_tui

README = Path(__file__).resolve().parent.parent / "README.md"
README_URL = "http://127.0.0.1:4566"


def blocks(text: str) -> list[tuple[str, list[str]]]:
    """Every fenced block: (language, lines)."""
    return [(m.group(1), m.group(2).splitlines())
            for m in re.finditer(r"```(\w*)\n(.*?)```", text, re.S)]


def commands(lines: list[str], prompt: str = "") -> list[str]:
    """Command lines (joined over trailing backslashes), without the prompt."""
    out: list[str] = []
    pending = ""
    for line in lines:
        if not pending and prompt and not line.startswith(prompt):
            continue
        line = line[len(prompt):] if not pending and prompt else line
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        out.append(pending + line)
        pending = ""
    return out


def output_lines(lines: list[str]) -> list[str]:
    """A console block's lines that are not commands (after `$ `, and their continuations)."""
    out, continued = [], False
    for line in lines:
        if line.startswith("$ ") or continued:
            continued = line.rstrip().endswith("\\")
        else:
            out.append(line)
    return out


def argv(line: str, url: str) -> list[str]:
    words = shlex.split(line.replace(README_URL, url), comments=True)
    if words[0] == "chime-tui":
        return [sys.executable, "-m", "chime_tui", *words[1:]]
    if words[0] == "aws":
        return [aws_cli(), *words[1:]]
    return words


def run(line: str, url: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The README's line as a shell runs it (our command and the AWS CLI through their
    fork servers: tests/ourcli.py, tests/awscli.py)."""
    command = argv(line, url)
    if command[:3] == [sys.executable, "-m", "chime_tui"]:
        return run_chime_tui(*command[3:], timeout=60, env=env)
    if command[0] == aws_cli():
        return run_aws(command[0], *command[1:], text=True, timeout=60, env=env)
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)


def apply_export(line: str, env: dict[str, str]) -> None:
    for word in shlex.split(line, comments=True)[1:]:
        key, _, value = word.partition("=")
        env[key] = value


@pytest.fixture
def emulator() -> Iterator[str]:
    """`chime-tui emulator --port N` as the README starts it (N free, not 4566)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    line = next(c for _, lines in blocks(README.read_text()) for c in commands(lines)
                if c.startswith("chime-tui emulator --port 4566"))
    proc = subprocess.Popen(argv(line.replace("4566", str(port)), ""),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        assert url == f"http://127.0.0.1:{port}"
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def clean_env() -> dict[str, str]:
    """No credentials but what the README's lines give (HOME and AWS files are isolated)."""
    return {k: v for k, v in os.environ.items()
            if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")}


def test_the_get_proxy_session_example_prints_what_the_readme_shows(emulator):
    text = README.read_text()
    _, lines = next((lang, lines) for lang, lines in blocks(text)
                    if lang == "console" and any("get-proxy-session" in x for x in lines))
    env = clean_env()
    cmds = commands(lines, prompt="$ ")
    expected = "\n".join(output_lines(lines)) + "\n"
    assert [c.split()[0] for c in cmds] == ["export", "chime-tui"]
    apply_export(cmds[0], env)
    result = run(cmds[1], emulator, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected
    json.loads(result.stdout)  # the block is the whole output


def test_the_local_endpoint_block_and_its_fault_knobs_work_as_written(emulator):
    text = README.read_text()
    section = text[text.index("## The local endpoint"):]
    cmds = [c for _, lines in blocks(section)[:2] for c in commands(lines)]
    env = clean_env()
    knobs_url = f"{emulator}/_emulator/faults"

    def knobs() -> dict:
        return json.loads(subprocess.run(["curl", "-s", knobs_url], capture_output=True,
                                         text=True, timeout=30).stdout)

    def get_session() -> subprocess.CompletedProcess[str]:
        return run_chime_tui(
            "get-proxy-session", "--endpoint-url",
            emulator, "--voice-connector-id", "abcdef1ghij2klmno3pqr4",
            "--proxy-session-id", "123a4bc5-67d8-901e-2f3g-h4ghjk56789l", timeout=60, env=env)

    def raw_status() -> int:
        """One unsigned GET of the session (the knobs answer before the signature check)."""
        path = "/voice-connectors/abcdef1ghij2klmno3pqr4/proxy-sessions/" \
               "123a4bc5-67d8-901e-2f3g-h4ghjk56789l"
        try:
            with urllib.request.urlopen(emulator + path, timeout=10) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code

    ran = []
    for line in cmds:
        words = line.split()
        if words[0] == "export":
            apply_export(line, env)
            continue
        if words[:2] == ["chime-tui", "emulator"] or words[:2] == ["chime-tui", "--endpoint-url"]:
            continue  # the emulator runs (the fixture); the dashboard is not a command
        result = run(line, emulator, env)
        assert result.returncode == 0, (line, result.stderr)
        ran.append(words[0])
        if words[0] == "aws":
            assert json.loads(result.stdout)["ProxySession"]["Status"] == "Open"
            continue
        answer = json.loads(result.stdout)
        assert "Code" not in answer, (line, answer)  # not an error: the knob was taken
        state = knobs()
        if '"throttle": 3' in line:
            assert state["throttle"] == 3
            assert [raw_status() for _ in range(4)] == [429, 429, 429, 403]  # 403: unsigned
        elif '"fail_status": 503' in line:
            assert (state["status"], state["status_count"]) == (503, -1)
            failed = get_session()
            assert failed.returncode == 254 and "(ServiceUnavailableException) when calling " \
                "the GetProxySession operation" in failed.stderr
        elif '"clear": true' in line:
            assert state["status"] is None and state["throttle"] == 0
            assert get_session().returncode == 0
        elif '"after": 39' in line:
            assert state["schedule"][-1]["malformed"] == "html"
            assert state["schedule"][-1]["from"] == state["served"] + 40
        elif '"count": 2' in line:
            assert state["schedule"][-1]["to"] - state["schedule"][-1]["from"] == 1
            assert [raw_status() for _ in range(3)] == [404, 404, 403]
        elif '"paging"' in line:
            assert state["paging"] == "endless"
        elif '"fields"' in line:
            shown = get_session()
            assert json.loads(shown.stdout)["ProxySession"]["Name"] == "x\u001b]0;T\u0007"
            assert "\\u001b]0;T\\u0007" in shown.stdout  # JSON escapes them, as the AWS CLI
    assert ran == ["aws"] + ["curl"] * 8


def test_the_layout_section_names_every_module():
    """README's Layout matches the tree: every module and folder of the package is named."""
    layout = README.read_text().split("## Layout", 1)[1].split("```")[1]
    package = README.parent / "chime_tui"
    missing = sorted(
        str(path.relative_to(package)) for path in package.rglob("*")
        if "__pycache__" not in path.parts and path.name != "__init__.py"
        and (path.suffix in (".py", ".tcss") or path.is_dir())
        and path.name not in layout)
    assert not missing, missing
