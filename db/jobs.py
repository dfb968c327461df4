"""The queries background jobs claim their work with: SQL only; the jobs live in api.jobs.

Every replica runs the same jobs at once. Each claims one due key at a time with
``FOR UPDATE SKIP LOCKED`` inside its own transaction, so two replicas never take the same key:
the second skips a row the first holds, and once the first commits, the row is gone or no longer
due (Postgres re-checks the ``WHERE`` of a row that changed under a locking read).
"""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from db.keys import KEY_SELECT, KeyRow, key_row


async def _claim_due(
    conn: asyncpg.Connection,
    due: str,
    now: datetime,
    skip: list[uuid.UUID],
    condition: str,
    *params: object,
) -> KeyRow | None:
    """Lock the key whose ``due`` column passed longest ago, of those meeting ``condition``
    (whose parameters are ``$3`` on) and not in ``skip``."""
    record = await conn.fetchrow(
        f"SELECT {KEY_SELECT} FROM keys "  # noqa: S608 - constants
        f"WHERE {due} <= $1 AND NOT (id = ANY($2::uuid[])) AND {condition} "
        f"ORDER BY {due} LIMIT 1 FOR UPDATE SKIP LOCKED",
        now,
        skip,
        *params,
    )
    return None if record is None else key_row(record)


async def claim_due_deletion(
    conn: asyncpg.Connection, now: datetime, skip: list[uuid.UUID], *, state: str
) -> KeyRow | None:
    """Lock one key in ``state`` whose deletion date has come, other than those in ``skip``."""
    return await _claim_due(conn, "deletion_date", now, skip, "state = $3", state)


async def claim_due_rotation(
    conn: asyncpg.Connection, now: datetime, skip: list[uuid.UUID], *, state: str
) -> KeyRow | None:
    """Lock one key in ``state`` whose next rotation has come, other than those in ``skip``."""
    return await _claim_due(conn, "next_rotation_at", now, skip, "state = $3", state)


async def claim_expired_import(
    conn: asyncpg.Connection, now: datetime, skip: list[uuid.UUID]
) -> KeyRow | None:
    """Lock one key with a material whose import expired by ``now``, other than those in
    ``skip``. Each of a key's imported materials expires on its own, so the material row is
    locked too: once another replica has expired it, the re-check of that row finds it no
    longer due (a key's own columns would not tell)."""
    record = await conn.fetchrow(
        f"SELECT {KEY_SELECT} FROM keys WHERE id = ("  # noqa: S608 - constants
        "SELECT m.key_id FROM imported_materials m "
        "WHERE m.valid_to <= $1 AND NOT (m.key_id = ANY($2::uuid[])) "
        "ORDER BY m.valid_to LIMIT 1 FOR UPDATE SKIP LOCKED) FOR UPDATE SKIP LOCKED",
        now,
        skip,
    )
    return None if record is None else key_row(record)
