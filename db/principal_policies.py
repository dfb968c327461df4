"""Identity policies attached to principals (``principal_policies``)."""

from __future__ import annotations

import asyncpg


async def find_policy(conn: asyncpg.Connection, principal_arn: str) -> str | None:
    document: str | None = await conn.fetchval(
        "SELECT document FROM principal_policies WHERE principal_arn = $1", principal_arn
    )
    return document


async def put_policy(conn: asyncpg.Connection, principal_arn: str, document: str) -> None:
    await conn.execute(
        """
        INSERT INTO principal_policies (principal_arn, document) VALUES ($1, $2)
        ON CONFLICT (principal_arn) DO UPDATE SET document = $2, updated_at = now()
        """,
        principal_arn,
        document,
    )


async def delete_policy(conn: asyncpg.Connection, principal_arn: str) -> bool:
    status: str = await conn.execute(
        "DELETE FROM principal_policies WHERE principal_arn = $1", principal_arn
    )
    return status != "DELETE 0"


async def find_policies(conn: asyncpg.Connection, principal_arns: list[str]) -> dict[str, str]:
    """The identity policies of the principals that have one, in one statement (the access
    view of a key reads every principal's at once)."""
    records = await conn.fetch(
        "SELECT principal_arn, document FROM principal_policies WHERE principal_arn = ANY($1)",
        principal_arns,
    )
    return {record["principal_arn"]: record["document"] for record in records}
