"""The GraphQL front door: strawberry's ASGI view with keygraph's context."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.http.ides import get_graphql_ide_html
from strawberry.types import ExecutionResult

from api.http import FrontDoor
from api.middleware import request_state, wants_ide_page
from api.settings import Mode, Settings
from schema.build import KeygraphSchema
from schema.context import Context

GRAPHQL_PATH = "/graphql"


class KeygraphGraphQL(GraphQL[Context, None]):
    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """As strawberry does, but an empty message stays empty: AWS's InvalidCiphertextException
        says nothing, and graphql-core would put "An unknown error occurred." in its place."""
        response = process_result(result)
        if result.errors:
            response["errors"] = [
                {**error.formatted, "message": error.message} for error in result.errors
            ]
        return response

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> Context:
        state = request_state(request.scope)
        context = Context(
            request=request,  # type: ignore[arg-type]  # websockets are not served
            principal=state["principal"],
            services=request.app.state.services,
        )
        state["operations"] = context.operations
        return context


class GraphQLEndpoint:
    """Serves the IDE page itself (no caller, no context) and hands every other request to the view.

    Only authenticated requests reach the view, so its context always has a principal.
    """

    def __init__(self, view: KeygraphGraphQL, ide_html: str | None) -> None:
        self.view = view
        self.ide_html = ide_html

    @property
    def schema(self) -> KeygraphSchema:
        schema: KeygraphSchema = self.view.schema  # type: ignore[assignment]
        return schema

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.ide_html is not None and wants_ide_page(scope, GRAPHQL_PATH):
            await HTMLResponse(self.ide_html)(scope, receive, send)
            return
        await self.view(scope, receive, send)


def graphql_front_door(schema: KeygraphSchema, settings: Settings) -> FrontDoor:
    production = settings.mode is Mode.PRODUCTION
    view = KeygraphGraphQL(
        schema, graphql_ide=None, allow_queries_via_get=False, multipart_uploads_enabled=False
    )
    endpoint = GraphQLEndpoint(view, None if production else get_graphql_ide_html("graphiql"))
    return FrontDoor(
        routes=[Route(GRAPHQL_PATH, endpoint, methods=["GET", "POST"])],
        paths=[GRAPHQL_PATH],
        ide_path=None if production else GRAPHQL_PATH,
    )
