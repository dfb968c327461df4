"""Rows of ``access_keys``: SQL only, no policy. Only the keys of live principals are found."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import asyncpg

from db.principals import PRINCIPAL_COLUMNS, PrincipalRow, principal_row

# Selected from ``access_keys k JOIN principals p``, in the order ``_access_key`` reads them.
# The key's creation time is renamed: the principal's columns have a created_at of their own.
_COLUMNS = (
    "k.access_key_id, k.status, k.created_at AS key_created_at, k.sealed_secret, "
    + PRINCIPAL_COLUMNS
)
_JOINED = "access_keys k JOIN principals p ON p.id = k.principal_id AND p.revoked_at IS NULL"


@dataclass(frozen=True)
class AccessKeyRow:
    access_key_id: str
    status: str
    created_at: datetime
    sealed_secret: bytes = field(repr=False)
    principal: PrincipalRow


def _access_key(row: asyncpg.Record) -> AccessKeyRow:
    return AccessKeyRow(
        access_key_id=row["access_key_id"],
        status=row["status"],
        created_at=row["key_created_at"],
        sealed_secret=bytes(row["sealed_secret"]),
        principal=principal_row(row),
    )


async def lock_live_principal(conn: asyncpg.Connection, arn: str) -> PrincipalRow | None:
    """The live principal, its row locked until the transaction ends: two creations of its
    access keys take turns, so they cannot both pass the limit."""
    row = await conn.fetchrow(
        f"SELECT {PRINCIPAL_COLUMNS} FROM principals p "  # noqa: S608 - constants
        "WHERE p.arn = $1 AND p.revoked_at IS NULL FOR UPDATE",
        arn,
    )
    return None if row is None else principal_row(row)


async def insert_access_key(
    conn: asyncpg.Connection, *, access_key_id: str, principal_id: int, sealed_secret: bytes
) -> datetime:
    """Insert an active key; answers its creation time."""
    created: datetime = await conn.fetchval(
        "INSERT INTO access_keys (access_key_id, principal_id, sealed_secret) "
        "VALUES ($1, $2, $3) RETURNING created_at",
        access_key_id,
        principal_id,
        sealed_secret,
    )
    return created


async def find_access_key(conn: asyncpg.Connection, access_key_id: str) -> AccessKeyRow | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM {_JOINED} WHERE k.access_key_id = $1",  # noqa: S608 - constants
        access_key_id,
    )
    return None if row is None else _access_key(row)


async def list_access_keys(conn: asyncpg.Connection, principal_id: int) -> list[AccessKeyRow]:
    """A principal's keys, oldest first."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM {_JOINED} "  # noqa: S608 - constants
        "WHERE k.principal_id = $1 ORDER BY k.created_at, k.access_key_id",
        principal_id,
    )
    return [_access_key(row) for row in rows]


async def set_status(conn: asyncpg.Connection, access_key_id: str, status: str) -> None:
    await conn.execute(
        "UPDATE access_keys SET status = $2 WHERE access_key_id = $1 AND status <> $2",
        access_key_id,
        status,
    )


async def delete_access_key(conn: asyncpg.Connection, access_key_id: str) -> None:
    await conn.execute("DELETE FROM access_keys WHERE access_key_id = $1", access_key_id)
