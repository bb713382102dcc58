"""How to reach AWS: plain settings, cheap to import (no asyncio, no botocore)."""

from __future__ import annotations

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
    max_attempts: int = 2  # botocore `standard` mode; it does not retry 429 here
    verify_ssl: bool = True
    max_pool_connections: int = 32
    max_pages: int | None = None  # one listing's page bound (None: client.MAX_PAGES)
    # Only for the built-in demo endpoint: dummy static credentials.
    static_credentials: tuple[str, str] | None = None

    def with_(self, **changes: Any) -> "AwsSettings":
        return replace(self, **changes)
