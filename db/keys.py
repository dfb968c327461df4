"""Rows of ``keys``, ``key_materials`` and ``key_events``: SQL only; the rules live in api.keys.

Rows are returned as plain records (``KeyRow``), so ``db`` stays ignorant of the domain's enums.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from db.sql import assignments, insert_row, lock_clause

KEY_COLUMNS = (
    "id, account_id, region, description, key_spec, key_usage, origin, state, created_at, "
    "current_material_id, deletion_date, pending_window_days, custom_key_store_id, "
    "expiration_model, valid_to, rotation_period_days, next_rotation_at, policy, version"
)

MATERIAL_COLUMNS = "key_id, material_id, wrapped, public_key, created_at, rotation_type"

# What key queries select: the columns and the connection state of the key's custom key store,
# without which a key of a disconnected store would read as usable.
KEY_SELECT = (
    f"{KEY_COLUMNS}, (SELECT s.connection_state FROM custom_key_stores s "  # noqa: S608
    "WHERE s.id = keys.custom_key_store_id) AS store_state"
)


@dataclass(frozen=True)
class KeyRow:
    id: uuid.UUID
    account_id: str
    region: str
    description: str
    key_spec: str
    key_usage: str
    origin: str
    state: str
    created_at: datetime
    current_material_id: str | None
    deletion_date: datetime | None
    pending_window_days: int | None
    custom_key_store_id: str | None
    expiration_model: str | None
    valid_to: datetime | None
    rotation_period_days: int | None
    next_rotation_at: datetime | None
    policy: str
    version: int
    # Read, never written: see KEY_SELECT. None when the key is in no store (or was not joined).
    store_state: str | None = None


@dataclass(frozen=True)
class MaterialRow:
    key_id: uuid.UUID
    material_id: str
    wrapped: bytes
    public_key: bytes | None
    created_at: datetime
    rotation_type: str | None


def key_row(record: asyncpg.Record) -> KeyRow:
    return KeyRow(**dict(record))


def material_row(record: asyncpg.Record) -> MaterialRow:
    values = dict(record)
    values["wrapped"] = bytes(values["wrapped"])
    if values["public_key"] is not None:
        values["public_key"] = bytes(values["public_key"])
    return MaterialRow(**values)


async def insert_key(conn: asyncpg.Connection, row: KeyRow) -> None:
    await insert_row(conn, "keys", KEY_COLUMNS, row)


async def insert_material(conn: asyncpg.Connection, row: MaterialRow) -> None:
    await insert_row(conn, "key_materials", MATERIAL_COLUMNS, row)


async def find_key(
    conn: asyncpg.Connection, key_id: uuid.UUID, *, for_update: bool = False
) -> KeyRow | None:
    record = await conn.fetchrow(
        f"SELECT {KEY_SELECT} FROM keys WHERE id = $1{lock_clause(for_update)}",  # noqa: S608
        key_id,
    )
    return None if record is None else key_row(record)


async def find_keys(conn: asyncpg.Connection, key_ids: list[uuid.UUID]) -> list[KeyRow]:
    records = await conn.fetch(
        f"SELECT {KEY_SELECT} FROM keys WHERE id = ANY($1::uuid[])",  # noqa: S608 - constants
        key_ids,
    )
    return [key_row(record) for record in records]


@dataclass(frozen=True)
class KeyListing:
    """What ``list_keys`` narrows to and orders by; each narrowing field applies when set.

    ``sort_column`` is a column of ``keys`` (ties broken by id); ``after`` is the last row of the
    page before as (that column's value, id), None for the first page."""

    account_id: str
    region: str
    states: list[str] | None = None
    specs: list[str] | None = None
    usages: list[str] | None = None
    origins: list[str] | None = None
    text: str | None = None
    sort_column: str = "id"
    descending: bool = False


# What ``KeyListing.text`` is looked for in, case-insensitively: the id, the description, an
# alias name, a tag key or value.
_TEXT = (
    "(strpos(lower(keys.id::text), {t}) > 0 OR strpos(lower(keys.description), {t}) > 0 "
    "OR EXISTS (SELECT 1 FROM aliases a WHERE a.key_id = keys.id "
    "AND strpos(lower(a.name), {t}) > 0) "
    "OR EXISTS (SELECT 1 FROM key_tags g WHERE g.key_id = keys.id "
    "AND (strpos(lower(g.tag_key), {t}) > 0 OR strpos(lower(g.tag_value), {t}) > 0)))"
)
_LISTED_IN = {"states": "state", "specs": "key_spec", "usages": "key_usage", "origins": "origin"}
SORT_COLUMNS = frozenset({"id", "created_at", "state", "key_spec", "description"})


def _listing_where(listing: KeyListing) -> tuple[list[str], list[Any]]:
    values: list[Any] = [listing.account_id, listing.region]
    conditions = ["keys.account_id = $1", "keys.region = $2"]
    for field, column in _LISTED_IN.items():
        chosen = getattr(listing, field)
        if chosen is not None:
            values.append(chosen)
            conditions.append(f"keys.{column} = ANY(${len(values)}::text[])")
    if listing.text:
        values.append(listing.text.lower())
        conditions.append(_TEXT.format(t=f"${len(values)}"))
    return conditions, values


async def list_keys(
    conn: asyncpg.Connection, listing: KeyListing, after: tuple[Any, uuid.UUID] | None, limit: int
) -> list[KeyRow]:
    """``limit`` keys of ``listing`` after ``after``, in its order: a page of keygraph's
    filtered, sorted ListKeys (keyset paging, so a page costs the same wherever it is)."""
    if listing.sort_column not in SORT_COLUMNS:
        raise ValueError(listing.sort_column)
    conditions, values = _listing_where(listing)
    # Ties broken by id; by id alone (ListKeys as AWS has it) the primary key is the order.
    by_id = listing.sort_column == "id"
    columns = ["keys.id"] if by_id else [f"keys.{listing.sort_column}", "keys.id"]
    direction = "DESC" if listing.descending else "ASC"
    if after is not None:
        marks = []
        for value in after[1:] if by_id else after:
            values.append(value)
            marks.append(f"${len(values)}")
        beyond = "<" if listing.descending else ">"
        conditions.append(f"({', '.join(columns)}) {beyond} ({', '.join(marks)})")
    values.append(limit)
    order = ", ".join(f"{column} {direction}" for column in columns)
    records = await conn.fetch(
        f"SELECT {KEY_SELECT} FROM keys "  # noqa: S608 - constants
        f"WHERE {' AND '.join(conditions)} ORDER BY {order} LIMIT ${len(values)}",
        *values,
    )
    return [key_row(record) for record in records]


async def count_keys(conn: asyncpg.Connection, listing: KeyListing) -> int:
    """How many keys ``listing`` matches, all pages."""
    conditions, values = _listing_where(listing)
    count: int = await conn.fetchval(
        f"SELECT count(*) FROM keys WHERE {' AND '.join(conditions)}",  # noqa: S608
        *values,
    )
    return count


async def update_key(
    conn: asyncpg.Connection, key_id: uuid.UUID, changes: dict[str, Any]
) -> KeyRow:
    """Apply ``changes`` (column -> value) and bump the version, in the caller's transaction."""
    clause, values = assignments(changes)
    record = await conn.fetchrow(
        f"UPDATE keys SET {clause}, version = version + 1 WHERE id = $1 "  # noqa: S608
        f"RETURNING {KEY_SELECT}",
        key_id,
        *values,
    )
    return key_row(record)


async def delete_key(conn: asyncpg.Connection, key_id: uuid.UUID) -> None:
    await conn.execute("DELETE FROM keys WHERE id = $1", key_id)


async def find_material(
    conn: asyncpg.Connection, key_id: uuid.UUID, material_id: str
) -> MaterialRow | None:
    record = await conn.fetchrow(
        f"SELECT {MATERIAL_COLUMNS} FROM key_materials "  # noqa: S608 - constants
        "WHERE key_id = $1 AND material_id = $2",
        key_id,
        material_id,
    )
    return None if record is None else material_row(record)


async def list_materials(conn: asyncpg.Connection, key_id: uuid.UUID) -> list[MaterialRow]:
    records = await conn.fetch(
        f"SELECT {MATERIAL_COLUMNS} FROM key_materials "  # noqa: S608 - constants
        "WHERE key_id = $1 ORDER BY created_at, material_id",
        key_id,
    )
    return [material_row(record) for record in records]


async def record_event(
    conn: asyncpg.Connection,
    key_id: uuid.UUID,
    action: str,
    from_state: str | None,
    to_state: str | None,
) -> None:
    await conn.execute(
        "INSERT INTO key_events (key_id, action, from_state, to_state) VALUES ($1, $2, $3, $4)",
        key_id,
        action,
        from_state,
        to_state,
    )


async def public_keys_for_keys(
    conn: asyncpg.Connection, key_ids: list[uuid.UUID]
) -> dict[uuid.UUID, bytes]:
    """The DER public key of each asymmetric key's current material, in one statement: the
    batch behind ``Key.publicKey`` (symmetric and HMAC keys have none)."""
    records = await conn.fetch(
        "SELECT k.id, m.public_key FROM keys k JOIN key_materials m "
        "ON m.key_id = k.id AND m.material_id = k.current_material_id "
        "WHERE k.id = ANY($1::uuid[]) AND m.public_key IS NOT NULL",
        key_ids,
    )
    return {record["id"]: bytes(record["public_key"]) for record in records}
