"""Aliases over GraphQL: createAlias, updateAlias, deleteAlias, listAliases.

AWS's responses to the three changes are empty; keygraph returns the metadata of the key involved
(the alias's new target, or the key a deleted alias pointed at).
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.keys import aliases
from schema.keys import GraphQLInfo, KeyChangeResult, KeyMetadata


@strawberry.type(description="An alias as AWS's ListAliases returns it.")
class AliasListEntry:
    alias_name: str
    alias_arn: str
    target_key_id: str
    creation_date: datetime
    last_updated_date: datetime

    @classmethod
    def of(cls, alias: aliases.Alias) -> AliasListEntry:
        return cls(
            alias_name=alias.name,
            alias_arn=alias.arn,
            target_key_id=alias.target_key_id,
            creation_date=alias.created_at,
            last_updated_date=alias.updated_at,
        )


@strawberry.input
class CreateAliasInput:
    alias_name: str
    target_key_id: str


@strawberry.type
class CreateAliasResult(KeyChangeResult):
    pass


@strawberry.input
class UpdateAliasInput:
    alias_name: str
    target_key_id: str


@strawberry.type
class UpdateAliasResult(KeyChangeResult):
    pass


@strawberry.input
class DeleteAliasInput:
    alias_name: str


@strawberry.type
class DeleteAliasResult(KeyChangeResult):
    pass


@strawberry.input
class ListAliasesInput:
    key_id: str | None = None
    limit: int | None = None
    marker: str | None = None


@strawberry.type
class ListAliasesResult:
    aliases: list[AliasListEntry]
    next_marker: str | None
    truncated: bool


async def create_alias_resolver(info: GraphQLInfo, input: CreateAliasInput) -> CreateAliasResult:
    context = info.context
    key = await aliases.create_alias(
        context.services, context.call(info), input.alias_name, input.target_key_id
    )
    return CreateAliasResult(key_metadata=KeyMetadata.of(key))


async def update_alias_resolver(info: GraphQLInfo, input: UpdateAliasInput) -> UpdateAliasResult:
    context = info.context
    key = await aliases.update_alias(
        context.services, context.call(info), input.alias_name, input.target_key_id
    )
    return UpdateAliasResult(key_metadata=KeyMetadata.of(key))


async def delete_alias_resolver(info: GraphQLInfo, input: DeleteAliasInput) -> DeleteAliasResult:
    context = info.context
    key = await aliases.delete_alias(context.services, context.call(info), input.alias_name)
    return DeleteAliasResult(key_metadata=KeyMetadata.of(key))


async def list_aliases_resolver(
    info: GraphQLInfo, input: ListAliasesInput | None = None
) -> ListAliasesResult:
    given = input or ListAliasesInput()
    context = info.context
    page = await aliases.list_aliases(
        context.services, context.call(info), given.key_id, given.limit, given.marker
    )
    return ListAliasesResult(
        aliases=[AliasListEntry.of(alias) for alias in page.items],
        next_marker=page.next_marker,
        truncated=page.truncated,
    )


@strawberry.type
class AliasesQuery:
    list_aliases: ListAliasesResult = strawberry.field(resolver=list_aliases_resolver)


@strawberry.type
class AliasesMutation:
    create_alias: CreateAliasResult = strawberry.field(resolver=create_alias_resolver)
    update_alias: UpdateAliasResult = strawberry.field(resolver=update_alias_resolver)
    delete_alias: DeleteAliasResult = strawberry.field(resolver=delete_alias_resolver)
