"""What the grants leave in Postgres: announcements on keygraph_keys, only hashes of tokens, and
the readers authorization and the graph use (load_grants, grants_for_tokens, grants_for_keys)."""

from __future__ import annotations

import asyncio
import hashlib
import uuid

import asyncpg
import httpx
import pytest

from api.errors import InvalidGrantTokenException
from api.grants import grants_for_keys, grants_for_tokens, load_grants
from api.grants.model import GrantConstraints
from api.services import Services
from tests.grants.calls import create_grant, key_arn, retire, revoke, user
from tests.keys.test_aliases import new_key

CHANNEL = "keygraph_keys"


async def test_every_grant_change_announces_its_key(
    client: httpx.AsyncClient, services: Services
) -> None:
    key_id = await new_key(client)
    heard: asyncio.Queue[str] = asyncio.Queue()
    listener = await asyncpg.connect(services.settings.database_url)
    try:
        await listener.add_listener(CHANNEL, lambda *args: heard.put_nowait(args[3]))
        created = await create_grant(client, key_id, user("a"), "Encrypt", "RetireGrant")
        assert await asyncio.wait_for(heard.get(), 10) == key_id
        another = await create_grant(client, key_id, user("b"), "Encrypt")
        assert await asyncio.wait_for(heard.get(), 10) == key_id
        await revoke(client, key_id, created["grantId"])
        assert await asyncio.wait_for(heard.get(), 10) == key_id
        await retire(client, grantToken=another["grantToken"])
        assert await asyncio.wait_for(heard.get(), 10) == key_id
        assert heard.empty()
    finally:
        await listener.close()


async def test_only_a_hash_of_a_token_is_stored(
    client: httpx.AsyncClient, services: Services
) -> None:
    key_id = await new_key(client)
    token = (await create_grant(client, key_id, user("a"), "Encrypt"))["grantToken"]
    prefix, token_id, secret = token.split(".")
    assert prefix == "kgt1"
    async with services.pool.acquire() as conn:
        rows = await conn.fetch("SELECT * FROM grant_tokens")
        grants_text = await conn.fetchval("SELECT string_agg(g::text, '') FROM grants g")
    assert [row["token_id"] for row in rows] == [token_id]
    assert bytes(rows[0]["secret_hash"]) == hashlib.sha256(secret.encode()).digest()
    stored = "".join(str(value) for row in rows for value in row.values()) + grants_text
    assert secret not in stored


async def test_tokens_name_live_grants_of_their_key(
    client: httpx.AsyncClient, services: Services
) -> None:
    key_id, other_key = await new_key(client), await new_key(client)
    mine = await create_grant(client, key_id, user("a"), "Encrypt", name="mine")
    again = await create_grant(client, key_id, user("a"), "Encrypt", name="mine")
    elsewhere = await create_grant(client, other_key, user("a"), "Encrypt")
    revoked = await create_grant(client, key_id, user("a"), "Decrypt")
    await revoke(client, key_id, revoked["grantId"])
    prefix, token_id, secret = mine["grantToken"].split(".")
    forged = f"{prefix}.{token_id}.{'A' * len(secret)}"
    unknown = f"{prefix}.{'B' * len(token_id)}.{secret}"
    given = [mine, again, elsewhere, revoked]
    tokens = [created["grantToken"] for created in given] + [forged, unknown]

    async with services.pool.acquire() as conn:
        found = await grants_for_tokens(conn, uuid.UUID(key_id), tokens)
        assert [grant.grant_id for grant in found] == [mine["grantId"]]
        assert found[0].key_arn == key_arn(key_id)
        assert await grants_for_tokens(conn, uuid.UUID(key_id), None) == ()
        with pytest.raises(InvalidGrantTokenException):
            await grants_for_tokens(conn, uuid.UUID(key_id), [mine["grantToken"], "kgt1.x.y"])


async def test_loaders_read_each_key_in_one_batch(
    client: httpx.AsyncClient, services: Services
) -> None:
    first, second, bare = await new_key(client), await new_key(client), await new_key(client)
    subset = {"encryptionContextSubset": {"Dept": "IT"}}
    made = [
        (await create_grant(client, first, user("a"), "Encrypt", constraints=subset))["grantId"],
        (await create_grant(client, first, user("b"), "Decrypt"))["grantId"],
        (await create_grant(client, second, user("c"), "DescribeKey", "Encrypt"))["grantId"],
    ]
    keys = [uuid.UUID(first), uuid.UUID(second), uuid.UUID(bare)]
    async with services.pool.acquire() as conn:
        batched = await grants_for_keys(conn, keys)
        loaded = await load_grants(conn, uuid.UUID(first))
    assert list(batched) == keys
    assert [g.grant_id for g in batched[keys[0]]] == sorted(made[:2])
    assert [g.grant_id for g in batched[keys[1]]] == [made[2]]
    assert batched[keys[2]] == []
    assert loaded == tuple(batched[keys[0]])
    constrained = next(g for g in loaded if g.grant_id == made[0])
    assert constrained.constraints == GrantConstraints.of(subset={"Dept": "IT"})
    assert constrained.operations == frozenset({"Encrypt"})
    assert constrained.permits(user("a"), "Encrypt", {"dept": "IT"})
    assert not constrained.permits(user("a"), "Encrypt", {"dept": "it"})
    described = batched[keys[1]][0]
    assert described.operations == frozenset({"DescribeKey", "Encrypt"})


async def test_a_deleted_key_takes_its_grants_along(
    client: httpx.AsyncClient, services: Services
) -> None:
    key_id = await new_key(client)
    await create_grant(client, key_id, user("a"), "Encrypt")
    async with services.pool.acquire() as conn:
        await conn.execute("DELETE FROM keys WHERE id = $1", uuid.UUID(key_id))
        counts = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM grants) AS grants, "
            "(SELECT count(*) FROM grant_tokens) AS tokens"
        )
    assert dict(counts) == {"grants": 0, "tokens": 0}
