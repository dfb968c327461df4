"""Rows of ``aliases``: SQL only; the naming rules live in api.keys.aliases."""

from __future__ import annotations

import uuid

import asyncpg


async def alias_target(
    conn: asyncpg.Connection, account_id: str, region: str, name: str
) -> uuid.UUID | None:
    target: uuid.UUID | None = await conn.fetchval(
        "SELECT key_id FROM aliases WHERE account_id = $1 AND region = $2 AND name = $3",
        account_id,
        region,
        name,
    )
    return target
