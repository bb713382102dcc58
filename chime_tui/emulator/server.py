"""The local Chime SDK Voice endpoint: aiohttp handlers speaking REST-JSON.

Paths, query parameters, status codes and the error form (an
`x-amzn-ErrorType` header and a `{"Code", "Message"}` body) follow the botocore
service model, so real aiobotocore, boto3 and the AWS CLI talk to it through
`endpoint_url`. `EmulatorServer` runs it on a loopback port in a thread of its
own, so a busy client event loop never slows the endpoint down.
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
from collections.abc import Callable
from typing import Any, cast

from aiohttp import web

from chime_tui.emulator.checks import check_create, check_put_proxy, check_update
from chime_tui.emulator.state import EmulatorState, RequestRecord, to_api
from chime_tui.models import STATUSES, validate_proxy_session_id, validate_voice_connector_id

ERRORS = {
    400: ("BadRequestException", "BadRequest"),
    401: ("UnauthorizedClientException", "Unauthorized"),
    403: ("ForbiddenException", "Forbidden"),
    404: ("NotFoundException", "NotFound"),
    429: ("ThrottledClientException", "Throttled"),
    500: ("ServiceFailureException", "ServiceFailure"),
    503: ("ServiceUnavailableException", "ServiceUnavailable"),
}
MESSAGES = {
    401: "The security token included in the request is expired",
    403: "User is not authorized to perform this action",
    404: "The requested resource couldn't be found.",
    429: "Rate exceeded",
    500: "An internal service error occurred.",
    503: "The service is currently unavailable.",
}

STATE_KEY = web.AppKey("state", EmulatorState)


def error(status: int, message: str | None = None) -> web.Response:
    shape, code = ERRORS.get(status, ("ServiceFailureException", "ServiceFailure"))
    body = {"Code": code, "Message": message or MESSAGES.get(status, code)}
    return web.json_response(body, status=status, headers={"x-amzn-ErrorType": shape})


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(data, separators=(",", ":")).encode(),
        status=status,
        content_type="application/json",
    )


def _page(items: list[Any], request: web.Request, key: str,
          serialize: Any = lambda item: item) -> web.Response:
    q = request.query
    try:
        max_results = int(q.get("max-results", "100"))
    except ValueError:
        return error(400, "MaxResults must be an integer")
    if not 1 <= max_results <= 100:
        return error(400, "MaxResults must be between 1 and 100")
    start = 0
    token = q.get("next-token")
    if token:
        try:
            start = int(base64.urlsafe_b64decode(token.encode()).decode().split(":", 1)[1])
        except (ValueError, IndexError, UnicodeDecodeError):
            return error(400, "Invalid NextToken")
    state = request.app[STATE_KEY]
    paging = state.faults.paging
    with state.lock:
        if paging == "endless" and items:  # round and round: the pages never end
            chunk = [serialize(items[(start + i) % len(items)]) for i in range(max_results)]
        else:
            chunk = [serialize(i) for i in items[start : start + max_results]]
    out: dict[str, Any] = {key: chunk}
    if paging == "repeat" and token:
        out["NextToken"] = token  # the same token again: a loop
    elif start + max_results < len(items) or paging in ("endless", "repeat"):
        out["NextToken"] = _token(start + max_results)
    return _json(out)


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def _bad_vc(vc_id: str) -> web.Response | None:
    reason = validate_voice_connector_id(vc_id)
    return error(400, f"Invalid VoiceConnectorId: {reason}") if reason else None


async def list_voice_connectors(request: web.Request) -> web.Response:
    return _page(request.app[STATE_KEY].list_connectors(), request, "VoiceConnectors")


async def get_voice_connector(request: web.Request) -> web.Response:
    vc = request.match_info["vc"]
    if bad := _bad_vc(vc):
        return bad
    conn = request.app[STATE_KEY].get_connector(vc)
    return _json({"VoiceConnector": conn}) if conn else error(404)


async def list_proxy_sessions(request: web.Request) -> web.Response:
    vc = request.match_info["vc"]
    if bad := _bad_vc(vc):
        return bad
    status = request.query.get("status")
    if status is not None and status not in STATUSES:
        return error(400, f"Invalid Status: {status}")
    sessions = request.app[STATE_KEY].session_items(vc, status)
    if sessions is None:
        return error(404)
    return _page(sessions, request, "ProxySessions", to_api)


async def get_proxy_session(request: web.Request) -> web.Response:
    vc, sid = request.match_info["vc"], request.match_info["sid"]
    if bad := _bad_vc(vc):
        return bad
    if reason := validate_proxy_session_id(sid):
        return error(400, f"Invalid ProxySessionId: {reason}")
    sess = request.app[STATE_KEY].get_session(vc, sid)
    return _json({"ProxySession": sess}) if sess else error(404)


async def _body(request: web.Request,
                check: Callable[[dict[str, Any]], str | None] = lambda body: None
                ) -> dict[str, Any] | web.Response:
    """The request's JSON object, or the 400 the service answers: not JSON, not an
    object, or what `check` finds wrong with it."""
    try:
        body = await request.json() if request.body_exists else {}
    except (ValueError, UnicodeDecodeError):
        return error(400, "Request body is not valid JSON")
    if not isinstance(body, dict):
        return error(400, "Request body must be a JSON object")
    problem = check(body)
    return error(400, problem) if problem else body


def _bad_sid(sid: str) -> web.Response | None:
    reason = validate_proxy_session_id(sid)
    return error(400, f"Invalid ProxySessionId: {reason}") if reason else None


async def create_proxy_session(request: web.Request) -> web.Response:
    """CreateProxySession: 201 with the new session. The body is checked as the service
    checks it (chime_tui.emulator.checks); the connector must have proxy settings
    that are not disabled (the emulator's reading of the service: 400 otherwise).
    Without ExpiryMinutes the connector's DefaultSessionExpiryMinutes applies."""
    vc = request.match_info["vc"]
    if bad := _bad_vc(vc):
        return bad
    body = await _body(request, check_create)
    if isinstance(body, web.Response):
        return body
    state = request.app[STATE_KEY]
    with state.lock:
        if vc not in state.connectors:
            return error(404)
        settings = state.get_proxy(vc)
        if settings is None:
            return error(400, f"Voice Connector {vc} has no proxy configuration")
        if settings.get("Disabled"):
            return error(400, f"Proxy is disabled for Voice Connector {vc}")
        sess = state.create_session(vc, body)
    return _json({"ProxySession": sess}, status=201) if sess else error(404)


async def update_proxy_session(request: web.Request) -> web.Response:
    """UpdateProxySession: Capabilities required, ExpiryMinutes >= 1; 201 with the session."""
    vc, sid = request.match_info["vc"], request.match_info["sid"]
    if bad := _bad_vc(vc) or _bad_sid(sid):
        return bad
    body = await _body(request, check_update)
    if isinstance(body, web.Response):
        return body
    sess = request.app[STATE_KEY].update_session(vc, sid, body)
    return _json({"ProxySession": sess}, status=201) if sess else error(404)


async def delete_proxy_session(request: web.Request) -> web.Response:
    """DeleteProxySession: 204 and no body; the session is gone (404 from then on)."""
    vc, sid = request.match_info["vc"], request.match_info["sid"]
    if bad := _bad_vc(vc) or _bad_sid(sid):
        return bad
    ok = request.app[STATE_KEY].delete_session(vc, sid)
    return web.Response(status=204) if ok else error(404)


async def get_voice_connector_proxy(request: web.Request) -> web.Response:
    """GetVoiceConnectorProxy: 200 {"Proxy": ...}; 404 for an unknown connector and for
    one without proxy settings."""
    vc = request.match_info["vc"]
    if bad := _bad_vc(vc):
        return bad
    proxy = request.app[STATE_KEY].get_proxy(vc)
    return _json({"Proxy": proxy}) if proxy is not None else error(404)


async def put_voice_connector_proxy(request: web.Request) -> web.Response:
    """PutVoiceConnectorProxy: 200 {"Proxy": ...} (PhoneNumberPoolCountries in,
    PhoneNumberCountries out, as the model has it)."""
    vc = request.match_info["vc"]
    if bad := _bad_vc(vc):
        return bad
    body = await _body(request, check_put_proxy)
    if isinstance(body, web.Response):
        return body
    proxy = request.app[STATE_KEY].put_proxy(vc, body)
    return _json({"Proxy": proxy}) if proxy is not None else error(404)


async def delete_voice_connector_proxy(request: web.Request) -> web.Response:
    vc = request.match_info["vc"]
    if bad := _bad_vc(vc):
        return bad
    ok = request.app[STATE_KEY].delete_proxy(vc)
    return web.Response(status=204) if ok else error(404)


# -- admin: fault knobs over HTTP, for `chime-tui emulator` users --------------------

async def get_faults(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    return _json(state.faults.__dict__ | {"requests": len(state.requests),
                                          "served": state.served})


# The `chime-tui emulator` flags' names, as the README offers them for the HTTP knobs.
FLAG_NAMES = {"fail_status": "status", "fail_count": "status_count"}


async def set_faults(request: web.Request) -> web.Response:
    """Set knobs at run time: the Faults fields or the emulator's flag names
    (`fail_status`, `fail_count`, dashes or underscores), `clear` (the field values
    too), `schedule` (a list of rules, see EmulatorState.add_rule), `paging`, and
    `fields`: {"VC": {...}} or {"VC/SID": {...}} to serve hostile field values."""
    body = await _body(request)
    if isinstance(body, web.Response):
        return body
    state = request.app[STATE_KEY]
    faults = state.faults
    try:
        with state.lock:
            if body.pop("clear", False):
                faults.clear()
                state.clear_fields()
            knobs = {FLAG_NAMES.get(k.replace("-", "_"), k.replace("-", "_")): v
                     for k, v in body.items()}
            for key in knobs:
                if key not in ("fields", "schedule") and (
                        key.startswith("_") or not hasattr(faults, key)):
                    return error(400, f"unknown fault knob {key!r}")
            for target, values in (knobs.pop("fields", None) or {}).items():
                vc, _, sid = str(target).partition("/")
                state.set_fields(vc, sid or None, dict(values))
            for rule in knobs.pop("schedule", None) or []:
                state.add_rule(dict(rule))
            # As the flags: `status` or `malformed` alone applies until cleared.
            if "status" in knobs and "status_count" not in knobs:
                knobs["status_count"] = -1
            if knobs.get("malformed") and "malformed_count" not in knobs:
                knobs["malformed_count"] = -1
            for key, value in knobs.items():
                setattr(faults, key, value)
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        return error(400, f"bad fault knobs: {exc}")
    return _json(faults.__dict__)


def _malformed(kind: str, path: str) -> web.Response:
    if kind == "html":
        return web.Response(
            text="<html><body><h1>502 Bad Gateway</h1></body></html>",
            status=200, content_type="text/html",
        )
    if kind == "truncated":
        return web.Response(
            body=b'{"ProxySession": {"VoiceConnectorId": "abc', status=200,
            content_type="application/json",
        )
    wrong: dict[str, Any] = {
        "ProxySessionId": 12, "Status": ["Open"], "ExpiryMinutes": "sixty",
        "Capabilities": "Voice", "CreatedTimestamp": "yesterday", "Participants": [1, None],
    }
    if kind == "shape":  # valid JSON, but not this operation's answer
        return _json({"Items": [{"Id": "x"}], "Next": None})
    if path.endswith("/proxy"):  # GetVoiceConnectorProxy
        return _json({"Proxy": {"DefaultSessionExpiryMinutes": "sixty", "Disabled": "no",
                                "PhoneNumberCountries": "US"}})
    key = "ProxySessions" if path.endswith("proxy-sessions") else "ProxySession"
    return _json({key: [wrong] if key == "ProxySessions" else wrong})


@web.middleware
async def faults_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    state: EmulatorState = request.app[STATE_KEY]
    path = request.path
    admin = path.startswith("/_emulator")
    response: web.StreamResponse | None = None
    status = 0
    if admin:
        return cast(web.StreamResponse, await handler(request))
    with state.lock:
        state.in_flight += 1
        state.max_in_flight = max(state.max_in_flight, state.in_flight)
    try:
        f = state.faults
        rule = state.next_request(path)
        if (f.latency or rule is not None and rule.get("latency")) and request.can_read_body:
            # A slow answer to a request that arrived whole: a client that gives up
            # waiting does not undo it (a write is done, as on the service).
            await request.read()
        if f.latency:
            await asyncio.sleep(float(f.latency))
        if rule is not None and rule.get("latency"):
            await asyncio.sleep(float(rule["latency"]))
        applies = f.only_path is None or f.only_path in path
        with state.lock:
            if rule is not None and rule.get("drop") or applies and f.drop:
                if rule is None or not rule.get("drop"):
                    f.drop -= 1 if f.drop > 0 else 0
                assert request.transport is not None
                request.transport.close()
                status = -1
                raise asyncio.CancelledError  # nothing is answered
            if rule is not None and rule.get("throttle"):
                response = error(429)
            elif rule is not None and rule.get("status"):
                response = error(int(rule["status"]), rule.get("message"))
            elif rule is not None and rule.get("malformed"):
                response = _malformed(str(rule["malformed"]), path)
            elif applies and f.throttle:
                f.throttle -= 1 if f.throttle > 0 else 0
                response = error(429)
            elif applies and f.status and f.status_count:
                f.status_count -= 1 if f.status_count > 0 else 0
                response = error(int(f.status))
            elif "authorization" not in {k.lower() for k in request.headers}:
                response = error(403, "Missing Authentication Token")
            elif f.deny_keys and _access_key(request) in f.deny_keys:
                response = error(403, "The security token included in the request is expired")
            elif applies and f.malformed and f.malformed_count and request.method == "GET":
                f.malformed_count -= 1 if f.malformed_count > 0 else 0
                response = _malformed(f.malformed, path)
        if response is None:
            response = await handler(request)
        return response
    finally:
        with state.lock:
            state.in_flight -= 1
        if response is not None:
            status = response.status
        state.record(
            RequestRecord(
                at=state.clock(), method=request.method, path=path,
                query=request.query_string, status=status,
                authorization="authorization" in {k.lower() for k in request.headers},
            )
        )


def _access_key(request: web.Request) -> str | None:
    """The access key ID from a SigV4 Authorization header's Credential= scope."""
    auth = request.headers.get("Authorization", "")
    _, _, rest = auth.partition("Credential=")
    return rest.split("/", 1)[0] if rest else None


def make_web_app(state: EmulatorState) -> web.Application:
    app = web.Application(middlewares=[faults_middleware])
    app[STATE_KEY] = state
    r = app.router
    r.add_get("/voice-connectors", list_voice_connectors)
    r.add_get("/voice-connectors/{vc}", get_voice_connector)
    r.add_get("/voice-connectors/{vc}/proxy-sessions", list_proxy_sessions)
    r.add_post("/voice-connectors/{vc}/proxy-sessions", create_proxy_session)
    r.add_get("/voice-connectors/{vc}/proxy-sessions/{sid}", get_proxy_session)
    r.add_post("/voice-connectors/{vc}/proxy-sessions/{sid}", update_proxy_session)
    r.add_delete("/voice-connectors/{vc}/proxy-sessions/{sid}", delete_proxy_session)
    proxy = "/voice-connectors/{vc}/programmable-numbers/proxy"
    r.add_get(proxy, get_voice_connector_proxy)
    r.add_put(proxy, put_voice_connector_proxy)
    r.add_delete(proxy, delete_voice_connector_proxy)
    r.add_get("/_emulator/faults", get_faults)
    r.add_post("/_emulator/faults", set_faults)
    return app


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


SHUTDOWN_GRACE = 0.5  # seconds in-flight requests get when the endpoint stops


class EmulatorServer:
    """Run the endpoint on `host:port` (port 0: a free one) in a background thread."""

    def __init__(self, state: EmulatorState, host: str = "127.0.0.1", port: int = 0,
                 *, allow_remote: bool = False, ssl_context: Any = None) -> None:
        """ssl_context: serve HTTPS with this `ssl.SSLContext` (for TLS tests)."""
        if host not in LOOPBACK and not allow_remote:
            raise ValueError(f"refusing to bind {host}: the emulator binds loopback unless allowed")
        self.state = state
        self.host = host
        self.port = port
        self.ssl_context = ssl_context
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        scheme = "https" if self.ssl_context is not None else "http"
        return f"{scheme}://{host}:{self.port}"

    async def start_async(self) -> None:
        # Stopping does not wait for requests held by a latency fault (aiohttp would wait
        # up to 60 s for them): they are cut after a short grace period.
        self._runner = web.AppRunner(make_web_app(self.state), access_log=None,
                                     handle_signals=False, shutdown_timeout=SHUTDOWN_GRACE)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, ssl_context=self.ssl_context)
        await site.start()
        # The bound port (port 0 asks for a free one), from aiohttp's public addresses.
        self.port = int(self._runner.addresses[0][1])

    async def stop_async(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def start(self) -> EmulatorServer:
        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self.start_async())
            except BaseException as exc:  # reported to the starting thread
                self._error = exc
                self._ready.set()
                return
            self._ready.set()
            loop.run_forever()
            loop.run_until_complete(self.stop_async())
            loop.close()

        self._thread = threading.Thread(target=run, name="chime-emulator", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._error:
            raise self._error
        return self

    def stop(self) -> None:
        if self._loop and self._thread:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._thread = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
