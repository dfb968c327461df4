"""A key's materials as ListKeyRotations lists them: SQL only; the rules live in
api.keys.rotation.

A key whose material keygraph generates has a ``key_materials`` row per version: the first
(``rotation_type`` NULL) and one per rotation (AUTOMATIC or ON_DEMAND), made in that order. A key
with imported material has an ``imported_materials`` row per material it was given (its wrapped
material may be deleted), in AWS's order: the first, the ones rotations made current, then the
one pending rotation. Each key's rows come in that order, with a total order (``position`` then
``material_id``) that pagination can resume from.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg


@dataclass(frozen=True)
class MaterialEntryRow:
    """One material of a key. The import columns are None for a key whose material keygraph
    generates (``imported`` too: AWS shows no import state for those)."""

    key_id: uuid.UUID
    account_id: str
    region: str
    material_id: str
    material_state: str
    rotation_date: datetime | None
    rotation_type: str | None
    description: str | None
    expiration_model: str | None
    valid_to: datetime | None
    imported: bool | None


_COLUMNS = (
    "key_id, account_id, region, material_id, material_state, rotation_date, rotation_type, "
    "description, expiration_model, valid_to, imported"
)

# The key's account and region come along so that callers can name the key by its ARN.
_ENTRIES = (
    "SELECT m.key_id, k.account_id, k.region, m.material_id, "
    "CASE WHEN m.material_id = k.current_material_id THEN 'CURRENT' ELSE 'NON_CURRENT' END "
    "AS material_state, "
    "CASE WHEN m.rotation_type IS NULL THEN NULL ELSE m.created_at END AS rotation_date, "
    "m.rotation_type, NULL::text AS description, NULL::text AS expiration_model, "
    "NULL::timestamptz AS valid_to, NULL::boolean AS imported, "
    "CASE WHEN m.rotation_type IS NULL THEN '-infinity'::timestamptz ELSE m.created_at END "
    "AS position "
    "FROM key_materials m JOIN keys k ON k.id = m.key_id "
    "WHERE m.key_id = ANY($1::uuid[]) AND k.origin <> 'EXTERNAL' "
    "UNION ALL "
    "SELECT i.key_id, k.account_id, k.region, i.material_id, i.state, i.rotated_at, "
    "CASE WHEN i.rotated_at IS NULL THEN NULL ELSE 'ON_DEMAND' END, i.description, "
    "i.expiration_model, i.valid_to, EXISTS (SELECT 1 FROM key_materials m "
    "WHERE m.key_id = i.key_id AND m.material_id = i.material_id), "
    "CASE WHEN i.state = 'PENDING_ROTATION' THEN 'infinity'::timestamptz "
    "ELSE COALESCE(i.rotated_at, '-infinity'::timestamptz) END "
    "FROM imported_materials i JOIN keys k ON k.id = i.key_id "
    "WHERE i.key_id = ANY($1::uuid[])"
)


async def materials_for_keys(
    conn: asyncpg.Connection, key_ids: list[uuid.UUID]
) -> list[MaterialEntryRow]:
    """Every material of every key in ``key_ids``, in one statement, each key's in order."""
    records = await conn.fetch(
        f"SELECT {_COLUMNS} FROM ({_ENTRIES}) entries "  # noqa: S608 - constants
        "ORDER BY key_id, position, material_id",
        key_ids,
    )
    return [MaterialEntryRow(**dict(record)) for record in records]


async def count_rotations(conn: asyncpg.Connection, key_id: uuid.UUID, rotation_type: str) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM key_materials WHERE key_id = $1 AND rotation_type = $2",
        key_id,
        rotation_type,
    )
    return count
