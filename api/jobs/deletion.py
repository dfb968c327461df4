"""The deletion job: keys whose waiting period has passed are really deleted.

The key row goes, and with it (by cascade) its wrapped material versions, aliases, tags and
import tokens; the history in ``key_events`` stays and ends with a ``Deleted`` event. A key of a
custom key store also has a token object in that store, which the store's hook destroys first;
so has an Ed25519 key on the main token (its private key cannot be wrapped), destroyed likewise.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Protocol

import asyncpg

from api import limits
from api.jobs.runner import drain
from api.keys.model import Key, KeyState
from api.keystores.registry import KeyStores
from api.services import Services
from db import jobs as claims
from db import keys as rows
from hsm import WrappedKey

log = logging.getLogger("keygraph.jobs")

DELETED = "Deleted"


class StoreKeyDestroyer(Protocol):
    """Destroys the token object of a custom key store's key (labelled with the key id).

    It runs inside the transaction that deletes the key: if it raises, nothing is deleted and
    the next pass tries again, so it must succeed when the object is already gone.
    """

    async def __call__(self, stores: KeyStores, key: Key) -> None: ...


@dataclass
class DeletionJob:
    destroy_store_key: StoreKeyDestroyer | None = None
    limit: int = limits.JOB_ITEMS_PER_RUN
    name: str = "key-deletion"

    async def run_once(self, services: Services, now: datetime) -> int:
        claim = partial(claims.claim_due_deletion, state=KeyState.PENDING_DELETION.value)

        async def handle(conn: asyncpg.Connection, key: Key, at: datetime) -> None:
            await self._delete(conn, services, key)

        return await drain(services, self.name, now, claim, handle, self.limit)

    async def _delete(self, conn: asyncpg.Connection, services: Services, key: Key) -> None:
        if key.custom_key_store_id is not None:
            if self.destroy_store_key is None:
                log.warning("deleting %s leaves its token object in its key store", key.arn)
            else:
                await self.destroy_store_key(services.key_stores, key)
        if key.spec.token_resident and key.current_material_id is not None:
            material = await rows.find_material(conn, key.uuid, key.current_material_id)
            if material is not None:
                await services.hsm.destroy_key(WrappedKey(key.spec, material.wrapped))
        await rows.delete_key(conn, key.uuid)
        await rows.record_event(conn, key.uuid, DELETED, key.state.value, None)
