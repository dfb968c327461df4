"""Rows of ``principals`` and ``access_tokens``: SQL only, no policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

# Selected from ``principals p``, in the order ``principal_row`` reads them.
PRINCIPAL_COLUMNS = "p.id, p.account_id, p.kind, p.name, p.arn, p.created_at"


@dataclass(frozen=True)
class PrincipalRow:
    id: int
    account_id: str
    kind: str
    name: str
    arn: str
    created_at: datetime


@dataclass(frozen=True)
class TokenMatch:
    """A live token's stored hash with the live principal it belongs to."""

    secret_hash: bytes
    principal: PrincipalRow


def principal_row(row: asyncpg.Record) -> PrincipalRow:
    return PrincipalRow(
        id=row["id"],
        account_id=row["account_id"],
        kind=row["kind"],
        name=row["name"],
        arn=row["arn"],
        created_at=row["created_at"],
    )


async def insert_principal(
    conn: asyncpg.Connection, *, account_id: str, kind: str, name: str, arn: str
) -> PrincipalRow | None:
    """Insert a live principal; ``None`` when a live one with that ARN exists already."""
    row = await conn.fetchrow(
        f"""
        INSERT INTO principals AS p (account_id, kind, name, arn) VALUES ($1, $2, $3, $4)
        ON CONFLICT (arn) WHERE revoked_at IS NULL DO NOTHING
        RETURNING {PRINCIPAL_COLUMNS}
        """,  # noqa: S608 - constants
        account_id,
        kind,
        name,
        arn,
    )
    return None if row is None else principal_row(row)


async def insert_token(
    conn: asyncpg.Connection, *, token_id: str, principal_id: int, secret_hash: bytes
) -> None:
    await conn.execute(
        "INSERT INTO access_tokens (token_id, principal_id, secret_hash) VALUES ($1, $2, $3)",
        token_id,
        principal_id,
        secret_hash,
    )


@dataclass(frozen=True)
class StoredToken:
    """A token row whatever its state: whose it is, its hash, and whether it still works."""

    secret_hash: bytes
    principal_arn: str
    live: bool


@dataclass(frozen=True)
class TokenRow:
    token_id: str
    created_at: datetime


async def find_token(conn: asyncpg.Connection, token_id: str) -> StoredToken | None:
    row = await conn.fetchrow(
        """
        SELECT t.secret_hash, p.arn, t.revoked_at IS NULL AND p.revoked_at IS NULL AS live
        FROM access_tokens t JOIN principals p ON p.id = t.principal_id
        WHERE t.token_id = $1
        """,
        token_id,
    )
    if row is None:
        return None
    return StoredToken(bytes(row["secret_hash"]), row["arn"], row["live"])


async def list_live_tokens(conn: asyncpg.Connection, arn: str) -> list[TokenRow]:
    """The live tokens of the live principal ``arn``, oldest first."""
    rows = await conn.fetch(
        """
        SELECT t.token_id, t.created_at
        FROM access_tokens t JOIN principals p ON p.id = t.principal_id
        WHERE p.arn = $1 AND p.revoked_at IS NULL AND t.revoked_at IS NULL
        ORDER BY t.created_at, t.token_id
        """,
        arn,
    )
    return [TokenRow(row["token_id"], row["created_at"]) for row in rows]


async def revoke_token(conn: asyncpg.Connection, token_id: str) -> PrincipalRow | None:
    """Revoke a live token of a live principal; its principal, or ``None`` when there was none."""
    row = await conn.fetchrow(
        f"""
        UPDATE access_tokens t SET revoked_at = now()
        FROM principals p
        WHERE t.token_id = $1 AND t.revoked_at IS NULL
          AND p.id = t.principal_id AND p.revoked_at IS NULL
        RETURNING {PRINCIPAL_COLUMNS}
        """,  # noqa: S608 - constants
        token_id,
    )
    return None if row is None else principal_row(row)


async def find_live_token(conn: asyncpg.Connection, token_id: str) -> TokenMatch | None:
    row = await conn.fetchrow(
        f"""
        SELECT t.secret_hash, {PRINCIPAL_COLUMNS}
        FROM access_tokens t JOIN principals p ON p.id = t.principal_id
        WHERE t.token_id = $1 AND t.revoked_at IS NULL AND p.revoked_at IS NULL
        """,  # noqa: S608 - constants
        token_id,
    )
    return None if row is None else TokenMatch(bytes(row["secret_hash"]), principal_row(row))


async def find_live_principal(conn: asyncpg.Connection, arn: str) -> PrincipalRow | None:
    row = await conn.fetchrow(
        f"SELECT {PRINCIPAL_COLUMNS} FROM principals p "  # noqa: S608 - constants
        "WHERE p.arn = $1 AND p.revoked_at IS NULL",
        arn,
    )
    return None if row is None else principal_row(row)


async def list_live_principals(conn: asyncpg.Connection) -> list[PrincipalRow]:
    rows = await conn.fetch(
        f"SELECT {PRINCIPAL_COLUMNS} FROM principals p "  # noqa: S608 - constants
        "WHERE p.revoked_at IS NULL ORDER BY p.arn"
    )
    return [principal_row(row) for row in rows]


async def revoke_principal(conn: asyncpg.Connection, arn: str) -> bool:
    """Revoke a live principal, every token it holds and its access keys; ``False`` when there
    was none."""
    async with conn.transaction():
        principal_id = await conn.fetchval(
            "UPDATE principals SET revoked_at = now() WHERE arn = $1 AND revoked_at IS NULL "
            "RETURNING id",
            arn,
        )
        if principal_id is None:
            return False
        await conn.execute(
            "UPDATE access_tokens SET revoked_at = now() "
            "WHERE principal_id = $1 AND revoked_at IS NULL",
            principal_id,
        )
        await conn.execute("DELETE FROM principal_policies WHERE principal_arn = $1", arn)
        await conn.execute("DELETE FROM access_keys WHERE principal_id = $1", principal_id)
    return True
