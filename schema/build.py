"""The GraphQL schema, generated from the operation registry, built once per process.

Every operation of ``api.operations`` is one root field named as its action in lowerCamelCase:
a Query field if it only reads, a Mutation field otherwise. It takes ``input: <Action>Input``
(optional when no member is required) and returns ``<Action>Result``; keygraph's flat reads
(``whoami``, the catalog) take their members as arguments. Mutation fields are nullable, so that
a failing field leaves the results of the others in ``data``. The batch form and the graph's
nested fields are added from their own declarations (``schema.batch``, ``schema.graph``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    is_specified_scalar_type,
    print_type,
)

from api.invoke import run
from api.operation import Access, Operation
from api.operations import OPERATIONS
from api.settings import Limits
from schema.batch import batch_fields
from schema.context import Context
from schema.descriptions import DESCRIPTIONS
from schema.documents import DocumentCache
from schema.graph import add_graph
from schema.live import subscription_fields
from schema.types import TypeBuilder


class KeygraphSchema:
    """The executable schema and its document cache."""

    def __init__(self, graphql: GraphQLSchema, documents: DocumentCache) -> None:
        self.graphql = graphql
        self.documents = documents

    def as_str(self) -> str:
        """The SDL, types in name order (so that its diff in review shows what changed)."""
        named = sorted(
            (
                graphql_type
                for name, graphql_type in self.graphql.type_map.items()
                if not name.startswith("__") and not is_specified_scalar_type(graphql_type)
            ),
            key=lambda graphql_type: graphql_type.name,
        )
        return "\n\n".join(print_type(graphql_type) for graphql_type in named)


def _resolver(operation: Operation[Any, Any]) -> Callable[..., Any]:
    async def resolve(_root: object, info: GraphQLResolveInfo[Context], **arguments: Any) -> Any:
        context = info.context
        if operation.flat:
            request = operation.request(**arguments)
        else:
            request = arguments.get("input") or operation.request()
        return await run(context.services, context.call(info), operation, request)

    return resolve


def _root_field(types: TypeBuilder, operation: Operation[Any, Any]) -> GraphQLField:
    if operation.flat:
        arguments = types.arguments(operation.request)
        output = types.output(operation.response)
    else:
        given = types.input_object(operation.request, f"{operation.name}Input")
        required = operation.has_required_members
        argument = (
            GraphQLArgument(GraphQLNonNull(given))
            if required
            else GraphQLArgument(given, default_value=None)
        )
        arguments = {"input": argument}
        output = GraphQLNonNull(types.object(operation.response, f"{operation.name}Result"))
    if operation.access is Access.WRITE and isinstance(output, GraphQLNonNull):
        output = output.of_type
    return GraphQLField(
        output,
        arguments,
        resolve=_resolver(operation),
        description=operation.description or None,
    )


def build_schema(limits: Limits | None = None) -> KeygraphSchema:
    types = TypeBuilder()
    add_graph(types)
    query: dict[str, GraphQLField] = {}
    mutation: dict[str, GraphQLField] = {}
    for operation in OPERATIONS:
        root = query if operation.access is Access.READ else mutation
        root[operation.field] = _root_field(types, operation)
    mutation.update(batch_fields(types))
    schema = GraphQLSchema(
        query=GraphQLObjectType("Query", query, description=DESCRIPTIONS["Query"]),
        mutation=GraphQLObjectType("Mutation", mutation, description=DESCRIPTIONS["Mutation"]),
        subscription=GraphQLObjectType(
            "Subscription", subscription_fields(types), description=DESCRIPTIONS["Subscription"]
        ),
    )
    return KeygraphSchema(schema, DocumentCache(limits or Limits()))


def schema_sdl() -> str:
    """The SDL committed as ``schema/schema.graphql``."""
    return build_schema().as_str() + "\n"


__all__ = ["KeygraphSchema", "build_schema", "schema_sdl"]
