"""A key's last successful cryptographic use, read from ``audit_events``: SQL only.

The audit trail already holds one event per authorization decision of every call of every
replica, with its outcome, so the last use needs no write of its own: migration 0011 indexes the
successful uses (``audit_events_key_use``) and ``last_use`` is one probe of that index. The
statement repeats the index's predicate literally (``TRACKED_ACTIONS``), which is what lets the
planner use a partial index; a test checks that it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

# The actions of successful uses, as migration 0011's index predicate lists them.
TRACKED_ACTIONS = (
    "kms:Decrypt",
    "kms:DeriveSharedSecret",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyPair",
    "kms:GenerateDataKeyPairWithoutPlaintext",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GenerateMac",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:Sign",
    "kms:Verify",
    "kms:VerifyMac",
)
_TRACKED = ", ".join(f"'{action}'" for action in TRACKED_ACTIONS)
LAST_USE = (
    "SELECT seq, event_time, request_id, action FROM audit_events "  # noqa: S608 - constants
    f"WHERE key_arn = $1 AND outcome = 'ok' AND action IN ({_TRACKED}) "
    "ORDER BY seq DESC LIMIT 1"
)


@dataclass(frozen=True)
class LastUse:
    """The event of a key's last successful use: its place in the trail, time, request, action."""

    seq: int
    event_time: datetime
    request_id: str
    action: str


async def last_use(conn: asyncpg.Connection, key_arn: str) -> LastUse | None:
    record = await conn.fetchrow(LAST_USE, key_arn)
    return None if record is None else LastUse(**dict(record))


async def trail_start(conn: asyncpg.Connection) -> datetime | None:
    """When the audit trail's first event was recorded (``None``: no event yet)."""
    started: datetime | None = await conn.fetchval(
        "SELECT event_time FROM audit_events ORDER BY seq LIMIT 1"
    )
    return started
