"""How to reach AWS: plain settings, cheap to import (no asyncio, no botocore)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class AwsSettings:
    """How to reach AWS. None means: let botocore's standard chain decide."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    # botocore `standard` mode (it does not retry 429 here); the commands' default, as the
    # AWS CLI retries. The app uses 1: its poller owns the retries (chime_tui.__main__).
    max_attempts: int = 2
    verify_ssl: bool = True
    ca_bundle: str | None = None  # --ca-bundle: verify TLS with this CA file (else botocore's)
    sign_requests: bool = True  # --no-sign-request: False
    max_pool_connections: int = 32
    max_pages: int | None = None  # one listing's page bound (None: client.MAX_PAGES)
    # Only for the built-in demo endpoint: dummy static credentials.
    static_credentials: tuple[str, str] | None = None

    def with_(self, **changes: Any) -> AwsSettings:
        return replace(self, **changes)


def profile_in_use(s: AwsSettings) -> str | None:
    """The profile botocore will use: the flag or settings file, else AWS_PROFILE."""
    return s.profile or os.environ.get("AWS_PROFILE") or None


def env_keys_in_use(s: AwsSettings) -> bool:
    """Whether botocore takes the keys from this process's environment (AWS_ACCESS_KEY_ID
    and AWS_SECRET_ACCESS_KEY): they come first in its chain unless a profile is given
    explicitly (the flag or the settings file; AWS_PROFILE does not outrank them)."""
    return not s.static_credentials and not s.profile and \
        bool(os.environ.get("AWS_ACCESS_KEY_ID")) and bool(os.environ.get("AWS_SECRET_ACCESS_KEY"))


def region_in_use(s: AwsSettings) -> str | None:
    """The region botocore will use, as far as it is known without reading the AWS
    config files: the flag or settings file, else AWS_REGION / AWS_DEFAULT_REGION."""
    return s.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") \
        or None


def context_label(s: AwsSettings, endpoint: str, *, demo: bool = False,
                  region: str | None = None) -> str:
    """One name for where the data comes from, used everywhere it is shown:
    'profile oncall · us-west-2 · https://…'. `region`: the client's, once it knows."""
    # "demo": the demo's built-in keys (gone once the user switches to a real profile),
    # as the credential hints name them (aws.errors).
    profile = "demo" if demo and s.static_credentials else (profile_in_use(s) or "default")
    where = region or region_in_use(s) or "region from the profile"
    return f"profile {profile} · {where} · {endpoint}"
