"""simulateAccess: the decision and what decided it, for a person to read."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.principals import PrincipalKind
from tests.authz.conftest import (
    OTHER_ACCOUNT,
    ROOT_ADMIN,
    Clients,
    allow,
    create_key,
    deny,
    policy,
    user_arn,
)
from tests.grants.calls import create_grant
from tests.graphql_client import GraphQLFailure, gql

SIMULATE = """
query($i: SimulateAccessInput!) {
  simulateAccess(input: $i) {
    decision allowed principal action resource message
    reasons { source effect statement sid grantId }
    conditionValues { key values }
  }
}"""


async def simulate(client: httpx.AsyncClient, **given: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await gql(client, SIMULATE, {"i": given}))["simulateAccess"]
    return result


async def test_it_names_the_statement_or_grant_that_decided(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    await principal_client("alice")
    await principal_client("bob")
    named = allow(user_arn("alice"), "kms:Decrypt") | {"Sid": "AliceDecrypts"}
    no_bob = deny(user_arn("bob"), "kms:Decrypt") | {"Sid": "NoBob"}
    key_id = await create_key(client, policy(ROOT_ADMIN, named, no_bob))
    granted = await create_grant(client, key_id, user_arn("carol"), "Encrypt")

    alice = await simulate(client, principal=user_arn("alice"), action="kms:Decrypt", keyId=key_id)
    assert alice["decision"] == "Allowed" and alice["allowed"] and alice["message"] is None
    assert alice["reasons"] == [
        {
            "source": "KeyPolicy",
            "effect": "Allow",
            "statement": 'Statement[1] (Sid "AliceDecrypts")',
            "sid": "AliceDecrypts",
            "grantId": None,
        }
    ]
    bob = await simulate(client, principal=user_arn("bob"), action="Decrypt", keyId=key_id)
    assert bob["decision"] == "ExplicitDeny"
    assert bob["reasons"][0]["sid"] == "NoBob"
    assert bob["message"].endswith("with an explicit deny in a resource-based policy")
    carol = await simulate(client, principal=user_arn("carol"), action="kms:Encrypt", keyId=key_id)
    assert carol["reasons"] == [
        {
            "source": "Grant",
            "effect": "Allow",
            "statement": None,
            "sid": None,
            "grantId": granted["grantId"],
        }
    ]
    nobody = await simulate(client, principal=user_arn("dave"), action="kms:Encrypt", keyId=key_id)
    assert nobody["decision"] == "ImplicitDeny" and nobody["reasons"] == []
    assert nobody["resource"].endswith(key_id)


async def test_it_shows_the_condition_values_the_policies_saw(
    client: httpx.AsyncClient,
) -> None:
    key_id = await create_key(client)
    shown = await simulate(
        client,
        principal=user_arn("alice"),
        action="kms:Encrypt",
        keyId=key_id,
        encryptionContext={"Dept": "IT"},
        conditionValues=[{"key": "kms:EncryptionAlgorithm", "values": ["SYMMETRIC_DEFAULT"]}],
    )
    values = {entry["key"]: entry["values"] for entry in shown["conditionValues"]}
    assert values["kms:encryptioncontext:dept"] == ["IT"]
    assert values["kms:encryptioncontextkeys"] == ["Dept"]
    assert values["kms:encryptionalgorithm"] == ["SYMMETRIC_DEFAULT"]
    assert values["kms:callerAccount".casefold()] == ["111122223333"]
    assert values["kms:keyspec"] == ["SYMMETRIC_DEFAULT"]
    assert "kms:signingalgorithm" not in values  # not a key of Encrypt


async def test_principals_simulate_only_within_their_account(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    alice = await principal_client("alice")
    key_id = await create_key(client)
    mine = await simulate(alice, principal=user_arn("bob"), action="kms:Encrypt", keyId=key_id)
    assert mine["decision"] == "ImplicitDeny"
    with pytest.raises(GraphQLFailure) as raised:
        await simulate(
            alice, principal=user_arn("carol", OTHER_ACCOUNT), action="kms:Encrypt", keyId=key_id
        )
    assert raised.value.code == "AccessDeniedException"
    # The deployment's root may simulate anyone; another account's root may not.
    other = await simulate(
        client, principal=user_arn("carol", OTHER_ACCOUNT), action="kms:Encrypt", keyId=key_id
    )
    assert other["decision"] == "ImplicitDeny"
    outsider_root = await principal_client("root", PrincipalKind.ROOT, OTHER_ACCOUNT)
    with pytest.raises(GraphQLFailure):
        await simulate(outsider_root, principal=user_arn("alice"), action="kms:Encrypt")


async def test_unknown_actions_are_refused(client: httpx.AsyncClient) -> None:
    with pytest.raises(GraphQLFailure) as raised:
        await simulate(client, principal=user_arn("alice"), action="s3:GetObject")
    assert raised.value.code == "ValidationException"
