"""HTTP middleware shared by every front door: request ids and logs, a coded answer to any
failure, body limits, bearer tokens.

Pure ASGI rather than Starlette's BaseHTTPMiddleware: these run on every request of a service
called thousands of times a second, and each layer of BaseHTTPMiddleware costs a task and a copy.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Iterable
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.authentication import authenticate_request
from api.errors import UnrecognizedClientException
from api.invoke import Fault, fault
from api.services import Services

log = logging.getLogger("keygraph.request")

REQUEST_ID_HEADER = "x-request-id"
_INCOMING_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_INVALID_TOKEN = "The security token included in the request is invalid."  # noqa: S105


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


class RequestLog:
    """Gives each request an id (echoed in ``X-Request-Id``), then logs one JSON line and metrics.

    The line holds the method, route, status, duration, caller ARN and operations; never a header,
    a body or a query string, which is where secrets travel.
    """

    def __init__(self, app: ASGIApp, routes: Iterable[str]) -> None:
        self.app = app
        self.routes = frozenset(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        incoming = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        request_id = incoming if _INCOMING_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        state = request_state(scope)
        state["request_id"] = request_id
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, state, status, time.perf_counter() - started)

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


class CodedFailures:
    """Answers a failure that escapes the app before it answered (Postgres out of reach while a
    token is looked up, a bug) as ``api.invoke.fault`` presents it, in the caller's protocol:
    a coded body, 503 and ``Retry-After`` for a dependency out of reach, never Starlette's
    plain-text 500. Failing closed stays: the request is answered, not let through.

    Once the response has started there is no other answer to give, so the failure goes on up.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception as exc:
            if started:
                raise
            await send_json_error(scope, send, fault(exc))


class BodyLimit:
    """Refuses request bodies over the limit with 413, before anything parses them.

    The body is read here (up to the limit) and replayed to the app, so a client that lies in
    Content-Length or streams without one is held to the same limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        message = f"The request body is larger than {self.max_bytes} bytes."
        await send_json_error(scope, send, Fault("ValidationException", message, 413))


class BearerAuth:
    """Every request outside ``public`` needs ``Authorization: Bearer <token>`` of a live principal.

    Missing, malformed, unknown and revoked tokens all get the same 401 and the same words, so a
    caller learns nothing about which part was wrong. A token that cannot be looked up (Postgres
    out of reach while the cache serves nothing) lets nothing through either: the failure goes up
    to ``CodedFailures``, which answers a retryable 503.
    """

    def __init__(self, app: ASGIApp, public: Iterable[str], ide_path: str | None) -> None:
        self.app = app
        self.public = frozenset(public)
        self.ide_path = ide_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.public or self._is_ide_page(scope):
            await self.app(scope, receive, send)
            return
        principal = None
        scheme, _, token = Headers(scope=scope).get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token:
            principal = await authenticate_request(services_of(scope), token.strip())
        if principal is None:
            await send_json_error(
                scope, send, Fault(UnrecognizedClientException.code, _INVALID_TOKEN, 401)
            )
            return
        request_state(scope)["principal"] = principal
        await self.app(scope, receive, send)

    def _is_ide_page(self, scope: Scope) -> bool:
        return self.ide_path is not None and wants_ide_page(scope, self.ide_path)


def wants_ide_page(scope: Scope, path: str) -> bool:
    """A browser asking for the IDE page: it holds no data; the queries it sends carry a token."""
    if scope["path"] != path or scope["method"] != "GET" or scope.get("query_string"):
        return False
    return "text/html" in Headers(scope=scope).get("accept", "")
