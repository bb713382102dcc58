"""A one-shot command builds only its own options (issue 14: one-shot wall time);
every command is still declared, for --help and for a mistyped command."""

from __future__ import annotations

import pytest

from chime_tui.__main__ import _subparsers, build_parser, main


def option_count(parser) -> int:
    return sum(1 for a in parser._actions if a.option_strings and a.dest != "help")


def test_only_the_named_command_gets_its_options():
    subs = _subparsers(build_parser(["get-proxy-session", "--voice-connector-id", "x"]))
    assert option_count(subs["get-proxy-session"]) > 10
    assert {"list-proxy-sessions", "update-proxy-session", "get-voice-connector-proxy",
            "create-proxy-session", "delete-proxy-session"} <= set(subs)
    assert option_count(subs["list-proxy-sessions"]) == 0
    assert option_count(subs["update-proxy-session"]) == 0


def test_every_command_is_the_same_when_built_in_full():
    lazy = _subparsers(build_parser(["list-proxy-sessions"]))["list-proxy-sessions"]
    full = _subparsers(build_parser([], every=True))["list-proxy-sessions"]
    assert [a.option_strings for a in lazy._actions] == [a.option_strings for a in full._actions]


def test_root_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for name in ("get-proxy-session", "list-proxy-sessions", "list-voice-connectors",
                 "get-voice-connector-proxy", "update-proxy-session", "emulator", "config"):
        assert name in out


def test_a_mistyped_command_is_an_invalid_choice_naming_the_commands(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["get-proxy-sesion", "--voice-connector-id", "x"])
    assert exc.value.code == 252
    err = capsys.readouterr().err
    assert "get-proxy-session" in err
