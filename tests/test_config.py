"""The settings file: precedence, bad files, and its effect on the app and the CLI."""

from __future__ import annotations

import json

import pytest

from chime_tui.config import Config, config_path, data_dir, env_overrides, load_config, parse_config
from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID
from chime_tui.tui.app import make_app

from .conftest import app_settings, wait_for
from .test_cli import chime_tui


def test_paths_follow_xdg(isolated_env, monkeypatch):
    assert config_path() == isolated_env / "xdg_config_home" / "chime-tui" / "config.toml"
    assert data_dir() == isolated_env / "xdg_data_home" / "chime-tui"
    monkeypatch.setenv("CHIME_TUI_CONFIG", "/tmp/x.toml")
    assert str(config_path()) == "/tmp/x.toml"
    assert chime_tui("config", "path").stdout.strip() == "/tmp/x.toml"


def test_a_full_file_parses():
    c = parse_config('profile = "oncall"\nregion = "eu-west-1"\nrefresh = 2\nredact = true\n'
                     'theme = "nord"\nalert_threshold_minutes = 10\nalerts = "bell"\n'
                     '[keys]\nrefresh = "f5"\n')
    assert c == Config(profile="oncall", region="eu-west-1", refresh=2, redact=True,
                       theme="nord", alert_threshold_minutes=10, alerts="bell",
                       keys={"refresh": "f5"})


@pytest.mark.parametrize("text, needle, expected", [
    ("refresh = \n", "line 1", Config()),
    # issue 12: one bad value no longer drops the whole file: the valid profile applies
    ('profile = "a"\nrefresh = "fast"\n', "line 2: refresh must be", Config(profile="a")),
    ('\n\ncolour = "red"\n', "line 3: unknown setting 'colour'", Config()),
    ("redact = 1\n", "redact must be bool", Config()),
    ('alerts = "siren"\n', "alerts must be one of off, bell, notify", Config()),
    ("refresh = 0.01\n", "between 0.5 and 3600", Config()),
    # a control character is shown as one escape, its backslash not doubled (walk 3 #17)
    ('"k\\u001b[5m" = 1\n', "unknown setting 'k\\x1b[5m' (known:", Config()),
    ('theme = "nord\\u0007"\n', "theme 'nord\\x07' is not a theme name", Config()),
])
def test_malformed_files_name_the_line_and_fall_back_to_defaults(tmp_path, text, needle,
                                                                 expected):
    path = tmp_path / "config.toml"
    path.write_text(text)
    config, warning = load_config(path)
    assert config == expected
    assert warning is not None and needle in warning and "using defaults" in warning


def test_environment_beats_the_file():
    file = Config(profile="file", region="eu-west-1", refresh=9, redact=False)
    merged = env_overrides(file, {"AWS_PROFILE": "env", "AWS_REGION": "us-west-2",
                                  "CHIME_TUI_REFRESH": "3", "CHIME_TUI_REDACT": "yes"})
    assert (merged.profile, merged.region, merged.refresh, merged.redact) == (None, None, 3, True)
    assert env_overrides(file, {}) == file


def test_cli_uses_file_default_for_redact_and_flags_win(server, isolated_env):
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text("redact = true\n")
    args = ["get-proxy-session", "--endpoint-url", server.url, "--voice-connector-id",
            SEED_CONNECTOR_ID, "--proxy-session-id", SEED_SESSION_ID]
    out = json.loads(chime_tui(*args).stdout)
    assert out["ProxySession"]["Participants"][0]["PhoneNumber"] == "+1*******00"
    assert chime_tui("config", "check").returncode == 0


def test_cli_reports_a_bad_file_and_still_works(server, isolated_env):
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text("refresh = [\n")
    result = chime_tui("get-proxy-session", "--endpoint-url", server.url,
                       "--voice-connector-id", SEED_CONNECTOR_ID,
                       "--proxy-session-id", SEED_SESSION_ID)
    assert result.returncode == 0 and "config.toml" in result.stderr
    assert "line 1" in result.stderr and "using defaults" in result.stderr
    check = chime_tui("config", "check")
    assert check.returncode == 253 and "line 1" in check.stderr


async def test_app_applies_theme_keymap_and_warns_about_a_bad_file(server, state):
    app = make_app(app_settings(server, voice_connector_id=SEED_CONNECTOR_ID,
                                proxy_session_id=SEED_SESSION_ID, theme="nord",
                                keys={"refresh": "f5"},
                                config_warning="config.toml, line 3: unknown setting"))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "session", None) is not None)
        assert app.theme == "nord"
        assert any("line 3" in str(n.message) for n in app.notices)
        count = len(state.requests)
        await pilot.press("f5")  # remapped through the binding id
        await wait_for(pilot, lambda: len(state.requests) > count, timeout=3)


def test_every_setting_is_a_field_of_the_one_model():
    from dataclasses import fields

    from chime_tui.config import _TYPES, Preferences
    from chime_tui.settings import AppSettings

    assert set(_TYPES) == {f.name for f in fields(Config)}
    # The app's settings carry the same preferences, with the same defaults.
    assert AppSettings().preferences() == Config().preferences() == Preferences().preferences()
