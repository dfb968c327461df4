"""HTTP middleware shared by every front door: request ids and logs, a coded answer to any
failure, body limits, CORS, bearer tokens and browser sessions.

One pure ASGI layer rather than one per concern (or Starlette's BaseHTTPMiddleware, which costs
a task and a copy per layer): it runs on every request of a service called thousands of times a
second, and four layers cost four frames, three send wrappers and three scans of the headers
per request (bench/README.md, "Less per request").
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Iterable, Iterator
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import cookie_parser
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import messages
from api.authentication import authenticate_bearer
from api.errors import UnrecognizedClientException
from api.invoke import Fault, fault
from api.principals import Principal
from api.services import Services
from api.sessions import SESSION_COOKIE, session_principal

log = logging.getLogger("keygraph.request")

REQUEST_ID_HEADER = "x-request-id"
_INCOMING_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# The request headers the layer reads, by their ASGI (lower-case) names.
_REQUEST_ID = REQUEST_ID_HEADER.encode()
_CONTENT_LENGTH = b"content-length"
_AUTHORIZATION = b"authorization"
_COOKIE = b"cookie"
_CSRF = b"x-keygraph-csrf"
_ORIGIN = b"origin"
_PREFLIGHT_METHOD = b"access-control-request-method"
_READ_HEADERS = frozenset(
    (_REQUEST_ID, _CONTENT_LENGTH, _AUTHORIZATION, _COOKIE, _CSRF, _ORIGIN, _PREFLIGHT_METHOD)
)
# Methods a page of another site cannot make a browser send with a custom header unasked: a
# request signed in by the cookie with any other method must carry ``X-Keygraph-CSRF: 1``.
_SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))

# CORS (``KEYGRAPH_CORS_ORIGINS``). A page of an allowed origin calls with ``Authorization``
# (a bearer token, or SigV4 with the AWS SDK's headers), never with the session cookie: no
# ``Access-Control-Allow-Credentials``, and ``X-Keygraph-CSRF`` is not an allowed header, so a
# cross-origin request can never be one the cookie signs in.
_CORS_METHODS = b"GET, POST, DELETE"
_CORS_HEADERS = (
    b"Authorization, Content-Type, X-Request-Id, X-Amz-Target, X-Amz-Date, "
    b"X-Amz-Content-Sha256, X-Amz-User-Agent, Amz-Sdk-Invocation-Id, Amz-Sdk-Request"
)
_CORS_EXPOSED = b"X-Request-Id, Retry-After"
_CORS_MAX_AGE = b"600"
_VARY_ORIGIN = (b"vary", b"Origin")


def services_of(scope: Scope) -> Services:
    services: Services = scope["app"].state.services
    return services


def request_state(scope: Scope) -> dict[str, Any]:
    state: dict[str, Any] = scope.setdefault("state", {})
    return state


def coded_error(code: str, message: str) -> dict[str, Any]:
    """The body of a refusal outside a door, as GraphQL callers read one."""
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def refusal(status: int, code: str, message: str) -> Response:
    return JSONResponse(coded_error(code, message), status)


async def send_json_error(scope: Scope, send: Send, failure: Fault) -> None:
    """An error body the caller's protocol reads, for failures that happen before its door: AWS's
    JSON (``__type``, ``message``) for a request that names an AWS target, GraphQL's otherwise;
    ``Retry-After`` when the failure passes."""
    error: dict[str, Any]
    if "x-amz-target" in Headers(scope=scope):
        error = {"__type": failure.code, "message": failure.message}
    else:
        error = coded_error(failure.code, failure.message)
    body = json.dumps(error).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if failure.retry_after is not None:
        headers.append((b"retry-after", str(failure.retry_after).encode()))
    await send({"type": "http.response.start", "status": failure.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _RequestIds:
    """Request ids as ``uuid.uuid4().hex`` makes them (32 hex digits, version 4, RFC 4122
    variant), from ``os.urandom`` read for 256 ids at a time: ``uuid4`` asks the kernel for 16
    bytes per request, a system call that lets the HSM threads take the GIL from the event loop,
    and builds a ``UUID`` object only to print it. A forked child starts with fresh ones."""

    _BATCH = 256
    _CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
    _SET = (4 << 76) | (0x8000 << 48)

    def __init__(self) -> None:
        self._ids: Iterator[str] = iter(())
        os.register_at_fork(after_in_child=self._forget)

    def next(self) -> str:
        request_id = next(self._ids, None)
        if request_id is None:
            self._ids = iter(self._batch())
            request_id = next(self._ids)
        return request_id

    def _batch(self) -> list[str]:
        random = os.urandom(16 * self._BATCH)
        return [
            f"{int.from_bytes(random[at : at + 16]) & self._CLEAR | self._SET:032x}"
            for at in range(0, len(random), 16)
        ]

    def _forget(self) -> None:
        self._ids = iter(())


_request_ids = _RequestIds()


class RequestLayer:
    """What every request passes through before its door, in this order:

    - an id, the caller's ``X-Request-Id`` when it is a plain token of up to 64 characters, else
      a new one; echoed in the response's ``X-Request-Id``;
    - a failure that escapes before the response started (Postgres out of reach while a token
      is looked up, a bug) is answered as ``api.invoke.fault`` presents it, in the caller's
      protocol: a coded body, 503 and ``Retry-After`` for a dependency out of reach, never
      Starlette's plain-text 500. Failing closed stays: the request is answered, not let
      through. Once the response has started there is no other answer to give, so the failure
      goes on up;
    - a body over ``max_bytes`` is refused with 413 before anything parses it. The body is read
      here (up to the limit) and replayed to the app, so a client that lies in Content-Length or
      streams without one is held to the same limit;
    - CORS: a preflight (``OPTIONS`` with ``Access-Control-Request-Method``) is answered here,
      without credentials: 204 and the ``Access-Control-*`` headers for an origin of
      ``cors_origins``, 403 and none for any other. An allowed origin's other requests get
      ``Access-Control-Allow-Origin``; with an allow-list set, every response varies by Origin;
    - outside ``public`` (and ``public_prefixes``, ``public_requests`` and the IDE page, which
      hold no data), a live principal: ``Authorization: Bearer <token>`` when the header is
      there, otherwise the session cookie (``api.sessions``), whose requests other than GET,
      HEAD and OPTIONS must carry ``X-Keygraph-CSRF: 1`` (403 otherwise: a page of another site
      can make a browser send the cookie, not that header). Missing, malformed, unknown,
      expired and revoked credentials all get the same 401 and the same words, so a caller
      learns nothing about which part was wrong. One that cannot be looked up lets nothing
      through: its failure is answered 503 as above;
    - once the app has answered, one JSON log line and the HTTP metrics. The line holds the
      method, route, status, duration, caller ARN and operations; never a header (the cookie
      and its session id included), a body or a query string, which is where secrets travel.
      The route is a served path, a public prefix for any path under it, or ``other``.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Iterable[str],
        max_bytes: int,
        public: Iterable[str],
        ide_path: str | None,
        public_prefixes: Iterable[str] = (),
        public_requests: Iterable[tuple[str, str]] = (),
        cors_origins: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.routes = frozenset(routes)
        self.max_bytes = max_bytes
        self.public = frozenset(public)
        self.ide_path = ide_path
        self.public_prefixes = tuple(public_prefixes)
        self.public_requests = frozenset(public_requests)
        self.cors_origins = frozenset(cors_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = _read_headers(scope)
        incoming = headers.get(_REQUEST_ID, "")
        request_id = incoming if _INCOMING_REQUEST_ID.match(incoming) else _request_ids.next()
        state = request_state(scope)
        state["request_id"] = request_id
        status = 500
        responded = False

        cors = self._cors_headers(headers.get(_ORIGIN))

        async def send_with_id(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                responded = True
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
                if cors:
                    message["headers"] = [*message.get("headers", ()), *cors]
            await send(message)

        try:
            try:
                await self._admit(scope, receive, send_with_id, headers, state)
            except Exception as exc:
                if responded:
                    raise
                await send_json_error(scope, send_with_id, fault(exc))
        finally:
            self._record(scope, state, status, time.perf_counter() - started)

    async def _admit(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: dict[bytes, str],
        state: dict[str, Any],
    ) -> None:
        """A CORS preflight, or the body limit, then the credentials, then the app."""
        if scope["method"] == "OPTIONS" and _PREFLIGHT_METHOD in headers:
            await self._preflight(scope, send, headers.get(_ORIGIN))
            return
        if scope["method"] not in ("GET", "HEAD"):
            declared = headers.get(_CONTENT_LENGTH, "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                await self._refuse(scope, send)
                return
            body = await self._body(receive)
            if body is None:
                return
            if len(body) > self.max_bytes:
                await self._refuse(scope, send)
                return
            receive = _replay(body, receive)
        if not self._is_public(scope):
            found = await self._principal(scope, headers, state)
            if isinstance(found, Fault):
                await send_json_error(scope, send, found)
                return
            state["principal"] = found
        await self.app(scope, receive, send)

    def _is_public(self, scope: Scope) -> bool:
        path = scope["path"]
        return (
            path in self.public
            or path.startswith(self.public_prefixes)
            or (scope["method"], path) in self.public_requests
            or self._is_ide_page(scope)
        )

    async def _principal(
        self, scope: Scope, headers: dict[bytes, str], state: dict[str, Any]
    ) -> Principal | Fault:
        """Who the credentials name, or the refusal: the bearer token when ``Authorization`` is
        there (never the cookie instead of a wrong token), else the session cookie, whose id goes
        into ``state`` for sign-out. A cookie without the CSRF header is refused before its
        session is looked up."""
        services = services_of(scope)
        principal = None
        authorization = headers.get(_AUTHORIZATION)
        if authorization is not None:
            principal = await authenticate_bearer(services, authorization)
        elif session_id := cookie_parser(headers.get(_COOKIE, "")).get(SESSION_COOKIE):
            if scope["method"] not in _SAFE_METHODS and headers.get(_CSRF) != "1":
                refused = messages.CSRF_HEADER_REQUIRED()
                return Fault(refused.code, refused.message, 403)
            principal = await session_principal(services, session_id)
            if principal is not None:
                state["session_id"] = session_id
        if principal is None:
            invalid = messages.INVALID_SECURITY_TOKEN
            return Fault(UnrecognizedClientException.code, invalid.text, 401)
        return principal

    def _cors_headers(self, origin: str | None) -> list[tuple[bytes, bytes]]:
        """What a response adds for CORS: nothing without an allow-list; ``Vary: Origin`` with
        one (the response depends on it); the origin itself when it is allowed."""
        if not self.cors_origins:
            return []
        if origin is None or origin not in self.cors_origins:
            return [_VARY_ORIGIN]
        return [
            _VARY_ORIGIN,
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-expose-headers", _CORS_EXPOSED),
        ]

    async def _preflight(self, scope: Scope, send: Send, origin: str | None) -> None:
        if origin is None or origin not in self.cors_origins:
            refused = messages.CORS_ORIGIN_REFUSED()
            await send_json_error(scope, send, Fault(refused.code, refused.message, 403))
            return
        headers = [
            (b"access-control-allow-methods", _CORS_METHODS),
            (b"access-control-allow-headers", _CORS_HEADERS),
            (b"access-control-max-age", _CORS_MAX_AGE),
            (b"content-length", b"0"),
        ]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async def _body(self, receive: Receive) -> bytes | None:
        """The whole body, or as much as shows it is over the limit; None if the client left."""
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            chunks.append(chunk)
            if size > self.max_bytes:
                break
            more = message.get("more_body", False)
        return b"".join(chunks)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        message = f"The request body is larger than {self.max_bytes} bytes."
        await send_json_error(scope, send, Fault("ValidationException", message, 413))

    def _is_ide_page(self, scope: Scope) -> bool:
        return self.ide_path is not None and wants_ide_page(scope, self.ide_path)

    def _record(self, scope: Scope, state: dict[str, Any], status: int, seconds: float) -> None:
        route = _route(scope["path"], self.routes, self.public_prefixes)
        services_of(scope).metrics.observe_http(route, status, seconds)
        principal = state.get("principal")
        fields = {
            "request_id": state["request_id"],
            "method": scope["method"],
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
            "principal": principal.arn if principal is not None else None,
            "operations": state.get("operations", []),
        }
        log.info("request", extra={"fields": fields})


def _route(path: str, routes: frozenset[str], prefixes: tuple[str, ...]) -> str:
    """The metric and log label of ``path``: bounded, whatever paths callers send."""
    if path in routes:
        return path
    for prefix in prefixes:
        if path.startswith(prefix):
            return prefix.rstrip("/")
    return "other"


def _read_headers(scope: Scope) -> dict[bytes, str]:
    """The headers the layer reads, in one pass; the first of a repeated one, as Starlette's
    ``Headers.get`` gives it."""
    found: dict[bytes, str] = {}
    for name, value in scope["headers"]:
        if name in _READ_HEADERS and name not in found:
            found[name] = value.decode("latin-1")
    return found


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` for the app: the body read by the layer, then whatever the client sends next
    (its disconnect)."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def wants_ide_page(scope: Scope, path: str) -> bool:
    """A browser asking for the IDE page, whatever its query string (GraphiQL keeps the query
    there, so a reload or a shared link has one): it holds no data; the queries it sends carry
    credentials."""
    if scope["path"] != path or scope["method"] != "GET":
        return False
    return "text/html" in Headers(scope=scope).get("accept", "")
