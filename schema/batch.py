"""The batch form of the cryptographic operations: ``encryptBatch``, ``decryptBatch``,
``generateDataKeyBatch`` and ``signBatch`` take a list of the single operation's inputs and answer
one entry per item, in order, each with its result or its error.

Why a list input rather than aliased fields: GraphQL runs a mutation's root fields one after
another, so fifty aliased ``encrypt`` fields wait for fifty HSM round trips in turn. The items of
one batch run concurrently. Each item is its own call: authorized, throttled and audited on its
own, and one item's error (AccessDeniedException, DisabledException...) leaves the others
standing. An error that is not the caller's (an unexpected failure) fails the whole field.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

import strawberry

from api.calls import Call
from api.errors import KeygraphError, KMSInternalException, ValidationException
from api.services import Services
from hsm import HsmUnavailable
from schema.crypto import (
    DecryptInput,
    DecryptResult,
    EncryptInput,
    EncryptResult,
    GenerateDataKeyInput,
    GenerateDataKeyResult,
    perform_decrypt,
    perform_encrypt,
    perform_generate_data_key,
)
from schema.errors import HSM_UNAVAILABLE_MESSAGE
from schema.keys import GraphQLInfo
from schema.signing import SignInput, SignResult, perform_sign

# Items per request: enough to amortise a request, few enough that one request cannot hold the
# HSM's sessions for long.
BATCH_MAX = 100
OK = "ok"

I = TypeVar("I")  # noqa: E741 - the input type
T = TypeVar("T")


@strawberry.type(description="Why one item of a batch failed: the AWS exception and message.")
class BatchError:
    code: str
    message: str


@strawberry.type(description="One item of a batch: its result, or its error.")
class BatchEntry(Generic[T]):
    result: T | None
    error: BatchError | None


def _error(exc: Exception) -> BatchError | None:
    if isinstance(exc, KeygraphError):
        return BatchError(code=exc.code, message=exc.message)
    if isinstance(exc, HsmUnavailable):
        return BatchError(code=KMSInternalException.code, message=HSM_UNAVAILABLE_MESSAGE)
    return None


async def run_batch(
    info: GraphQLInfo,
    items: Sequence[I],
    perform: Callable[[Services, Call, I], Awaitable[T]],
) -> list[BatchEntry[T]]:
    if not 1 <= len(items) <= BATCH_MAX:
        raise ValidationException(
            "1 validation error detected: Value at 'requests' failed to satisfy constraint: "
            f"Member must have length between 1 and {BATCH_MAX}"
        )
    context = info.context
    calls = [context.new_call() for _ in items]
    done = await asyncio.gather(
        *(perform(context.services, call, item) for call, item in zip(calls, items, strict=True)),
        return_exceptions=True,
    )
    entries: list[BatchEntry[T]] = []
    outcomes: list[tuple[Call, str]] = []
    for call, outcome in zip(calls, done, strict=True):
        if isinstance(outcome, BaseException):
            error = _error(outcome) if isinstance(outcome, Exception) else None
            if error is None:
                raise outcome
            entries.append(BatchEntry(result=None, error=error))
            outcomes.append((call, error.code))
        else:
            entries.append(BatchEntry(result=outcome, error=None))
            outcomes.append((call, OK))
    context.items[str(info.path.key)] = outcomes
    return entries


@strawberry.input
class EncryptBatchInput:
    requests: list[EncryptInput]


@strawberry.input
class DecryptBatchInput:
    requests: list[DecryptInput]


@strawberry.input
class GenerateDataKeyBatchInput:
    requests: list[GenerateDataKeyInput]


@strawberry.input
class SignBatchInput:
    requests: list[SignInput]


@strawberry.type
class EncryptBatchResult:
    entries: list[BatchEntry[EncryptResult]]


@strawberry.type
class DecryptBatchResult:
    entries: list[BatchEntry[DecryptResult]]


@strawberry.type
class GenerateDataKeyBatchResult:
    entries: list[BatchEntry[GenerateDataKeyResult]]


@strawberry.type
class SignBatchResult:
    entries: list[BatchEntry[SignResult]]


async def encrypt_batch(info: GraphQLInfo, input: EncryptBatchInput) -> EncryptBatchResult:
    return EncryptBatchResult(entries=await run_batch(info, input.requests, perform_encrypt))


async def decrypt_batch(info: GraphQLInfo, input: DecryptBatchInput) -> DecryptBatchResult:
    return DecryptBatchResult(entries=await run_batch(info, input.requests, perform_decrypt))


async def generate_data_key_batch(
    info: GraphQLInfo, input: GenerateDataKeyBatchInput
) -> GenerateDataKeyBatchResult:
    entries = await run_batch(info, input.requests, perform_generate_data_key)
    return GenerateDataKeyBatchResult(entries=entries)


async def sign_batch(info: GraphQLInfo, input: SignBatchInput) -> SignBatchResult:
    return SignBatchResult(entries=await run_batch(info, input.requests, perform_sign))


@strawberry.type
class BatchMutation:
    encrypt_batch: EncryptBatchResult = strawberry.field(
        resolver=encrypt_batch, description="Encrypt, for up to 100 requests at once."
    )
    decrypt_batch: DecryptBatchResult = strawberry.field(
        resolver=decrypt_batch, description="Decrypt, for up to 100 requests at once."
    )
    generate_data_key_batch: GenerateDataKeyBatchResult = strawberry.field(
        resolver=generate_data_key_batch,
        description="GenerateDataKey, for up to 100 requests at once.",
    )
    sign_batch: SignBatchResult = strawberry.field(
        resolver=sign_batch, description="Sign, for up to 100 requests at once."
    )


BATCH_ACTIONS = {
    "encryptBatch": "kms:Encrypt",
    "decryptBatch": "kms:Decrypt",
    "generateDataKeyBatch": "kms:GenerateDataKey",
    "signBatch": "kms:Sign",
}
