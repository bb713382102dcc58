"""The core (AWS layer, models, emulator, polling, CLI) never imports Textual."""

import subprocess
import sys


def test_core_imports_without_textual():
    code = (
        "import sys\n"
        "import chime_tui.models, chime_tui.aws, chime_tui.aws.client, chime_tui.monitor\n"
        "import chime_tui.emulator, chime_tui.cli.commands, chime_tui.humanfmt, chime_tui.__main__\n"
        "import chime_tui.tracking, chime_tui.pins, chime_tui.config, chime_tui.prefetch\n"
        "import chime_tui.settings, chime_tui.cli.output, chime_tui.cli.table, chime_tui.cli.debug\n"
        "import chime_tui.cli.watch, chime_tui.cli.params, chime_tui.demo\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "assert not bad, bad\n"
        "lazy = sorted(m for m in sys.modules if m.startswith(('aiobotocore', 'botocore')))\n"
        "assert not lazy, lazy\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_session_helper_starts_before_anything_heavy_is_imported():
    """Opening at a session (or a connector), the helper process is spawned before
    asyncio, Textual or the settings file's parser are loaded: it gets the most time on
    the other core."""
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
        "main(['--voice-connector-id', 'abcdef1ghij2klmno3pqr4', '--proxy-session-id',\n"
        "      '123a4bc5-67d8-901e-2f3g-h4ghjk56789l'])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == \
        "spawned abcdef1ghij2klmno3pqr4 123a4bc5-67d8-901e-2f3g-h4ghjk56789l False []"


def test_opening_at_a_connector_starts_the_listing_helper_first():
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
        "main(['--voice-connector-id', 'abcdef1ghij2klmno3pqr4'])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == "spawned abcdef1ghij2klmno3pqr4 None True []"
