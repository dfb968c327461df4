"""The bridge between a store's shared connection state (Postgres) and this process's open
token: work on a store's token goes through ``with_token``, which opens the token on first use and
turns the store FAILED (so its keys read Unavailable) when the token cannot be used."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from api.errors import CustomKeyStoreInvalidStateException
from api.keystores.model import ConnectionErrorCode, ConnectionState
from api.keystores.pins import open_pin
from api.keystores.registry import TokenUnusable, connection_error, store_config
from api.services import Services
from db import keystores as rows
from hsm import HsmError, HsmUnavailable, KeyStore

T = TypeVar("T")


def unusable(store_id: str, code: ConnectionErrorCode) -> CustomKeyStoreInvalidStateException:
    return CustomKeyStoreInvalidStateException(
        f"Custom key store {store_id} cannot use its token ({code.value})."
    )


async def open_token(services: Services, row: rows.StoreRow) -> KeyStore:
    """Raises ``TokenUnusable``; the caller records the failure in its own terms."""
    registry = services.key_stores
    handle = registry.get(row.id)
    if handle is not None:
        return handle
    try:
        pin = await open_pin(services.hsm, row.id, row.sealed_pin)
    except HsmError:
        # the domain key cannot open what it sealed: nothing the caller can fix
        raise TokenUnusable(ConnectionErrorCode.INTERNAL_ERROR) from None
    return await registry.connect(row.id, store_config(row.module_path, row.token_label, pin))


async def mark_failed(services: Services, store_id: str, code: ConnectionErrorCode) -> None:
    async with services.pool.acquire() as conn:
        await rows.set_connection(
            conn,
            store_id,
            ConnectionState.FAILED.value,
            code.value,
            expected=ConnectionState.CONNECTED.value,
        )
    await services.key_stores.disconnect(store_id)


async def with_token(
    services: Services, row: rows.StoreRow, op: Callable[[KeyStore], Awaitable[T]]
) -> T:
    """Run ``op`` on the token of a store the database says is CONNECTED."""
    try:
        return await op(await open_token(services, row))
    except TokenUnusable as exc:
        code = exc.code
    except HsmUnavailable as exc:
        code = connection_error(exc)
    await mark_failed(services, row.id, code)
    raise unusable(row.id, code)
