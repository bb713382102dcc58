"""Writes are off unless asked: --allow-writes, allow_writes = true in the settings file,
or CHIME_TUI_ALLOW_WRITES turn them on for the run (flags > environment > file)."""

from __future__ import annotations

import pytest

from chime_tui.config import Config, env_overrides, load_config, read_config
from chime_tui.settings import AppSettings


def settings_of(argv: list[str], monkeypatch) -> AppSettings:
    """The AppSettings `chime-tui ARGV` would start the app with (the app is not run)."""
    import chime_tui.tui.app as tui_app
    from chime_tui.__main__ import main

    seen: list[AppSettings] = []

    class NotRun:
        return_code = 0

        def __init__(self, settings: AppSettings, **_: object) -> None:
            seen.append(settings)

        def run(self) -> None:
            pass

    monkeypatch.setattr(tui_app, "make_app", NotRun)
    monkeypatch.setattr("chime_tui.__main__.has_terminal", lambda: True)  # (under pytest)
    assert main(argv) == 0
    (settings,) = seen
    return settings


def test_off_by_default_and_on_with_the_flag(server, monkeypatch):
    assert AppSettings().allow_writes is False
    assert settings_of(["--endpoint-url", server.url], monkeypatch).allow_writes is False
    assert settings_of(["--endpoint-url", server.url, "--allow-writes"],
                       monkeypatch).allow_writes is True


def test_on_from_the_settings_file_or_the_environment(server, monkeypatch, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("allow_writes = true\n")
    monkeypatch.setenv("CHIME_TUI_CONFIG", str(config))
    assert settings_of(["--endpoint-url", server.url], monkeypatch).allow_writes is True
    config.write_text("allow_writes = false\n")
    monkeypatch.setenv("CHIME_TUI_ALLOW_WRITES", "1")
    assert settings_of(["--endpoint-url", server.url], monkeypatch).allow_writes is True
    assert env_overrides(Config(allow_writes=True),
                         {"CHIME_TUI_ALLOW_WRITES": "0"}).allow_writes is False
    assert env_overrides(Config(), {}).allow_writes is False


@pytest.mark.parametrize("text, needle", [
    ('allow_writes = "yes"\n', "line 1: allow_writes must be bool (true or false), not str"),
    ("allow_writes = 1\n", "allow_writes must be bool"),
])
def test_a_bad_value_is_named_and_writes_stay_off(tmp_path, text, needle):
    path = tmp_path / "config.toml"
    path.write_text(text)
    config, warning = load_config(path)
    assert config.allow_writes is False
    assert warning is not None and needle in warning
    assert read_config("allow_writes = true\n")[0].allow_writes is True


def test_config_check_names_a_bad_allow_writes(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('allow_writes = "on"\n')
    import os

    from .ourcli import run_chime_tui

    result = run_chime_tui("config", "check", timeout=60,
                           env={**os.environ, "CHIME_TUI_CONFIG": str(path)})
    assert result.returncode == 253
    assert "line 1: allow_writes must be bool (true or false), not str" in result.stderr
