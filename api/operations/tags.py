"""TagResource, UntagResource and ListResourceTags, with AWS's ``Tag`` (``api.keys.tags``).

AWS answers the two changes with nothing; keygraph answers with the key's metadata after the
change, as its GraphQL door always has. ``ListResourceTags`` is also the graph's ``Key.tags``.

The lengths of tag keys and values are not ``member()`` constraints: ``api.keys.tags`` checks
them with AWS's messages, which name the item's position and echo its value
(``Value 'x' at 'tagKeys.2.member'``), where a model constraint could only name the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg

from api import limits
from api.authz.access import readable_key
from api.authz.facts import tag_facts
from api.calls import Call
from api.keys.model import Key
from api.keys.tags import Tag, add_tags, tags_for_keys, validate_tags
from api.operation import change, read
from api.operations.keys import changed_key
from api.operations.structures import KeyMetadataResponse, KeyPageRequest, KeyRequest
from api.pages import invalid_marker, page_of, page_size
from api.services import Services
from api.shapes import member, project
from db import tags as rows


@dataclass(frozen=True, kw_only=True)
class TagResourceRequest(KeyRequest):
    tags: list[Tag]


@dataclass(frozen=True, kw_only=True)
class UntagResourceRequest(KeyRequest):
    tag_keys: list[str] = member(
        item_length=(limits.TAG_KEY_LENGTH.low, limits.TAG_KEY_LENGTH.high)
    )


@dataclass(frozen=True, kw_only=True)
class ListResourceTagsResponse:
    tags: list[Tag]
    next_marker: str | None
    truncated: bool


async def tag_resource(
    services: Services, call: Call, request: TagResourceRequest
) -> KeyMetadataResponse:
    """Add the tags, replacing the values of tag keys the key has already."""
    tags = validate_tags(request.tags)

    async def change(conn: asyncpg.Connection, key: Key) -> dict[str, Any]:
        await add_tags(conn, key.uuid, tags)
        return {}

    facts = tag_facts(tags)
    return KeyMetadataResponse.of(
        await changed_key(services, call, request.key_id, "TagResource", change, facts)
    )


async def untag_resource(
    services: Services, call: Call, request: UntagResourceRequest
) -> KeyMetadataResponse:
    """Remove the tags with these keys; keys the key has no tag for are ignored, as in AWS."""
    tag_keys = request.tag_keys

    async def change(conn: asyncpg.Connection, key: Key) -> dict[str, Any]:
        await rows.delete_tags(conn, key.uuid, tag_keys)
        return {}

    facts = {"aws:TagKeys": tuple(tag_keys)}
    return KeyMetadataResponse.of(
        await changed_key(services, call, request.key_id, "UntagResource", change, facts)
    )


async def list_resource_tags(
    services: Services, call: Call, request: KeyPageRequest
) -> ListResourceTagsResponse:
    """A key's tags in tag-key order; ``marker`` is the last tag key seen. The tags come through
    the call's loader, so the graph's ``Key.tags`` of a page of keys costs one statement."""
    # A key has at most 50 tags, so AWS's page maximum of 50 needs no enforcing here.
    size = page_size(request.limit)
    marker = request.marker
    if marker is not None and len(marker) not in limits.TAG_KEY_LENGTH:
        raise invalid_marker()
    key = await readable_key(services, call, request.key_id, "ListResourceTags")
    found = await call.loader(services.pool, tags_for_keys).load(key.uuid) or []
    after = [tag for tag in found if marker is None or tag.tag_key > marker]
    page = page_of(after, size, lambda tag: tag.tag_key)
    return project(ListResourceTagsResponse, page, tags=page.items)


OPERATIONS = (
    change("TagResource", tag_resource),
    change("UntagResource", untag_resource),
    read("ListResourceTags", list_resource_tags),
)
