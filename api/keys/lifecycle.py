"""DescribeKey, ListKeys, EnableKey, DisableKey, UpdateKeyDescription."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from api import limits
from api.calls import Call
from api.errors import InvalidMarkerException
from api.keys.model import Key, KeyState
from api.keys.store import change_key, read_key, to_key
from api.keys.validation import member_length, member_range
from api.services import Services
from db import keys as rows


@dataclass(frozen=True)
class Page:
    """One page of a List call: ``next_marker`` is set exactly when ``truncated``."""

    keys: list[Key]
    next_marker: str | None

    @property
    def truncated(self) -> bool:
        return self.next_marker is not None


async def describe_key(services: Services, call: Call, key_id: str) -> Key:
    async with services.pool.acquire() as conn:
        return await read_key(conn, call, key_id, "DescribeKey")


async def list_keys(
    services: Services, call: Call, limit: int | None = None, marker: str | None = None
) -> Page:
    """Keys of the account and region, in a stable order; ``marker`` is the last id seen."""
    size = limits.LIST_LIMIT_DEFAULT if limit is None else limit
    member_range("limit", size, limits.LIST_LIMIT)
    after = None
    if marker is not None:
        try:
            after = uuid.UUID(marker)
        except ValueError:
            raise InvalidMarkerException("The marker is not valid.") from None
    async with services.pool.acquire() as conn:
        ids = await rows.list_key_ids(
            conn, call.scope.account_id, call.scope.region, after, size + 1
        )
        found = {row.id: row for row in await rows.find_keys(conn, ids[:size])}
    keys = [to_key(found[key_id]) for key_id in ids[:size] if key_id in found]
    return Page(keys=keys, next_marker=str(ids[size - 1]) if len(ids) > size else None)


async def _set_state(key: Key, state: KeyState) -> dict[str, Any]:
    return {} if key.state is state else {"state": state}


async def enable_key(services: Services, call: Call, key_id: str) -> Key:
    async def change(key: Key) -> dict[str, Any]:
        return await _set_state(key, KeyState.ENABLED)

    async with services.pool.acquire() as conn:
        return await change_key(conn, call, key_id, "EnableKey", change)


async def disable_key(services: Services, call: Call, key_id: str) -> Key:
    async def change(key: Key) -> dict[str, Any]:
        return await _set_state(key, KeyState.DISABLED)

    async with services.pool.acquire() as conn:
        return await change_key(conn, call, key_id, "DisableKey", change)


async def update_key_description(
    services: Services, call: Call, key_id: str, description: str
) -> Key:
    member_length("description", description, limits.DESCRIPTION_MAX)

    async def change(key: Key) -> dict[str, Any]:
        return {} if key.description == description else {"description": description}

    async with services.pool.acquire() as conn:
        return await change_key(conn, call, key_id, "UpdateKeyDescription", change)
