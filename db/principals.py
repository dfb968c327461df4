"""Rows of ``principals`` and ``access_tokens``: SQL only, no policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

# Selected from ``principals p``, in the order ``_principal`` reads them.
_PRINCIPAL = "p.id, p.account_id, p.kind, p.name, p.arn, p.created_at"


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


def _principal(row: asyncpg.Record) -> PrincipalRow:
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
        RETURNING {_PRINCIPAL}
        """,  # noqa: S608 - constants
        account_id,
        kind,
        name,
        arn,
    )
    return None if row is None else _principal(row)


async def insert_token(
    conn: asyncpg.Connection, *, token_id: str, principal_id: int, secret_hash: bytes
) -> None:
    await conn.execute(
        "INSERT INTO access_tokens (token_id, principal_id, secret_hash) VALUES ($1, $2, $3)",
        token_id,
        principal_id,
        secret_hash,
    )


async def find_live_token(conn: asyncpg.Connection, token_id: str) -> TokenMatch | None:
    row = await conn.fetchrow(
        f"""
        SELECT t.secret_hash, {_PRINCIPAL}
        FROM access_tokens t JOIN principals p ON p.id = t.principal_id
        WHERE t.token_id = $1 AND t.revoked_at IS NULL AND p.revoked_at IS NULL
        """,  # noqa: S608 - constants
        token_id,
    )
    return None if row is None else TokenMatch(bytes(row["secret_hash"]), _principal(row))


async def find_live_principal(conn: asyncpg.Connection, arn: str) -> PrincipalRow | None:
    row = await conn.fetchrow(
        f"SELECT {_PRINCIPAL} FROM principals p "  # noqa: S608 - constants
        "WHERE p.arn = $1 AND p.revoked_at IS NULL",
        arn,
    )
    return None if row is None else _principal(row)


async def list_live_principals(conn: asyncpg.Connection) -> list[PrincipalRow]:
    rows = await conn.fetch(
        f"SELECT {_PRINCIPAL} FROM principals p "  # noqa: S608 - constants
        "WHERE p.revoked_at IS NULL ORDER BY p.arn"
    )
    return [_principal(row) for row in rows]


async def revoke_principal(conn: asyncpg.Connection, arn: str) -> bool:
    """Revoke a live principal and every token it holds; ``False`` when there was none."""
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
    return True
