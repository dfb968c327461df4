"""TagResource, UntagResource and ListResourceTags, with AWS's ``Tag`` (``api.keys.tags``).

AWS answers the two changes with nothing; keygraph answers with the key's metadata after the
change, as its GraphQL door always has. ``ListResourceTags`` is also the graph's ``Key.tags``.

The lengths of tag keys and values are not ``member()`` constraints: ``api.keys.tags`` checks
them with AWS's messages, which name the item's position and echo its value
(``Value 'x' at 'tagKeys.2.member'``), where a model constraint could only name the list.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.calls import Call
from api.keys import tags
from api.keys.tags import Tag
from api.operation import change, read
from api.operations.keys import KeyPageRequest, KeyRequest
from api.operations.structures import KeyMetadata, KeyMetadataResponse
from api.services import Services


@dataclass(frozen=True, kw_only=True)
class TagResourceRequest(KeyRequest):
    tags: list[Tag]


class TagResourceResponse(KeyMetadataResponse):
    pass


@dataclass(frozen=True, kw_only=True)
class UntagResourceRequest(KeyRequest):
    tag_keys: list[str]


class UntagResourceResponse(KeyMetadataResponse):
    pass


class ListResourceTagsRequest(KeyPageRequest):
    pass


@dataclass(frozen=True, kw_only=True)
class ListResourceTagsResponse:
    tags: list[Tag]
    next_marker: str | None
    truncated: bool


async def tag_resource(
    services: Services, call: Call, request: TagResourceRequest
) -> TagResourceResponse:
    key = await tags.tag_resource(services, call, request.key_id, request.tags)
    return TagResourceResponse(key_metadata=KeyMetadata.of(key))


async def untag_resource(
    services: Services, call: Call, request: UntagResourceRequest
) -> UntagResourceResponse:
    key = await tags.untag_resource(services, call, request.key_id, request.tag_keys)
    return UntagResourceResponse(key_metadata=KeyMetadata.of(key))


async def list_resource_tags(
    services: Services, call: Call, request: ListResourceTagsRequest
) -> ListResourceTagsResponse:
    page = await tags.list_resource_tags(
        services, call, request.key_id, request.limit, request.marker
    )
    return ListResourceTagsResponse(
        tags=page.items, next_marker=page.next_marker, truncated=page.truncated
    )


OPERATIONS = (
    change("TagResource", tag_resource),
    change("UntagResource", untag_resource),
    read("ListResourceTags", list_resource_tags),
)
