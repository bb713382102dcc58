"""Settings values are data: every problem named with its line, the valid settings still
applied, and nothing in the file (or the environment) can crash the app."""

from __future__ import annotations

import json

import pytest

from chime_tui.config import config_path, read_config
from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID
from chime_tui.settings import AppSettings, startup_warnings

from .conftest import wait_for
from .test_cli import chime_tui

HOSTILE = """\
redact = true
refersh = 2
theme = "[/]"
alert_threshold_minutes = 1e308
refresh = nan
alerts = "siren"
[keys]
refresh = "q"
reload = "f5"
pause = "f6"
"""


def write_config(text: str):
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_each_problem_is_named_with_its_line_and_the_valid_settings_apply():
    config, problems = read_config(HOSTILE, "config.toml",
                                   themes={"nord", "textual-dark"})
    assert [(p.line, p.key) for p in problems] == [
        (2, "refersh"), (3, "theme"), (4, "alert_threshold_minutes"), (5, "refresh"),
        (6, "alerts"), (8, "keys"), (9, "keys")]
    assert config.redact is True  # the typo did not switch redaction off
    assert config.keys == {"pause": "f6"}  # the good remap applies, the bad ones do not
    assert (config.theme, config.alert_threshold_minutes, config.refresh, config.alerts) == \
        (None, 5.0, 5.0, "notify")
    text = "\n".join(map(str, problems))
    assert "config.toml, line 3: unknown theme '[/]'" in text
    assert "line 8: keys.refresh = 'q' takes q, which quit needs" in text
    assert "line 9: unknown binding id 'reload'" in text


def test_config_check_lists_every_problem_and_fails(isolated_env):
    write_config(HOSTILE + "\n" + '[extra]\n')
    result = chime_tui("config", "check")
    assert result.returncode == 253
    lines = [line for line in result.stderr.splitlines() if line.startswith("chime-tui: ")]
    assert len(lines) == 8, result.stderr
    for needle in ("line 2: unknown setting 'refersh'", "line 3: unknown theme '[/]'",
                   "line 4: alert_threshold_minutes must be a number of minutes between 0 "
                   "and 10080, not 1e+308", "line 5: refresh must be", "line 6: alerts",
                   "line 8: keys.refresh = 'q'", "line 9: unknown binding id 'reload'",
                   "line 12: unknown setting 'extra'"):
        assert needle in result.stderr, needle
    assert "8 problems" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("text", ['theme = "nord2"\n', 'theme = "[/]"\n',
                                  "alert_threshold_minutes = 1e308\n",
                                  "alert_threshold_minutes = inf\n",
                                  '[keys]\nquit = "[/]"\n'])
def test_config_check_fails_on_what_used_to_pass(isolated_env, text):
    write_config(text)
    result = chime_tui("config", "check")
    assert result.returncode == 253 and "line " in result.stderr


def test_config_check_passes_a_good_file_and_fails_an_unparsable_one(isolated_env):
    write_config('theme = "nord"\nredact = true\n[keys]\nrefresh = "f5"\n')
    assert chime_tui("config", "check").returncode == 0
    write_config("redact = tru\n")
    result = chime_tui("config", "check")
    assert result.returncode == 253 and "defaults apply" in result.stderr


def test_a_typo_does_not_switch_redaction_off_in_the_commands(server, isolated_env):
    write_config("redact = true\nrefersh = 2\n")
    result = chime_tui("get-proxy-session", "--endpoint-url", server.url,
                       "--voice-connector-id", SEED_CONNECTOR_ID,
                       "--proxy-session-id", SEED_SESSION_ID)
    assert result.returncode == 0
    out = json.loads(result.stdout)
    assert out["ProxySession"]["Participants"][0]["PhoneNumber"] == "+1*******00"
    assert "line 2: unknown setting 'refersh'" in result.stderr


def launch_settings(monkeypatch, *argv: str) -> AppSettings:
    """What `chime-tui ARGV` would hand the app (the app itself is not run)."""
    import chime_tui.tui.app as tui_app
    from chime_tui.__main__ import main

    seen: list[AppSettings] = []

    class NotRun:
        def __init__(self, settings: AppSettings, prefetch: object = None) -> None:
            seen.append(settings)

        def run(self) -> None:
            pass

    with monkeypatch.context() as patch:
        patch.setattr(tui_app, "make_app", NotRun)
        patch.setattr("chime_tui.__main__.has_terminal", lambda: True)  # (under pytest)
        assert main(list(argv)) == 0
    return seen[0]


async def test_the_app_starts_calmly_on_a_hostile_file(server, isolated_env, monkeypatch):
    write_config(HOSTILE)
    monkeypatch.setenv("CHIME_TUI_THEME", "[/]")  # the environment is data too
    settings = launch_settings(monkeypatch, "--endpoint-url", server.url)
    assert settings.theme is None and settings.alert_threshold_minutes == 5.0
    assert settings.redact is True and settings.keys == {"pause": "f6"}
    warnings = startup_warnings(settings)
    assert len(warnings) == 8 and any("CHIME_TUI_THEME" in w for w in warnings)
    assert any("line 8: keys.refresh = 'q'" in w for w in warnings)

    from chime_tui.tui.app import make_app

    app = make_app(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.screen.query("KeyedTable") or
                       app.screen.__class__.__name__ == "ConnectorPickerScreen")
        await pilot.pause(0.3)
        assert app.is_running and app.theme == "textual-dark"
        shown = [str(n.message) for n in app.notices if n.title == "Settings file"]
        assert shown and "line 3: unknown theme" in shown[0]
        await pilot.press("q")  # q still quits: the remap that took it was not applied
        await pilot.pause(0.2)
        assert not app.is_running


def test_an_app_that_crashed_does_not_exit_0(server, monkeypatch):
    import chime_tui.tui.app as tui_app
    from chime_tui.__main__ import main

    class Crashed:
        return_code = 1  # what Textual sets after an unhandled exception

        def __init__(self, settings: AppSettings, prefetch: object = None) -> None:
            pass

        def run(self) -> None:
            pass

    monkeypatch.setattr(tui_app, "make_app", Crashed)
    monkeypatch.setattr("chime_tui.__main__.has_terminal", lambda: True)  # (under pytest)
    assert main(["--endpoint-url", server.url]) == 1
