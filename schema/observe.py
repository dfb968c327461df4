"""Per-operation metrics: which root fields ran, how long, and with which outcome."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from graphql import FieldNode, GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from schema.context import Context
from schema.errors import MALFORMED_REQUEST, error_code

OK = "ok"
UNPARSED = "unparsed"


def root_fields(execution: ExecutionContext) -> list[tuple[str, str]]:
    """(response key, field name) of each root field of the operation that ran."""
    document = execution.graphql_document
    if document is None:
        return []
    wanted = execution.operation_name
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if wanted is None or (definition.name and definition.name.value == wanted):
            return [
                ((node.alias or node.name).value, node.name.value)
                for node in definition.selection_set.selections
                if isinstance(node, FieldNode)
            ]
    return []


def _code(error: GraphQLError) -> str:
    extensions = error.extensions or {}
    code = extensions.get("code")
    return code if isinstance(code, str) else error_code(error)


@dataclass(frozen=True)
class FieldOutcome:
    key: str  # the response key (the alias, or the field's name)
    field: str
    outcome: str  # "ok" or the error code


def outcomes(execution: ExecutionContext) -> list[FieldOutcome]:
    """The outcome of each root field; a request that failed before running has one row.

    A field whose nested fields failed (a denied ``Key.policy``) still counts as ``ok``: its
    own operation ran."""
    errors = list(execution.result.errors or []) if execution.result else []
    fields = root_fields(execution)
    unrun = [error for error in errors if not error.path]
    if unrun or not fields:
        code = _code(unrun[0]) if unrun else MALFORMED_REQUEST
        return [FieldOutcome(key, name, code) for key, name in fields] or [
            FieldOutcome(UNPARSED, UNPARSED, code)
        ]
    failed = {
        str(error.path[0]): _code(error) for error in errors if error.path and len(error.path) == 1
    }
    return [FieldOutcome(key, name, failed.get(key, OK)) for key, name in fields]


class ObserveOperations(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        elapsed = time.perf_counter() - started
        context = self.execution_context.context
        if not isinstance(context, Context):
            return
        for row in outcomes(self.execution_context):
            context.operations.append(row.field)
            context.services.metrics.observe_operation(row.field, row.outcome, elapsed)
