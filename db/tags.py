"""Rows of ``key_tags``: SQL only; the tag rules live in api.keys.tags."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True)
class TagRow:
    key_id: uuid.UUID
    tag_key: str
    tag_value: str


def tag_row(record: asyncpg.Record) -> TagRow:
    return TagRow(**dict(record))


async def upsert_tags(
    conn: asyncpg.Connection, key_id: uuid.UUID, tags: list[tuple[str, str]]
) -> None:
    if not tags:
        return
    await conn.executemany(
        "INSERT INTO key_tags (key_id, tag_key, tag_value) VALUES ($1, $2, $3) "
        "ON CONFLICT (key_id, tag_key) DO UPDATE SET tag_value = EXCLUDED.tag_value",
        [(key_id, key, value) for key, value in tags],
    )


async def delete_tags(conn: asyncpg.Connection, key_id: uuid.UUID, tag_keys: list[str]) -> None:
    await conn.execute(
        "DELETE FROM key_tags WHERE key_id = $1 AND tag_key = ANY($2::text[])", key_id, tag_keys
    )


async def count_other_tags(conn: asyncpg.Connection, key_id: uuid.UUID, tag_keys: list[str]) -> int:
    """How many of the key's tags have a key other than ``tag_keys``."""
    count: int = await conn.fetchval(
        "SELECT count(*) FROM key_tags WHERE key_id = $1 AND NOT (tag_key = ANY($2::text[]))",
        key_id,
        tag_keys,
    )
    return count


async def tags_of_keys(conn: asyncpg.Connection, key_ids: list[uuid.UUID]) -> list[TagRow]:
    """The tags of all ``key_ids`` in one statement, ordered by key then tag key."""
    records = await conn.fetch(
        "SELECT key_id, tag_key, tag_value FROM key_tags "
        "WHERE key_id = ANY($1::uuid[]) ORDER BY key_id, tag_key",
        key_ids,
    )
    return [tag_row(record) for record in records]
