"""The navigable graph: a page of keys with their aliases, tags, policy and rotations costs a
fixed number of SQL statements, whatever the page size (DataLoaders batch each nested field)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from api.services import Services
from tests.graphql_client import gql
from tests.statements import pool_logging_statements

# What asyncpg's pool sends when a connection goes back: housekeeping, not the app's queries.
POOL_RESET = "SELECT pg_advisory_unlock_all();"
PAGE = """
query($limit: Int) {
  listKeys(input: {limit: $limit}) {
    keys {
      keyId keyMetadata { keyState } aliases { aliasName } tags { tagKey tagValue } policy
      publicKey grants { grantId } rotationStatus { keyRotationEnabled } rotations { keyMaterialId }
    }
  }
}"""


@pytest.fixture
async def counted(services: Services) -> AsyncIterator[list[str]]:
    """Every statement the app sends from now on, through a pool that logs them."""
    statements: list[str] = []

    def log(record: asyncpg.connection.LoggedQuery) -> None:
        if not record.query.startswith(POOL_RESET):
            statements.append(record.query)

    async with pool_logging_statements(services, log):
        yield statements


async def make_keys(client: httpx.AsyncClient, count: int) -> None:
    for index in range(count):
        data = await gql(
            client,
            """mutation($tags: [TagInput!]!) { createKey(input: {tags: $tags}) {
                 keyMetadata { keyId } } }""",
            {"tags": [{"tagKey": "team", "tagValue": f"t{index}"},
                      {"tagKey": "env", "tagValue": "test"}]},
        )  # fmt: skip
        key_id = data["createKey"]["keyMetadata"]["keyId"]
        await gql(
            client,
            """mutation($name: String!, $key: String!) {
                 createAlias(input: {aliasName: $name, targetKeyId: $key}) { keyMetadata { keyId } }
               }""",
            {"name": f"alias/k{index:03d}", "key": key_id},
        )


async def test_nested_fields_cost_the_same_for_5_or_50_keys(
    client: httpx.AsyncClient, counted: list[str]
) -> None:
    await make_keys(client, 50)
    await gql(client, PAGE, {"limit": 50})  # first use prepares statements on the connections
    costs = {}
    for limit in (5, 50):
        counted.clear()
        data = await gql(client, PAGE, {"limit": limit})
        keys = data["listKeys"]["keys"]
        assert len(keys) == limit
        for key in keys:
            assert len(key["aliases"]) == 1
            assert {tag["tagKey"] for tag in key["tags"]} == {"team", "env"}
            assert '"kms:*"' in key["policy"]
            assert key["rotationStatus"] == {"keyRotationEnabled": False}
            assert key["rotations"] == []
            assert key["publicKey"] is None  # symmetric keys have none
            assert key["grants"] == []
            assert key["keyMetadata"] == {"keyState": "Enabled"}
        costs[limit] = len(counted)
    assert costs[50] == costs[5], counted
    # key ids, keys, then one statement each for aliases, grants, tags, policies, rotation status
    # and rotations (the token and authorization come from the cache; symmetric keys have no
    # public key, which GetPublicKey knows from the cached key before any statement)
    assert costs[5] == 8


async def test_public_key_of_an_asymmetric_key_is_the_one_get_public_key_returns(
    client: httpx.AsyncClient,
) -> None:
    created = await gql(
        client,
        "mutation { createKey(input: {keySpec: ECC_NIST_P256, keyUsage: SIGN_VERIFY}) "
        "{ keyMetadata { keyId } } }",
    )
    key_id = created["createKey"]["keyMetadata"]["keyId"]
    listed = await gql(client, "{ listKeys { keys { keyId publicKey } } }")
    fetched = await gql(
        client,
        "query($k: String!) { getPublicKey(input: {keyId: $k}) { publicKey } }",
        {"k": key_id},
    )
    (entry,) = [key for key in listed["listKeys"]["keys"] if key["keyId"] == key_id]
    assert entry["publicKey"] == fetched["getPublicKey"]["publicKey"]
    assert entry["publicKey"].startswith("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE")  # P-256 SPKI
