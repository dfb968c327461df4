"""What a request ran: its root fields and the outcome of each, for metrics and the audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graphql import FieldNode, GraphQLError, OperationDefinitionNode

from schema.context import Context
from schema.errors import MALFORMED_REQUEST, error_code

OK = "ok"
UNPARSED = "unparsed"


def root_fields(operation: OperationDefinitionNode | None) -> list[tuple[str, str]]:
    """(response key, field name) of each root field of the operation that ran."""
    if operation is None:
        return []
    return [
        ((node.alias or node.name).value, node.name.value)
        for node in operation.selection_set.selections
        if isinstance(node, FieldNode)
    ]


def _code(error: GraphQLError) -> str:
    extensions = error.extensions or {}
    code = extensions.get("code")
    return code if isinstance(code, str) else error_code(error)


@dataclass(frozen=True)
class FieldOutcome:
    key: str  # the response key (the alias, or the field's name)
    field: str
    outcome: str  # "ok" or the error code


def outcomes(
    operation: OperationDefinitionNode | None, errors: Sequence[GraphQLError]
) -> list[FieldOutcome]:
    """The outcome of each root field; a request that failed before running has one row.

    A field whose nested fields failed (a denied ``Key.policy``) still counts as ``ok``: its
    own operation ran."""
    fields = root_fields(operation)
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


def observe(context: Context, rows: Sequence[FieldOutcome], seconds: float) -> None:
    """Count each root field by outcome, and name them for the request log line."""
    for row in rows:
        context.operations.append(row.field)
        context.services.metrics.observe_operation(row.field, row.outcome, seconds)
