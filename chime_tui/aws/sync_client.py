"""The one-shot commands' door to AWS: botocore's synchronous client.

A command makes one or a few calls and exits, so it needs neither asyncio nor
aiohttp (about 0.15 s of imports): this client is plain botocore, made from the
same AwsSettings as the dashboard's aiobotocore client (`factory.client_args`),
with the same response check and the same typed errors. The dashboard's live
refresh and `--watch` stay on aiobotocore (`chime_tui.aws.client`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any, cast

from chime_tui.aws import factory
from chime_tui.aws.errors import classify
from chime_tui.aws.settings import AwsSettings, env_keys_in_use, profile_in_use

_gc_paused = False


def pause_gc() -> None:
    """For a short-lived process (a one-shot command, the start-up helper): no cyclic
    garbage collection until its client is open. Importing botocore and making a client
    allocate some 200,000 objects that live until the process exits; collecting among
    them cost about a hundred collections, over 10 ms, for nothing. The first client to
    open freezes what exists then (`gc.freeze`: never scanned again) and turns
    collection back on, so a long listing's garbage is still collected."""
    global _gc_paused
    if gc.isenabled():
        gc.disable()
        _gc_paused = True


def resume_gc(freeze: bool = True) -> None:
    """Collection back on after `pause_gc` (no-op otherwise); `freeze`: what exists now
    lives until the process ends, so it is never scanned again (nor at exit)."""
    global _gc_paused
    if _gc_paused:
        _gc_paused = False
        if freeze:
            gc.freeze()
        gc.enable()


class SyncChimeVoiceClient:
    """`with SyncChimeVoiceClient(settings) as client: client.call("get_proxy_session", ...)`"""

    def __init__(self, settings: AwsSettings | None = None) -> None:
        self.settings = settings or AwsSettings()
        self._client: Any = None
        self.region: str | None = None
        self.endpoint: str | None = None
        self.request_count = 0
        self.last_status: int | None = None  # the last answer's HTTP status

    def __enter__(self) -> SyncChimeVoiceClient:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        if self._client is not None:
            return
        try:
            import botocore.session
            from botocore.config import Config

            from chime_tui.aws.plain import install_plain_parsers
            from chime_tui.aws.validate import register

            session = botocore.session.Session(profile=self.settings.profile)
            factory.prepare_session(session)
            # An answer the check found plain is not walked again (chime_tui.aws.memo).
            install_plain_parsers(session)
            kwargs, self.region = factory.client_args(self.settings, session, Config)
            self._client = session.create_client(factory.SERVICE, **kwargs)
            register(self._client.meta.events)
            self.endpoint = self._client.meta.endpoint_url
        except Exception as exc:
            self._client = None
            raise classify(exc, endpoint=self.settings.endpoint_url,
                           profile=profile_in_use(self.settings),
                           builtin_keys=bool(self.settings.static_credentials),
                           env_keys=env_keys_in_use(self.settings)) from None
        finally:
            resume_gc()

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.close()
            except Exception:  # closing must never fail a command
                pass

    def credential_secrets(self) -> list[str]:
        """The secret key and session token in use, so logs can mask them literally."""
        self.open()
        try:
            creds = self._client._request_signer._credentials
            frozen = creds.get_frozen_credentials() if creds else None
        except Exception:
            return []
        return [v for v in (getattr(frozen, "secret_key", None), getattr(frozen, "token", None))
                if v]

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        """Call an operation by its botocore method name; the response without metadata."""
        self.open()
        self.request_count += 1
        try:
            response = getattr(self._client, operation)(**params)
        except Exception as exc:
            raise classify(exc, endpoint=self.endpoint, profile=profile_in_use(self.settings),
                           builtin_keys=bool(self.settings.static_credentials),
                           env_keys=env_keys_in_use(self.settings)) from None
        self.last_status = (response.pop("ResponseMetadata", None) or {}).get("HTTPStatusCode")
        return cast(dict[str, Any], response)

    def get_voice_connector_proxy(self, voice_connector_id: str) -> Any:
        """The connector's VoiceConnectorProxy, or None when it has no proxy settings."""
        from chime_tui.aws.errors import NotFound
        from chime_tui.models import VoiceConnectorProxy

        try:
            data = self.call("get_voice_connector_proxy", VoiceConnectorId=voice_connector_id)
        except NotFound:
            return None
        try:
            return VoiceConnectorProxy.from_api(data.get("Proxy"))
        except (ValueError, TypeError) as exc:
            raise classify(exc) from None

    def pages(self, operation: str, key: str, **params: Any) -> Iterator[list[dict[str, Any]]]:
        """Every page's items, bounded as the async client's (factory.Paging)."""
        paging = factory.Paging(self.settings, key, params)
        while not paging.done:
            yield paging.take(self.call(operation, **paging.request()))
