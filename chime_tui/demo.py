"""`--demo`: the local endpoint in-process on a free port, with dummy credentials."""

from __future__ import annotations

from chime_tui.aws.settings import AwsSettings
from chime_tui.emulator import EmulatorServer, EmulatorState, populate

DEMO_CREDENTIALS = ("AKIDCHIMETUIDEMO0000", "chime-tui-demo-secret-not-a-real-key")


CHURN_SECONDS = 20.0  # a new session this often on each connector whose proxying is on


def start_demo_endpoint(seed: int = 7, sessions: int = 40) -> EmulatorServer:
    """The demo's data: four connectors (one with proxying disabled, one without proxy
    settings), sessions moving Open -> InProgress -> Closed, some expiring in the first
    minutes, and new sessions every CHURN_SECONDS where proxying is on."""
    state = populate(EmulatorState(), seed=seed, sessions=sessions)
    state.churn = CHURN_SECONDS
    return EmulatorServer(state).start()


def demo_aws_settings(base: AwsSettings, server: EmulatorServer) -> AwsSettings:
    return base.with_(endpoint_url=server.url, region=base.region or "us-east-1",
                      static_credentials=DEMO_CREDENTIALS, profile=None)
