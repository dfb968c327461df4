"""The ASGI application as served: ``api``'s app with its two front doors, GraphQL on
``/graphql`` and AWS's JSON protocol on ``/``."""

from __future__ import annotations

from starlette.applications import Starlette

from api.http import create_app
from api.operations import OPERATIONS
from api.services import Services
from api.settings import Settings
from aws.http import aws_front_door
from aws.routes import routes
from schema.build import build_schema
from schema.http import graphql_front_door


def keygraph_app(settings: Settings, services: Services | None = None) -> Starlette:
    schema = build_schema(settings.limits)
    doors = [graphql_front_door(schema, settings), aws_front_door(routes(OPERATIONS))]
    operations = [operation.field for operation in OPERATIONS]
    return create_app(doors, settings, services, operations=operations)
