"""Fetch the first session in a helper process while the dashboard starts.

Opening straight at a session (`--voice-connector-id VC --proxy-session-id SID`)
is the on-call path, and its cost is two big imports in a row: Textual to draw,
aiobotocore to fetch. They hold the GIL, so a thread does not overlap them. A
second process does: it runs `chime-tui get-proxy-session` (aiobotocore, like
every call) on the other core while this one imports Textual and draws the
first frame. The dashboard shows its answer first; its own client takes over
from the next poll. If the helper fails in any way, the dashboard simply makes
the call itself, which reports the failure as usual.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from chime_tui.aws.settings import AwsSettings


class Prefetch:
    def __init__(self, proc: subprocess.Popen[bytes] | None) -> None:
        self.proc = proc

    @classmethod
    def start(cls, aws: AwsSettings, vc: str, sid: str) -> "Prefetch":
        """With settings already resolved (the demo's, the tests')."""
        spec = {"vc": vc, "sid": sid, "profile": aws.profile, "region": aws.region,
                "endpoint_url": aws.endpoint_url, "connect_timeout": aws.connect_timeout,
                "read_timeout": aws.read_timeout, "verify_ssl": aws.verify_ssl}
        env = dict(os.environ)
        if aws.static_credentials:  # the demo's dummy keys
            env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = aws.static_credentials
            env.pop("AWS_SESSION_TOKEN", None)
        return cls._spawn(spec, env)

    @classmethod
    def start_from_flags(cls, flags: dict[str, Any], vc: str, sid: str) -> "Prefetch":
        """With the command line's AWS options: the helper reads the settings file and
        the environment itself, exactly as the dashboard does (`aws_settings_from`), so
        it can start before the dashboard has done so."""
        return cls._spawn({"vc": vc, "sid": sid, "flags": flags}, dict(os.environ))

    @classmethod
    def _spawn(cls, spec: dict[str, Any], env: dict[str, str]) -> "Prefetch":
        # A lean entry point (this module), not the full command line: every import counts.
        cmd = [sys.executable, "-m", "chime_tui.prefetch", json.dumps(spec)]
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                    stdin=subprocess.DEVNULL, env=env)
        except OSError:
            proc = None
        return cls(proc)

    def result(self, timeout: float) -> dict[str, Any] | None:
        """The session as the API returned it, or None (then fetch it yourself)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return None
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            return None
        if proc.returncode != 0:
            return None
        try:
            data = json.loads(out)
        except ValueError:
            return None
        session = data.get("ProxySession") if isinstance(data, dict) else None
        return session if isinstance(session, dict) else None

    def cancel(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.communicate()


def main(argv: list[str]) -> int:
    """The helper: fetch one session with the project's aiobotocore client, print its JSON."""
    import asyncio

    from chime_tui.aws.client import ChimeVoiceClient

    spec = json.loads(argv[0])
    if "flags" in spec:
        from argparse import Namespace

        from chime_tui.__main__ import aws_settings_from

        settings = aws_settings_from(Namespace(**spec["flags"]))
    else:
        settings = AwsSettings(profile=spec["profile"], region=spec["region"],
                               endpoint_url=spec["endpoint_url"],
                               connect_timeout=spec["connect_timeout"],
                               read_timeout=spec["read_timeout"], verify_ssl=spec["verify_ssl"])

    async def go() -> dict[str, Any]:
        async with ChimeVoiceClient(settings) as client:
            return await client.call("get_proxy_session", VoiceConnectorId=spec["vc"],
                                     ProxySessionId=spec["sid"])

    try:
        sys.stdout.write(json.dumps(asyncio.run(go())))
    except Exception:  # any failure: the dashboard asks itself and explains it
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
