"""Command line: the dashboard by default, subcommands for the rest.

Nothing heavy is imported here: Textual only when the dashboard starts,
aiobotocore only when a client opens (after the first frame).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from chime_tui import __version__
from chime_tui.options import (  # noqa: F401  (aws_problem, EXIT_CONFIG: for the tests)
    EXIT_CONFIG,
    EXIT_USAGE,
    add_aws_options,
    aws_flags,
    aws_problem,
    aws_settings_from,
    integer_arg,
    load_settings_file,
    number_arg,
)
from chime_tui.textsafe import visible
from chime_tui.validate import ALERT_MODES, ALERT_THRESHOLD, REFRESH

if TYPE_CHECKING:
    from chime_tui.prefetch import Prefetch


class Parser(argparse.ArgumentParser):
    """argparse, but a bad command line exits 252 as the AWS CLI does, and a mistyped
    option is named as unknown, with the closest option suggested."""

    argv: list[str] = []  # the command line being parsed (for the error message)
    root: Parser | None = None

    def parse_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                   namespace: Any = None) -> argparse.Namespace:
        Parser.argv = list(sys.argv[1:] if args is None else args)
        Parser.root = self
        parsed: argparse.Namespace = super().parse_args(args, namespace)
        return parsed

    def error(self, message: str) -> NoReturn:
        unknown = unknown_options(Parser.root or self, Parser.argv)
        if unknown:
            message = "; ".join(
                f"unknown option {visible(name)}" + (f" (did you mean {near}?)" if near else "")
                for name, near in unknown)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def unknown_options(root: argparse.ArgumentParser, argv: Sequence[str]
                    ) -> list[tuple[str, str | None]]:
    """The `--options` on the command line that neither the main parser nor the chosen
    subcommand knows, each with the closest known option (or None)."""
    import difflib

    subs = _subparsers(root)
    known = set(root._option_string_actions)
    command = next((a for a in argv if a in subs), None)
    if command is not None:
        known |= set(subs[command]._option_string_actions)
    found: list[tuple[str, str | None]] = []
    for arg in argv:
        if arg == "--":
            break
        if not arg.startswith("--") or len(arg) < 3:
            continue
        name = arg.split("=", 1)[0]
        if name in known or sum(k.startswith(name) for k in known) == 1:
            continue
        near = difflib.get_close_matches(name, sorted(k for k in known if k.startswith("--")),
                                         n=1, cutoff=0.6)
        found.append((name, near[0] if near else None))
    return found


class _NullParser:
    """Stands in for the parser of a subcommand that is not on the command line: its
    options are not built (a one-shot command builds only its own; see build_parser)."""

    def add_argument(self, *args: Any, **kwargs: Any) -> None:
        return None

    def add_argument_group(self, *args: Any, **kwargs: Any) -> _NullParser:
        return self

    def set_defaults(self, **kwargs: Any) -> None:
        return None


class _OnlyWanted:
    """The subparsers action, where every command is declared (name, help: for
    `--help` and for a mistyped command's "invalid choice") but only the commands named
    on the command line get their options. Building every command's options cost a
    one-shot command about a tenth of its run."""

    def __init__(self, sub: Any, argv: Sequence[str] | None) -> None:
        self.sub = sub
        self.argv = set(sys.argv[1:] if argv is None else argv)

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        parser = self.sub.add_parser(name, **kwargs)
        return parser if name in self.argv else _NullParser()


def build_parser(argv: Sequence[str] | None = None, every: bool = False
                 ) -> argparse.ArgumentParser:
    """The command line's parser. Subcommands get their options only when named in
    `argv` (the command line by default), unless `every`."""
    p = Parser(
        prog="chime-tui",
        # No abbreviations: the AWS CLI's `--debug` before a command would be taken as
        # `--debug-log` with the command's name as its file, and the TUI started.
        allow_abbrev=False,
        description="A keyboard-driven terminal dashboard for Amazon Chime SDK Voice Connector "
                    "proxy sessions: pick a voice connector and a session and watch its status, "
                    "capabilities, participants and time to expiry refresh live.",
        epilog="Subcommands: 'chime-tui emulator --help' (the local endpoint), "
               "'chime-tui get-proxy-session --help' (the AWS CLI command). "
               "Try it without an AWS account: chime-tui --demo",
    )
    p.add_argument("--version", action="version", version=f"chime-tui {__version__}")
    p.add_argument("--demo", action="store_true",
                   help="start the built-in local endpoint (no AWS account) and open on it")
    p.add_argument("--voice-connector-id", metavar="VC",
                   help="open straight at this voice connector's sessions")
    p.add_argument("--proxy-session-id", metavar="SID",
                   help="with --voice-connector-id: open straight at this session")
    p.add_argument("--refresh", type=number_arg(*REFRESH, "seconds"), default=None,
                   metavar="SECONDS",
                   help="auto-refresh interval in seconds (default 5, or the config file's)")
    p.add_argument("--redact", action="store_true",
                   help="mask phone numbers on screen, in copies and exports (x toggles it)")
    p.add_argument("--allow-writes", action="store_true",
                   help="let the app extend, change, end and create sessions (each behind a "
                        "confirmation); without it the app is read-only")
    p.add_argument("--pin", action="append", default=[], metavar="VC/SID",
                   help="pin a session to the watch board (repeatable); the app opens on it")
    p.add_argument("--events-file", metavar="PATH",
                   help="append every change seen (time, field, old, new) as JSON lines")
    p.add_argument("--debug-log", metavar="PATH",
                   help="append every request, response and failure to this file "
                        "(credentials scrubbed; phone numbers too with --redact)")
    p.add_argument("--alert-threshold", type=number_arg(*ALERT_THRESHOLD, "minutes"),
                   metavar="MINUTES",
                   help="alert when a watched session has less than this left (default 5)")
    p.add_argument("--alerts", choices=ALERT_MODES,
                   help="how alerts reach you: off, the terminal bell, or a notification and "
                        "the bell (default notify)")
    add_aws_options(p)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    cfg = sub.add_parser("config", help="where the settings file is",
                         description="The settings file (TOML): flags > environment > file > "
                                     "defaults.")
    cfg.add_argument("action", choices=["path", "check"],
                     help="path: print where the file is; check: validate it")

    emu = sub.add_parser("emulator", help="run the local Chime SDK Voice endpoint",
                         description="Serve the local Chime SDK Voice endpoint until stopped.")
    emu.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    emu.add_argument("--allow-remote", action="store_true",
                     help="allow binding an address other than loopback")
    emu.add_argument("--port", type=integer_arg(0, 65535), default=0,
                     help="port (default: a free one)")
    emu.add_argument("--seed", type=int, default=7, help="seed for the generated data")
    emu.add_argument("--connectors", type=integer_arg(0, 10_000), default=4,
                     help="voice connectors to generate")
    emu.add_argument("--sessions", type=integer_arg(0, 1_000_000), default=40,
                     help="sessions per connector")
    emu.add_argument("--big-connector", type=integer_arg(0, 10_000_000), default=0, metavar="N",
                     help="add one connector with N sessions")
    emu.add_argument("--throttle", type=integer_arg(-1, 2**31), default=0, metavar="N",
                     help="answer the next N requests with 429 (-1: until cleared)")
    emu.add_argument("--fail-status", type=integer_arg(400, 599), default=None, metavar="CODE",
                     help="answer with this HTTP error (401, 403, 404, 500, 503)")
    emu.add_argument("--fail-count", type=integer_arg(-1, 2**31), default=-1, metavar="N",
                     help="how many requests --fail-status applies to (default: all)")
    emu.add_argument("--latency", type=number_arg(0, 3600, "seconds", "seconds"), default=0.0,
                     metavar="SECONDS", help="delay every answer by this much")
    emu.add_argument("--drop", type=integer_arg(-1, 2**31), default=0, metavar="N",
                     help="drop the connection of the next N requests (-1: all)")
    emu.add_argument("--malformed", choices=["html", "truncated", "types"], default=None,
                     help="answer GETs with a malformed body of this kind")

    from chime_tui.cli.commands import add_cli_commands, add_output_options

    add_output_options(p)

    add_cli_commands(sub if every else _OnlyWanted(sub, argv))
    return p


def theme_names() -> frozenset[str]:
    """The themes the app offers (Textual's built-in ones; imported only when needed)."""
    try:
        from textual.theme import BUILTIN_THEMES
    except ImportError:  # pragma: no cover - Textual is a dependency
        return frozenset()
    return frozenset(BUILTIN_THEMES)


def run_emulator(args: argparse.Namespace) -> int:
    import time

    from chime_tui.emulator import EmulatorServer, EmulatorState, populate

    state = populate(EmulatorState(), seed=args.seed, connectors=args.connectors,
                     sessions=args.sessions, big_connector_sessions=args.big_connector)
    f = state.faults
    f.throttle, f.latency, f.drop, f.malformed = args.throttle, args.latency, args.drop, args.malformed
    if args.malformed:
        f.malformed_count = -1
    if args.fail_status:
        f.status, f.status_count = args.fail_status, args.fail_count
    try:
        server = EmulatorServer(state, args.host, args.port, allow_remote=args.allow_remote).start()
    except (ValueError, OSError) as exc:
        print(f"chime-tui emulator: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: serving on {args.host}, reachable beyond this machine", file=sys.stderr)
    print(server.url, flush=True)
    print(f"voice connectors: {len(state.connectors)}; fault knobs: POST {server.url}/_emulator/faults"
          "; Ctrl+C stops", file=sys.stderr, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
        return 0


def run_config(args: argparse.Namespace) -> int:
    from chime_tui.config import config_path, env_problems, load_config_problems

    path = config_path()
    if args.action == "path":
        print(path)
        return 0
    themes = theme_names()
    config, problems = load_config_problems(path, themes=themes)
    lines = [str(p) for p in problems] + env_problems(themes=themes)
    if config.profile:  # a profile in neither AWS file fails every call: say so here
        from chime_tui.aws.errors import profile_problem

        if problem := profile_problem(config.profile):
            lines.append(f"{path}: {problem}")
    for line in lines:
        print(f"chime-tui: {visible(line)}", file=sys.stderr)
    if lines:
        count = f"{len(lines)} problem{'s' if len(lines) > 1 else ''}"
        print(f"{path}: {count}" + (" (the file cannot be used; defaults apply)"
                                    if any(p.fatal for p in problems) else
                                    " (those settings keep their defaults)"), file=sys.stderr)
        return EXIT_CONFIG
    print(f"{path}: ok" if path.exists() else f"{path}: not there (defaults apply)")
    return 0


def has_terminal() -> bool:
    """Whether stdin and stdout are a terminal. Without one the dashboard cannot be
    used, and Textual's input thread spins on a stdin at its end (/dev/null, a closed
    pipe): half a core, for as long as nobody notices."""
    try:
        return sys.stdin is not None and sys.stdout is not None \
            and sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # replaced or closed streams
        return False


def run_tui(args: argparse.Namespace) -> int:
    if args.proxy_session_id and not args.voice_connector_id:
        print("chime-tui: --proxy-session-id needs --voice-connector-id", file=sys.stderr)
        return EXIT_USAGE
    # Flags and environment only (the settings file is read later): nothing may be
    # sent, not even by the helper, to an endpoint that is refused.
    if problem := aws_problem(args):
        print(f"chime-tui: {problem}", file=sys.stderr)
        return EXIT_USAGE
    from chime_tui.tui.startup import pause_gc, resume_gc

    # No cyclic collector until the first frame is out (the app starts it again then):
    # see chime_tui.tui.startup.
    pause_gc()
    prefetch = None
    if args.voice_connector_id and not args.pin and not args.debug_log and not args.demo:
        from chime_tui.prefetch import Prefetch

        # First of all, before even the settings file is read: the helper fetches the
        # session (or lists the connector) on the other core while this process
        # imports Textual.
        prefetch = Prefetch.start_from_flags(aws_flags(args), args.voice_connector_id,
                                             args.proxy_session_id)
    try:
        return _run_tui(args, prefetch)
    finally:
        resume_gc()  # the app did, unless it stopped before its first frame
        if prefetch is not None:
            prefetch.cancel()


def _run_tui(args: argparse.Namespace, prefetch: Prefetch | None) -> int:
    from chime_tui.models import validate_proxy_session_id, validate_voice_connector_id

    for value, check, flag in ((args.voice_connector_id, validate_voice_connector_id,
                                "--voice-connector-id"),
                               (args.proxy_session_id, validate_proxy_session_id,
                                "--proxy-session-id")):
        if value is not None and (reason := check(value)):
            print(f"chime-tui: invalid {flag}: {reason}", file=sys.stderr)
            return EXIT_USAGE
    from pathlib import Path

    from chime_tui.config import data_dir
    from chime_tui.pins import parse_pin

    try:
        pins = tuple(parse_pin(p) for p in args.pin)
    except ValueError as exc:
        print(f"chime-tui: invalid --pin: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from chime_tui.aws.errors import InvalidInput

    themes = theme_names()
    config = load_settings_file(args, themes=themes)
    try:
        aws = aws_settings_from(args)
    except InvalidInput as exc:
        print(f"chime-tui: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    problems = list(args._config_problems)
    theme = config.theme
    if theme is not None and theme not in themes:  # CHIME_TUI_THEME (reported already)
        theme = None
    if args.debug_log:
        from chime_tui.cli.debug import enable_debug_file

        try:
            enable_debug_file(args.debug_log, redact_phones=args.redact or config.redact)
        except OSError as exc:
            print(f"chime-tui: cannot write the debug log {visible(args.debug_log)}: "
                  f"{exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
    if args.events_file:
        from chime_tui.files import check_writable

        if reason := check_writable(args.events_file):
            print(f"chime-tui: cannot write the events file {visible(args.events_file)}: "
                  f"{reason}", file=sys.stderr)
            return EXIT_USAGE
    server = None
    if args.demo:
        from chime_tui.demo import demo_aws_settings, start_demo_endpoint

        server = start_demo_endpoint()
        aws = demo_aws_settings(aws, server)
        if args.voice_connector_id and not pins:
            from chime_tui.prefetch import Prefetch

            prefetch = Prefetch.start(aws, args.voice_connector_id, args.proxy_session_id)
    from chime_tui.settings import AppSettings

    # The dashboard holds what it lists: a listing that never ends stops at 30,000
    # sessions here (the commands, which stream nothing to a screen, allow 100,000).
    # One attempt per try: the app owns the retries (its backoff, shown on screen), so a
    # slow endpoint costs one read timeout per try, never two behind one "request".
    aws = aws.with_(max_pages=APP_MAX_PAGES, max_attempts=1)
    # The file's (and the environment's) preferences; the flags given win.
    flags = {"refresh": args.refresh, "redact": args.redact or None,
             "alert_threshold_minutes": args.alert_threshold, "alerts": args.alerts,
             "allow_writes": args.allow_writes or None}
    chosen = config.preferences() | {"theme": theme} | {
        name: value for name, value in flags.items() if value is not None}
    settings = AppSettings(aws=aws, **chosen,
                           voice_connector_id=args.voice_connector_id,
                           proxy_session_id=args.proxy_session_id,
                           demo=args.demo,
                           config_warning=args._config_warning,
                           config_problems=tuple(problems), pins=pins,
                           pins_file=data_dir() / pins_file_name(aws, args.demo),
                           events_file=Path(args.events_file) if args.events_file else None,
                           allow_insecure_endpoint=args.allow_insecure_endpoint,
                           endpoint_name=f"demo endpoint {aws.endpoint_url}" if args.demo else None)
    if not has_terminal():  # (after the checks of the command line and the settings)
        print("chime-tui: the dashboard needs a terminal (its input and output are not "
              "one); in scripts, use the commands: chime-tui get-proxy-session, "
              "list-proxy-sessions, list-voice-connectors (chime-tui --help)", file=sys.stderr)
        if server is not None:
            server.stop()
        return EXIT_USAGE
    from chime_tui.tui.app import make_app

    app = make_app(settings, prefetch=prefetch)
    # A crash prints one line and leaves its traceback in a file, not over the terminal.
    import io

    from rich.console import Console

    errors = io.StringIO()
    app.error_console = Console(file=errors, markup=False, highlight=False, width=120,
                                color_system=None)
    try:
        app.run()
    finally:
        if prefetch is not None:
            prefetch.cancel()
        if server is not None:
            server.stop()
    # Textual sets 1 when the app ended on an unhandled exception: never exit 0 then.
    code = int(getattr(app, "return_code", 0) or 0)
    if errors.getvalue():
        print(f"chime-tui: {crash_report(errors.getvalue())}", file=sys.stderr)
        code = code or 1
    return code


APP_MAX_PAGES = 300


def pins_file_name(aws: Any, demo: bool) -> str:
    """Pins belong to where they were made: the demo, a given endpoint, or an AWS
    profile (the default profile keeps the original `pins.json`)."""
    import re

    if demo:
        return "pins-demo.json"
    if aws.endpoint_url:
        from urllib.parse import urlsplit

        where = urlsplit(aws.endpoint_url).netloc or aws.endpoint_url
        return f"pins-endpoint-{re.sub(r'[^A-Za-z0-9.-]+', '_', where)[:80]}.json"
    from chime_tui.aws.settings import profile_in_use

    profile = profile_in_use(aws)
    if profile and profile != "default":
        return f"pins-profile-{re.sub(r'[^A-Za-z0-9.-]+', '_', profile)[:80]}.json"
    return "pins.json"


def crash_report(details: str) -> str:
    """Keep a crash's traceback in a private file; the line to print about it."""
    import time

    from chime_tui.config import state_dir
    from chime_tui.files import write_private

    lines = [line.strip() for line in details.strip().splitlines() if line.strip()]
    last = visible(lines[-1])[:200] if lines else "unknown error"
    path = state_dir() / f"crash-{time.strftime('%Y%m%dT%H%M%S')}.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, details)
    except OSError as exc:
        return f"the app stopped on an error: {last} (its log could not be kept: {exc})"
    return f"the app stopped on an error: {last}; details in {path}"


def main(argv: Sequence[str] | None = None, short_lived: bool = False) -> int:
    """`short_lived`: this process ends with the command (the console script), so a
    one-shot command may pause garbage collection while botocore loads (see
    `chime_tui.aws.sync_client.pause_gc`); not when called from other code."""
    if short_lived:
        from chime_tui.aws.sync_client import pause_gc

        pause_gc()
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    from chime_tui.cli.commands import output_defaults

    given = output_defaults(args)
    if given and getattr(args, "handler", None) is None:
        # Not the dashboard's: the AWS CLI's, for a command (it used to say "invalid
        # choice: 'text'", or start the app with --debug taken as --debug-log).
        parser.error(f"argument {given[0]}: applies to a command, as the AWS CLI's global "
                     "options (e.g. chime-tui --output text list-voice-connectors)")
    one_shot = getattr(args, "handler", None) is not None and getattr(args, "watch", None) is None
    if short_lived and not one_shot:  # the dashboard, the emulator, --watch: long-lived
        from chime_tui.aws.sync_client import resume_gc

        resume_gc(freeze=False)
    if args.command == "emulator":
        return run_emulator(args)
    if args.command == "config":
        return run_config(args)
    if getattr(args, "watch", None) is not None:  # get-proxy-session --watch nan
        from chime_tui.validate import parse_number

        try:
            parse_number(args.watch, *REFRESH)
        except ValueError as exc:
            parser.error(f"argument --watch: {exc}")
    if getattr(args, "handler", None) is not None:
        if not getattr(args, "generate_cli_skeleton", None):
            load_settings_file(args)
            if problem := aws_problem(args, args._config):
                print(f"\n{problem}", file=sys.stderr)
                return EXIT_USAGE
        try:
            return int(args.handler(args))
        except BrokenPipeError:
            # The reader stopped (`| head -1`): not an error of ours, and no traceback.
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
    return run_tui(args)


def entry() -> None:
    try:
        sys.exit(main(short_lived=True))
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    entry()
