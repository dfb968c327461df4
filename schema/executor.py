"""Running one GraphQL request: a prepared document, graphql-core's executor on strawberry's
schema, then what keygraph does with every result (AWS error codes, metrics, audit).

strawberry's ``Schema.execute`` runs each request through its extension machinery: context
managers around every phase, a runner per request. Measured on Encrypt, that machinery cost more
than the resolver itself; PERFORMANCE.md's "graphql-core executed directly on a cached document"
row is the same observation. The resolvers are still strawberry's (the schema's converted fields,
with its execution context class), so types, inputs and ``Info`` are unchanged; only the steps
around them are plain code here, in the order the extensions ran them.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import ExecutionResult, GraphQLError, execute, get_operation_ast
from strawberry.schema._graphql_core import execution_context_class_kwargs
from strawberry.utils.await_maybe import await_maybe

from schema.auditing import audit
from schema.build import KeygraphSchema
from schema.context import Context
from schema.documents import Prepared
from schema.errors import present
from schema.observe import observe, outcomes

PERSISTED_QUERY_NOT_FOUND = "PersistedQueryNotFound"
PERSISTED_QUERY_NOT_ALLOWED = "PersistedQueryNotAllowed"


@dataclass(frozen=True)
class GraphQLRequest:
    """What a client asked for: a document by its text, or by its SHA-256 (a persisted query)."""

    query: str | None
    variables: Mapping[str, Any] | None = None
    operation_name: str | None = None
    sha256: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


class Executor:
    """Runs requests against one schema; ``registered_only`` makes the registered documents an
    allow-list (production with ``KEYGRAPH_PERSISTED_QUERIES``)."""

    def __init__(self, schema: KeygraphSchema, *, registered_only: bool = False) -> None:
        self.schema = schema
        self.registered_only = registered_only
        self._execution_kwargs = execution_context_class_kwargs(schema.execution_context_class)

    async def run(self, request: GraphQLRequest, context: Context) -> ExecutionResult:
        started = time.perf_counter()
        prepared, refusal = self._document(request)
        document = prepared.document if prepared else None
        if refusal is not None:
            result = ExecutionResult(None, [refusal])
        elif prepared is None or prepared.errors or document is None:
            result = ExecutionResult(None, list(prepared.errors) if prepared else [])
        else:
            result = await await_maybe(
                execute(
                    self.schema._schema,
                    document,
                    variable_values=dict(request.variables or {}),
                    operation_name=request.operation_name,
                    context_value=context,
                    **self._execution_kwargs,
                )
            )
        errors = [present(error) for error in result.errors or []]
        operation = get_operation_ast(document, request.operation_name) if document else None
        rows = outcomes(operation, errors)
        observe(context, rows, time.perf_counter() - started)
        await audit(context, rows, operation.operation if operation else None)
        return ExecutionResult(result.data, errors or None)

    def _document(self, request: GraphQLRequest) -> tuple[Prepared | None, GraphQLError | None]:
        """The prepared document, or why there is none to run."""
        cache = self.schema.documents
        if request.query is None:
            found = cache.by_hash(request.sha256) if request.sha256 else None
            if found is None:
                return None, _refused(PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound")
            return found, None
        prepared = cache.prepared(self.schema._schema, request.query)
        if request.sha256 is not None and request.sha256 != prepared.sha256:
            return None, _refused(
                "ValidationException", "provided sha256Hash does not match the query"
            )
        if self.registered_only and not cache.is_registered(prepared.sha256):
            return None, _refused(
                PERSISTED_QUERY_NOT_ALLOWED, "Only registered documents run on this server."
            )
        return prepared, None


def _refused(code: str, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})
