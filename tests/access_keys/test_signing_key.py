"""``signing_key``: what the AWS door verifies a signature with. The secret is stored only sealed,
served from each process's cache, and gone from every process once the key is deactivated,
deleted or its principal revoked."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from functools import partial

import pytest

from api.access_keys import (
    IssuedAccessKey,
    SigningKey,
    create_access_key,
    deactivate_access_key,
    delete_access_key,
    find_access_key,
    signing_key,
)
from api.principals import (
    Principal,
    PrincipalKind,
    create_principal,
    principal_for,
    revoke_principal,
)
from api.services import Services
from hsm import InvalidCiphertext


async def eventually(condition: Callable[[], Awaitable[bool]], attempts: int = 200) -> None:
    """Wait for a notification to reach a cache: polls, bounded, no timing asserted."""
    for _ in range(attempts):
        if await condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition never held")


@pytest.fixture
async def alice(services: Services) -> Principal:
    account = services.settings.account_id
    async with services.pool.acquire() as conn:
        issued = await create_principal(conn, principal_for(account, "alice", PrincipalKind.USER))
    return issued.principal


async def issue(services: Services, principal: Principal) -> IssuedAccessKey:
    async with services.pool.acquire() as conn:
        return await create_access_key(conn, services.hsm, principal)


async def test_a_new_key_signs_as_its_principal(services: Services, alice: Principal) -> None:
    issued = await issue(services, alice)
    key_id = issued.key.access_key_id
    assert re.fullmatch(r"KGAK[A-Z2-7]{16}", key_id)
    assert re.fullmatch(r"[A-Za-z0-9+/]{40}", issued.secret)
    assert issued.secret not in repr(issued)

    found = await signing_key(services, key_id)
    assert found == SigningKey(key_id, alice, issued.secret)
    assert issued.secret not in repr(found)
    # Served from the cache from then on.
    assert services.key_cache.access_key(key_id) == found


async def test_the_database_holds_the_secret_only_sealed(
    services: Services, alice: Principal
) -> None:
    issued = await issue(services, alice)
    async with services.pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT * FROM access_keys WHERE access_key_id = $1", issued.key.access_key_id
        )
        # A sealed secret moved to another key's row does not open.
        other = await issue(services, alice)
        await conn.execute(
            "UPDATE access_keys SET sealed_secret = $2 WHERE access_key_id = $1",
            other.key.access_key_id,
            row["sealed_secret"],
        )
    stored = b"".join(
        value if isinstance(value, bytes) else str(value).encode() for value in row.values()
    )
    assert issued.secret.encode() not in stored
    assert len(row["sealed_secret"]) > len(issued.secret)
    with pytest.raises(InvalidCiphertext):
        await signing_key(services, other.key.access_key_id)


async def test_unknown_and_malformed_ids_find_nothing(services: Services) -> None:
    assert await signing_key(services, "KGAKAAAAAAAAAAAAAAAA") is None
    assert await signing_key(services, "AKIAIOSFODNN7EXAMPLE") is None
    assert await signing_key(services, "x" * 10_000) is None


async def test_deactivated_and_deleted_keys_stop_signing_in_every_process(
    services: Services, replica: Services, alice: Principal
) -> None:
    first, second = await issue(services, alice), await issue(services, alice)
    for issued in (first, second):
        key_id = issued.key.access_key_id
        assert await signing_key(replica, key_id) is not None
        assert replica.key_cache.access_key(key_id) is not None

    async with services.pool.acquire() as conn:
        await deactivate_access_key(conn, await find_access_key(conn, first.key.access_key_id))
        await delete_access_key(conn, await find_access_key(conn, second.key.access_key_id))
    for issued in (first, second):
        key_id = issued.key.access_key_id
        await eventually(partial(_gone, replica, key_id))
        assert await signing_key(replica, key_id) is None


async def test_a_revoked_principal_takes_its_keys_along(
    services: Services, replica: Services, alice: Principal
) -> None:
    issued = await issue(services, alice)
    key_id = issued.key.access_key_id
    assert await signing_key(replica, key_id) is not None
    async with services.pool.acquire() as conn:
        await revoke_principal(conn, alice)
        assert await conn.fetchval("SELECT count(*) FROM access_keys") == 0
    await eventually(partial(_gone, replica, key_id))
    assert await signing_key(replica, key_id) is None


async def _gone(services: Services, key_id: str) -> bool:
    return services.key_cache.access_key(key_id) is None
