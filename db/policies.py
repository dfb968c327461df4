"""Key policy documents, read from ``keys.policy`` (writes go through ``db.keys.update_key``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg


async def policies_for_keys(
    conn: asyncpg.Connection, key_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Each existing key's policy in one statement: what the ``Key.policy`` loader reads."""
    records = await conn.fetch(
        "SELECT id, policy FROM keys WHERE id = ANY($1::uuid[])", list(key_ids)
    )
    return {record["id"]: record["policy"] for record in records}
