"""Whoami, SimulateAccess and principal policies through the pipeline, as the account's root and
as the users it manages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from api.decisions import Outcome, Reason, Source
from api.errors import (
    AccessDeniedException,
    InvalidArnException,
    MalformedPolicyDocumentException,
    ValidationException,
)
from api.invoke import Caller as InvokeCaller
from api.invoke import new_call
from api.operations.access import (
    Caller,
    ConditionValue,
    DeletePrincipalPolicyResponse,
    PrincipalPolicyRequest,
    PrincipalPolicyResponse,
    PutPrincipalPolicyRequest,
    PutPrincipalPolicyResponse,
    SimulateAccessRequest,
    WhoamiRequest,
)
from api.operations.keys import CreateKeyRequest, create_key
from api.policy import FindingCode
from api.principals import Principal, PrincipalKind, create_principal, principal_for
from api.services import Services
from tests.aws_messages import validation_message
from tests.operations.conftest import Invoke


@pytest.fixture
def account(services: Services) -> str:
    return services.settings.account_id


@pytest.fixture
async def alice(services: Services, account: str) -> Principal:
    async with services.pool.acquire() as conn:
        issued = await create_principal(conn, principal_for(account, "alice", PrincipalKind.USER))
    return issued.principal


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


async def new_key(services: Services, root: Principal, policy: str) -> str:
    """A key's ARN, made as the account's root (CreateKey is another area's operation)."""
    key = await create_key(
        services, new_call(services, InvokeCaller(root)), CreateKeyRequest(policy=policy)
    )
    return key.key_metadata.arn


async def test_whoami_answers_the_caller(call: Invoke, account: str, alice: Principal) -> None:
    assert await call("Whoami", WhoamiRequest()) == Caller(
        arn=f"arn:aws:iam::{account}:root", account_id=account, name="root", type=PrincipalKind.ROOT
    )
    assert await call("Whoami", WhoamiRequest(), alice) == Caller(
        arn=f"arn:aws:iam::{account}:user/alice",
        account_id=account,
        name="alice",
        type=PrincipalKind.USER,
    )


async def test_simulate_names_the_statement_that_decided(
    call: Invoke, services: Services, root: Principal, alice: Principal
) -> None:
    decrypts = {
        "Sid": "AliceDecrypts",
        "Effect": "Allow",
        "Principal": {"AWS": alice.arn},
        "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": {"StringEquals": {"kms:EncryptionContext:team": "blue"}},
    }
    admin = {"Effect": "Allow", "Principal": {"AWS": root.arn}, "Action": "kms:*", "Resource": "*"}
    key_arn = await new_key(services, root, document(admin, decrypts))

    allowed = await call(
        "SimulateAccess",
        SimulateAccessRequest(
            principal=alice.arn,
            action="Decrypt",
            key_id=key_arn,
            encryption_context={"team": "blue"},
            condition_values=[ConditionValue(key="kms:EncryptionAlgorithm", values=["RSA"])],
        ),
    )
    assert (allowed.decision, allowed.allowed, allowed.message) == (Outcome.ALLOWED, True, None)
    assert (allowed.principal, allowed.action, allowed.resource) == (
        alice.arn,
        "kms:Decrypt",
        key_arn,
    )
    assert allowed.reasons == [
        Reason(Source.KEY_POLICY, "Allow", 'Statement[1] (Sid "AliceDecrypts")', "AliceDecrypts")
    ]
    seen = {value.key: value.values for value in allowed.condition_values}
    assert seen["kms:encryptioncontext:team"] == ["blue"]
    assert seen["kms:encryptionalgorithm"] == ["RSA"]

    denied = await call(
        "SimulateAccess",
        SimulateAccessRequest(principal=alice.arn, action="kms:Encrypt", key_id=key_arn),
    )
    assert (denied.decision, denied.allowed, denied.reasons) == (Outcome.IMPLICIT_DENY, False, [])
    assert denied.message.startswith(f"User: {alice.arn} is not authorized to perform: kms:Encrypt")


async def test_simulate_refusals(call: Invoke, alice: Principal) -> None:
    with pytest.raises(ValidationException) as refused:
        await call("SimulateAccess", SimulateAccessRequest(principal=alice.arn, action="kms:Nope"))
    assert refused.value.message == "kms:Nope is not an action of the catalog."

    long_id = "k" * 3000
    with pytest.raises(ValidationException) as refused:
        await call(
            "SimulateAccess",
            SimulateAccessRequest(principal=alice.arn, action="Encrypt", key_id=long_id),
        )
    assert refused.value.message == validation_message(
        "keyId", "have length less than or equal to 2048", long_id
    )

    stranger = "arn:aws:iam::444455556666:user/eve"
    with pytest.raises(AccessDeniedException) as denied:
        await call(
            "SimulateAccess", SimulateAccessRequest(principal=stranger, action="Encrypt"), alice
        )
    assert denied.value.message == (
        f"User: {alice.arn} is not authorized to perform: keygraph:SimulateAccess for "
        "principals of account 444455556666"
    )


async def test_the_root_manages_a_users_policy(call: Invoke, alice: Principal) -> None:
    policy = document({"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*"})
    attached = await call(
        "PutPrincipalPolicy", PutPrincipalPolicyRequest(principal=alice.arn, policy=policy)
    )
    assert attached == PutPrincipalPolicyResponse(principal=alice.arn, policy=policy, warnings=[])
    # A user reads its own policy, and only the root changes it.
    assert await call("PrincipalPolicy", PrincipalPolicyRequest(principal=alice.arn), alice) == (
        PrincipalPolicyResponse(principal=alice.arn, policy=policy)
    )
    with pytest.raises(AccessDeniedException):
        await call("DeletePrincipalPolicy", PrincipalPolicyRequest(principal=alice.arn), alice)

    deleted = await call("DeletePrincipalPolicy", PrincipalPolicyRequest(principal=alice.arn))
    assert deleted == DeletePrincipalPolicyResponse(principal=alice.arn, deleted=True)
    again = await call("DeletePrincipalPolicy", PrincipalPolicyRequest(principal=alice.arn))
    assert again.deleted is False
    assert await call("PrincipalPolicy", PrincipalPolicyRequest(principal=alice.arn)) == (
        PrincipalPolicyResponse(principal=alice.arn, policy=None)
    )


async def test_a_policy_is_checked_like_a_key_policy(call: Invoke, alice: Principal) -> None:
    """An unknown action is a warning (KEYGRAPH_POLICY_CHECK=warn, the default); what is not a
    policy is refused."""
    unknown = document({"Effect": "Allow", "Action": "kms:Nope", "Resource": "*"})
    attached = await call(
        "PutPrincipalPolicy", PutPrincipalPolicyRequest(principal=alice.arn, policy=unknown)
    )
    assert [warning.code for warning in attached.warnings] == [FindingCode.UNKNOWN_ACTION]
    no_resource = document({"Effect": "Allow", "Action": "kms:Encrypt"})
    with pytest.raises(MalformedPolicyDocumentException):
        await call(
            "PutPrincipalPolicy",
            PutPrincipalPolicyRequest(principal=alice.arn, policy=no_resource),
        )
    with pytest.raises(InvalidArnException):
        await call("PrincipalPolicy", PrincipalPolicyRequest(principal="not-an-arn"))
