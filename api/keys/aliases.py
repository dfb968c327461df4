"""Aliases as stored: an alias is a name (``alias/...``) unique in its account and region that
points at one key; every ``keyId`` input accepts it (``api.keys.ids``).

The operations that change and list them, with AWS's naming rules, are ``api.operations.aliases``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from api.keys.batch import by_key
from api.keys.model import alias_arn
from db import aliases as rows


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


def to_alias(row: rows.AliasRow) -> Alias:
    return Alias(
        name=row.name,
        account_id=row.account_id,
        region=row.region,
        target_key_id=str(row.key_id),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def aliases_for_keys(
    conn: asyncpg.Connection, key_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Alias]]:
    """Each key's aliases in name order (empty for a key without any), in one SQL statement:
    the batch behind the ``Key.aliases`` DataLoader."""
    return by_key(key_ids, await rows.aliases_of_keys(conn, key_ids), to_alias)
