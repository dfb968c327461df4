"""CreateAlias, UpdateAlias, DeleteAlias, ListAliases, with AWS's naming rules.

An alias is a name (``alias/...``) unique in its account and region that points at one key; every
``keyId`` input accepts it. Changes go through ``change_key`` on the key the alias points at (the
new one for UpdateAlias), so the state table decides, and the key's row lock serialises the
50-aliases-per-key count against concurrent changes. Every transaction takes at most that one key
lock before touching alias rows, so alias changes cannot deadlock each other.

AWS's ListAliases also lists the AWS managed aliases (``alias/aws/...``) of AWS services; keygraph
has no AWS managed keys, so it lists none and refuses the reserved prefix. DeleteAlias of a
reserved name therefore answers like any absent alias.
"""

from __future__ import annotations

import enum
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from api import limits
from api.authz.authorize import authorize
from api.calls import Call
from api.crypto.keyring import readable_key
from api.errors import (
    AlreadyExistsException,
    LimitExceededException,
    NotAuthorizedException,
    NotFoundException,
    ValidationException,
)
from api.keys.batch import by_key
from api.keys.ids import Scope
from api.keys.model import Key, alias_arn
from api.keys.store import change_key, to_key
from api.keys.validation import member_length
from api.pages import Page, fetch_size, invalid_marker, page_of, page_size
from api.services import Services
from db import aliases as rows
from db import keys as key_rows
from hsm import KeySpec

PREFIX = "alias/"
RESERVED_PREFIX = "alias/aws/"
# The API model's pattern for AliasName; ':' passes it but AWS refuses it afterwards.
_PATTERN = "^[a-zA-Z0-9:/_-]+$"
_NAME = re.compile(_PATTERN)


@dataclass(frozen=True)
class Alias:
    name: str
    account_id: str
    region: str
    target_key_id: str
    created_at: datetime
    updated_at: datetime

    @property
    def arn(self) -> str:
        return alias_arn(self.region, self.account_id, self.name)


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


def to_alias(row: rows.AliasRow) -> Alias:
    return Alias(
        name=row.name,
        account_id=row.account_id,
        region=row.region,
        target_key_id=str(row.key_id),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def validate_alias_name(name: str) -> str:
    """AWS's checks of an AliasName, in AWS's order: the model's length and pattern first."""
    member_length("aliasName", name, limits.ALIAS_NAME_LENGTH.high, limits.ALIAS_NAME_LENGTH.low)
    if not _NAME.match(name):
        raise ValidationException(
            f"1 validation error detected: Value '{name}' at 'aliasName' failed to satisfy "
            f"constraint: Member must satisfy regular expression pattern: {_PATTERN}"
        )
    if not name.startswith(PREFIX):
        raise ValidationException(
            'Alias must start with the prefix "alias/". Please see '
            "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"
        )
    if ":" in name:
        raise ValidationException(f"{name} contains invalid characters for an alias")
    return name


def _new_name(name: str) -> str:
    """A name an alias may be given: valid, and outside AWS's reserved namespace."""
    validate_alias_name(name)
    if name.startswith(RESERVED_PREFIX):
        # AWS answers with this code and no message.
        raise NotAuthorizedException(
            f"{name} is in the alias/aws/ namespace, which is reserved for AWS managed keys."
        )
    return name


def _key_target(target_key_id: str) -> str:
    """An alias points at a key, named by key id or key ARN, never at another alias."""
    if target_key_id.startswith(PREFIX) or (
        target_key_id.startswith("arn:") and f":{PREFIX}" in target_key_id
    ):
        raise ValidationException("Aliases must refer to keys. Not aliases")
    return target_key_id


def _absent(scope: Scope, name: str) -> NotFoundException:
    return NotFoundException(
        f"Alias {alias_arn(scope.region, scope.account_id, name)} is not found."
    )


async def _within_limit(conn: asyncpg.Connection, key: Key) -> None:
    """Checked after the write, inside its transaction, so an excess rolls back."""
    if await rows.count_aliases(conn, key.uuid) > limits.ALIASES_PER_KEY:
        raise LimitExceededException(
            f"{key.arn} already has {limits.ALIASES_PER_KEY} aliases, the most a key can have."
        )


def _check_compatible(name: str, current: Key, target: Key) -> None:
    if current.usage is not target.usage:
        raise ValidationException(
            f"Alias {name} cannot be changed from a CMK with key usage {current.usage.value} "
            f"to a CMK with key usage {target.usage.value}. The key usage of the current CMK "
            "and the new CMK must be the same."
        )
    current_type, target_type = KeyType.of(current.spec), KeyType.of(target.spec)
    if current_type is not target_type:
        raise ValidationException(
            f"Alias {name} cannot be changed from a CMK with key type {current_type.value} "
            f"to a CMK with key type {target_type.value}. The key type of the current CMK "
            "and the new CMK must be the same."
        )


async def create_alias(services: Services, call: Call, alias_name: str, target_key_id: str) -> Key:
    """Create the alias; returns the key it points at."""
    name = _new_name(alias_name)
    target = _key_target(target_key_id)
    scope = call.scope

    async with services.pool.acquire() as conn:

        async def change(key: Key) -> dict[str, Any]:
            row = rows.AliasRow(
                account_id=scope.account_id,
                region=scope.region,
                name=name,
                key_id=key.uuid,
                created_at=call.now,
                updated_at=call.now,
            )
            if not await rows.insert_alias(conn, row):
                raise AlreadyExistsException(
                    f"An alias with the name {alias_arn(scope.region, scope.account_id, name)} "
                    "already exists"
                )
            await _within_limit(conn, key)
            return {}

        return await change_key(services, conn, call, target, "CreateAlias", change)


async def update_alias(services: Services, call: Call, alias_name: str, target_key_id: str) -> Key:
    """Point the alias at another key of the same type and usage; returns that key."""
    name = _new_name(alias_name)
    target = _key_target(target_key_id)
    scope = call.scope

    async with services.pool.acquire() as conn:

        async def change(key: Key) -> dict[str, Any]:
            alias = await rows.find_alias(
                conn, scope.account_id, scope.region, name, for_update=True
            )
            if alias is None:
                raise _absent(scope, name)
            if alias.key_id != key.uuid:
                current = await key_rows.find_key(conn, alias.key_id)
                if current is None:  # deleted meanwhile, and the alias with it
                    raise _absent(scope, name)
                previous = to_key(current)
                # Moving an alias needs UpdateAlias on the key it leaves as well.
                await authorize(services, call, "UpdateAlias", previous, conn=conn)
                _check_compatible(name, previous, key)
            await rows.retarget_alias(
                conn, scope.account_id, scope.region, name, key.uuid, call.now
            )
            await _within_limit(conn, key)
            return {}

        return await change_key(services, conn, call, target, "UpdateAlias", change)


async def delete_alias(services: Services, call: Call, alias_name: str) -> Key:
    """Delete the alias; returns the key it pointed at."""
    name = validate_alias_name(alias_name)
    scope = call.scope

    async with services.pool.acquire() as conn:

        async def change(key: Key) -> dict[str, Any]:
            if not await rows.delete_alias(conn, scope.account_id, scope.region, name):
                raise _absent(scope, name)
            return {}

        # The alias name resolves to its key (AWS's NotFoundException when there is none).
        return await change_key(services, conn, call, name, "DeleteAlias", change)


async def list_aliases(
    services: Services,
    call: Call,
    key_id: str | None = None,
    limit: int | None = None,
    marker: str | None = None,
) -> Page[Alias]:
    """The scope's aliases (or one key's) in name order; ``marker`` is the last name seen. One
    key's come through the call's loader, so the graph's ``Key.aliases`` of a page of keys
    costs one statement."""
    size = page_size(limit, limits.ALIASES_PAGE_DEFAULT, limits.ALIASES_PAGE_MAX)
    if marker is not None and not marker.startswith(PREFIX):
        raise invalid_marker()
    if key_id is not None:
        key = await readable_key(services, call, key_id, "ListAliases")
        found = await call.loader(services.pool, aliases_for_keys).load(key.uuid) or []
        after = [alias for alias in found if marker is None or alias.name > marker]
        return page_of(after, size, lambda alias: alias.name)
    scope = call.scope
    async with services.pool.acquire() as conn:
        await authorize(services, call, "ListAliases", None, conn=conn)
        listed = await rows.list_aliases(
            conn, scope.account_id, scope.region, marker, fetch_size(size)
        )
    return page_of([to_alias(row) for row in listed], size, lambda alias: alias.name)


async def aliases_for_keys(
    conn: asyncpg.Connection, key_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Alias]]:
    """Each key's aliases in name order (empty for a key without any), in one SQL statement:
    the batch behind the ``Key.aliases`` DataLoader."""
    return by_key(key_ids, await rows.aliases_of_keys(conn, key_ids), to_alias)
