"""Two access keys per principal, however many creations race for them."""

from __future__ import annotations

import asyncio

from api.access_keys import MAX_ACCESS_KEYS, IssuedAccessKey, create_access_key, list_access_keys
from api.errors import LimitExceededException
from api.principals import Principal
from api.services import Services


async def test_concurrent_creations_cannot_pass_the_limit(services: Services) -> None:
    root = Principal.root(services.settings.account_id)

    async def create() -> IssuedAccessKey:
        async with services.pool.acquire() as conn:
            return await create_access_key(conn, services.hsm, root)

    results = await asyncio.gather(*(create() for _ in range(5)), return_exceptions=True)
    created = [result for result in results if isinstance(result, IssuedAccessKey)]
    limited = [result for result in results if isinstance(result, LimitExceededException)]
    assert (len(created), len(limited)) == (MAX_ACCESS_KEYS, 5 - MAX_ACCESS_KEYS)
    async with services.pool.acquire() as conn:
        held = await list_access_keys(conn, root)
    assert sorted(key.access_key_id for key in held) == sorted(
        issued.key.access_key_id for issued in created
    )
