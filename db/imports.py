"""Rows of ``import_tokens`` and ``imported_materials``, and the SQL of imported key material: SQL
only; the rules live in api.keys.imports."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

import asyncpg

from db.sql import insert_row, lock_clause

COLUMNS = (
    "id, key_id, wrapping_algorithm, wrapping_key_spec, wrapped_private_key, public_key, "
    "expires_at, used_at"
)


@dataclass(frozen=True)
class ImportTokenRow:
    id: uuid.UUID
    key_id: uuid.UUID
    wrapping_algorithm: str
    wrapping_key_spec: str
    wrapped_private_key: bytes = field(repr=False)
    public_key: bytes = field(repr=False)
    expires_at: datetime
    used_at: datetime | None


def token_row(record: asyncpg.Record) -> ImportTokenRow:
    values = dict(record)
    values["wrapped_private_key"] = bytes(values["wrapped_private_key"])
    values["public_key"] = bytes(values["public_key"])
    return ImportTokenRow(**values)


async def insert_token(conn: asyncpg.Connection, row: ImportTokenRow) -> None:
    await insert_row(conn, "import_tokens", COLUMNS, row)


async def find_token(
    conn: asyncpg.Connection, token_id: uuid.UUID, *, for_update: bool = False
) -> ImportTokenRow | None:
    record = await conn.fetchrow(
        f"SELECT {COLUMNS} FROM import_tokens WHERE id = $1{lock_clause(for_update)}",  # noqa: S608
        token_id,
    )
    return None if record is None else token_row(record)


async def use_token(conn: asyncpg.Connection, token_id: uuid.UUID, at: datetime) -> None:
    """Mark the token used and drop its import private key, which has no further purpose."""
    await conn.execute(
        "UPDATE import_tokens SET used_at = $2, wrapped_private_key = ''::bytea WHERE id = $1",
        token_id,
        at,
    )


async def purge_tokens(conn: asyncpg.Connection, expired_before: datetime) -> int:
    result: str = await conn.execute(
        "DELETE FROM import_tokens WHERE expires_at < $1", expired_before
    )
    return int(result.split()[-1])


IMPORTED_COLUMNS = "key_id, material_id, description, state, expiration_model, valid_to, rotated_at"


@dataclass(frozen=True)
class ImportedMaterialRow:
    """A material a key with imported material has been given. ``imported`` is read, never
    written: whether its wrapped material (a ``key_materials`` row) is there."""

    key_id: uuid.UUID
    material_id: str
    description: str | None
    state: str
    expiration_model: str | None
    valid_to: datetime | None
    rotated_at: datetime | None
    imported: bool = False


_IMPORTED_SELECT = (
    "SELECT i.key_id, i.material_id, i.description, i.state, i.expiration_model, i.valid_to, "
    "i.rotated_at, EXISTS (SELECT 1 FROM key_materials m WHERE m.key_id = i.key_id "
    "AND m.material_id = i.material_id) AS imported FROM imported_materials i "
)


async def imported_materials(
    conn: asyncpg.Connection, key_id: uuid.UUID
) -> list[ImportedMaterialRow]:
    """The key's materials in AWS's listing order: the first, the rotated ones in the order they
    became current, then the one pending rotation."""
    records = await conn.fetch(
        _IMPORTED_SELECT + "WHERE i.key_id = $1 "
        "ORDER BY i.state = 'PENDING_ROTATION', i.rotated_at NULLS FIRST, i.material_id",
        key_id,
    )
    return [ImportedMaterialRow(**dict(record)) for record in records]


async def save_imported(conn: asyncpg.Connection, row: ImportedMaterialRow) -> None:
    """Insert the material, or write every column of the one it replaces."""
    await conn.execute(
        f"INSERT INTO imported_materials ({IMPORTED_COLUMNS}) "  # noqa: S608 - constants
        "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (key_id, material_id) DO UPDATE SET "
        "description = $3, state = $4, expiration_model = $5, valid_to = $6, rotated_at = $7",
        row.key_id,
        row.material_id,
        row.description,
        row.state,
        row.expiration_model,
        row.valid_to,
        row.rotated_at,
    )


async def remove_material(conn: asyncpg.Connection, key_id: uuid.UUID, material_id: str) -> None:
    """Delete the wrapped material; the key keeps knowing it (for a re-import) unless the
    caller also ``forget_material``s it."""
    await conn.execute(
        "DELETE FROM key_materials WHERE key_id = $1 AND material_id = $2", key_id, material_id
    )
    await conn.execute(
        "UPDATE imported_materials SET expiration_model = NULL, valid_to = NULL "
        "WHERE key_id = $1 AND material_id = $2",
        key_id,
        material_id,
    )


async def forget_material(conn: asyncpg.Connection, key_id: uuid.UUID, material_id: str) -> None:
    await conn.execute(
        "DELETE FROM imported_materials WHERE key_id = $1 AND material_id = $2",
        key_id,
        material_id,
    )


async def count_rotated(conn: asyncpg.Connection, key_id: uuid.UUID) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM imported_materials WHERE key_id = $1 AND rotated_at IS NOT NULL",
        key_id,
    )
    return count
