"""The keys and key material a cryptographic call needs, checked and ready for the HSM.

Every crypto operation starts here: resolve the ``keyId``, authorize the caller (key policy,
identity policy, grants), check the key state table and the key usage for the action, then fetch
the wrapped material. This is the hot path, so both come from the
process's ``KeyCache`` when it has them (kept fresh by change notifications, see
``api.keys.cache``); a miss costs one query and fills the cache.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from api.authz.authorize import authorize
from api.authz.facts import Values
from api.calls import Call
from api.keys.ids import AliasRef, absent, alias_not_found, parse_key_ref
from api.keys.model import Key
from api.keys.states import require_state
from api.keys.store import to_key
from api.keys.usage import require_usage
from api.services import Services
from db import aliases as alias_rows
from db import keys as rows
from hsm import WrappedKey


@dataclass(frozen=True)
class Material:
    """One version of a key's material, wrapped: what the HSM unwraps to use it."""

    material_id: str
    wrapped: WrappedKey


class MaterialNotFound(Exception):
    """The key has no material version with this id (deleted, or never this key's)."""


async def readable_key(services: Services, call: Call, key_id: str, action: str) -> Key:
    """The key ``key_id`` names, for an action that only reads the key (DescribeKey): from the
    cache, once the caller may and the state table allows."""
    key = await cached_key(services, call, key_id)
    await authorize(services, call, action, key)
    require_state(action, key)
    return key


async def usable_key(
    services: Services,
    call: Call,
    key_id: str,
    action: str,
    *,
    context: Mapping[str, str] | None = None,
    facts: Values | None = None,
    grant_tokens: Sequence[str] | None = None,
) -> Key:
    """The key ``key_id`` names, if the caller may perform ``action`` with it (authorization,
    with the request's encryption context and condition values) and the key may be used for it
    now (state table, then usage)."""
    key = await cached_key(services, call, key_id)
    await authorize(
        services, call, action, key, context=context, facts=facts, grant_tokens=grant_tokens
    )
    require_state(action, key)
    require_usage(action, key)
    return key


async def cached_key(services: Services, call: Call, key_id: str) -> Key:
    """The key ``key_id`` names (any accepted form), from the cache when it is there."""
    scope = call.scope
    ref = parse_key_ref(scope, key_id)
    if isinstance(ref, AliasRef):
        ref = await _alias_target(services, call, ref.alias_name)

    async def load() -> Key | None:
        async with services.pool.acquire() as conn:
            row = await rows.find_key(conn, ref)
        return None if row is None else to_key(row)

    cache = services.key_cache
    key = await cache.read_through(cache.key(ref), load, cache.put_key)
    if key is None or (key.account_id, key.region) != (scope.account_id, scope.region):
        raise absent(scope, str(ref))
    return key


async def _alias_target(services: Services, call: Call, name: str) -> uuid.UUID:
    scope, cache = call.scope, services.key_cache
    place = (scope.account_id, scope.region, name)

    async def load() -> uuid.UUID | None:
        async with services.pool.acquire() as conn:
            return await alias_rows.alias_target(conn, *place)

    target = await cache.read_through(cache.alias(*place), load, partial(cache.put_alias, *place))
    if target is None:
        raise alias_not_found(scope, name)
    return target


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
