"""``keyId`` inputs: a key id, key ARN, alias name or alias ARN, resolved to one key.

Every operation that takes a ``keyId`` goes through ``resolve_key_id``, so the accepted forms and
AWS's messages for malformed and absent ids are the same everywhere.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import asyncpg

from api.calls import Call, Scope
from api.errors import NotFoundException
from api.keys.model import alias_arn, key_arn
from db import aliases as alias_rows
from db import keys as key_rows

_KEY_ID = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
# A multi-Region key's id (AWS: ``mrk-`` and 32 hex digits). keygraph makes no multi-Region keys,
# so a well-formed one names a key that does not exist, and AWS says so rather than "Invalid".
_MULTI_REGION_KEY_ID = re.compile(r"^mrk-[0-9a-f]{32}$")
_KEY_ARN = re.compile(r"^arn:aws:kms:([a-z0-9-]+):([0-9]{12}):key/(.+)$")
_ALIAS_ARN = re.compile(r"^arn:aws:kms:([a-z0-9-]+):([0-9]{12}):(alias/.+)$")


def invalid(text: str) -> NotFoundException:
    return NotFoundException(f"Invalid keyId '{text}'")


def absent(scope: Scope, key_id: str) -> NotFoundException:
    return NotFoundException(
        f"Key '{key_arn(scope.region, scope.account_id, key_id)}' does not exist"
    )


def parse_key_uuid(text: str) -> uuid.UUID | None:
    return uuid.UUID(text) if _KEY_ID.match(text) else None


@dataclass(frozen=True)
class AliasRef:
    """A ``keyId`` naming an alias of the scope, to be looked up (``own_alias``)."""

    alias_name: str
    # Named by ``alias/<name>`` alone rather than by its ARN: AWS looks such a name up in the
    # caller's account only.
    by_name: bool


# What a ``keyId`` names inside the scope: a key by its id, or an alias.
KeyRef = uuid.UUID | AliasRef


def alias_not_found(named: Scope, name: str) -> NotFoundException:
    return NotFoundException(
        f"Alias {alias_arn(named.region, named.account_id, name)} is not found."
    )


def parse_key_ref(scope: Scope, text: str) -> KeyRef:
    """Read a ``keyId`` without the database; malformed or foreign ids fail here. NUL is in no
    key id or alias name, and Postgres holds no text with it: invalid before any lookup."""
    if "\x00" in text:
        raise invalid(text)
    if text.startswith("alias/"):
        return AliasRef(text, by_name=True)
    if match := _ALIAS_ARN.match(text):
        region, account_id, name = match.groups()
        if Scope(account_id, region) != scope:
            raise alias_not_found(Scope(account_id, region), name)
        return AliasRef(name, by_name=False)
    if _MULTI_REGION_KEY_ID.match(text):
        raise absent(scope, text)
    if match := _KEY_ARN.match(text):
        region, account_id, raw_id = match.groups()
        if _MULTI_REGION_KEY_ID.match(raw_id):
            raise NotFoundException(f"Key '{text}' does not exist")
        key_id = parse_key_uuid(raw_id)
        if key_id is None:
            raise invalid(text)
        if Scope(account_id, region) != scope:
            raise NotFoundException(f"Key '{text}' does not exist")
        return key_id
    key_id = parse_key_uuid(text)
    if key_id is None:
        raise invalid(text)
    return key_id


def own_alias(call: Call, ref: AliasRef) -> str:
    """The name of the scope's alias ``ref`` names for ``call``. AWS resolves an alias name only
    in the caller's account, so for a principal of another account ``alias/<name>`` names an
    alias of its own account, which this deployment does not hold: NotFound, as for any missing
    alias, rather than the scope's key and an AccessDenied naming its ARN. An alias ARN names its
    account and reaches the scope's alias from any account, as in AWS."""
    caller_account = call.principal.account_id
    if ref.by_name and caller_account != call.scope.account_id:
        raise alias_not_found(Scope(caller_account, call.scope.region), ref.alias_name)
    return ref.alias_name


async def resolve_key_id(conn: asyncpg.Connection, call: Call, text: str) -> uuid.UUID:
    """The id of the key ``text`` names for ``call``'s caller; ``NotFoundException`` in AWS's
    words otherwise."""
    scope = call.scope
    ref = parse_key_ref(scope, text)
    if isinstance(ref, AliasRef):
        name = own_alias(call, ref)
        target = await alias_rows.alias_target(conn, scope.account_id, scope.region, name)
        if target is None:
            raise alias_not_found(scope, name)
        return target
    row = await key_rows.find_key(conn, ref)
    if row is None or row.account_id != scope.account_id or row.region != scope.region:
        raise absent(scope, str(ref))
    return ref
