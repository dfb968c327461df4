"""The navigable graph: a ``Key`` with its metadata, aliases, grants, tags, policy, public key
and rotations, and ``listKeys`` that returns keys. Nested fields load through per-request
DataLoaders (``schema.loaders``): one SQL statement per field per page, whatever the page size.

Each nested field is authorized like the root field it mirrors (``keyMetadata`` as DescribeKey,
``policy`` as GetKeyPolicy...), within the call of the root field: listing keys does not reveal
what the caller may not read. A denied field is null with an AccessDeniedException error at its
path; the rest of the page stands. Nested fields do not apply the key state table: the graph shows
a key pending deletion as it is."""

from __future__ import annotations

import uuid

import strawberry

from api.authz.authorize import authorize
from api.grants.store import grants_for_keys
from api.keys import lifecycle
from api.keys.aliases import aliases_for_keys
from api.keys.model import Key as ApiKey
from api.keys.rotation import rotation_status_for_keys, rotations_for_keys
from api.keys.tags import tags_for_keys
from db.keys import public_keys_for_keys
from db.policies import policies_for_keys
from schema.aliases import AliasListEntry
from schema.grants import GrantListEntry
from schema.keys import GraphQLInfo, KeyMetadata
from schema.rotation import KeyRotationStatus, RotationsListEntry
from schema.scalars import Base64
from schema.tags import Tag


async def _authorized(root: Key, info: GraphQLInfo, action: str) -> None:
    context = info.context
    await authorize(context.services, context.call(info), action, root.api_key)


async def key_metadata(root: Key, info: GraphQLInfo) -> KeyMetadata | None:
    await _authorized(root, info, "DescribeKey")
    return KeyMetadata.of(root.api_key)


async def key_aliases(root: Key, info: GraphQLInfo) -> list[AliasListEntry] | None:
    await _authorized(root, info, "ListAliases")
    found = await info.context.loaders.of(aliases_for_keys).load(root.uuid)
    return [AliasListEntry.of(alias) for alias in found or []]


async def key_grants(root: Key, info: GraphQLInfo) -> list[GrantListEntry] | None:
    await _authorized(root, info, "ListGrants")
    found = await info.context.loaders.of(grants_for_keys).load(root.uuid)
    return [GrantListEntry.of(grant) for grant in found or []]


async def key_tags(root: Key, info: GraphQLInfo) -> list[Tag] | None:
    await _authorized(root, info, "ListResourceTags")
    found = await info.context.loaders.of(tags_for_keys).load(root.uuid)
    return [Tag.of(tag) for tag in found or []]


async def key_policy(root: Key, info: GraphQLInfo) -> str | None:
    await _authorized(root, info, "GetKeyPolicy")
    return await info.context.loaders.of(policies_for_keys).load(root.uuid) or ""


async def key_public_key(root: Key, info: GraphQLInfo) -> Base64 | None:
    await _authorized(root, info, "GetPublicKey")
    found = await info.context.loaders.of(public_keys_for_keys).load(root.uuid)
    return None if found is None else Base64(found)


async def key_rotation_status(root: Key, info: GraphQLInfo) -> KeyRotationStatus | None:
    await _authorized(root, info, "GetKeyRotationStatus")
    found = await info.context.loaders.of(rotation_status_for_keys).load(root.uuid)
    return None if found is None else KeyRotationStatus.of(found)


async def key_rotations(root: Key, info: GraphQLInfo) -> list[RotationsListEntry] | None:
    await _authorized(root, info, "ListKeyRotations")
    found = await info.context.loaders.of(rotations_for_keys).load(root.uuid)
    return [RotationsListEntry.of(rotation) for rotation in found or []]


@strawberry.type(description="A key in a list, and the way into everything about it.")
class Key:
    key_id: str
    key_arn: str
    api_key: strawberry.Private[ApiKey]
    key_metadata: KeyMetadata | None = strawberry.field(
        resolver=key_metadata, description="What describeKey answers."
    )
    aliases: list[AliasListEntry] | None = strawberry.field(
        resolver=key_aliases, description="The key's aliases, in name order."
    )
    grants: list[GrantListEntry] | None = strawberry.field(
        resolver=key_grants, description="The key's grants (as listGrants, never their tokens)."
    )
    tags: list[Tag] | None = strawberry.field(
        resolver=key_tags, description="The key's tags, in tag-key order."
    )
    policy: str | None = strawberry.field(
        resolver=key_policy, description="The key's policy document (the policy named default)."
    )
    public_key: Base64 | None = strawberry.field(
        resolver=key_public_key,
        description="DER SubjectPublicKeyInfo of an asymmetric key (as getPublicKey returns it).",
    )
    rotation_status: KeyRotationStatus | None = strawberry.field(
        resolver=key_rotation_status, description="Whether and when the key rotates."
    )
    rotations: list[RotationsListEntry] | None = strawberry.field(
        resolver=key_rotations, description="The key's completed rotations, oldest first."
    )

    @classmethod
    def of(cls, key: ApiKey) -> Key:
        return cls(key_id=key.key_id, key_arn=key.arn, api_key=key)

    @property
    def uuid(self) -> uuid.UUID:
        return uuid.UUID(self.key_id)


@strawberry.input
class ListKeysInput:
    limit: int | None = None
    marker: str | None = None


@strawberry.type
class ListKeysResult:
    keys: list[Key]
    next_marker: str | None
    truncated: bool


async def list_keys_resolver(
    info: GraphQLInfo, input: ListKeysInput | None = None
) -> ListKeysResult:
    given = input or ListKeysInput()
    context = info.context
    page = await lifecycle.list_keys(
        context.services, context.call(info), given.limit, given.marker
    )
    return ListKeysResult(
        keys=[Key.of(key) for key in page.items],
        next_marker=page.next_marker,
        truncated=page.truncated,
    )


@strawberry.type
class GraphQuery:
    list_keys: ListKeysResult = strawberry.field(resolver=list_keys_resolver)
