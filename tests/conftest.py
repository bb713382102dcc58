"""Shared fixtures: an isolated AWS environment and the local endpoint on loopback."""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chime_tui.aws.client import AwsSettings
from chime_tui.emulator import EmulatorServer, EmulatorState, populate
from chime_tui.settings import AppSettings

FIXED_NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
DUMMY_KEY = "AKIDTESTCHIMETUI0001"
DUMMY_SECRET = "test-secret-Zq9vW2xT7yR4uP0sL3kJ"

SEED_EXAMPLE = {
    "ProxySession": {
        "VoiceConnectorId": "abcdef1ghij2klmno3pqr4",
        "ProxySessionId": "123a4bc5-67d8-901e-2f3g-h4ghjk56789l",
        "Status": "Open",
        "ExpiryMinutes": 60,
        "Capabilities": ["SMS", "Voice"],
        "CreatedTimestamp": "2020-04-15T16:10:10.288Z",
        "UpdatedTimestamp": "2020-04-15T16:10:10.288Z",
        "Participants": [
            {"PhoneNumber": "+12065550100", "ProxyPhoneNumber": "+19135550199"},
            {"PhoneNumber": "+14015550101", "ProxyPhoneNumber": "+19135550199"},
        ],
    }
}


def pytest_configure(config: pytest.Config) -> None:
    # Textual allocates many short-lived objects: with the default threshold (700) the
    # cyclic collector ran ~5,000 times a file of app tests, a tenth of their CPU. A test
    # process collects every 20,000 net allocations instead (nothing here depends on
    # when garbage is collected; tests that need it call gc.collect()).
    gc.set_threshold(20_000, *gc.get_threshold()[1:])


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test sees the developer's AWS config, credentials, HOME or XDG dirs."""
    home = tmp_path / "home"
    home.mkdir()
    for var in list(os.environ):
        if var.startswith("AWS_"):
            monkeypatch.delenv(var)
    monkeypatch.setenv("HOME", str(home))
    for xdg in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(xdg, str(home / xdg.lower()))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "aws-credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", DUMMY_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", DUMMY_SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return home


@pytest.fixture
def state() -> EmulatorState:
    return populate(EmulatorState(), seed=7)


@pytest.fixture
def server(state: EmulatorState) -> Iterator[EmulatorServer]:
    with EmulatorServer(state) as srv:
        yield srv


@pytest.fixture
def frozen_state() -> EmulatorState:
    return populate(EmulatorState(clock=lambda: FIXED_NOW), seed=7)


@pytest.fixture
def frozen_server(frozen_state: EmulatorState) -> Iterator[EmulatorServer]:
    with EmulatorServer(frozen_state) as srv:
        yield srv


def aws_for(server: EmulatorServer, **kw: Any) -> AwsSettings:
    base = dict(endpoint_url=server.url, region="us-east-1", max_attempts=1,
                connect_timeout=1.0, read_timeout=2.0)
    base.update(kw)
    return AwsSettings(**base)


def app_settings(server: EmulatorServer, *, refresh: float = 5.0, **kw: Any) -> AppSettings:
    aws_kw = {k: kw.pop(k) for k in list(kw) if k in AwsSettings.__dataclass_fields__}
    return AppSettings(aws=aws_for(server, **aws_kw), refresh=refresh, **kw)


async def wait_for(pilot: Any, predicate: Callable[[], bool], timeout: float = 8.0) -> None:
    """Let the app run until predicate() holds; fail with a clear message if it never does."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await pilot.pause(0.01)
