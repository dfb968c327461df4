"""Rows of ``browser_sessions``: SQL only, no policy. A session is found by SHA-256 of its id;
the id itself never reaches the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from db.principals import PRINCIPAL_COLUMNS, PrincipalRow, principal_row


@dataclass(frozen=True)
class SessionRow:
    """A live session of a live principal."""

    principal: PrincipalRow
    last_seen_at: datetime
    idle_expires_at: datetime
    expires_at: datetime


async def insert_session(
    conn: asyncpg.Connection,
    *,
    id_hash: bytes,
    principal_arn: str,
    token_id: str | None,
    access_key_id: str | None,
    now: datetime,
    idle_expires_at: datetime,
    expires_at: datetime,
) -> PrincipalRow | None:
    """A new session for the live principal ``principal_arn``, signed in with one of its token
    ``token_id`` or access key ``access_key_id``; ``None`` when there is no such principal."""
    row = await conn.fetchrow(
        f"""
        WITH p AS (SELECT * FROM principals WHERE arn = $2 AND revoked_at IS NULL),
        inserted AS (
            INSERT INTO browser_sessions (id_hash, principal_id, token_id, access_key_id,
                created_at, last_seen_at, idle_expires_at, expires_at)
            SELECT $1, p.id, $3, $4, $5, $5, $6, $7 FROM p
        )
        SELECT {PRINCIPAL_COLUMNS} FROM p
        """,  # noqa: S608 - constants
        id_hash,
        principal_arn,
        token_id,
        access_key_id,
        now,
        idle_expires_at,
        expires_at,
    )
    return None if row is None else principal_row(row)


async def find_live_session(
    conn: asyncpg.Connection, id_hash: bytes, now: datetime
) -> SessionRow | None:
    """The session ``id_hash`` finds, unless it is revoked, past either expiry, or its principal
    or the credential it was signed in with is revoked (an access key: inactive; a deleted one
    took its sessions along)."""
    row = await conn.fetchrow(
        f"""
        SELECT s.last_seen_at, s.idle_expires_at, s.expires_at, {PRINCIPAL_COLUMNS}
        FROM browser_sessions s JOIN principals p ON p.id = s.principal_id
        LEFT JOIN access_tokens t ON t.token_id = s.token_id
        LEFT JOIN access_keys k ON k.access_key_id = s.access_key_id
        WHERE s.id_hash = $1 AND s.revoked_at IS NULL AND p.revoked_at IS NULL
          AND s.idle_expires_at > $2 AND s.expires_at > $2
          AND (t.token_id IS NULL OR t.revoked_at IS NULL)
          AND (k.access_key_id IS NULL OR k.status = 'Active')
        """,  # noqa: S608 - constants
        id_hash,
        now,
    )
    if row is None:
        return None
    return SessionRow(
        principal=principal_row(row),
        last_seen_at=row["last_seen_at"],
        idle_expires_at=row["idle_expires_at"],
        expires_at=row["expires_at"],
    )


async def touch_session(
    conn: asyncpg.Connection, id_hash: bytes, now: datetime, idle_expires_at: datetime
) -> None:
    """Record a use: the idle expiry moves to ``idle_expires_at`` (never past the absolute one)."""
    await conn.execute(
        """
        UPDATE browser_sessions
        SET last_seen_at = $2, idle_expires_at = LEAST($3, expires_at)
        WHERE id_hash = $1 AND revoked_at IS NULL AND last_seen_at < $2
        """,
        id_hash,
        now,
        idle_expires_at,
    )


async def revoke_session(conn: asyncpg.Connection, id_hash: bytes, now: datetime) -> bool:
    """Revoke a session; whether there was one still live to revoke."""
    revoked = await conn.fetchval(
        "UPDATE browser_sessions SET revoked_at = $2 "
        "WHERE id_hash = $1 AND revoked_at IS NULL RETURNING true",
        id_hash,
        now,
    )
    return bool(revoked)


async def delete_ended_sessions(conn: asyncpg.Connection, principal_id: int, now: datetime) -> None:
    """Forget a principal's sessions that can no longer be used (revoked or expired), so the
    table holds about one row per session in use rather than one per sign-in ever made."""
    await conn.execute(
        """
        DELETE FROM browser_sessions
        WHERE principal_id = $1
          AND (revoked_at IS NOT NULL OR idle_expires_at <= $2 OR expires_at <= $2)
        """,
        principal_id,
        now,
    )
