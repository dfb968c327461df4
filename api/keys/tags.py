"""Tags on keys: TagResource, UntagResource, ListResourceTags, and the tags of CreateKey.

AWS's rules: a tag key has 1 to 128 characters and a value 0 to 256 (the API model's lengths, so a
``ValidationException`` naming the member), no key begins with ``aws:`` in any case, no key repeats
in one request, and a key carries at most 50 tags, counted after the change (``TagException``).
Tagging an existing tag key replaces its value. Changes go through ``change_key``, so the state
table decides and the key's row lock makes the count exact under concurrent tagging.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from api import limits
from api.authz.facts import Values
from api.calls import Call
from api.crypto.keyring import readable_key
from api.errors import TagException, ValidationException
from api.keys.batch import by_key
from api.keys.model import Key
from api.keys.store import change_key
from api.pages import Page, invalid_marker, page_of, page_size
from api.services import Services
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
    if len(value) < allowed.low:
        bound = f"greater than or equal to {allowed.low}"
    elif len(value) > allowed.high:
        bound = f"less than or equal to {allowed.high}"
    else:
        return
    raise ValidationException(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
        f"constraint: Member must have length {bound}"
    )


def validate_tag_keys(tag_keys: list[str]) -> list[str]:
    """The TagKeys of UntagResource: lengths only, as AWS checks nothing more there."""
    for position, key in enumerate(tag_keys, start=1):
        _length(f"tagKeys.{position}.member", key, limits.TAG_KEY_LENGTH)
    return tag_keys


def validate_tags(tags: list[Tag]) -> list[Tag]:
    """The tags of one request, checked together: lengths first (the API model), then AWS's
    tag rules. The per-key total is checked where the key's other tags are known."""
    for position, tag in enumerate(tags, start=1):
        _length(f"tags.{position}.member.tagKey", tag.tag_key, limits.TAG_KEY_LENGTH)
        _length(f"tags.{position}.member.tagValue", tag.tag_value, limits.TAG_VALUE_LENGTH)
    if len({tag.tag_key for tag in tags}) < len(tags):
        raise TagException("Duplicate tag keys")
    if len(tags) > limits.TAGS_PER_KEY:
        raise _too_many()
    if any(tag.tag_key.lower().startswith("aws:") for tag in tags):
        raise TagException("Tags beginning with aws: are reserved")
    return tags


def tag_facts(tags: Sequence[Tag]) -> Values:
    """The condition values of a request that sets tags: ``aws:TagKeys`` and each
    ``aws:RequestTag/<key>``."""
    return {
        "aws:TagKeys": tuple(tag.tag_key for tag in tags),
        **{f"aws:RequestTag/{tag.tag_key}": tag.tag_value for tag in tags},
    }


def _too_many() -> TagException:
    return TagException("Too many tags")


def to_tag(row: rows.TagRow) -> Tag:
    return Tag(tag_key=row.tag_key, tag_value=row.tag_value)


async def insert_tags(conn: asyncpg.Connection, key_id: uuid.UUID, tags: list[Tag]) -> None:
    await rows.upsert_tags(conn, key_id, [(tag.tag_key, tag.tag_value) for tag in tags])


async def tag_resource(services: Services, call: Call, key_id: str, tags: list[Tag]) -> Key:
    """Add the tags, replacing the values of tag keys the key has already; returns the key."""
    validate_tags(tags)

    async with services.pool.acquire() as conn:

        async def change(key: Key) -> dict[str, Any]:
            others = await rows.count_other_tags(conn, key.uuid, [tag.tag_key for tag in tags])
            if others + len(tags) > limits.TAGS_PER_KEY:
                raise _too_many()
            await insert_tags(conn, key.uuid, tags)
            return {}

        facts = tag_facts(tags)
        return await change_key(services, conn, call, key_id, "TagResource", change, facts)


async def untag_resource(services: Services, call: Call, key_id: str, tag_keys: list[str]) -> Key:
    """Remove the tags with these keys; keys the key has no tag for are ignored, as in AWS."""
    validate_tag_keys(tag_keys)

    async with services.pool.acquire() as conn:

        async def change(key: Key) -> dict[str, Any]:
            await rows.delete_tags(conn, key.uuid, tag_keys)
            return {}

        facts = {"aws:TagKeys": tuple(tag_keys)}
        return await change_key(services, conn, call, key_id, "UntagResource", change, facts)


async def list_resource_tags(
    services: Services,
    call: Call,
    key_id: str,
    limit: int | None = None,
    marker: str | None = None,
) -> Page[Tag]:
    """A key's tags in tag-key order; ``marker`` is the last tag key seen. The tags come through
    the call's loader, so the graph's ``Key.tags`` of a page of keys costs one statement."""
    # A key has at most 50 tags, so AWS's page maximum of 50 needs no enforcing here.
    size = page_size(limit)
    if marker is not None and len(marker) not in limits.TAG_KEY_LENGTH:
        raise invalid_marker()
    key = await readable_key(services, call, key_id, "ListResourceTags")
    found = await call.loader(services.pool, tags_for_keys).load(key.uuid) or []
    after = [tag for tag in found if marker is None or tag.tag_key > marker]
    return page_of(after, size, lambda tag: tag.tag_key)


async def tags_for_keys(
    conn: asyncpg.Connection, key_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Tag]]:
    """Each key's tags in tag-key order (empty for a key without any), in one SQL statement:
    the batch behind the ``Key.tags`` DataLoader."""
    return by_key(key_ids, await rows.tags_of_keys(conn, key_ids), to_tag)
