"""CreateAlias, UpdateAlias, DeleteAlias and ListAliases, with AWS's naming rules.

An alias is a name (``alias/...``) unique in its account and region that points at one key
(``api.keys.aliases``). Changes go through ``change_key`` on the key the alias points at (the new
one for UpdateAlias), so the state table decides, and the key's row lock serialises the
50-aliases-per-key count against concurrent changes. Every transaction takes at most that one key
lock before touching alias rows, so alias changes cannot deadlock each other.

AWS's ListAliases also lists the AWS managed aliases (``alias/aws/...``) of AWS services; keygraph
has no AWS managed keys, so it lists none and refuses the reserved prefix. DeleteAlias of a
reserved name therefore answers like any absent alias.

AWS answers the three changes with nothing; keygraph answers with the metadata of the key
involved (the alias's new target, or the key a deleted alias pointed at), as its GraphQL door
always has. ``ListAliases`` with a ``KeyId`` is also the graph's ``Key.aliases``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from api import limits, messages
from api import members as aws
from api.authz.access import readable_key
from api.authz.authorize import authorize
from api.calls import Call
from api.keys.aliases import Alias, aliases_for_keys, to_alias
from api.keys.ids import ALIAS_TARGET, KEY_ONLY, alias_not_found
from api.keys.model import Key, alias_arn
from api.keys.store import to_key
from api.operation import change, read
from api.operations.keys import changed_key
from api.operations.structures import KeyMetadataResponse
from api.pages import fetch_size, invalid_marker, page_of, page_size
from api.services import Services
from api.shapes import constraint_failed, member, pattern_constraint, project, validation_error
from api.validation import member_length
from db import aliases as rows
from db import keys as key_rows
from hsm import KeySpec

PREFIX = "alias/"
RESERVED_PREFIX = "alias/aws/"
# The API model's pattern for AliasName; ':' passes it but AWS refuses it afterwards.
_PATTERN = "^[a-zA-Z0-9:/_-]+$"
_NAME = re.compile(_PATTERN)


def alias_name() -> Any:
    """An ``AliasName``: the model's length and pattern (validation echoes the name, as AWS's
    does)."""
    return member(
        length=(limits.ALIAS_NAME_LENGTH.low, limits.ALIAS_NAME_LENGTH.high), pattern=_PATTERN
    )


@dataclass(frozen=True, kw_only=True)
class AliasListEntry:
    alias_name: str
    alias_arn: str
    target_key_id: str
    creation_date: datetime
    last_updated_date: datetime

    @classmethod
    def of(cls, alias: Alias) -> AliasListEntry:
        return project(
            cls,
            alias,
            alias_name=alias.name,
            alias_arn=alias.arn,
            creation_date=alias.created_at,
            last_updated_date=alias.updated_at,
        )


@dataclass(frozen=True, kw_only=True)
class AliasTargetRequest:
    """An alias and the key it is to point at: CreateAlias's and UpdateAlias's members."""

    alias_name: str = alias_name()
    target_key_id: str = aws.key_id(ALIAS_TARGET)


@dataclass(frozen=True, kw_only=True)
class DeleteAliasRequest:
    alias_name: str = alias_name()


@dataclass(frozen=True, kw_only=True)
class ListAliasesRequest:
    key_id: str | None = aws.optional_key_id(KEY_ONLY)
    limit: int | None = aws.limit()
    marker: str | None = aws.marker()


@dataclass(frozen=True, kw_only=True)
class ListAliasesResponse:
    aliases: list[AliasListEntry]
    next_marker: str | None
    truncated: bool


class KeyType(enum.Enum):
    """What UpdateAlias keeps fixed besides the usage: AWS's three kinds of key."""

    SYMMETRIC = "SYMMETRIC"
    ASYMMETRIC = "ASYMMETRIC"
    HMAC = "HMAC"

    @classmethod
    def of(cls, spec: KeySpec) -> KeyType:
        if spec is KeySpec.SYMMETRIC_DEFAULT:
            return cls.SYMMETRIC
        return cls.HMAC if spec.value.startswith("HMAC_") else cls.ASYMMETRIC


def validate_alias_name(name: str) -> str:
    """AWS's checks of an AliasName, in AWS's order: the model's length and pattern first."""
    member_length("aliasName", name, limits.ALIAS_NAME_LENGTH.high, limits.ALIAS_NAME_LENGTH.low)
    if not _NAME.match(name):
        raise validation_error(
            [constraint_failed("aliasName", pattern_constraint(_PATTERN), f"'{name}'")]
        )
    if not name.startswith(PREFIX):
        raise messages.ALIAS_PREFIX()
    if ":" in name:
        raise messages.ALIAS_INVALID_CHARACTERS(name=name)
    return name


def _new_name(name: str) -> str:
    """A name an alias may be given: valid, and outside AWS's reserved namespace."""
    validate_alias_name(name)
    if name.startswith(RESERVED_PREFIX):
        # AWS answers with this code and no message.
        raise messages.ALIAS_RESERVED(name=name)
    return name


async def _within_limit(conn: asyncpg.Connection, key: Key) -> None:
    """Checked after the write, inside its transaction, so an excess rolls back."""
    if await rows.count_aliases(conn, key.uuid) > limits.ALIASES_PER_KEY:
        raise messages.ALIASES_PER_KEY(arn=key.arn, limit=limits.ALIASES_PER_KEY)


def _check_compatible(name: str, current: Key, target: Key) -> None:
    if current.usage is not target.usage:
        raise messages.ALIAS_USAGE_CHANGE(
            name=name, current=current.usage.value, target=target.usage.value
        )
    current_type, target_type = KeyType.of(current.spec), KeyType.of(target.spec)
    if current_type is not target_type:
        raise messages.ALIAS_TYPE_CHANGE(
            name=name, current=current_type.value, target=target_type.value
        )


# Writes the alias row that points ``name`` at ``key``: CreateAlias's or UpdateAlias's.
PointAlias = Callable[[asyncpg.Connection, str, Key], Awaitable[None]]


async def _point_alias(
    services: Services, call: Call, request: AliasTargetRequest, action: str, point: PointAlias
) -> KeyMetadataResponse:
    """Point the alias at the request's target key, within that key's limit of aliases;
    answers with the key."""
    name = _new_name(request.alias_name)

    async def change(conn: asyncpg.Connection, key: Key) -> dict[str, Any]:
        await point(conn, name, key)
        await _within_limit(conn, key)
        return {}

    return KeyMetadataResponse.of(
        await changed_key(services, call, request.target_key_id, action, change)
    )


async def create_alias(
    services: Services, call: Call, request: AliasTargetRequest
) -> KeyMetadataResponse:
    """Create the alias; answers with the key it points at."""
    scope = call.scope

    async def insert(conn: asyncpg.Connection, name: str, key: Key) -> None:
        row = rows.AliasRow(
            account_id=scope.account_id,
            region=scope.region,
            name=name,
            key_id=key.uuid,
            created_at=call.now,
            updated_at=call.now,
        )
        if not await rows.insert_alias(conn, row):
            raise messages.ALIAS_EXISTS(arn=alias_arn(scope.region, scope.account_id, name))

    return await _point_alias(services, call, request, "CreateAlias", insert)


async def update_alias(
    services: Services, call: Call, request: AliasTargetRequest
) -> KeyMetadataResponse:
    """Point the alias at another key of the same type and usage; answers with that key."""
    scope = call.scope

    async def move(conn: asyncpg.Connection, name: str, key: Key) -> None:
        alias = await rows.find_alias(conn, scope.account_id, scope.region, name, for_update=True)
        if alias is None:
            raise alias_not_found(scope, name)
        if alias.key_id != key.uuid:
            current = await key_rows.find_key(conn, alias.key_id)
            if current is None:  # deleted meanwhile, and the alias with it
                raise alias_not_found(scope, name)
            previous = to_key(current)
            # Moving an alias needs UpdateAlias on the key it leaves as well.
            await authorize(services, call, "UpdateAlias", previous, conn=conn)
            _check_compatible(name, previous, key)
        await rows.retarget_alias(conn, scope.account_id, scope.region, name, key.uuid, call.now)

    return await _point_alias(services, call, request, "UpdateAlias", move)


async def delete_alias(
    services: Services, call: Call, request: DeleteAliasRequest
) -> KeyMetadataResponse:
    """Delete the alias; answers with the key it pointed at."""
    name = validate_alias_name(request.alias_name)
    scope = call.scope

    async def change(conn: asyncpg.Connection, key: Key) -> dict[str, Any]:
        if not await rows.delete_alias(conn, scope.account_id, scope.region, name):
            raise alias_not_found(scope, name)
        return {}

    # The alias name resolves to its key (AWS's NotFoundException when there is none).
    return KeyMetadataResponse.of(await changed_key(services, call, name, "DeleteAlias", change))


async def list_aliases(
    services: Services, call: Call, request: ListAliasesRequest
) -> ListAliasesResponse:
    """The scope's aliases (or one key's) in name order; ``marker`` is the last name seen. One
    key's come through the call's loader, so the graph's ``Key.aliases`` of a page of keys
    costs one statement."""
    size = page_size(request.limit, limits.ALIASES_PAGE_DEFAULT, limits.ALIASES_PAGE_MAX)
    marker = request.marker
    if marker is not None and not marker.startswith(PREFIX):
        raise invalid_marker()
    if request.key_id is not None:
        key = await readable_key(services, call, request.key_id, "ListAliases")
        found = await call.loader(services.pool, aliases_for_keys).load(key.uuid) or []
        after = [alias for alias in found if marker is None or alias.name > marker]
        page = page_of(after, size, lambda alias: alias.name)
    else:
        scope = call.scope
        async with services.pool.acquire() as conn:
            await authorize(services, call, "ListAliases", None, conn=conn)
            listed = await rows.list_aliases(
                conn, scope.account_id, scope.region, marker, fetch_size(size)
            )
        page = page_of([to_alias(row) for row in listed], size, lambda alias: alias.name)
    aliases = [AliasListEntry.of(alias) for alias in page.items]
    return project(ListAliasesResponse, page, aliases=aliases)


OPERATIONS = (
    change("CreateAlias", create_alias),
    change("UpdateAlias", update_alias),
    change("DeleteAlias", delete_alias),
    read("ListAliases", list_aliases),
)
