"""GraphQL over a WebSocket at ``/graphql``: the graphql-transport-ws protocol (the one of the npm
package ``graphql-ws``, which Apollo's and urql's clients speak), for the audit subscription.

The protocol, as graphql-ws's PROTOCOL.md states it:

- the socket is opened with the subprotocol ``graphql-transport-ws`` (otherwise closed 4406);
- the client sends ``connection_init`` within ``INIT_SECONDS`` (else 4408), once (a second: 4429);
  the server answers ``connection_ack`` once it knows the caller (else 4403);
- ``ping`` is answered ``pong``; a ``pong`` is taken as it is;
- ``subscribe`` (before the ack: 4401; an id already running: 4409) runs the document: a
  subscription's results each as ``next``, then ``complete`` when the stream ends; a query's or
  mutation's one result as ``next`` then ``complete``; a document refused before it ran
  (validation, a refused subscription) as ``error`` with its errors, and no ``complete``;
- ``complete`` from the client stops that subscription;
- anything else closes the socket with 4400 and what was wrong.

The caller is named by ``connection_init``'s payload ``{"Authorization": "Bearer <token>"}``, or
else by the browser's session cookie, which counts only when the page that opened the socket is
the server's own (the ``Origin`` header names this host): browsers send cookies with WebSockets
from any page and apply no CORS to them, so without this check any site a signed-in user visits
could read the trail through the user's session. Origins of ``KEYGRAPH_CORS_ORIGINS`` get no
exception: as over HTTP (``api.browser``), a page elsewhere names its caller with a token.

The credentials are checked again every ``RECHECK_SECONDS``: once a session is signed out or
has expired, or a token or principal is revoked, the socket is closed with 4403.

A connection holds at most ``MAX_SUBSCRIPTIONS`` running operations; one more is answered with
``error`` (LimitExceededException) and the others stand. A subscriber's events are read from the
trail at the pace the socket takes them (``api.audit.feed``): a client that reads slowly holds
nothing in memory here, it only falls behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from graphql import ExecutionResult, GraphQLError
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from api import jsonio, messages
from api.audit.feed import AuditFeed
from api.authentication import authenticate_bearer
from api.middleware import request_state
from api.principals import Principal
from api.services import Services
from api.sessions import SESSION_COOKIE, session_principal
from api.settings import Settings
from schema.context import Context
from schema.executor import Executor, GraphQLRequest

log = logging.getLogger("keygraph.errors")

SUBPROTOCOL = "graphql-transport-ws"
# How long a client has to send connection_init after the socket opened.
INIT_SECONDS = 10.0
# Operations one connection may run at once.
MAX_SUBSCRIPTIONS = 10
# How often an open connection's credentials are checked again (a session signed out, a token
# revoked: the socket closes within this).
RECHECK_SECONDS = 5.0

# Close codes of graphql-ws's PROTOCOL.md.
BAD_REQUEST = 4400
UNAUTHORIZED = 4401
FORBIDDEN = 4403
SUBPROTOCOL_NOT_ACCEPTABLE = 4406
INIT_TIMEOUT = 4408
SUBSCRIBER_EXISTS = 4409
TOO_MANY_INITS = 4429
INTERNAL_ERROR = 4500


class _Gone(Exception):
    """The socket closed while something was being sent on it."""


class _Closed(Exception):
    """Close the socket with ``code`` and ``reason``."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _invalid(why: str) -> _Closed:
    return _Closed(BAD_REQUEST, messages.WS_INVALID_MESSAGE.format(why=why))


class SubscriptionEndpoint:
    """The WebSocket route at ``/graphql``. The HTTP request layer lets WebSockets through
    untouched: the caller is authenticated here, in ``connection_init``."""

    def __init__(self, executor: Executor, settings: Settings) -> None:
        self.executor = executor
        self.settings = settings
        self.feed = AuditFeed(settings.database_url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        socket = WebSocket(scope, receive, send)
        offered = scope.get("subprotocols") or []
        if SUBPROTOCOL not in offered:
            await socket.accept()
            await socket.close(SUBPROTOCOL_NOT_ACCEPTABLE, messages.WS_SUBPROTOCOL.format())
            return
        await socket.accept(SUBPROTOCOL)
        connection = _Connection(self, socket)
        try:
            await connection.serve()
        except _Closed as closed:
            await connection.close(closed.code, closed.reason)
        except (WebSocketDisconnect, _Gone):
            pass  # the client left
        finally:
            await connection.stop_all()


class _Connection:
    """One socket: its caller once acknowledged, and its running operations by id."""

    def __init__(self, endpoint: SubscriptionEndpoint, socket: WebSocket) -> None:
        self.endpoint = endpoint
        self.socket = socket
        self.principal: Principal | None = None
        self.running: dict[str, asyncio.Task[None]] = {}
        self.sending = asyncio.Lock()
        self.watchdog: asyncio.Task[None] | None = None

    @property
    def services(self) -> Services:
        services: Services = self.socket.app.state.services
        return services

    async def serve(self) -> None:
        deadline = asyncio.get_running_loop().time() + INIT_SECONDS
        while self.principal is None:
            left = deadline - asyncio.get_running_loop().time()
            try:
                message = await asyncio.wait_for(self._receive(), max(left, 0))
            except TimeoutError:
                raise _Closed(INIT_TIMEOUT, messages.WS_INIT_TIMEOUT.format()) from None
            kind = message["type"]
            if kind == "connection_init":
                await self._init(message)
            elif kind == "subscribe":
                raise _Closed(UNAUTHORIZED, messages.WS_UNAUTHORIZED.format())
            elif kind in ("ping", "pong"):
                await self._keep_alive(kind)
            else:
                raise _invalid(f"unknown type {kind!r}")
        while True:
            await self._handle(await self._receive())

    async def _init(self, message: dict[str, Any]) -> None:
        payload = message.get("payload")
        if payload is not None and not isinstance(payload, dict):
            raise _invalid("connection_init payload must be an object")
        principal = await self._authenticate(payload or {})
        if principal is None:
            raise _Closed(FORBIDDEN, messages.WS_FORBIDDEN.format())
        self.principal = principal
        self.watchdog = asyncio.create_task(self._watch(payload or {}))
        await self._send({"type": "connection_ack"})

    async def _watch(self, payload: dict[str, Any]) -> None:
        """Close the socket (4403) once its credentials no longer hold: a session signed out or
        expired, a token or principal revoked. Checked every ``RECHECK_SECONDS``."""
        while True:
            await asyncio.sleep(RECHECK_SECONDS)
            if await self._authenticate(payload) != self.principal:
                await self.close(FORBIDDEN, messages.WS_FORBIDDEN.format())
                return

    async def _authenticate(self, payload: dict[str, Any]) -> Principal | None:
        """The bearer token of the payload when it has one (and nothing else then), else the
        session cookie of a page of the server's own origin."""
        given = payload.get("Authorization", payload.get("authorization"))
        if given is not None:
            return await authenticate_bearer(self.services, str(given))
        session_id = self.socket.cookies.get(SESSION_COOKIE)
        if session_id is None or not self._allowed_origin():
            return None
        return await session_principal(self.services, session_id)

    def _allowed_origin(self) -> bool:
        origin = self.socket.headers.get("origin")
        if origin is None:
            return False
        host = self.socket.headers.get("host", "").lower()
        return bool(host) and urlsplit(origin.lower()).netloc == host

    async def _handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "connection_init":
            raise _Closed(TOO_MANY_INITS, messages.WS_TOO_MANY_INITS.format())
        if kind in ("ping", "pong"):
            await self._keep_alive(kind)
        elif kind == "subscribe":
            await self._subscribe(message)
        elif kind == "complete":
            task = self.running.pop(_operation_id(message), None)
            if task is not None:
                task.cancel()
        else:
            raise _invalid(f"unknown type {kind!r}")

    async def _keep_alive(self, kind: str) -> None:
        """A ping, at any time, is answered with a pong; a pong needs no answer."""
        if kind == "ping":
            await self._send({"type": "pong"})

    async def _subscribe(self, message: dict[str, Any]) -> None:
        operation_id = _operation_id(message)
        request = _graphql_request(message.get("payload"))
        if operation_id in self.running:
            reason = messages.WS_SUBSCRIBER_EXISTS.format(id=operation_id).encode("utf-8")
            raise _Closed(SUBSCRIBER_EXISTS, reason[:_MAX_REASON].decode("utf-8", "ignore"))
        if len(self.running) >= MAX_SUBSCRIPTIONS:
            refusal = messages.SUBSCRIPTIONS_PER_CONNECTION(limit=MAX_SUBSCRIPTIONS)
            error = {"message": refusal.message, "extensions": {"code": refusal.code}}
            await self._send({"id": operation_id, "type": "error", "payload": [error]})
            return
        self.running[operation_id] = asyncio.create_task(self._operate(operation_id, request))

    async def _operate(self, operation_id: str, request: GraphQLRequest) -> None:
        """Run one operation to its end, or until the client completes it."""
        try:
            outcome = await self.endpoint.executor.stream(request, self._context())
            if isinstance(outcome, ExecutionResult):
                if outcome.data is None and _refused_before_running(outcome):
                    errors = [_formatted(error) for error in outcome.errors or []]
                    await self._send({"id": operation_id, "type": "error", "payload": errors})
                    return
                await self._next(operation_id, outcome)
            else:
                await self._forward(operation_id, outcome)
            await self._send({"id": operation_id, "type": "complete"})
        except _Gone:
            return  # the socket went away while an answer was on its way
        except Exception:
            log.exception("subscription %s failed", operation_id)
            await self.close(INTERNAL_ERROR, messages.WS_INTERNAL_ERROR.format())
        finally:
            self.running.pop(operation_id, None)

    async def _forward(self, operation_id: str, stream: AsyncIterator[ExecutionResult]) -> None:
        try:
            async for result in stream:
                await self._next(operation_id, result)
        finally:
            close = getattr(stream, "aclose", None)
            if close is not None:
                await close()

    async def _next(self, operation_id: str, result: ExecutionResult) -> None:
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [_formatted(error) for error in result.errors]
        await self._send({"id": operation_id, "type": "next", "payload": payload})

    def _context(self) -> Context:
        """A context per operation, as per HTTP request: its own request id and calls."""
        assert self.principal is not None
        request_state(self.socket.scope)["request_id"] = uuid.uuid4().hex
        return Context(
            request=self.socket,
            principal=self.principal,
            services=self.services,
            feed=self.endpoint.feed,
        )

    async def _receive(self) -> dict[str, Any]:
        received = await self.socket.receive()
        if received["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(received.get("code", 1000))
        text = received.get("text")
        body = text.encode("utf-8") if text is not None else received.get("bytes") or b""
        try:
            message = jsonio.loads(body)
        except ValueError:
            raise _invalid("not JSON") from None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise _invalid("a message is an object with a string type")
        return message

    async def _send(self, message: dict[str, Any]) -> None:
        async with self.sending:
            try:
                await self.socket.send_text(jsonio.dumps(message).decode("utf-8"))
            except (WebSocketDisconnect, OSError, RuntimeError) as exc:
                # Starlette's RuntimeError: the socket closed (by either side) meanwhile.
                raise _Gone from exc

    async def close(self, code: int, reason: str) -> None:
        if self.socket.application_state is WebSocketState.CONNECTED:
            with contextlib.suppress(RuntimeError, WebSocketDisconnect):
                await self.socket.close(code, reason)

    async def stop_all(self) -> None:
        tasks = list(self.running.values())
        self.running.clear()
        if self.watchdog is not None:
            tasks.append(self.watchdog)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


# A close frame's reason is at most 123 bytes.
_MAX_REASON = 123


def _operation_id(message: dict[str, Any]) -> str:
    operation_id = message.get("id")
    if not isinstance(operation_id, str) or not operation_id:
        raise _invalid(f"{message.get('type')} needs an id")
    return operation_id


def _graphql_request(payload: object) -> GraphQLRequest:
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        raise _invalid("subscribe needs a payload with a query")
    variables, name = payload.get("variables"), payload.get("operationName")
    if variables is not None and not isinstance(variables, dict):
        raise _invalid("variables must be an object")
    if name is not None and not isinstance(name, str):
        raise _invalid("operationName must be a string")
    return GraphQLRequest(payload["query"], variables, name)


def _refused_before_running(result: ExecutionResult) -> bool:
    """Whether a result is a refusal of the document (errors without a path: it did not
    validate, a variable did not coerce, the operation is not allowed) rather than an
    execution's answer."""
    return all(not error.path for error in result.errors or [])


def _formatted(error: GraphQLError) -> dict[str, Any]:
    """As the HTTP door writes an error: an empty message stays empty."""
    return {**error.formatted, "message": error.message}


__all__ = ["SUBPROTOCOL", "SubscriptionEndpoint"]
