"""Rows of ``key_materials`` seen as rotations: SQL only; the rotation rules live in
api.keys.rotation.

A rotation is a material row whose ``rotation_type`` names how it came (the caller passes the
types it counts), listed in the order it was made: ``created_at`` then ``material_id``, a total
order that pagination can resume from.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg


@dataclass(frozen=True)
class RotationRow:
    key_id: uuid.UUID
    account_id: str
    region: str
    material_id: str
    created_at: datetime
    rotation_type: str


# The key's account and region come along so that callers can name the key by its ARN.
_SELECT = (
    "SELECT m.key_id, k.account_id, k.region, m.material_id, m.created_at, m.rotation_type "
    "FROM key_materials m JOIN keys k ON k.id = m.key_id "
)


def rotation_row(record: asyncpg.Record) -> RotationRow:
    return RotationRow(**dict(record))


async def count_rotations(conn: asyncpg.Connection, key_id: uuid.UUID, rotation_type: str) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM key_materials WHERE key_id = $1 AND rotation_type = $2",
        key_id,
        rotation_type,
    )
    return count


async def rotations_for_keys(
    conn: asyncpg.Connection, key_ids: list[uuid.UUID], types: list[str]
) -> list[RotationRow]:
    """Every rotation of every key in ``key_ids``, in one statement, each key's in order."""
    records = await conn.fetch(
        _SELECT + "WHERE m.key_id = ANY($1::uuid[]) AND m.rotation_type = ANY($2::text[]) "
        "ORDER BY m.key_id, m.created_at, m.material_id",
        key_ids,
        types,
    )
    return [rotation_row(record) for record in records]
