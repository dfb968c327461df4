"""Rows of ``import_tokens`` and the SQL of imported key material: SQL only; the rules live in
api.keys.imports."""

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


async def delete_materials(conn: asyncpg.Connection, key_id: uuid.UUID) -> None:
    await conn.execute("DELETE FROM key_materials WHERE key_id = $1", key_id)
