"""Grants at work through the authorizer: a grantee uses its grant within its constraints, and a
grantee allowed CreateGrant only by a grant may create grants no wider than that grant."""

from __future__ import annotations

import httpx
import pytest

from tests.authz.conftest import Clients, encrypt
from tests.grants.calls import create_grant, key_arn, not_authorized, revoke, user
from tests.graphql_client import GraphQLFailure
from tests.keys.test_aliases import new_key

IT = {"encryptionContextSubset": {"dept": "it"}}


async def test_a_grantee_uses_its_grant_within_its_constraints(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    alice = await principal_client("alice")
    key_id = await new_key(client)
    with pytest.raises(GraphQLFailure) as raised:
        await encrypt(alice, key_id, {"dept": "it"})
    assert raised.value == not_authorized(user("alice"), "Encrypt", key_id)

    created = await create_grant(client, key_id, user("alice"), "Encrypt", constraints=IT)
    tokens = [created["grantToken"]]
    await encrypt(alice, key_id, {"dept": "it", "team": "a"}, grantTokens=tokens)
    # Constraint keys match without case, values exactly.
    await encrypt(alice, key_id, {"DEPT": "it"}, grantTokens=tokens)
    for context in ({"dept": "IT"}, {"team": "a"}, None):
        with pytest.raises(GraphQLFailure) as raised:
            await encrypt(alice, key_id, context, grantTokens=tokens)
        assert raised.value.code == "AccessDeniedException"


async def test_a_revoked_grant_stops_working(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    alice = await principal_client("alice")
    key_id = await new_key(client)
    created = await create_grant(client, key_id, user("alice"), "Encrypt")
    await encrypt(alice, key_id, grantTokens=[created["grantToken"]])
    await encrypt(alice, key_id)  # the grant, cached or not
    await revoke(client, key_id, created["grantId"])
    # At once in this process (the revocation evicts the key's cached grants on commit), and the
    # token names nothing any more. tests/authz/test_two_processes.py covers other processes.
    for tokens in (None, [created["grantToken"]]):
        with pytest.raises(GraphQLFailure) as raised:
            await encrypt(alice, key_id, grantTokens=tokens)
        assert raised.value == not_authorized(user("alice"), "Encrypt", key_id)


async def test_grants_made_under_a_grant_are_no_wider_than_it(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    alice = await principal_client("alice")
    key_id = await new_key(client)
    parent = await create_grant(
        client, key_id, user("alice"), "CreateGrant", "Encrypt", "Decrypt", constraints=IT
    )
    tokens = [parent["grantToken"]]

    async def alice_grants(*operations: str, **members: object) -> dict[str, str]:
        return await create_grant(
            alice, key_id, user("bob"), *operations, grantTokens=tokens, **members
        )

    narrower = {"encryptionContextSubset": {"dept": "it", "team": "a"}}
    await alice_grants("Encrypt", constraints=narrower)
    await alice_grants(
        "Encrypt", "Decrypt", constraints={"encryptionContextEquals": {"dept": "it"}}
    )
    await alice_grants("Decrypt", "CreateGrant", constraints=IT)

    wider: list[tuple[tuple[str, ...], dict[str, object]]] = [
        (("Encrypt", "GenerateDataKey"), {"constraints": IT}),
        (("Encrypt",), {}),
        (("Encrypt",), {"constraints": {"encryptionContextSubset": {"dept": "hr"}}}),
        (("Encrypt",), {"constraints": {"encryptionContextSubset": {"team": "a"}}}),
    ]
    for operations, members in wider:
        with pytest.raises(GraphQLFailure) as raised:
            await alice_grants(*operations, **members)
        assert raised.value.code == "AccessDeniedException", (operations, members)
        assert f"{key_arn(key_id)} because no grant that allows it" in raised.value.message

    # Bob's grant works at once with its token.
    bob = await principal_client("bob")
    child = await alice_grants("Encrypt", constraints=narrower)
    await encrypt(bob, key_id, {"dept": "it", "team": "a"}, grantTokens=[child["grantToken"]])


async def test_without_create_grant_nothing_can_be_granted(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    alice = await principal_client("alice")
    key_id = await new_key(client)
    await create_grant(client, key_id, user("alice"), "Encrypt", "Decrypt")
    with pytest.raises(GraphQLFailure) as raised:
        await create_grant(alice, key_id, user("bob"), "Encrypt")
    assert raised.value == not_authorized(user("alice"), "CreateGrant", key_id)
