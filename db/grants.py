"""Rows of ``grants`` and ``grant_tokens``: SQL only; the grant rules live in api.grants.

Constraints travel as JSON text (``jsonb`` in the table), so ``db`` needs no codec and knows
nothing of their meaning. Every read joins the grant's key for its account and region, from which
the key's ARN is made.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from db.sql import insert_row

GRANT_COLUMNS = (
    "grant_id, key_id, name, grantee_principal, retiring_principal, operations, constraints, "
    "issuing_account, created_at"
)
TOKEN_COLUMNS = "token_id, grant_id, secret_hash, created_at"  # noqa: S105 - column names

# What grant queries select from ``grants g JOIN keys k``: the row and its key's scope.
_FIELDS = (
    "g.grant_id, g.key_id, g.name, g.grantee_principal, g.retiring_principal, g.operations, "
    "g.constraints::text AS constraints, g.issuing_account, g.created_at, k.account_id, k.region"
)
_SELECT = f"SELECT {_FIELDS} FROM grants g JOIN keys k ON k.id = g.key_id"  # noqa: S608


@dataclass(frozen=True)
class GrantRow:
    grant_id: str
    key_id: uuid.UUID
    name: str | None
    grantee_principal: str
    retiring_principal: str | None
    operations: tuple[str, ...]
    constraints: str | None  # JSON text
    issuing_account: str
    created_at: datetime
    # Read, never written: the scope of the grant's key.
    account_id: str = ""
    region: str = ""


@dataclass(frozen=True)
class TokenRow:
    token_id: str
    grant_id: str
    secret_hash: bytes
    created_at: datetime


@dataclass(frozen=True)
class TokenMatch:
    """A stored token's hash with the grant it names."""

    token_id: str
    secret_hash: bytes
    grant: GrantRow


def grant_row(record: asyncpg.Record | dict[str, object]) -> GrantRow:
    values = dict(record)
    values["operations"] = tuple(values["operations"])
    return GrantRow(**values)


async def insert_grant(conn: asyncpg.Connection, row: GrantRow) -> None:
    await conn.execute(
        f"INSERT INTO grants ({GRANT_COLUMNS}) "  # noqa: S608 - constants
        "VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)",
        row.grant_id,
        row.key_id,
        row.name,
        row.grantee_principal,
        row.retiring_principal,
        list(row.operations),
        row.constraints,
        row.issuing_account,
        row.created_at,
    )


async def insert_token(conn: asyncpg.Connection, row: TokenRow) -> None:
    await insert_row(conn, "grant_tokens", TOKEN_COLUMNS, row)


async def find_grant(conn: asyncpg.Connection, key_id: uuid.UUID, grant_id: str) -> GrantRow | None:
    """The key's grant ``grant_id``; ``None`` when the key has no such grant."""
    record = await conn.fetchrow(
        f"{_SELECT} WHERE g.key_id = $1 AND g.grant_id = $2",
        key_id,
        grant_id,
    )
    return None if record is None else grant_row(record)


async def grants_named(conn: asyncpg.Connection, key_id: uuid.UUID, name: str) -> list[GrantRow]:
    """The key's grants called ``name``: the candidates for a CreateGrant retry."""
    records = await conn.fetch(
        f"{_SELECT} WHERE g.key_id = $1 AND g.name = $2 ORDER BY g.grant_id",
        key_id,
        name,
    )
    return [grant_row(record) for record in records]


async def grants_by_ids(
    conn: asyncpg.Connection, key_id: uuid.UUID, grant_ids: list[str]
) -> list[GrantRow]:
    records = await conn.fetch(
        f"{_SELECT} WHERE g.key_id = $1 AND g.grant_id = ANY($2::text[]) ORDER BY g.grant_id",
        key_id,
        grant_ids,
    )
    return [grant_row(record) for record in records]


async def count_grants(conn: asyncpg.Connection, key_id: uuid.UUID) -> int:
    count: int = await conn.fetchval("SELECT count(*) FROM grants WHERE key_id = $1", key_id)
    return count


async def delete_grant(conn: asyncpg.Connection, grant_id: str) -> bool:
    """Delete the grant and its tokens; ``False`` when there was none."""
    deleted = await conn.fetchval("DELETE FROM grants WHERE grant_id = $1 RETURNING true", grant_id)
    return deleted is not None


async def list_retirable_grants(
    conn: asyncpg.Connection,
    account_id: str,
    region: str,
    retiring_principal: str,
    after: str | None,
    limit: int,
) -> list[GrantRow]:
    """The grants on a scope's keys that ``retiring_principal`` may retire, in grant id order."""
    records = await conn.fetch(
        f"{_SELECT} WHERE g.retiring_principal = $1 "
        "AND k.account_id = $2 AND k.region = $3 "
        "AND ($4::text IS NULL OR g.grant_id > $4) ORDER BY g.grant_id LIMIT $5",
        retiring_principal,
        account_id,
        region,
        after,
        limit,
    )
    return [grant_row(record) for record in records]


async def grants_of_keys(conn: asyncpg.Connection, key_ids: list[uuid.UUID]) -> list[GrantRow]:
    """The grants of all ``key_ids`` in one statement, ordered by key then grant id."""
    records = await conn.fetch(
        f"{_SELECT} WHERE g.key_id = ANY($1::uuid[]) ORDER BY g.key_id, g.grant_id",
        key_ids,
    )
    return [grant_row(record) for record in records]


async def find_tokens(conn: asyncpg.Connection, token_ids: list[str]) -> list[TokenMatch]:
    """The stored tokens among ``token_ids``, each with its grant."""
    records = await conn.fetch(
        f"SELECT t.token_id, t.secret_hash, {_FIELDS} "  # noqa: S608 - constants
        "FROM grant_tokens t JOIN grants g ON g.grant_id = t.grant_id "
        "JOIN keys k ON k.id = g.key_id WHERE t.token_id = ANY($1::text[])",
        token_ids,
    )
    matches = []
    for record in records:
        values = dict(record)
        token_id, secret_hash = values.pop("token_id"), bytes(values.pop("secret_hash"))
        matches.append(TokenMatch(token_id, secret_hash, grant_row(values)))
    return matches
