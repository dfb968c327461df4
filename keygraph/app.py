"""The ASGI application as served: ``api``'s app with the GraphQL front door mounted."""

from __future__ import annotations

from starlette.applications import Starlette

from api.http import create_app
from api.services import Services
from api.settings import Settings
from schema.build import build_schema
from schema.http import graphql_front_door


def keygraph_app(settings: Settings, services: Services | None = None) -> Starlette:
    schema = build_schema(settings.limits)
    return create_app(graphql_front_door(schema, settings), settings, services)
