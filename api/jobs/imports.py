"""The import expiry job: imported key material whose ``validTo`` has passed is deleted, and the
key waits for an import again if it was the key's for good (``api.keys.imports.settle``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from api import limits
from api.jobs.runner import drain
from api.keys.imports import expire_materials, settle
from api.keys.model import Key
from api.keys.store import apply_change
from api.services import Services
from db import imports as import_rows
from db import jobs as claims

EXPIRED = "KeyMaterialExpired"


@dataclass
class ImportExpiryJob:
    """Deletes imported material whose ``validTo`` has passed; the key becomes PendingImport
    unless the material was pending rotation.

    Replicas run it at once: keys are claimed one by one ``FOR UPDATE SKIP LOCKED`` (``drain``),
    so each is handled once. Import tokens expired for a day go too (until then a late caller is
    told "expired" rather than "invalid").
    """

    limit: int = limits.JOB_ITEMS_PER_RUN
    name: str = "import-expiry"

    async def run_once(self, services: Services, now: datetime) -> int:
        async def handle(conn: asyncpg.Connection, key: Key, at: datetime) -> None:
            await expire_materials(conn, key, at)
            await apply_change(conn, key, EXPIRED, await settle(conn, key))

        handled = await drain(
            services, self.name, now, claims.claim_expired_import, handle, self.limit
        )
        async with services.pool.acquire() as conn:
            await import_rows.purge_tokens(
                conn, now - timedelta(hours=limits.IMPORT_TOKEN_RETENTION_HOURS)
            )
        return handled
