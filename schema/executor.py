"""Running one GraphQL request: a prepared document, its plan (``schema.plan``) when it has one
or else graphql-core's executor on the generated schema, then the errors as AWS codes.

Each root field runs its operation through the pipeline (``api.invoke``), which counts and
audits it. A request refused before any field ran (the document did not validate, a variable did
not coerce) is counted and audited here, once per root field it named, with the refusal's code.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from inspect import isawaitable
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    execute,
    get_operation_ast,
    subscribe,
)

from api import messages
from api.invoke import finish
from api.operation import Operation
from api.operations import OPERATIONS
from schema.batch import BATCH_OPERATIONS
from schema.build import KeygraphSchema
from schema.context import Context
from schema.documents import Prepared
from schema.errors import MALFORMED_REQUEST, present
from schema.plan import Plan

PERSISTED_QUERY_NOT_FOUND = "PersistedQueryNotFound"
PERSISTED_QUERY_NOT_ALLOWED = "PersistedQueryNotAllowed"

_BY_FIELD: dict[str, Operation[Any, Any]] = {
    **{operation.field: operation for operation in OPERATIONS},
    **BATCH_OPERATIONS,
}


@dataclass(frozen=True)
class GraphQLRequest:
    """What a client asked for: a document by its text, or by its SHA-256 (a persisted query)."""

    query: str | None
    variables: Mapping[str, Any] | None = None
    operation_name: str | None = None
    sha256: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def root_fields(operation: OperationDefinitionNode | None) -> list[str]:
    """The field names of the operation's root selections."""
    if operation is None:
        return []
    return [
        node.name.value
        for node in operation.selection_set.selections
        if isinstance(node, FieldNode)
    ]


class Executor:
    """Runs requests against one schema; ``registered_only`` makes the registered documents an
    allow-list (production with ``KEYGRAPH_PERSISTED_QUERIES``). ``planned=False`` runs every
    document through graphql-core, plans or not: the equivalence test compares the two."""

    def __init__(
        self, schema: KeygraphSchema, *, registered_only: bool = False, planned: bool = True
    ) -> None:
        self.schema = schema
        self.registered_only = registered_only
        self.planned = planned

    async def run(self, request: GraphQLRequest, context: Context) -> ExecutionResult:
        started = time.perf_counter()
        prepared, refusal = self._document(request)
        document = prepared.document if prepared else None
        if refusal is None and _is_subscription(document, request):
            refusal = _refused(MALFORMED_REQUEST, messages.SUBSCRIPTION_OVER_HTTP.format())
        if refusal is not None:
            result = ExecutionResult(None, [refusal])
        elif prepared is None or prepared.errors or document is None:
            result = ExecutionResult(None, list(prepared.errors) if prepared else [])
        elif (plan := self._plan(prepared, request)) is not None:
            result = await plan.execute(self.schema.graphql, dict(request.variables or {}), context)
        else:
            outcome = execute(
                self.schema.graphql,
                document,
                variable_values=dict(request.variables or {}),
                operation_name=request.operation_name,
                context_value=context,
            )
            result = await outcome if not isinstance(outcome, ExecutionResult) else outcome
        errors = [present(error) for error in result.errors or []]
        operation = get_operation_ast(document, request.operation_name) if document else None
        fields = root_fields(operation)
        context.operations.extend(fields)
        unrun = [error for error in errors if not error.path]
        if unrun:
            await self._refused(context, fields, unrun[0], started)
        return ExecutionResult(result.data, errors or None)

    async def stream(
        self, request: GraphQLRequest, context: Context
    ) -> AsyncIterator[ExecutionResult] | ExecutionResult:
        """What a WebSocket runs: a subscription's stream of results (each event executed
        against the selection), or one result, that of a query or mutation (as ``run``) or of a
        subscription refused (a field's error). Errors are presented as ``run`` presents them."""
        prepared, refusal = self._document(request)
        document = prepared.document if prepared else None
        if refusal is not None or prepared is None or prepared.errors or document is None:
            return await self.run(request, context)
        if not _is_subscription(document, request):
            return await self.run(request, context)
        outcome = subscribe(
            self.schema.graphql,
            document,
            variable_values=dict(request.variables or {}),
            operation_name=request.operation_name,
            context_value=context,
        )
        result = await outcome if isawaitable(outcome) else outcome
        if isinstance(result, ExecutionResult):
            return _presented(result)
        return _presented_stream(result)

    async def _refused(
        self, context: Context, fields: list[str], error: GraphQLError, started: float
    ) -> None:
        """Count and audit the root fields of a request that ran none of them."""
        code = str((error.extensions or {}).get("code"))
        for name in fields:
            operation = _BY_FIELD.get(name)
            if operation is not None:
                await finish(context.services, context.new_call(), operation, code, started)

    def _plan(self, prepared: Prepared, request: GraphQLRequest) -> Plan | None:
        """The document's plan, when planning is on and the request names its operation (or
        none: a name the document does not hold is graphql-core's error to give)."""
        plan = prepared.plan
        if plan is None or not self.planned:
            return None
        if request.operation_name is not None and request.operation_name != plan.name:
            return None
        return plan

    def _document(self, request: GraphQLRequest) -> tuple[Prepared | None, GraphQLError | None]:
        """The prepared document, or why there is none to run."""
        cache = self.schema.documents
        if request.query is None:
            found = cache.by_hash(request.sha256) if request.sha256 else None
            if found is None:
                return None, _refused(PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound")
            return found, None
        prepared = cache.prepared(self.schema.graphql, request.query)
        if request.sha256 is not None and request.sha256 != prepared.sha256:
            return None, _refused(
                "ValidationException", "provided sha256Hash does not match the query"
            )
        if self.registered_only and not cache.is_registered(prepared.sha256):
            return None, _refused(
                PERSISTED_QUERY_NOT_ALLOWED, "Only registered documents run on this server."
            )
        return prepared, None


def _is_subscription(document: DocumentNode | None, request: GraphQLRequest) -> bool:
    operation = get_operation_ast(document, request.operation_name) if document else None
    return operation is not None and operation.operation is OperationType.SUBSCRIPTION


def _presented(result: ExecutionResult) -> ExecutionResult:
    errors = [present(error) for error in result.errors or []]
    return ExecutionResult(result.data, errors or None)


async def _presented_stream(
    stream: AsyncIterator[ExecutionResult],
) -> AsyncIterator[ExecutionResult]:
    try:
        async for result in stream:
            yield _presented(result)
    finally:
        close = getattr(stream, "aclose", None)
        if close is not None:
            await close()


def _refused(code: str, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})
