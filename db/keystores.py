"""Rows of ``custom_key_stores``: SQL only; the connection rules live in api.keystores."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

from db.sql import assignments, insert_row, lock_clause

STORE_COLUMNS = (
    "id, account_id, region, name, module_path, token_label, sealed_pin, connection_state, "
    "connection_error, created_at"
)

# Serialises CreateCustomKeyStore, so that two requests cannot claim one token at once.
_CREATE_LOCK = 0x6B67_0006


@dataclass(frozen=True)
class StoreRow:
    id: str
    account_id: str
    region: str
    name: str
    module_path: str
    token_label: str
    sealed_pin: bytes = field(repr=False)
    connection_state: str
    connection_error: str | None
    created_at: datetime


def store_row(record: asyncpg.Record) -> StoreRow:
    values = dict(record)
    values["sealed_pin"] = bytes(values["sealed_pin"])
    return StoreRow(**values)


async def lock_creation(conn: asyncpg.Connection) -> None:
    """Held until the caller's transaction ends."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", _CREATE_LOCK)


async def insert_store(conn: asyncpg.Connection, row: StoreRow) -> None:
    await insert_row(conn, "custom_key_stores", STORE_COLUMNS, row)


async def find_store(
    conn: asyncpg.Connection, store_id: str, *, for_update: bool = False
) -> StoreRow | None:
    record = await conn.fetchrow(
        f"SELECT {STORE_COLUMNS} FROM custom_key_stores "  # noqa: S608 - constants
        f"WHERE id = $1{lock_clause(for_update)}",
        store_id,
    )
    return None if record is None else store_row(record)


async def find_store_by_name(
    conn: asyncpg.Connection, account_id: str, region: str, name: str
) -> StoreRow | None:
    record = await conn.fetchrow(
        f"SELECT {STORE_COLUMNS} FROM custom_key_stores "  # noqa: S608 - constants
        "WHERE account_id = $1 AND region = $2 AND name = $3",
        account_id,
        region,
        name,
    )
    return None if record is None else store_row(record)


async def list_stores(
    conn: asyncpg.Connection, account_id: str, region: str, after: str | None, limit: int
) -> list[StoreRow]:
    """Stores in id order, ``limit`` of them after ``after``: the pages of the List call."""
    records = await conn.fetch(
        f"SELECT {STORE_COLUMNS} FROM custom_key_stores "  # noqa: S608 - constants
        "WHERE account_id = $1 AND region = $2 AND ($3::text IS NULL OR id > $3) "
        "ORDER BY id LIMIT $4",
        account_id,
        region,
        after,
        limit,
    )
    return [store_row(record) for record in records]


async def token_in_use(
    conn: asyncpg.Connection, module_path: str, token_label: str, *, except_id: str = ""
) -> bool:
    """Whether any store, in any account, already uses this token."""
    found = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM custom_key_stores "
        "WHERE module_path = $1 AND token_label = $2 AND id <> $3)",
        module_path,
        token_label,
        except_id,
    )
    return bool(found)


async def update_store(
    conn: asyncpg.Connection, store_id: str, changes: dict[str, Any]
) -> StoreRow:
    clause, values = assignments(changes)
    record = await conn.fetchrow(
        f"UPDATE custom_key_stores SET {clause} WHERE id = $1 "  # noqa: S608
        f"RETURNING {STORE_COLUMNS}",
        store_id,
        *values,
    )
    return store_row(record)


async def set_connection(
    conn: asyncpg.Connection,
    store_id: str,
    state: str,
    error: str | None,
    *,
    expected: str,
) -> StoreRow | None:
    """Move the store to ``state`` only if it still is in ``expected`` (None otherwise), so a
    slow connection attempt cannot overwrite a disconnect that happened meanwhile."""
    record = await conn.fetchrow(
        "UPDATE custom_key_stores SET connection_state = $2, connection_error = $3 "  # noqa: S608
        f"WHERE id = $1 AND connection_state = $4 RETURNING {STORE_COLUMNS}",
        store_id,
        state,
        error,
        expected,
    )
    return None if record is None else store_row(record)


async def delete_store(conn: asyncpg.Connection, store_id: str) -> None:
    await conn.execute("DELETE FROM custom_key_stores WHERE id = $1", store_id)


async def has_keys(conn: asyncpg.Connection, store_id: str) -> bool:
    found = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM keys WHERE custom_key_store_id = $1)", store_id
    )
    return bool(found)
