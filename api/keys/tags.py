"""Tags on keys, as TagResource, UntagResource, ListResourceTags and CreateKey use them.

AWS's rules: a tag key has 1 to 128 characters and a value 0 to 256 (the API model's lengths, so a
``ValidationException`` naming the member), no key begins with ``aws:`` in any case, no key repeats
in one request, and a key carries at most 50 tags, counted after the change (``TagException``).
Tagging an existing tag key replaces its value. The operations (``api.operations.tags``) change
tags through ``change_key``, so the state table decides and the key's row lock makes the count
exact under concurrent tagging.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from api import limits, messages
from api.errors import TagException
from api.keys.batch import by_key
from api.shapes import constraint_failed, length_constraint, rendered, validation_error
from db import tags as rows


@dataclass(frozen=True)
class Tag:
    """AWS's ``Tag``. Its members carry no ``member()`` lengths: ``validate_tags`` checks them
    with AWS's words, which name the tag's position and echo its value
    (``tags.2.member.tagKey``), more than a model constraint can say."""

    tag_key: str
    tag_value: str


def _length(member: str, value: str, allowed: limits.Range) -> None:
    """The API model's length check, worded as AWS words it (tags are not secret)."""
    broken = length_constraint(len(value), allowed.low, allowed.high)
    if broken is not None:
        raise validation_error([constraint_failed(member, broken, rendered(value))])


def validate_tags(tags: list[Tag]) -> list[Tag]:
    """The tags of one request, checked together: lengths first (the API model), then AWS's
    tag rules. The per-key total is checked where the key's other tags are known."""
    for position, tag in enumerate(tags, start=1):
        _length(f"tags.{position}.member.tagKey", tag.tag_key, limits.TAG_KEY_LENGTH)
        _length(f"tags.{position}.member.tagValue", tag.tag_value, limits.TAG_VALUE_LENGTH)
    if len({tag.tag_key for tag in tags}) < len(tags):
        raise messages.DUPLICATE_TAG_KEYS()
    if len(tags) > limits.TAGS_PER_KEY:
        raise _too_many()
    if any(tag.tag_key.lower().startswith("aws:") for tag in tags):
        raise messages.RESERVED_TAG()
    return tags


def _too_many() -> TagException:
    return messages.TOO_MANY_TAGS()


def to_tag(row: rows.TagRow) -> Tag:
    return Tag(tag_key=row.tag_key, tag_value=row.tag_value)


async def insert_tags(conn: asyncpg.Connection, key_id: uuid.UUID, tags: list[Tag]) -> None:
    await rows.upsert_tags(conn, key_id, [(tag.tag_key, tag.tag_value) for tag in tags])


async def add_tags(conn: asyncpg.Connection, key_id: uuid.UUID, tags: list[Tag]) -> None:
    """Add ``tags`` to a key whose row this transaction has locked (so the count is exact),
    replacing the values of tag keys it has already; at most 50 once added."""
    others = await rows.count_other_tags(conn, key_id, [tag.tag_key for tag in tags])
    if others + len(tags) > limits.TAGS_PER_KEY:
        raise _too_many()
    await insert_tags(conn, key_id, tags)


async def tags_for_keys(
    conn: asyncpg.Connection, key_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Tag]]:
    """Each key's tags in tag-key order (empty for a key without any), in one SQL statement:
    the batch behind the ``Key.tags`` DataLoader."""
    return by_key(key_ids, await rows.tags_of_keys(conn, key_ids), to_tag)
