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

from db.keys import KEY_COLUMNS, KeyRow, key_row


async def claim_due_deletion(
    conn: asyncpg.Connection, state: str, now: datetime, skip: list[uuid.UUID]
) -> KeyRow | None:
    """Lock one key in ``state`` whose deletion date has come, other than those in ``skip``."""
    record = await conn.fetchrow(
        f"SELECT {KEY_COLUMNS} FROM keys "  # noqa: S608 - constants
        "WHERE state = $1 AND deletion_date <= $2 AND NOT (id = ANY($3::uuid[])) "
        "ORDER BY deletion_date LIMIT 1 FOR UPDATE SKIP LOCKED",
        state,
        now,
        skip,
    )
    return None if record is None else key_row(record)


async def claim_due_rotation(
    conn: asyncpg.Connection, state: str, now: datetime, skip: list[uuid.UUID]
) -> KeyRow | None:
    """Lock one key in ``state`` whose next rotation has come, other than those in ``skip``."""
    record = await conn.fetchrow(
        f"SELECT {KEY_COLUMNS} FROM keys "  # noqa: S608 - constants
        "WHERE state = $1 AND next_rotation_at <= $2 AND NOT (id = ANY($3::uuid[])) "
        "ORDER BY next_rotation_at LIMIT 1 FOR UPDATE SKIP LOCKED",
        state,
        now,
        skip,
    )
    return None if record is None else key_row(record)
