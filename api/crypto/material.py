"""The key material a cryptographic call needs, wrapped and ready for the HSM.

Once ``api.authz.access.usable_key`` has the key allowed for the action, the operation fetches the
wrapped material version it needs here. This is the hot path, so it comes from the process's
``KeyCache`` when it has it (kept fresh by change notifications, see ``api.cache``); a miss costs
one query and fills the cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from api.keys.model import Key
from api.services import Services
from db import keys as rows
from hsm import WrappedKey


@dataclass(frozen=True)
class Material:
    """One version of a key's material, wrapped: what the HSM unwraps to use it."""

    material_id: str
    wrapped: WrappedKey


class MaterialNotFound(Exception):
    """The key has no material version with this id (deleted, or never this key's)."""


async def material_of(services: Services, key: Key, material_id: str | None = None) -> Material:
    """A version of the key's material: the current one unless ``material_id`` names another.

    Raises ``MaterialNotFound`` when the key has no such version; for a ciphertext naming a
    deleted version the caller turns that into InvalidCiphertextException.
    """
    wanted = material_id or key.current_material_id
    if wanted is None:
        raise MaterialNotFound(key.key_id)

    async def load() -> WrappedKey | None:
        async with services.pool.acquire() as conn:
            row = await rows.find_material(conn, key.uuid, wanted)
        return None if row is None else WrappedKey(key.spec, row.wrapped, row.public_key)

    cache = services.key_cache
    keep = partial(cache.put_material, key.uuid, wanted)
    wrapped = await cache.read_through(cache.material(key.uuid, wanted), load, keep)
    if wrapped is None:
        raise MaterialNotFound(wanted)
    return Material(wanted, wrapped)
