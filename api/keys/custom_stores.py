"""Keys of origin AWS_CLOUDHSM: token objects in their store's token, labelled with the key id.

Their whole life goes through the store's ``KeyStores`` (``services.key_stores``): made when
CreateKey stores the key, found for every cryptographic operation, destroyed by the deletion job.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from api.calls import Call
from api.errors import KeygraphError
from api.keys.model import Key
from api.keystores.model import ConnectionState, require_connection
from api.keystores.registry import KeyStores
from api.keystores.stores import load_store_row, not_found, to_store
from db import keystores as rows
from hsm import HsmError, KeyStore

log = logging.getLogger("keygraph.keystores")

T = TypeVar("T")


@contextlib.asynccontextmanager
async def store_key(
    stores: KeyStores, call: Call, store_id: str, key_id: str
) -> AsyncIterator[None]:
    """CreateKey in a custom key store: the token object is made on entry (the store must exist
    and be CONNECTED) and destroyed again if the body, which stores the key, fails."""
    async with stores.pool.acquire() as conn:
        row = await load_store_row(conn, call, store_id)
    require_connection("CreateKey", to_store(row))
    await stores.use(row, lambda token: token.create_key(key_id))
    try:
        yield
    except BaseException:
        with contextlib.suppress(KeygraphError, HsmError):
            await stores.use(row, lambda token: token.delete_key(key_id))
        raise


async def key_store_for(stores: KeyStores, key: Key) -> KeyStore:
    """The open token holding ``key`` (label = key id), for cryptographic operations."""
    store_id = key.custom_key_store_id
    if store_id is None:
        raise ValueError(f"key {key.key_id} is not in a custom key store")
    async with stores.pool.acquire() as conn:
        row = await rows.find_store(conn, store_id)
    if row is None:
        raise not_found(store_id)
    if row.connection_state != ConnectionState.CONNECTED.value:
        # disconnected by another replica, perhaps: give up this process's login too
        await stores.disconnect(store_id)
    require_connection("UseKey", to_store(row))
    return await stores.use(row, _same)


async def _same(token: KeyStore) -> KeyStore:
    return token


async def use_store(
    stores: KeyStores,
    call: Call,
    store_id: str,
    action: str,
    op: Callable[[KeyStore], Awaitable[T]],
) -> T:
    """``op`` on the token of a store of the caller's account and region, for an ``action``
    without a key (GenerateRandom's CustomKeyStoreId): AWS's CustomKeyStoreNotFoundException for
    a store that is not there, CustomKeyStoreInvalidStateException for one not connected (or
    whose token cannot be used, which turns it FAILED, as for a key's use)."""
    async with stores.pool.acquire() as conn:
        row = await load_store_row(conn, call, store_id)
    if row.connection_state != ConnectionState.CONNECTED.value:
        await stores.disconnect(store_id)
    require_connection(action, to_store(row))
    return await stores.use(row, op)


async def destroy_store_key(stores: KeyStores, key: Key) -> None:
    """For the deletion job (``api.jobs.StoreKeyDestroyer``): destroy the key's token object;
    no error when it is gone already. A store that is not connected keeps the object, which is
    what AWS does with a disconnected store's keys. A connected store whose token cannot be
    reached turns FAILED and this raises, so the job tries again (and then finds it FAILED)."""
    store_id = key.custom_key_store_id
    if store_id is None:
        return
    async with stores.pool.acquire() as conn:
        row = await rows.find_store(conn, store_id)
    if row is None or row.connection_state != ConnectionState.CONNECTED.value:
        log.warning("key %s deleted; its object stays in custom key store %s", key.key_id, store_id)
        return
    await stores.use(row, lambda token: token.delete_key(key.key_id))
