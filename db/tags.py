"""Rows of ``key_tags``: SQL only; the tag rules live in api.keys.tags."""

from __future__ import annotations

import uuid

import asyncpg


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
