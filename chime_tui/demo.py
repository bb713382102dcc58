"""`--demo`: the local endpoint in-process on a free port, with dummy credentials."""

from __future__ import annotations

from chime_tui.aws.settings import AwsSettings
from chime_tui.emulator import EmulatorServer, EmulatorState, populate

DEMO_CREDENTIALS = ("AKIDCHIMETUIDEMO0000", "chime-tui-demo-secret-not-a-real-key")


def start_demo_endpoint(seed: int = 7, sessions: int = 40) -> EmulatorServer:
    state = populate(EmulatorState(), seed=seed, sessions=sessions)
    return EmulatorServer(state).start()


def demo_aws_settings(base: AwsSettings, server: EmulatorServer) -> AwsSettings:
    return base.with_(endpoint_url=server.url, region=base.region or "us-east-1",
                      static_credentials=DEMO_CREDENTIALS, profile=None)
