"""``keyId`` inputs: a key id, key ARN, alias name or alias ARN, resolved to one key.

Every operation that takes a ``keyId`` goes through ``resolve_key_id``, so AWS's messages for
malformed and absent ids are the same everywhere. Which of the four forms a member takes is the
operation's, as AWS's API reference states it for that member: each key-naming member declares
its ``Accepts`` (``api.members.key_id``), and the pipeline refuses any other form with AWS's
answer for that member before the operation runs.
"""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from api import messages
from api.calls import Call, Scope
from api.errors import (
    KeygraphError,
    NotFoundException,
)
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
ALIAS_PREFIX = "alias/"
_ALIAS_ARN = re.compile(r"^arn:aws:kms:([a-z0-9-]+):([0-9]{12}):(alias/.+)$")


def invalid(text: str) -> NotFoundException:
    return messages.INVALID_KEY_ID(key_id=text)


def absent(scope: Scope, key_id: str) -> NotFoundException:
    return messages.KEY_NOT_FOUND(arn=key_arn(scope.region, scope.account_id, key_id))


def parse_key_uuid(text: str) -> uuid.UUID | None:
    return uuid.UUID(text) if _KEY_ID.match(text) else None


class KeyForm(enum.Enum):
    """The four ways a request can name a key, in the words of AWS's API reference ("To specify
    a KMS key, use its key ID, key ARN, alias name, or alias ARN")."""

    KEY_ID = "key ID"
    KEY_ARN = "key ARN"
    ALIAS_NAME = "alias name"
    ALIAS_ARN = "alias ARN"


def form_of(text: str) -> KeyForm:
    """The form ``text`` is written in, by its shape alone: whether it names anything is
    resolution's question (``parse_key_ref``). An ARN whose resource is ``alias/...`` is an
    alias ARN, whatever its partition or region; anything else that is no ARN is read as a key
    id, malformed or not."""
    if text.startswith(ALIAS_PREFIX):
        return KeyForm.ALIAS_NAME
    if text.startswith("arn:"):
        resource = text.split(":", 5)[-1]
        return KeyForm.ALIAS_ARN if resource.startswith(ALIAS_PREFIX) else KeyForm.KEY_ARN
    return KeyForm.KEY_ID


@dataclass(frozen=True)
class Accepts:
    """The forms one key-naming member takes (``forms``), and AWS's answer to a request that
    names the key in any other (``refusal``, given the text as sent)."""

    forms: frozenset[KeyForm]
    refusal: Callable[[str], KeygraphError]

    def admit(self, text: str) -> None:
        if form_of(text) not in self.forms:
            raise self.refusal(text)


def _alias_not_supported(text: str) -> KeygraphError:
    # AWS's answer to CreateGrant with an alias, as recorded in boto/boto#3202 and #3883 and
    # relayed by Lambda in hashicorp/terraform#20813 ("KMS Exception: InvalidArnException KMS
    # Message: Key Aliases are not supported for this operation."). ListGrants, RetireGrant and
    # RevokeGrant document the same forms; with no recording of their answer, they give this one.
    return messages.KEY_ALIASES_NOT_SUPPORTED()


def _alias_to_alias(text: str) -> KeygraphError:
    # CreateAlias and UpdateAlias: an alias points at a key, never at another alias.
    return messages.ALIAS_TO_ALIAS()


_KEY_FORMS = frozenset({KeyForm.KEY_ID, KeyForm.KEY_ARN})

# Every form: the cryptographic operations, DescribeKey, GetPublicKey (nothing to refuse).
ANY_FORM = Accepts(frozenset(KeyForm), invalid)
# "Specify the key ID or key ARN of the KMS key": EnableKey, TagResource, GetKeyPolicy... An
# alias there is answered with NotFoundException, the code recorded against AWS; no recording of
# the message was found, so keygraph answers as for any other text that is no key id.
KEY_ONLY = Accepts(_KEY_FORMS, invalid)
# The grant operations' KeyId.
GRANT_KEY = Accepts(_KEY_FORMS, _alias_not_supported)
# CreateAlias's and UpdateAlias's TargetKeyId.
ALIAS_TARGET = Accepts(_KEY_FORMS, _alias_to_alias)


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
    return messages.ALIAS_NOT_FOUND(arn=alias_arn(named.region, named.account_id, name))


def parse_key_ref(scope: Scope, text: str) -> KeyRef:
    """Read a ``keyId`` without the database; malformed or foreign ids fail here. NUL is in no
    key id or alias name, and Postgres holds no text with it: invalid before any lookup."""
    if "\x00" in text:
        raise invalid(text)
    if text.startswith(ALIAS_PREFIX):
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
            raise messages.KEY_NOT_FOUND(arn=text)
        key_id = parse_key_uuid(raw_id)
        if key_id is None:
            raise invalid(text)
        if Scope(account_id, region) != scope:
            raise messages.KEY_NOT_FOUND(arn=text)
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
