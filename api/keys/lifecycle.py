"""DescribeKey, ListKeys, EnableKey, DisableKey, UpdateKeyDescription."""

from __future__ import annotations

import uuid
from typing import Any

from api import limits
from api.authz.authorize import authorize
from api.calls import Call
from api.crypto.keyring import readable_key
from api.keys.model import Key, KeyState
from api.keys.store import change_key, to_key
from api.keys.validation import member_length
from api.pages import Page, fetch_size, invalid_marker, page_of, page_size
from api.services import Services
from db import keys as rows


async def describe_key(services: Services, call: Call, key_id: str) -> Key:
    """From the key cache: services call DescribeKey about as often as they encrypt."""
    return await readable_key(services, call, key_id, "DescribeKey")


async def list_keys(
    services: Services, call: Call, limit: int | None = None, marker: str | None = None
) -> Page[Key]:
    """Keys of the account and region, in a stable order; ``marker`` is the last id seen. A key
    deleted between the two statements is left out, and the marker still moves past it.

    The keys listed go into the key cache: the graph's nested fields (``Key.aliases``...) run
    an operation on each, which resolves the key again, from the cache rather than with one
    statement per key."""
    size = page_size(limit)
    await authorize(services, call, "ListKeys", None)
    after = None
    if marker is not None:
        try:
            after = uuid.UUID(marker)
        except ValueError:
            raise invalid_marker() from None
    cache = services.key_cache
    since = cache.generation
    async with services.pool.acquire() as conn:
        scope = call.scope
        listed = await rows.list_key_ids(
            conn, scope.account_id, scope.region, after, fetch_size(size)
        )
        ids = page_of(listed, size, str)
        found = {row.id: row for row in await rows.find_keys(conn, ids.items)}
    keys = [to_key(found[key_id]) for key_id in ids.items if key_id in found]
    for key in keys:
        cache.put_key(key, since)
    return Page(keys, ids.next_marker)


async def _set_state(key: Key, state: KeyState) -> dict[str, Any]:
    return {} if key.state is state else {"state": state}


async def enable_key(services: Services, call: Call, key_id: str) -> Key:
    async def change(key: Key) -> dict[str, Any]:
        return await _set_state(key, KeyState.ENABLED)

    async with services.pool.acquire() as conn:
        return await change_key(services, conn, call, key_id, "EnableKey", change)


async def disable_key(services: Services, call: Call, key_id: str) -> Key:
    async def change(key: Key) -> dict[str, Any]:
        return await _set_state(key, KeyState.DISABLED)

    async with services.pool.acquire() as conn:
        return await change_key(services, conn, call, key_id, "DisableKey", change)


async def update_key_description(
    services: Services, call: Call, key_id: str, description: str
) -> Key:
    member_length("description", description, limits.DESCRIPTION_MAX)

    async def change(key: Key) -> dict[str, Any]:
        return {} if key.description == description else {"description": description}

    async with services.pool.acquire() as conn:
        return await change_key(services, conn, call, key_id, "UpdateKeyDescription", change)
