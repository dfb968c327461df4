"""Guarded key access: the key a ``keyId`` names, once the caller may act on it and the key state
table allows the action.

Every operation on an existing key reaches its key through one of these, so resolution,
authorization and the state table run in the same order everywhere (a caller without permission
learns nothing about the key's state):

- ``usable_key`` for the cryptographic operations: from the cache, authorized with the request's
  encryption context, condition values and grant tokens, then state table and key usage;
- ``readable_key`` for reads of the key that the graph repeats per key (DescribeKey,
  ListAliases...): from the cache;
- ``read_key`` for a read on the caller's connection;
- ``change_key`` for every change: one transaction, the key's row locked (``FOR UPDATE``) so
  concurrent changes of one key are serialised, the change applied with a version bump and the
  event recorded (``api.keys.store.apply_change``). Operations only say what to change.

``cached_key`` resolves without authorizing, for the operations that authorize on their own
terms (ListGrants, simulateAccess). Cache hits cost no database round trip: this is the hot path.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import partial
from typing import Any

import asyncpg

from api.authz.authorize import authorize
from api.authz.facts import Values
from api.calls import Call
from api.keys.ids import AliasRef, absent, alias_not_found, own_alias, parse_key_ref
from api.keys.model import Key
from api.keys.states import require_state
from api.keys.store import apply_change, load_key, to_key
from api.keys.usage import require_usage
from api.services import Services
from db import aliases as alias_rows
from db import keys as rows

# What an operation computes from the locked key: the column changes to apply (may be empty).
# It runs inside the transaction, so any rows it writes through the connection commit with it.
Change = Callable[[Key], Awaitable[dict[str, Any]]]


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


async def read_key(
    services: Services,
    conn: asyncpg.Connection,
    call: Call,
    key_id: str,
    action: str,
    facts: Values | None = None,
) -> Key:
    """A key for a read-only action, once the caller may perform ``action`` on it and the state
    table allows it."""
    key = await load_key(conn, call, key_id)
    await authorize(services, call, action, key, facts=facts, conn=conn)
    require_state(action, key)
    return key


async def change_key(
    services: Services,
    conn: asyncpg.Connection,
    call: Call,
    key_id: str,
    action: str,
    change: Change,
    facts: Values | None = None,
) -> Key:
    """Lock the key, authorize the caller, check ``action`` against its state, apply
    ``change``, record the event."""
    async with conn.transaction():
        key = await load_key(conn, call, key_id, for_update=True)
        await authorize(services, call, action, key, facts=facts, conn=conn)
        require_state(action, key)
        changed = await apply_change(conn, key, action, await change(key))
    services.key_cache.forget_key(key.uuid)
    return changed


async def cached_key(services: Services, call: Call, key_id: str) -> Key:
    """The key ``key_id`` names (any accepted form), from the cache when it is there."""
    scope = call.scope
    ref = parse_key_ref(scope, key_id)
    if isinstance(ref, AliasRef):
        ref = await _alias_target(services, call, own_alias(call, ref))

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
