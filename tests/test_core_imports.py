"""The core (AWS layer, models, emulator, polling, CLI) never imports Textual."""

import subprocess
import sys


def test_core_imports_without_textual():
    code = (
        "import sys\n"
        "import chime_tui.models, chime_tui.aws, chime_tui.aws.client, chime_tui.monitor\n"
        "import chime_tui.emulator, chime_tui.cli.commands, chime_tui.humanfmt, chime_tui.__main__\n"
        "import chime_tui.tracking, chime_tui.pins, chime_tui.config, chime_tui.prefetch, chime_tui.sources\n"
        "import chime_tui.settings, chime_tui.cli.output, chime_tui.cli.table, chime_tui.cli.debug\n"
        "import chime_tui.cli.watch, chime_tui.cli.params, chime_tui.demo\n"
        "import chime_tui.audit, chime_tui.aws.writes, chime_tui.cli.writes\n"
        "import chime_tui.cli.connector_proxy, chime_tui.emulator.checks, chime_tui.actions\n"
        "import chime_tui.sending, chime_tui.fleet\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "assert not bad, bad\n"
        "lazy = sorted(m for m in sys.modules if m.startswith(('aiobotocore', 'botocore')))\n"
        "assert not lazy, lazy\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _spawned_helper(*args: str) -> str:
    """What `chime-tui ARGS` hands the start-up helper, and the heavy modules loaded by
    then (the spawn is intercepted: nothing runs)."""
    code = (
        "import sys\n"
        "import chime_tui.prefetch as p\n"
        "def spawn(cls, spec, env, listing=False):\n"
        "    heavy = sorted(m for m in ('asyncio', 'textual', 'tomllib', 'aiobotocore')\n"
        "                   if m in sys.modules)\n"
        "    print('spawned', spec['vc'], spec['sid'], listing, heavy)\n"
        "    sys.exit(0)\n"
        "p.Prefetch._spawn = classmethod(spawn)\n"
        "from chime_tui.__main__ import main\n"
        f"main({list(args)!r})\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.split("\n")[0]


def test_the_session_helper_starts_before_anything_heavy_is_imported():
    """Opening at a session (or a connector), the helper process is spawned before
    asyncio, Textual or the settings file's parser are loaded: it gets the most time on
    the other core."""
    assert _spawned_helper("--voice-connector-id", "abcdef1ghij2klmno3pqr4",
                           "--proxy-session-id", "123a4bc5-67d8-901e-2f3g-h4ghjk56789l") == \
        "spawned abcdef1ghij2klmno3pqr4 123a4bc5-67d8-901e-2f3g-h4ghjk56789l False []"


def test_opening_at_a_connector_starts_the_listing_helper_first():
    assert _spawned_helper("--voice-connector-id", "abcdef1ghij2klmno3pqr4") == \
        "spawned abcdef1ghij2klmno3pqr4 None True []"


def test_the_session_screen_draws_without_the_modules_it_does_not_need_yet(tmp_path):
    """Opened at a session, the first frame needs neither the list screens' DataTable,
    nor humanize, nor the CLI's output formats, nor a TOML parser (no settings file):
    each is imported when first used. (aiobotocore is loaded in a thread once the first
    frame is out, which the app tests see.)"""
    code = (
        "import asyncio, sys\n"
        "from chime_tui.aws.settings import AwsSettings\n"
        "from chime_tui.settings import AppSettings\n"
        "from chime_tui.config import load_config\n"
        "load_config()\n"
        "from chime_tui.tui.app import make_app\n"
        "app = make_app(AppSettings(aws=AwsSettings(endpoint_url='http://127.0.0.1:9'),\n"
        "    voice_connector_id='abcdef1ghij2klmno3pqr4',\n"
        "    proxy_session_id='123a4bc5-67d8-901e-2f3g-h4ghjk56789l'))\n"
        "seen = []\n"
        "def first_frame():\n"
        "    seen.extend(m for m in ('textual.widgets._data_table', 'humanize',\n"
        "                'chime_tui.cli.output', 'tomllib') if m in sys.modules)\n"
        "    app.exit()\n"
        "app.call_after_refresh(first_frame)\n"
        "app.run(headless=True)\n"
        "print(seen)\n"
    )
    env = {**__import__("os").environ, "XDG_CONFIG_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
