"""The policy lockout safety check of putKeyPolicy and createKey."""

from __future__ import annotations

import httpx
import pytest

from tests.authz.conftest import (
    ROOT_ADMIN,
    Clients,
    allow,
    attach,
    create_key,
    grants_identity,
    identity,
    policy,
    user_arn,
)
from tests.graphql_client import GraphQLFailure, gql

LOCKOUT = "The new key policy will not allow you to update the key policy in the future."
PUT = """mutation($i: PutKeyPolicyInput!) { putKeyPolicy(input: $i) { keyMetadata { keyId } } }"""
GET = """query($k: String!) { getKeyPolicy(input: {keyId: $k}) { policy } }"""


async def put(client: httpx.AsyncClient, key_id: str, document: str, bypass: bool = False) -> None:
    given = {"keyId": key_id, "policy": document, "bypassPolicyLockoutSafetyCheck": bypass}
    await gql(client, PUT, {"i": given})


async def test_a_policy_that_locks_out_its_author_is_refused(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    key_id = await create_key(client)
    only_encrypt = policy(allow("arn:aws:iam::111122223333:root", "kms:Encrypt"))
    with pytest.raises(GraphQLFailure) as raised:
        await put(client, key_id, only_encrypt)
    assert raised.value == GraphQLFailure("MalformedPolicyDocumentException", LOCKOUT)
    # Nothing was stored.
    assert '"kms:*"' in (await gql(client, GET, {"k": key_id}))["getKeyPolicy"]["policy"]


async def test_the_check_counts_the_callers_identity_policy(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    """Alice may change the policy through her identity policy while the key policy delegates
    to the account; a policy naming only bob would end that."""
    alice = await principal_client("alice")
    await attach(client, user_arn("alice"), identity(grants_identity("kms:PutKeyPolicy")))
    key_id = await create_key(client)
    await put(alice, key_id, policy(ROOT_ADMIN, allow(user_arn("bob"), "kms:Encrypt")))
    with pytest.raises(GraphQLFailure) as raised:
        await put(alice, key_id, policy(allow(user_arn("bob"), "kms:*")))
    assert raised.value.message == LOCKOUT


async def test_bypass_stores_it_and_then_the_author_is_locked_out(
    client: httpx.AsyncClient,
) -> None:
    key_id = await create_key(client)
    await put(client, key_id, policy(allow(user_arn("bob"), "kms:*")), bypass=True)
    with pytest.raises(GraphQLFailure) as raised:
        await put(client, key_id, policy(ROOT_ADMIN))
    assert raised.value.code == "AccessDeniedException"


async def test_create_key_applies_the_check_to_the_policy_it_is_given(
    client: httpx.AsyncClient,
) -> None:
    locked = policy(allow(user_arn("bob"), "kms:*"))
    with pytest.raises(GraphQLFailure) as raised:
        await create_key(client, locked)
    assert raised.value == GraphQLFailure("MalformedPolicyDocumentException", LOCKOUT)
    listed = await gql(client, "{ listKeys { keys { keyId } } }")
    assert listed["listKeys"]["keys"] == []  # nothing half-created
    assert await create_key(client, locked, bypassPolicyLockoutSafetyCheck=True)
