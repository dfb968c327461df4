"""The AWS door on the wire: ``POST /`` with ``X-Amz-Target: TrentService.<Action>``.

One endpoint serves every route: it names the caller (SigV4, or a bearer token for callers
without an SDK), finds the route, reads the body into the operation's request, runs the pipeline
(``api.invoke``) and writes the response, or the failure as AWS's JSON protocol has it:
``{"__type": "<Exception>", "message": "..."}`` with the status ``api.invoke.fault`` gives, so
AWS SDKs raise the exception classes they model (and retry a dependency out of reach: 503,
``Retry-After``). Every answer carries ``x-amzn-RequestId``, the
id the request log line and the audit events have.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import Headers
from starlette.routing import Route as StarletteRoute
from starlette.types import Receive, Scope, Send

from api import jsonio, messages
from api.authentication import authenticate_bearer
from api.calls import Door
from api.http import FrontDoor
from api.invoke import Caller, fault, invoke
from api.middleware import request_state, services_of
from api.principals import Principal
from api.services import Services
from aws.errors import (
    MissingAuthenticationTokenException,
    SerializationException,
    UnknownOperationException,
)
from aws.routes import Route
from aws.sigv4 import SignedRequest, is_sigv4, signed_by

AWS_PATH = "/"
CONTENT_TYPE = "application/x-amz-json-1.1"
REQUEST_ID_HEADER = "x-amzn-RequestId"


async def authenticate(services: Services, request: SignedRequest) -> Principal:
    """The caller: SigV4 as SDKs sign, or ``Authorization: Bearer`` as GraphQL callers hold."""
    header = request.headers.get("authorization")
    if not header:
        raise MissingAuthenticationTokenException(messages.MISSING_AUTHENTICATION_TOKEN.format())
    if is_sigv4(header):
        return await signed_by(services, request, header)
    principal = await authenticate_bearer(services, header)
    if principal is None:
        raise messages.INVALID_SECURITY_TOKEN()
    return principal


def parse_body(body: bytes) -> Any:
    """The request's JSON; AWS SDKs send ``{}`` for no members, and an empty body means it too.

    A lone UTF-16 surrogate (``"\\ud800"``) is valid JSON but no Unicode text, so no UTF-8
    to store or sign: ``ValidationException``, as the GraphQL door answers it. Only a body with a
    ``\\u`` escape can hold one; the rest (most SDK bodies: base64 and ASCII names) skip the
    check."""
    if not body.strip():
        return {}
    try:
        parsed = jsonio.loads(body)
    except (ValueError, RecursionError):
        raise SerializationException(messages.NOT_JSON.format()) from None
    if b"\\u" in body:
        try:
            json.dumps(parsed, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise messages.LONE_SURROGATE() from None
    return parsed


def _compact_ascii(answer: Any) -> bytes:
    """The door's JSON before orjson wrote it, for what orjson cannot write (``api.jsonio``)."""
    return json.dumps(answer, separators=(",", ":")).encode()


async def read_body(receive: Receive) -> bytes:
    chunks = []
    more = True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


class AwsEndpoint:
    """Plain ASGI rather than Starlette's Request and Response: every service-to-service crypto
    call passes here, and those objects cost more than the protocol needs (bench/README.md)."""

    def __init__(self, routes: Mapping[str, Route]) -> None:
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = request_state(scope)
        retry_after = None
        try:
            status, answer = 200, await self._answer(scope, receive, state)
        except Exception as exc:
            failure = fault(exc)
            status, answer = failure.status, {"__type": failure.code, "message": failure.message}
            retry_after = failure.retry_after
        body = jsonio.dumps(answer, _compact_ascii)
        headers = [
            (b"content-type", CONTENT_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
            (REQUEST_ID_HEADER.encode(), state["request_id"].encode()),
        ]
        if retry_after is not None:
            headers.append((b"retry-after", str(retry_after).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _answer(self, scope: Scope, receive: Receive, state: dict[str, Any]) -> Any:
        services = services_of(scope)
        signed = SignedRequest(
            method=scope["method"],
            path=scope["path"],
            query=scope["query_string"].decode("latin-1"),
            headers=Headers(scope=scope),
            body=await read_body(receive),
        )
        principal = state["principal"] = await authenticate(services, signed)
        target = signed.headers.get("x-amz-target", "")
        route = self.routes.get(target)
        if route is None:
            raise UnknownOperationException(messages.UNKNOWN_OPERATION.format(target=target))
        operation = route.operation
        state["operations"] = [operation.field]
        client = scope.get("client")
        caller = Caller(
            principal=principal,
            request_id=state["request_id"],
            source_ip=client[0] if client else None,
            via_service=services.settings.via_service(signed.headers.get),
            door=Door.AWS,
        )
        result = await invoke(services, caller, operation, route.read(parse_body(signed.body)))
        return route.write(result)


def aws_front_door(routes: Mapping[str, Route]) -> FrontDoor:
    return FrontDoor(
        routes=[StarletteRoute(AWS_PATH, AwsEndpoint(routes), methods=["POST"])],
        paths=[AWS_PATH],
        authenticated_by_door=[AWS_PATH],
    )
