"""The GraphQL front door: POST /graphql runs a request through ``schema.executor``; GET serves
the GraphiQL page of the built dashboard outside production (``api.browser.ide_page``).

The request body is GraphQL over HTTP's JSON: ``query``, ``variables``, ``operationName``, and
``extensions.persistedQuery.sha256Hash`` for a persisted query (Apollo's protocol, so its
clients work as they are). A body that is not such an object, nests deeper than
``Limits.max_json_depth`` or holds text that is not Unicode is answered 400 with a GraphQL error
whose code is ValidationException, as any malformed request is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import ExecutionResult
from starlette.requests import Request
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from api import jsonio
from api.browser import ide_page
from api.http import FrontDoor
from api.middleware import request_state, wants_ide_page
from api.settings import ConfigurationError, Limits, Mode, Settings
from schema.build import KeygraphSchema
from schema.context import Context
from schema.errors import MALFORMED_REQUEST
from schema.executor import Executor, GraphQLRequest
from schema.subscriptions import SubscriptionEndpoint

GRAPHQL_PATH = "/graphql"
_JSON_HEADER = (b"content-type", b"application/json")


class MalformedRequest(Exception):
    """The body is not a GraphQL request."""


def graphql_request(body: bytes, limits: Limits) -> GraphQLRequest:
    try:
        given = jsonio.loads(body)
    except RecursionError:
        raise MalformedRequest(_too_deep(limits)) from None
    except ValueError:
        raise MalformedRequest("The request body is not JSON.") from None
    _check_values(given, limits)
    if not isinstance(given, dict):
        raise MalformedRequest("The request body must be a JSON object.")
    query, variables = given.get("query"), given.get("variables")
    operation_name, extensions = given.get("operationName"), given.get("extensions") or {}
    if query is not None and not isinstance(query, str):
        raise MalformedRequest("query must be a string.")
    if variables is not None and not isinstance(variables, dict):
        raise MalformedRequest("variables must be an object.")
    if operation_name is not None and not isinstance(operation_name, str):
        raise MalformedRequest("operationName must be a string.")
    sha256 = _persisted_hash(extensions)
    if query is None and sha256 is None:
        raise MalformedRequest("A request needs a query or a persisted query hash.")
    return GraphQLRequest(query, variables, operation_name, sha256)


def _check_values(given: object, limits: Limits) -> None:
    """Refuse what JSON decodes but nothing after it should meet: nesting deeper than
    ``limits.max_json_depth`` (graphql-core coerces variables recursively), and a lone UTF-16
    surrogate (``"\\ud800"`` is valid JSON but no Unicode text: it cannot be encoded to hash
    the query or to store a value)."""
    pending: list[tuple[object, int]] = [(given, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            _check_text(value)
            continue
        if isinstance(value, dict):
            items: list[object] = [*value.keys(), *value.values()]
        elif isinstance(value, list):
            items = value
        else:
            continue
        if depth == limits.max_json_depth:
            raise MalformedRequest(_too_deep(limits))
        pending.extend((item, depth + 1) for item in items)


def _check_text(text: str) -> None:
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedRequest(
            "The request holds a lone UTF-16 surrogate, which is not Unicode text."
        ) from None


def _too_deep(limits: Limits) -> str:
    return f"The request body nests deeper than {limits.max_json_depth} levels."


def _persisted_hash(extensions: object) -> str | None:
    if not isinstance(extensions, Mapping):
        raise MalformedRequest("extensions must be an object.")
    persisted = extensions.get("persistedQuery")
    if persisted is None:
        return None
    digest = persisted.get("sha256Hash") if isinstance(persisted, Mapping) else None
    if not isinstance(digest, str):
        raise MalformedRequest("extensions.persistedQuery needs a sha256Hash string.")
    return digest.lower()


def _body(result: ExecutionResult) -> dict[str, Any]:
    """The response body; an empty message stays empty (AWS's InvalidCiphertextException says
    nothing, and graphql-core's formatting would put "An unknown error occurred." there)."""
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [{**error.formatted, "message": error.message} for error in result.errors]
    return body


def _malformed(message: str) -> tuple[int, dict[str, Any]]:
    error = {"message": message, "extensions": {"code": MALFORMED_REQUEST}}
    return 400, {"data": None, "errors": [error]}


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    """What Starlette's ``JSONResponse`` sends (same headers, same JSON), written by orjson and
    without the response object: one per request (bench/README.md, "Less per request")."""
    content = jsonio.dumps(body)
    headers = [(b"content-length", str(len(content)).encode()), _JSON_HEADER]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


class GraphQLEndpoint:
    """Only authenticated requests reach it (``api.middleware.RequestLayer``), except the IDE
    page, which holds no data."""

    def __init__(self, executor: Executor, ide: ASGIApp | None, limits: Limits) -> None:
        self.executor = executor
        self.ide = ide
        self.limits = limits

    @property
    def schema(self) -> KeygraphSchema:
        return self.executor.schema

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.ide is not None and wants_ide_page(scope, GRAPHQL_PATH):
            await self.ide(scope, receive, send)
            return
        request = Request(scope, receive)
        status, body = await self._respond(request)
        await _send_json(send, status, body)

    async def _respond(self, request: Request) -> tuple[int, dict[str, Any]]:
        if request.method != "POST":
            return _malformed("GraphQL requests are POSTed as JSON.")
        try:
            graphql = graphql_request(await request.body(), self.limits)
        except MalformedRequest as exc:
            return _malformed(str(exc))
        state = request_state(request.scope)
        context = Context(
            request=request, principal=state["principal"], services=request.app.state.services
        )
        state["operations"] = context.operations
        result = await self.executor.run(graphql, context)
        return 200, _body(result)


def graphql_front_door(schema: KeygraphSchema, settings: Settings) -> FrontDoor:
    production = settings.mode is Mode.PRODUCTION
    for name, text in settings.persisted_queries:
        try:
            schema.documents.register(schema.graphql, text)
        except ValueError as exc:
            raise ConfigurationError("KEYGRAPH_PERSISTED_QUERIES", f"{name}: {exc}") from None
    executor = Executor(schema, registered_only=production and bool(settings.persisted_queries))
    endpoint = GraphQLEndpoint(executor, ide_page(settings), settings.limits)
    return FrontDoor(
        routes=[
            Route(GRAPHQL_PATH, endpoint, methods=["GET", "POST"]),
            # The subscription (graphql-transport-ws), authenticated in its connection_init.
            WebSocketRoute(GRAPHQL_PATH, SubscriptionEndpoint(executor, settings)),
        ],
        paths=[GRAPHQL_PATH],
        ide_path=None if production else GRAPHQL_PATH,
    )
