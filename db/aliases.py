"""Rows of ``aliases``: SQL only; the naming rules live in api.keys.aliases."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from db.sql import lock_clause

ALIAS_COLUMNS = "account_id, region, name, key_id, created_at, updated_at"


@dataclass(frozen=True)
class AliasRow:
    account_id: str
    region: str
    name: str
    key_id: uuid.UUID
    created_at: datetime
    updated_at: datetime


def alias_row(record: asyncpg.Record) -> AliasRow:
    return AliasRow(**dict(record))


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


async def insert_alias(conn: asyncpg.Connection, row: AliasRow) -> bool:
    """Insert ``row``; ``False`` (and nothing written) when the name is taken in its scope."""
    inserted = await conn.fetchval(
        f"INSERT INTO aliases ({ALIAS_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) "  # noqa: S608
        "ON CONFLICT (account_id, region, name) DO NOTHING RETURNING true",
        row.account_id,
        row.region,
        row.name,
        row.key_id,
        row.created_at,
        row.updated_at,
    )
    return inserted is not None


async def find_alias(
    conn: asyncpg.Connection, account_id: str, region: str, name: str, *, for_update: bool = False
) -> AliasRow | None:
    record = await conn.fetchrow(
        f"SELECT {ALIAS_COLUMNS} FROM aliases "  # noqa: S608 - constants
        f"WHERE account_id = $1 AND region = $2 AND name = $3{lock_clause(for_update)}",
        account_id,
        region,
        name,
    )
    return None if record is None else alias_row(record)


async def retarget_alias(
    conn: asyncpg.Connection,
    account_id: str,
    region: str,
    name: str,
    key_id: uuid.UUID,
    updated_at: datetime,
) -> None:
    await conn.execute(
        "UPDATE aliases SET key_id = $4, updated_at = $5 "
        "WHERE account_id = $1 AND region = $2 AND name = $3",
        account_id,
        region,
        name,
        key_id,
        updated_at,
    )


async def delete_alias(conn: asyncpg.Connection, account_id: str, region: str, name: str) -> bool:
    """Delete the alias; ``False`` when there was none."""
    deleted = await conn.fetchval(
        "DELETE FROM aliases WHERE account_id = $1 AND region = $2 AND name = $3 RETURNING true",
        account_id,
        region,
        name,
    )
    return deleted is not None


async def count_aliases(conn: asyncpg.Connection, key_id: uuid.UUID) -> int:
    count: int = await conn.fetchval("SELECT count(*) FROM aliases WHERE key_id = $1", key_id)
    return count


async def list_aliases(
    conn: asyncpg.Connection,
    account_id: str,
    region: str,
    after: str | None,
    limit: int,
) -> list[AliasRow]:
    """A scope's aliases in name order, ``limit`` of them after ``after``."""
    records = await conn.fetch(
        f"SELECT {ALIAS_COLUMNS} FROM aliases "  # noqa: S608 - constants
        "WHERE account_id = $1 AND region = $2 "
        "AND ($3::text IS NULL OR name > $3) ORDER BY name LIMIT $4",
        account_id,
        region,
        after,
        limit,
    )
    return [alias_row(record) for record in records]


async def aliases_of_keys(conn: asyncpg.Connection, key_ids: list[uuid.UUID]) -> list[AliasRow]:
    """The aliases of all ``key_ids`` in one statement, ordered by key then name."""
    records = await conn.fetch(
        f"SELECT {ALIAS_COLUMNS} FROM aliases "  # noqa: S608 - constants
        "WHERE key_id = ANY($1::uuid[]) ORDER BY key_id, name",
        key_ids,
    )
    return [alias_row(record) for record in records]
