"""The automatic rotation job: enabled keys whose rotation date has come get a new key material
version, and their next rotation is one period later.

Only Enabled keys rotate: AWS does not rotate a disabled key or one pending deletion, and once a
disabled key is enabled again its past-due rotation happens on the next pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

import asyncpg

from api import limits
from api.jobs.runner import drain
from api.keys.model import Key, KeyState
from api.keys.rotation import RotationType, add_material, next_automatic_rotation
from api.keys.store import apply_change
from api.services import Services
from db import jobs as claims

ROTATED = "Rotated"


@dataclass
class RotationJob:
    limit: int = limits.JOB_ITEMS_PER_RUN
    name: str = "key-rotation"

    async def run_once(self, services: Services, now: datetime) -> int:
        claim = partial(claims.claim_due_rotation, state=KeyState.ENABLED.value)

        async def handle(conn: asyncpg.Connection, key: Key, at: datetime) -> None:
            changes = await add_material(conn, services.hsm, key, RotationType.AUTOMATIC, at)
            changes["next_rotation_at"] = next_automatic_rotation(key, at)
            await apply_change(conn, key, ROTATED, changes)

        return await drain(services, self.name, now, claim, handle, self.limit)
