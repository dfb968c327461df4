"""What the pipeline does around every operation, whichever door called it: counts it by outcome,
puts its events in the trail (a change's before it answers, a computation's in the next batch),
and presents failures as the caller may see them."""

from __future__ import annotations

import logging

import pytest

from api.crypto.encryption import EncryptRequest
from api.errors import DisabledException, ValidationException
from api.invoke import fault
from api.operations.keys import CreateKeyRequest
from api.services import Services
from hsm import HsmUnavailable
from tests.operations.conftest import Invoke


async def _events(services: Services, action: str) -> list[str]:
    async with services.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT outcome FROM audit_events WHERE action = $1 ORDER BY seq", action
        )
    return [row["outcome"] for row in rows]


async def test_a_change_is_in_the_trail_when_it_answers(call: Invoke, services: Services) -> None:
    await call("CreateKey", CreateKeyRequest())
    assert await _events(services, "kms:CreateKey") == ["ok"]


async def test_a_computation_is_in_the_trail_after_the_next_batch(
    call: Invoke, services: Services
) -> None:
    created = await call("CreateKey", CreateKeyRequest())
    await call("Encrypt", EncryptRequest(key_id=created.key_metadata.key_id, plaintext=b"x"))
    with pytest.raises(ValidationException):
        await call("Encrypt", EncryptRequest(key_id="", plaintext=b"x"))
    await services.audit.flush()
    assert await _events(services, "kms:Encrypt") == ["ok", "ValidationException"]


async def test_calls_are_counted_by_operation_and_outcome(call: Invoke, services: Services) -> None:
    with pytest.raises(ValidationException):
        await call("Encrypt", EncryptRequest(key_id="", plaintext=b"x"))
    text = services.metrics.render().decode()
    assert (
        'keygraph_operations_total{operation="encrypt",outcome="ValidationException"} 1.0' in text
    )


def test_failures_are_presented_as_aws_codes_and_bugs_are_masked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    disabled = fault(DisabledException("arn:aws:kms:us-east-1:111122223333:key/k is disabled."))
    assert (disabled.code, disabled.status) == ("DisabledException", 400)
    unreachable = fault(HsmUnavailable("CKR_DEVICE_ERROR"))
    assert (unreachable.code, unreachable.status, unreachable.retry_after) == (
        "KMSInternalException",
        503,
        1,
    )
    with caplog.at_level(logging.ERROR, logger="keygraph.errors"):
        bug = fault(KeyError("slot 7"))
    assert (bug.code, bug.message, bug.status) == (
        "InternalError",
        "An internal error occurred.",
        500,
    )
    assert "slot 7" not in bug.message
    assert caplog.records, "a bug is logged for the operators"
