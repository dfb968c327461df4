"""Grants read from and written to Postgres: the rows of ``db.grants`` as ``Grant`` objects.

``load_grants`` is what authorization caches per key (evicted when the key's grants change, see
migration 0004); ``grants_for_keys`` is the batch behind the ``Key.grants`` DataLoader.
"""

from __future__ import annotations

import json
import uuid

import asyncpg

from api.grants.model import Grant, GrantConstraints
from api.keys.batch import by_key
from api.keys.model import key_arn
from db import grants as rows

_EQUALS = "EncryptionContextEquals"
_SUBSET = "EncryptionContextSubset"
_SOURCE_ARN = "SourceArn"


def _constraints_json(constraints: GrantConstraints | None) -> str | None:
    """The constraints as stored, under AWS's member names."""
    if constraints is None:
        return None
    stored = {
        _EQUALS: constraints.equals,
        _SUBSET: constraints.subset,
        _SOURCE_ARN: constraints.source_arn,
    }
    return json.dumps({name: value for name, value in stored.items() if value is not None})


def _constraints(text: str | None) -> GrantConstraints | None:
    if text is None:
        return None
    stored = json.loads(text)
    return GrantConstraints.of(
        equals=stored.get(_EQUALS), subset=stored.get(_SUBSET), source_arn=stored.get(_SOURCE_ARN)
    )


def to_grant(row: rows.GrantRow) -> Grant:
    return Grant(
        grant_id=row.grant_id,
        key_uuid=row.key_id,
        key_arn=key_arn(row.region, row.account_id, str(row.key_id)),
        name=row.name,
        grantee_principal=row.grantee_principal,
        retiring_principal=row.retiring_principal,
        operations=frozenset(row.operations),
        constraints=_constraints(row.constraints),
        issuing_account=row.issuing_account,
        created_at=row.created_at,
    )


def to_row(grant: Grant) -> rows.GrantRow:
    return rows.GrantRow(
        grant_id=grant.grant_id,
        key_id=grant.key_uuid,
        name=grant.name,
        grantee_principal=grant.grantee_principal,
        retiring_principal=grant.retiring_principal,
        operations=tuple(sorted(grant.operations)),
        constraints=_constraints_json(grant.constraints),
        issuing_account=grant.issuing_account,
        created_at=grant.created_at,
    )


async def load_grants(conn: asyncpg.Connection, key_uuid: uuid.UUID) -> tuple[Grant, ...]:
    """Every live grant of the key, in grant id order."""
    return tuple(to_grant(row) for row in await rows.grants_of_keys(conn, [key_uuid]))


async def grants_for_keys(
    conn: asyncpg.Connection, key_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Grant]]:
    """Each key's grants in grant id order (empty for a key without any), in one SQL statement."""
    return by_key(key_ids, await rows.grants_of_keys(conn, key_ids), to_grant)
