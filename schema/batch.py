"""The batch form of the busiest cryptographic operations: ``encryptBatch``, ``decryptBatch``,
``generateDataKeyBatch`` and ``signBatch`` take a list of the single operation's inputs and answer
one entry per item, in order, each with its result or its error.

Why a list input rather than aliased fields: GraphQL runs a mutation's root fields one after
another, so fifty aliased ``encrypt`` fields wait for fifty HSM round trips in turn. The items of
one batch run concurrently. Each item is its own call through the pipeline: validated,
authorized, throttled and audited on its own, and one item's error (AccessDeniedException,
DisabledException...) leaves the others standing. An error that is not the caller's (an
unexpected failure) fails the whole field. What the items can share is done once for the batch
(the HSM work by key, alike authorization decisions, the audit append): ``api.batching``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLString,
)

from api import messages
from api.batching import run_batch
from api.errors import KeygraphError, ValidationException
from api.invoke import fault
from api.operation import Operation
from api.operations import BY_NAME
from hsm import HsmUnavailable
from schema.context import Context
from schema.descriptions import DESCRIPTIONS
from schema.types import TypeBuilder

BATCHED = ("Encrypt", "Decrypt", "GenerateDataKey", "Sign")
# Items per request: enough to amortise a request, few enough that one request cannot hold the
# HSM's sessions for long.
BATCH_MAX = 100

BATCH_ERROR = GraphQLObjectType(
    "BatchError",
    {
        "code": GraphQLField(GraphQLNonNull(GraphQLString)),
        "message": GraphQLField(GraphQLNonNull(GraphQLString)),
    },
    description="Why one item of a batch failed: the AWS exception and message.",
)


def _too_many() -> ValidationException:
    return messages.BATCH_SIZE(limit=BATCH_MAX)


def _resolver(operation: Operation[Any, Any]) -> Callable[..., Any]:
    async def resolve(
        _root: object, info: GraphQLResolveInfo[Context], input: dict[str, list[Any]]
    ) -> dict[str, Any]:
        items = input["requests"]
        if not 1 <= len(items) <= BATCH_MAX:
            raise _too_many()
        context = info.context
        done = await run_batch(context.services, context.new_call(), operation, items)
        entries = []
        for outcome in done:
            if isinstance(outcome, (KeygraphError, HsmUnavailable)):
                failure = fault(outcome)
                error = {"code": failure.code, "message": failure.message}
                entries.append({"result": None, "error": error})
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                entries.append({"result": outcome, "error": None})
        return {"entries": entries}

    return resolve


def _field(types: TypeBuilder, operation: Operation[Any, Any]) -> GraphQLField:
    single_input = types.input_object(operation.request, f"{operation.name}Input")
    single_result = types.object(operation.response, f"{operation.name}Result")
    entry = GraphQLObjectType(
        f"{operation.name}ResultBatchEntry",
        {
            "result": GraphQLField(single_result),
            "error": GraphQLField(BATCH_ERROR),
        },
        description=DESCRIPTIONS["BatchEntry"],
    )
    batch_input = GraphQLInputObjectType(
        f"{operation.name}BatchInput",
        {"requests": GraphQLInputField(GraphQLNonNull(GraphQLList(GraphQLNonNull(single_input))))},
    )
    batch_result = GraphQLObjectType(
        f"{operation.name}BatchResult",
        {"entries": GraphQLField(GraphQLNonNull(GraphQLList(GraphQLNonNull(entry))))},
    )
    return GraphQLField(
        batch_result,
        {"input": GraphQLArgument(GraphQLNonNull(batch_input))},
        resolve=_resolver(operation),
        description=f"{operation.name}, for up to {BATCH_MAX} requests at once.",
    )


def batch_fields(types: TypeBuilder) -> dict[str, GraphQLField]:
    """The Mutation fields of the batch form, by name (``encryptBatch``)."""
    return {f"{BY_NAME[name].field}Batch": _field(types, BY_NAME[name]) for name in BATCHED}


BATCH_OPERATIONS = {f"{BY_NAME[name].field}Batch": BY_NAME[name] for name in BATCHED}
