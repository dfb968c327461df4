"""Tags on keys, with AWS's rules: key 1–128 characters, value 0–256, no ``aws:`` prefix in any
case, no duplicate keys in one request, at most 50 on a key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from api import limits
from api.errors import TagException
from db import tags as rows


@dataclass(frozen=True)
class Tag:
    key: str
    value: str


def validate_tag_key(key: str) -> str:
    if len(key) not in limits.TAG_KEY_LENGTH:
        raise TagException(
            f"Tag key must be between {limits.TAG_KEY_LENGTH.low} and "
            f"{limits.TAG_KEY_LENGTH.high} characters."
        )
    if key.lower().startswith("aws:"):
        raise TagException("Tags beginning with aws: are reserved.")
    return key


def validate_tags(tags: list[Tag]) -> list[Tag]:
    """The tags of one request, checked together."""
    seen: set[str] = set()
    for tag in tags:
        validate_tag_key(tag.key)
        if len(tag.value) not in limits.TAG_VALUE_LENGTH:
            raise TagException(
                f"Tag value must be at most {limits.TAG_VALUE_LENGTH.high} characters."
            )
        if tag.key in seen:
            raise TagException(f"Duplicate tag key {tag.key}.")
        seen.add(tag.key)
    if len(tags) > limits.TAGS_PER_KEY:
        raise TagException(f"A key can have at most {limits.TAGS_PER_KEY} tags.")
    return tags


async def insert_tags(conn: asyncpg.Connection, key_id: uuid.UUID, tags: list[Tag]) -> None:
    await rows.upsert_tags(conn, key_id, [(tag.key, tag.value) for tag in tags])
