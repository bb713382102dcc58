"""The one door to AWS: an async Chime SDK Voice client built on aiobotocore.

No Textual here. Methods return plain models (or the raw response dict for the
CLI) and raise only the typed errors of `chime_tui.aws.errors`.

aiobotocore is imported lazily, in a worker thread, the first time a client is
opened: it costs about 0.4 s and the UI should draw its first frame first.
Timestamps are kept as the strings the service sent (as the AWS CLI does) and
parsed by the models with `datetime.fromisoformat`, which is far cheaper than
botocore's dateutil parsing on large listings.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar, cast

from chime_tui.aws import factory
from chime_tui.aws.errors import ChimeError, NotFound, classify
from chime_tui.aws.factory import (  # noqa: F401  (re-exported)
    DEFAULT_REGION,
    MAX_PAGES,
    PAGE_SIZE,
    SERVICE,
)
from chime_tui.aws.memo import (
    LAST_PARSED,
    MEMO_SIZE,
    MemoParserFactory,
    Parsed,
    SessionMemo,
    install_parsers,
)
from chime_tui.aws.settings import AwsSettings, env_keys_in_use, profile_in_use
from chime_tui.aws.validate import UNREADABLE, PassedBodies
from chime_tui.aws.writes import after_failure, no_retries
from chime_tui.models import ProxySession, VoiceConnector, VoiceConnectorProxy

__all__ = ["AwsSettings", "ChimeVoiceClient"]


def _load_aiobotocore() -> Any:
    import aiobotocore.config  # noqa: F401
    import aiobotocore.session

    return aiobotocore.session


class ChimeVoiceClient:
    """An open-once, close-on-exit client. Use `async with ChimeVoiceClient(s) as c:`."""

    def __init__(self, settings: AwsSettings | None = None, *,
                 load_in_thread: bool = False) -> None:
        """load_in_thread: read the service model's JSON files in a worker thread
        (aiobotocore's `warm_up_loader_caches`) so an event loop that also draws a UI
        is not held up by it; a one-shot command does not need the extra thread."""
        self.settings = settings or AwsSettings()
        self.load_in_thread = load_in_thread
        self._client: Any = None
        self._client_cm: Any = None
        self._lock = asyncio.Lock()
        self.region: str | None = None
        self.endpoint: str | None = None
        self.request_count = 0
        self.last_status: int | None = None  # the last answer's HTTP status (writes' audit)
        self._writer: ChimeVoiceClient | None = None  # writes: one attempt, never retried
        # Listed sessions' models, for the next refresh's equal items (chime_tui.aws.memo).
        self.memo = SessionMemo()
        self.parsers: MemoParserFactory | None = None  # the open client's parsers
        self.checked = PassedBodies()  # bodies that passed the response check lately
        # What the last whole listing of each connector (None: the connectors' listing)
        # left out: {ID (or 'item N' for an item without a readable one): why}. Why is
        # what is wrong with an item that is not what the service model says, or
        # DUPLICATE. The app says so, one alert each (ChimeTuiApp.note_left_out).
        self.left_out: dict[str | None, dict[str, str]] = {}

    # -- lifecycle ------------------------------------------------------------------
    async def __aenter__(self) -> ChimeVoiceClient:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def is_open(self) -> bool:
        """A client is open (the next call does not first import and make one)."""
        return self._client is not None

    async def open(self) -> None:
        async with self._lock:
            if self._client is not None:
                return
            try:
                # The import and the session's setup (~15 ms of registering handlers)
                # in a worker thread: the event loop keeps drawing meanwhile.
                session, kwargs, self.region = await asyncio.to_thread(self._make_session)
                # (Here, not in the thread: a context made there and then not entered,
                # the open being cancelled meanwhile, would leave a coroutine never awaited.)
                self._client_cm = session.create_client(SERVICE, **kwargs)
                self._client = await self._client_cm.__aenter__()
                from chime_tui.aws.validate import register

                register(self._client.meta.events, passed=self.checked, leave_out=True)
                self.endpoint = self._client.meta.endpoint_url
            except Exception as exc:
                self._client = self._client_cm = None
                raise classify(exc, endpoint=self.settings.endpoint_url,
                               profile=profile_in_use(self.settings),
                               builtin_keys=bool(self.settings.static_credentials),
                               env_keys=env_keys_in_use(self.settings)) from None

    def _make_session(self) -> tuple[Any, dict[str, Any], str]:
        """(In a worker thread.) The session, create_client's arguments and the region.

        The cyclic collector is paused meanwhile: the import and the session make some
        200,000 objects that live as long as the app, and a full collection among them
        (it runs in whichever thread allocates, holding the GIL) stopped the screen's
        loop for 15-28 ms in the middle of a first listing. What exists when it is
        turned back on is frozen: never scanned again."""
        paused = gc.isenabled()
        if paused:
            gc.disable()
        try:
            session_mod = _load_aiobotocore()
            from aiobotocore.config import AioConfig

            session = session_mod.AioSession(profile=self.settings.profile)
            factory.prepare_session(session)
            # A refresh's unchanged pages are not parsed again (chime_tui.aws.memo).
            self.parsers = install_parsers(session)
            factory.read_endpoints_lazily(session)
            kwargs, region = factory.client_args(self.settings, session, AioConfig,
                                                 warm_up_loader_caches=self.load_in_thread)
        finally:
            if paused:
                gc.freeze()
                gc.enable()
        return session, kwargs, region

    async def close(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            await writer.close()
        async with self._lock:
            if self._client_cm is not None:
                cm, self._client_cm, self._client = self._client_cm, None, None
                try:
                    await cm.__aexit__(None, None, None)
                except Exception:  # closing must never take the app down
                    pass

    async def credential_secrets(self) -> list[str]:
        """The secret key and session token in use, so logs can mask them literally."""
        if self._client is None:
            await self.open()
        try:
            creds = self._client._request_signer._credentials
            frozen = await creds.get_frozen_credentials() if creds else None
        except Exception:
            return []
        return [v for v in (getattr(frozen, "secret_key", None), getattr(frozen, "token", None))
                if v]

    async def reset(self) -> None:
        """Drop the client so the next call resolves credentials afresh (after a renewal)."""
        await self.close()

    # -- raw calls ------------------------------------------------------------------
    async def call(self, operation: str, **params: Any) -> dict[str, Any]:
        """Call an operation by its botocore method name; the response without metadata."""
        if self._client is None:
            await self.open()
        method = getattr(self._client, operation)
        self.request_count += 1
        try:
            response = await method(**params)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise classify(exc, endpoint=self.endpoint, profile=profile_in_use(self.settings),
                           builtin_keys=bool(self.settings.static_credentials),
                           env_keys=env_keys_in_use(self.settings)) from None
        meta = response.pop("ResponseMetadata", None)
        self.last_status = meta.get("HTTPStatusCode") if isinstance(meta, dict) else None
        headers = meta.get("HTTPHeaders") if isinstance(meta, dict) else None
        if isinstance(headers, dict) and UNREADABLE in headers:
            response[UNREADABLE] = headers[UNREADABLE]  # (see `pages`)
        return cast(dict[str, Any], response)

    async def pages(self, operation: str, key: str,
                    left_out: dict[str, str] | None = None, **params: Any
                    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Every page's items. A repeated NextToken, or more than `max_pages` pages,
        is a BadResponse: a listing that never ends is an error, not a memory leak.
        Items the response check left out are added to `left_out` (ID: why)."""
        async for items, _ in self.parsed_pages(operation, key, left_out, **params):
            yield items

    async def parsed_pages(self, operation: str, key: str,
                           left_out: dict[str, str] | None = None, **params: Any
                           ) -> AsyncIterator[tuple[list[Any], Parsed | None]]:
        """`pages`, each with its body's `Parsed` when the body is remembered and the
        page is the whole of its list member (chime_tui.aws.memo): the caller may hand
        it the models made of those items (`Parsed.models`), and the same body again
        then gives those models as the page's items."""
        paging = factory.Paging(self.settings, key, params)
        while not paging.done:
            LAST_PARSED.set(None)
            response = await self.call(operation, **paging.request())
            parsed = LAST_PARSED.get()
            header = response.pop(UNREADABLE, None)
            if header is not None and left_out is not None:
                left_out.update(read_unreadable(header, len(left_out)))
            whole = response.get(key)
            items = paging.take(response)
            yield items, (parsed if parsed is not None and items is whole
                          and parsed.listed == key else None)

    # -- typed operations -----------------------------------------------------------
    async def list_voice_connectors(self) -> list[VoiceConnector]:
        out: list[VoiceConnector] = []
        left_out: dict[str, str] = {}
        async for items in self.pages("list_voice_connectors", "VoiceConnectors",
                                      left_out, MaxResults=PAGE_SIZE):
            out.extend(_parse(VoiceConnector.from_api, items))
        self.left_out[None] = left_out
        return out

    async def get_voice_connector(self, voice_connector_id: str) -> VoiceConnector:
        data = await self.call("get_voice_connector", VoiceConnectorId=voice_connector_id)
        return _parse_one(VoiceConnector.from_api, data.get("VoiceConnector"))

    async def iter_proxy_session_pages(
        self, voice_connector_id: str, status: str | None = None, page_size: int = PAGE_SIZE,
    ) -> AsyncIterator[list[ProxySession]]:
        params: dict[str, Any] = {"VoiceConnectorId": voice_connector_id, "MaxResults": page_size}
        if status:
            params["Status"] = status
        listed = 0  # the first MEMO_SIZE sessions of a listing go through the memo: a
        # listing of 10,000 would only churn it
        left_out: dict[str, str] = {}
        seen: dict[str, ProxySession] = {}  # one row per session ID (see `unique`)
        try:
            async for items, parsed in self.parsed_pages("list_proxy_sessions", "ProxySessions",
                                                         left_out, **params):
                memo = self.memo if listed < MEMO_SIZE else None
                if parsed is None or parsed.models is None:
                    # New items to make models of: after a turn of the event loop, so
                    # that botocore's parse of the page and ours are two short stalls of
                    # the screen, not one long one (a first listing of 10,000).
                    await asyncio.sleep(0)
                page = parse_sessions(items, memo)
                if parsed is not None and memo is not None and parsed.models is None:
                    # The same body again gives these models, not items to look up.
                    parsed.models = tuple(page)
                listed += len(items)
                yield unique(page, seen, left_out)
        except NotFound as exc:
            raise exc.worded("voice connector not found: check the ID and the region") \
                from None
        if not status:  # a whole listing: what it left out is all it left out
            self.left_out[voice_connector_id] = left_out

    async def list_proxy_sessions(self, voice_connector_id: str, status: str | None = None
                                  ) -> list[ProxySession]:
        out: list[ProxySession] = []
        async for page in self.iter_proxy_session_pages(voice_connector_id, status):
            out.extend(page)
        return unambiguous(out, self.left_out.get(voice_connector_id)) if not status else out

    async def get_proxy_session(self, voice_connector_id: str, proxy_session_id: str
                                ) -> ProxySession:
        try:
            data = await self.call("get_proxy_session", VoiceConnectorId=voice_connector_id,
                                   ProxySessionId=proxy_session_id)
        except NotFound as exc:
            raise exc.worded("session not found: it ended or was deleted") from None
        return _parse_one(ProxySession.from_api, data.get("ProxySession"))

    async def get_voice_connector_proxy(self, voice_connector_id: str
                                        ) -> VoiceConnectorProxy | None:
        """The connector's proxy settings; None when it has none ("not configured": the
        service answers NotFound, as it does for a connector that does not exist)."""
        try:
            data = await self.call("get_voice_connector_proxy",
                                   VoiceConnectorId=voice_connector_id)
        except NotFound:
            return None
        return _parse_one(VoiceConnectorProxy.from_api, data.get("Proxy"))

    # -- writes: sent once, never retried (chime_tui.aws.writes) ----------------------
    async def write(self, operation: str, **params: Any) -> dict[str, Any]:
        """Send a write through a client of its own with one attempt. A failure is
        raised as it came (no retry), a lost CreateProxySession answer as MaybeCreated,
        a 403 with the permission the write needs."""
        if self._writer is None:
            self._writer = ChimeVoiceClient(no_retries(self.settings),
                                            load_in_thread=self.load_in_thread)
        self.last_status = None
        try:
            answer = await self._writer.call(operation, **params)
            self.last_status = self._writer.last_status
            return answer
        except ChimeError as exc:
            raise after_failure(operation, exc, params.get("VoiceConnectorId")) from None
        finally:
            self.request_count += 1

    async def update_proxy_session(self, voice_connector_id: str, proxy_session_id: str,
                                   capabilities: list[str] | tuple[str, ...],
                                   expiry_minutes: int | None = None) -> ProxySession:
        """UpdateProxySession (Capabilities are required: send the current ones to change
        only the expiry). NotFound: the session is gone."""
        params: dict[str, Any] = {"Capabilities": list(capabilities)}
        if expiry_minutes is not None:
            params["ExpiryMinutes"] = expiry_minutes
        data = await self.write("update_proxy_session", VoiceConnectorId=voice_connector_id,
                                ProxySessionId=proxy_session_id, **params)
        return _parse_one(ProxySession.from_api, data.get("ProxySession"))

    async def delete_proxy_session(self, voice_connector_id: str, proxy_session_id: str
                                   ) -> None:
        await self.write("delete_proxy_session", VoiceConnectorId=voice_connector_id,
                         ProxySessionId=proxy_session_id)

    async def create_proxy_session(self, voice_connector_id: str,
                                   participant_phone_numbers: list[str],
                                   capabilities: list[str], **optional: Any) -> ProxySession:
        """CreateProxySession. `optional`: the model's names (ExpiryMinutes, Name,
        NumberSelectionBehavior, GeoMatchLevel, GeoMatchParams); None values are left out.
        Raises MaybeCreated when the answer was lost: list the connector, do not resend."""
        params = {k: v for k, v in optional.items() if v is not None}
        data = await self.write("create_proxy_session", VoiceConnectorId=voice_connector_id,
                                ParticipantPhoneNumbers=list(participant_phone_numbers),
                                Capabilities=list(capabilities), **params)
        return _parse_one(ProxySession.from_api, data.get("ProxySession"))


def parse_sessions(items: list[Any], memo: SessionMemo | None = None) -> list[ProxySession]:
    """A ListProxySessions page's items as models (typed error if they are not sessions);
    with a memo, an item equal to one it parsed lately gives back that model. A page
    given as its models already (a remembered body: chime_tui.aws.memo) is itself."""
    if items and all(type(i) is ProxySession for i in items):
        return list(items)
    return _parse(ProxySession.from_api if memo is None else memo.session, items)


DUPLICATE = "listed twice with different values"


def unique(page: list[ProxySession], seen: dict[str, ProxySession],
           left_out: dict[str, str]) -> list[ProxySession]:
    """The page without the sessions whose ID came earlier in the same listing (`seen`,
    updated): paging over a list that changes can repeat a session, and a row is one
    session. A repeat that says the same is dropped quietly; one that does not is noted
    in `left_out` as DUPLICATE: which of the two is the session is not known, so the
    listing's users drop both once it is complete (`ambiguous`; the first may be on
    screen already, from a page handed out as it came)."""
    out = []
    for session in page:
        sid = session.proxy_session_id
        if sid is None:
            out.append(session)
            continue
        first = seen.get(sid)
        if first is None:  # (not `is`: the memo gives equal items the same model)
            seen[sid] = session
            out.append(session)
        elif not first.same_answer(session):
            left_out[sid] = DUPLICATE
    return out


def ambiguous(left_out: dict[str, str] | None) -> set[str]:
    """The IDs a listing named twice with different values (see `unique`): neither
    answer can be trusted to be the session's, so neither is shown or tracked; a
    session screen or a board asks for the session by its ID instead."""
    return {sid for sid, why in (left_out or {}).items() if why == DUPLICATE}


def unambiguous(sessions: list[ProxySession], left_out: dict[str, str] | None
                ) -> list[ProxySession]:
    """A complete listing without the sessions it named twice (`ambiguous`)."""
    drop = ambiguous(left_out)
    return [s for s in sessions if s.proxy_session_id not in drop] if drop else sessions


def read_unreadable(header: str, known: int = 0) -> dict[str, str]:
    """The items a response check left out (its UNREADABLE header), as {ID: why}; an
    item without a readable ID is named by its place ('item 1', 'item 2'...)."""
    import json

    out: dict[str, str] = {}
    try:
        entries = json.loads(header)
    except ValueError:
        return out
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict):
            ident = entry.get("id")
            name = ident if isinstance(ident, str) else f"item {known + len(out) + 1}"
            out[name] = str(entry.get("why", ""))
    return out


T = TypeVar("T")


def _parse(factory: Callable[[Any], T], items: list[Any]) -> list[T]:
    try:
        return [factory(i) for i in items]
    except (ValueError, TypeError) as exc:
        raise classify(exc) from None


def _parse_one(factory: Callable[[Any], T], item: Any) -> T:
    return _parse(factory, [item])[0]


def available_regions() -> list[str]:
    """Regions where boto3 knows the Chime SDK Voice service (for the region switcher)."""
    import boto3.session

    try:
        return sorted(boto3.session.Session().get_available_regions(SERVICE)) or [DEFAULT_REGION]
    except Exception:
        return [DEFAULT_REGION]


def available_profiles() -> list[str]:
    """Profiles from the AWS config files, via boto3 (for the profile switcher)."""
    import boto3.session

    try:
        return sorted(boto3.session.Session().available_profiles)
    except Exception:
        return []
