"""``keyId`` inputs: a key id, key ARN, alias name or alias ARN, resolved to one key.

Every operation that takes a ``keyId`` goes through ``resolve_key_id``, so the accepted forms and
AWS's messages for malformed and absent ids are the same everywhere.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import asyncpg

from api.errors import NotFoundException
from api.keys.model import alias_arn, key_arn
from db import aliases as alias_rows
from db import keys as key_rows

_KEY_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_KEY_ARN = re.compile(r"^arn:aws:kms:([a-z0-9-]+):([0-9]{12}):key/(.+)$")
_ALIAS_ARN = re.compile(r"^arn:aws:kms:([a-z0-9-]+):([0-9]{12}):(alias/.+)$")


@dataclass(frozen=True)
class Scope:
    """The account and region a deployment serves; every ARN it accepts is inside it."""

    account_id: str
    region: str


def invalid(text: str) -> NotFoundException:
    return NotFoundException(f"Invalid keyId '{text}'")


def absent(scope: Scope, key_id: str) -> NotFoundException:
    return NotFoundException(f"Key '{key_arn(scope.region, scope.account_id, key_id)}' does not exist")


def parse_key_uuid(text: str) -> uuid.UUID | None:
    return uuid.UUID(text) if _KEY_ID.match(text) else None


async def resolve_key_id(conn: asyncpg.Connection, scope: Scope, text: str) -> uuid.UUID:
    """The id of the key ``text`` names; ``NotFoundException`` in AWS's words otherwise."""
    if text.startswith("alias/"):
        return await _alias_target(conn, scope, scope, text)
    if match := _ALIAS_ARN.match(text):
        region, account_id, name = match.groups()
        return await _alias_target(conn, scope, Scope(account_id, region), name)
    if match := _KEY_ARN.match(text):
        region, account_id, raw_id = match.groups()
        key_id = parse_key_uuid(raw_id)
        if key_id is None:
            raise invalid(text)
        if Scope(account_id, region) != scope:
            raise NotFoundException(f"Key '{text}' does not exist")
        return await _existing(conn, scope, key_id)
    key_id = parse_key_uuid(text)
    if key_id is None:
        raise invalid(text)
    return await _existing(conn, scope, key_id)


async def _existing(conn: asyncpg.Connection, scope: Scope, key_id: uuid.UUID) -> uuid.UUID:
    row = await key_rows.find_key(conn, key_id)
    if row is None or row.account_id != scope.account_id or row.region != scope.region:
        raise absent(scope, str(key_id))
    return key_id


async def _alias_target(
    conn: asyncpg.Connection, scope: Scope, named: Scope, name: str
) -> uuid.UUID:
    target = None
    if named == scope:
        target = await alias_rows.alias_target(conn, scope.account_id, scope.region, name)
    if target is None:
        raise NotFoundException(
            f"Alias {alias_arn(named.region, named.account_id, name)} is not found."
        )
    return target
