"""Grants beside key policies: a grant allows its grantee only, and an explicit deny in the key
policy wins over it."""

from __future__ import annotations

import httpx
import pytest

from tests.authz.conftest import ROOT_ADMIN, Clients, create_key, deny, encrypt, policy, user_arn
from tests.grants.calls import create_grant
from tests.graphql_client import GraphQLFailure


async def test_a_grant_allows_its_grantee_and_no_one_else(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    alice, bob = await principal_client("alice"), await principal_client("bob")
    key_id = await create_key(client)
    await create_grant(client, key_id, user_arn("alice"), "Encrypt")
    assert await encrypt(alice, key_id)
    with pytest.raises(GraphQLFailure) as raised:
        await encrypt(bob, key_id)
    assert raised.value.code == "AccessDeniedException"


async def test_an_explicit_deny_wins_over_a_grant(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    alice, bob = await principal_client("alice"), await principal_client("bob")
    no_bob = deny(
        user_arn("bob"),
        "kms:*",
        Condition={"StringNotEquals": {"kms:EncryptionContext:purpose": "backup"}},
    )
    key_id = await create_key(client, policy(ROOT_ADMIN, no_bob))
    for name in ("alice", "bob"):
        await create_grant(client, key_id, user_arn(name), "Encrypt")
    assert await encrypt(alice, key_id)
    with pytest.raises(GraphQLFailure) as raised:
        await encrypt(bob, key_id)
    assert raised.value.code == "AccessDeniedException"
    assert raised.value.message.endswith("with an explicit deny in a resource-based policy")
    # Outside the deny's condition, the grant allows again.
    assert await encrypt(bob, key_id, {"purpose": "backup"})
