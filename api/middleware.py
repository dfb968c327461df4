"""HTTP middleware shared by every front door: request ids and logs, a coded answer to any
failure, body limits, bearer tokens.

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
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import messages
from api.authentication import authenticate_request
from api.errors import UnrecognizedClientException
from api.invoke import Fault, fault
from api.services import Services

log = logging.getLogger("keygraph.request")

REQUEST_ID_HEADER = "x-request-id"
_INCOMING_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# The request headers the layer reads, by their ASGI (lower-case) names.
_REQUEST_ID = REQUEST_ID_HEADER.encode()
_CONTENT_LENGTH = b"content-length"
_AUTHORIZATION = b"authorization"
_READ_HEADERS = frozenset((_REQUEST_ID, _CONTENT_LENGTH, _AUTHORIZATION))


def services_of(scope: Scope) -> Services:
    services: Services = scope["app"].state.services
    return services


def request_state(scope: Scope) -> dict[str, Any]:
    state: dict[str, Any] = scope.setdefault("state", {})
    return state


async def send_json_error(scope: Scope, send: Send, failure: Fault) -> None:
    """An error body the caller's protocol reads, for failures that happen before its door: AWS's
    JSON (``__type``, ``message``) for a request that names an AWS target, GraphQL's otherwise;
    ``Retry-After`` when the failure passes."""
    error: dict[str, Any]
    if "x-amz-target" in Headers(scope=scope):
        error = {"__type": failure.code, "message": failure.message}
    else:
        error = {"errors": [{"message": failure.message, "extensions": {"code": failure.code}}]}
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
    - outside ``public`` (and the IDE page, which holds no data), ``Authorization: Bearer
      <token>`` of a live principal. Missing, malformed, unknown and revoked tokens all get the
      same 401 and the same words, so a caller learns nothing about which part was wrong. A
      token that cannot be looked up lets nothing through: its failure is answered 503 as above;
    - once the app has answered, one JSON log line and the HTTP metrics. The line holds the
      method, route, status, duration, caller ARN and operations; never a header, a body or a
      query string, which is where secrets travel.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Iterable[str],
        max_bytes: int,
        public: Iterable[str],
        ide_path: str | None,
    ) -> None:
        self.app = app
        self.routes = frozenset(routes)
        self.max_bytes = max_bytes
        self.public = frozenset(public)
        self.ide_path = ide_path

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

        async def send_with_id(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                responded = True
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
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
        """The body limit, then the bearer token, then the app."""
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
        if scope["path"] not in self.public and not self._is_ide_page(scope):
            principal = None
            scheme, _, token = headers.get(_AUTHORIZATION, "").partition(" ")
            if scheme.lower() == "bearer" and token:
                principal = await authenticate_request(services_of(scope), token.strip())
            if principal is None:
                await send_json_error(
                    scope,
                    send,
                    Fault(
                        UnrecognizedClientException.code,
                        messages.INVALID_SECURITY_TOKEN.text,
                        401,
                    ),
                )
                return
            state["principal"] = principal
        await self.app(scope, receive, send)

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
        route = scope["path"] if scope["path"] in self.routes else "other"
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
    """A browser asking for the IDE page: it holds no data; the queries it sends carry a token."""
    if scope["path"] != path or scope["method"] != "GET" or scope.get("query_string"):
        return False
    return "text/html" in Headers(scope=scope).get("accept", "")
