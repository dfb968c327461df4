"""ScheduleKeyDeletion and CancelKeyDeletion: the waiting period before a key is really gone.

Scheduling only changes the key's state and dates; the deletion itself is the background job's
(``api.jobs``), once the date has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from api import limits
from api.calls import Call
from api.errors import ValidationException
from api.keys.model import Key, KeyState
from api.keys.store import change_key
from api.keys.validation import member_range
from api.services import Services
from db import keys as rows


@dataclass(frozen=True)
class ScheduledDeletion:
    key: Key
    deletion_date: datetime
    pending_window_days: int


async def schedule_key_deletion(
    services: Services, call: Call, key_id: str, pending_window_days: int | None = None
) -> ScheduledDeletion:
    days = limits.PENDING_WINDOW_DEFAULT if pending_window_days is None else pending_window_days
    member_range("pendingWindowInDays", days, limits.PENDING_WINDOW_MODEL)
    if days not in limits.PENDING_WINDOW_DAYS:
        window = limits.PENDING_WINDOW_DAYS
        raise ValidationException(
            f"PendingWindowInDays must be between {window.low} and {window.high}"
        )

    deletion_date = call.now + timedelta(days=days)

    async def change(key: Key) -> dict[str, Any]:
        return {
            "state": KeyState.PENDING_DELETION,
            "deletion_date": deletion_date,
            "pending_window_days": days,
        }

    async with services.pool.acquire() as conn:
        key = await change_key(
            services,
            conn,
            call,
            key_id,
            "ScheduleKeyDeletion",
            change,
            {"kms:ScheduleKeyDeletionPendingWindowInDays": str(days)},
        )
    return ScheduledDeletion(key, deletion_date, days)


async def state_after_cancel(conn: asyncpg.Connection, key: Key) -> KeyState:
    """AWS leaves a cancelled key Disabled; a key without usable key material (imported material
    never imported, deleted or expired: the row is gone though the id stays) cannot be enabled,
    so it waits for an import again."""
    material = key.current_material_id
    if material is not None and await rows.find_material(conn, key.uuid, material) is not None:
        return KeyState.DISABLED
    return KeyState.PENDING_IMPORT


async def cancel_key_deletion(services: Services, call: Call, key_id: str) -> Key:
    async with services.pool.acquire() as conn:

        async def change(key: Key) -> dict[str, Any]:
            return {
                "state": await state_after_cancel(conn, key),
                "deletion_date": None,
                "pending_window_days": None,
            }

        return await change_key(services, conn, call, key_id, "CancelKeyDeletion", change)
