"""Tags over GraphQL: tagResource, untagResource, listResourceTags.

AWS's responses to the two changes are empty; keygraph returns the key's metadata after them.
"""

from __future__ import annotations

import strawberry

from api.keys import tags
from schema.keys import GraphQLInfo, KeyChangeResult, KeyMetadata, TagInput


@strawberry.type(description="A tag as AWS spells it.")
class Tag:
    tag_key: str
    tag_value: str

    @classmethod
    def of(cls, tag: tags.Tag) -> Tag:
        return cls(tag_key=tag.key, tag_value=tag.value)


@strawberry.input
class TagResourceInput:
    key_id: str
    tags: list[TagInput]


@strawberry.type
class TagResourceResult(KeyChangeResult):
    pass


@strawberry.input
class UntagResourceInput:
    key_id: str
    tag_keys: list[str]


@strawberry.type
class UntagResourceResult(KeyChangeResult):
    pass


@strawberry.input
class ListResourceTagsInput:
    key_id: str
    limit: int | None = None
    marker: str | None = None


@strawberry.type
class ListResourceTagsResult:
    tags: list[Tag]
    next_marker: str | None
    truncated: bool


async def tag_resource_resolver(info: GraphQLInfo, input: TagResourceInput) -> TagResourceResult:
    context = info.context
    key = await tags.tag_resource(
        context.services,
        context.call(info),
        input.key_id,
        [tags.Tag(tag.tag_key, tag.tag_value) for tag in input.tags],
    )
    return TagResourceResult(key_metadata=KeyMetadata.of(key))


async def untag_resource_resolver(
    info: GraphQLInfo, input: UntagResourceInput
) -> UntagResourceResult:
    context = info.context
    key = await tags.untag_resource(
        context.services, context.call(info), input.key_id, input.tag_keys
    )
    return UntagResourceResult(key_metadata=KeyMetadata.of(key))


async def list_resource_tags_resolver(
    info: GraphQLInfo, input: ListResourceTagsInput
) -> ListResourceTagsResult:
    context = info.context
    page = await tags.list_resource_tags(
        context.services, context.call(info), input.key_id, input.limit, input.marker
    )
    return ListResourceTagsResult(
        tags=[Tag.of(tag) for tag in page.items],
        next_marker=page.next_marker,
        truncated=page.truncated,
    )


@strawberry.type
class TagsQuery:
    list_resource_tags: ListResourceTagsResult = strawberry.field(
        resolver=list_resource_tags_resolver
    )


@strawberry.type
class TagsMutation:
    tag_resource: TagResourceResult = strawberry.field(resolver=tag_resource_resolver)
    untag_resource: UntagResourceResult = strawberry.field(resolver=untag_resource_resolver)
