"""The per-process key cache: it serves the crypto path, and a change made anywhere (any
connection, any process) evicts what it names, through NOTIFY on commit."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import httpx
import pytest

from api.authz.access import usable_key
from api.cache import LISTENER_APPLICATION_NAME, KeyCache
from api.errors import DisabledException
from api.services import Services
from tests.graphql_client import gql
from tests.keys.test_deletion import root_call
from tests.keys.test_lifecycle import create_key


async def eventually(condition: object, attempts: int = 100) -> None:
    """Wait for an asynchronous notification to arrive: polls, bounded, no timing asserted."""
    for _ in range(attempts):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition never held")


async def test_a_change_from_another_connection_evicts_the_key(
    client: httpx.AsyncClient, services: Services
) -> None:
    key_id = str((await create_key(client))["keyId"])
    call = root_call(services)
    await usable_key(services, call, key_id, "Encrypt")
    assert services.key_cache.key(uuid.UUID(key_id)) is not None

    other = await asyncpg.connect(services.settings.database_url)
    try:
        await other.execute("UPDATE keys SET state = 'Disabled' WHERE id = $1", uuid.UUID(key_id))
    finally:
        await other.close()
    await eventually(lambda: services.key_cache.key(uuid.UUID(key_id)) is None)
    with pytest.raises(DisabledException):
        await usable_key(services, call, key_id, "Encrypt")


async def test_aliases_are_cached_and_dropped_on_change(
    client: httpx.AsyncClient, services: Services
) -> None:
    first = str((await create_key(client))["keyId"])
    second = str((await create_key(client))["keyId"])
    create = """mutation($n: String!, $k: String!) {
        createAlias(input: {aliasName: $n, targetKeyId: $k}) { keyMetadata { keyId } } }"""
    await gql(client, create, {"n": "alias/payments", "k": first})
    call = root_call(services)
    assert (await usable_key(services, call, "alias/payments", "Encrypt")).key_id == first
    update = """mutation($n: String!, $k: String!) {
        updateAlias(input: {aliasName: $n, targetKeyId: $k}) { keyMetadata { keyId } } }"""
    await gql(client, update, {"n": "alias/payments", "k": second})
    scope = call.scope
    await eventually(
        lambda: services.key_cache.alias(scope.account_id, scope.region, "alias/payments") is None
    )
    assert (await usable_key(services, call, "alias/payments", "Encrypt")).key_id == second


async def test_a_lost_listener_stops_the_cache_until_it_is_back(services: Services) -> None:
    """A real fault: the listening backend is terminated by the server."""
    assert services.key_cache.live
    async with services.pool.acquire() as conn:
        terminated = await conn.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = $1 AND datname = current_database()",
            LISTENER_APPLICATION_NAME,
        )
    assert terminated == 1
    await eventually(lambda: not services.key_cache.live)
    await eventually(lambda: services.key_cache.live, attempts=500)


def test_a_read_that_raced_a_change_is_not_cached() -> None:
    cache = KeyCache()
    cache.live = True
    key_id = uuid.uuid4()
    since = cache.generation
    cache.changed(str(key_id))
    cache.put_material(key_id, "m", object(), since)  # type: ignore[arg-type]
    assert cache.material(key_id, "m") is None
    cache.put_material(key_id, "m", object(), cache.generation)  # type: ignore[arg-type]
    assert cache.material(key_id, "m") is not None
