"""CreateAlias, UpdateAlias, DeleteAlias and ListAliases.

AWS answers the three changes with nothing; keygraph answers with the metadata of the key
involved (the alias's new target, or the key a deleted alias pointed at), as its GraphQL door
always has. ``ListAliases`` with a ``KeyId`` is also the graph's ``Key.aliases``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from api import limits
from api.calls import Call
from api.keys import aliases
from api.keys.aliases import Alias
from api.members import key_id, limit, marker, optional_key_id
from api.operation import change, read
from api.operations.structures import KeyMetadata, KeyMetadataResponse
from api.services import Services
from api.shapes import member


def alias_name() -> Any:
    """An ``AliasName``: the model's length. Its pattern stays with ``api.keys.aliases``,
    whose message echoes the name as AWS's does."""
    return member(length=(limits.ALIAS_NAME_LENGTH.low, limits.ALIAS_NAME_LENGTH.high))


@dataclass(frozen=True, kw_only=True)
class AliasListEntry:
    alias_name: str
    alias_arn: str
    target_key_id: str
    creation_date: datetime
    last_updated_date: datetime

    @classmethod
    def of(cls, alias: Alias) -> AliasListEntry:
        return cls(
            alias_name=alias.name,
            alias_arn=alias.arn,
            target_key_id=alias.target_key_id,
            creation_date=alias.created_at,
            last_updated_date=alias.updated_at,
        )


@dataclass(frozen=True, kw_only=True)
class AliasTargetRequest:
    """An alias and the key it is to point at: CreateAlias's and UpdateAlias's members."""

    alias_name: str = alias_name()
    target_key_id: str = key_id()


class CreateAliasRequest(AliasTargetRequest):
    pass


class CreateAliasResponse(KeyMetadataResponse):
    pass


class UpdateAliasRequest(AliasTargetRequest):
    pass


class UpdateAliasResponse(KeyMetadataResponse):
    pass


@dataclass(frozen=True, kw_only=True)
class DeleteAliasRequest:
    alias_name: str = alias_name()


class DeleteAliasResponse(KeyMetadataResponse):
    pass


@dataclass(frozen=True, kw_only=True)
class ListAliasesRequest:
    key_id: str | None = optional_key_id()
    limit: int | None = limit()
    marker: str | None = marker()


@dataclass(frozen=True, kw_only=True)
class ListAliasesResponse:
    aliases: list[AliasListEntry]
    next_marker: str | None
    truncated: bool


async def create_alias(
    services: Services, call: Call, request: CreateAliasRequest
) -> CreateAliasResponse:
    key = await aliases.create_alias(services, call, request.alias_name, request.target_key_id)
    return CreateAliasResponse(key_metadata=KeyMetadata.of(key))


async def update_alias(
    services: Services, call: Call, request: UpdateAliasRequest
) -> UpdateAliasResponse:
    key = await aliases.update_alias(services, call, request.alias_name, request.target_key_id)
    return UpdateAliasResponse(key_metadata=KeyMetadata.of(key))


async def delete_alias(
    services: Services, call: Call, request: DeleteAliasRequest
) -> DeleteAliasResponse:
    key = await aliases.delete_alias(services, call, request.alias_name)
    return DeleteAliasResponse(key_metadata=KeyMetadata.of(key))


async def list_aliases(
    services: Services, call: Call, request: ListAliasesRequest
) -> ListAliasesResponse:
    page = await aliases.list_aliases(services, call, request.key_id, request.limit, request.marker)
    return ListAliasesResponse(
        aliases=[AliasListEntry.of(alias) for alias in page.items],
        next_marker=page.next_marker,
        truncated=page.truncated,
    )


OPERATIONS = (
    change("CreateAlias", create_alias),
    change("UpdateAlias", update_alias),
    change("DeleteAlias", delete_alias),
    read("ListAliases", list_aliases),
)
