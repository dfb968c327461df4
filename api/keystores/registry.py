"""The custom key store tokens this process has open, and the one way work reaches them.

The connection state that callers see lives in Postgres and is shared by every replica; the open
token (its login and sessions) is per process. A replica opens a store's token the first time it
needs it while the database says CONNECTED (``use``), and closes it when it finds the store no
longer is. A token that cannot be used turns its store FAILED, so the store's keys read
Unavailable in every replica.

``KeyStores`` is given the pool and the HSM it needs for that (the PIN is sealed under the domain
key) rather than the running services, of which it is one part (``services.key_stores``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg

from api import limits, messages
from api.errors import CustomKeyStoreInvalidStateException
from api.keystores.model import ConnectionErrorCode, ConnectionState
from api.keystores.pins import open_pin
from db import keystores as rows
from hsm import ConnectionState as TokenState
from hsm import (
    Hsm,
    HsmConfig,
    HsmConfigurationError,
    HsmError,
    HsmUnavailable,
    KeyStore,
    LoginFailed,
    TokenNotFound,
    open_key_store,
)

log = logging.getLogger("keygraph.keystores")

T = TypeVar("T")


def connection_error(exc: HsmError) -> ConnectionErrorCode:
    """AWS's connection error code for why a token could not be used."""
    if isinstance(exc, LoginFailed):
        return ConnectionErrorCode.INVALID_CREDENTIALS
    if isinstance(exc, TokenNotFound | HsmConfigurationError):
        return ConnectionErrorCode.CLUSTER_NOT_FOUND
    if isinstance(exc, HsmUnavailable):
        return ConnectionErrorCode.NETWORK_ERRORS
    return ConnectionErrorCode.INTERNAL_ERROR


def store_config(module_path: str, token_label: str, pin: str) -> HsmConfig:
    return HsmConfig(
        module_path=module_path,
        token_label=token_label,
        pin=pin,
        session_pool_size=limits.KEY_STORE_SESSIONS,
    )


class TokenUnusable(Exception):
    """The store's token could not be opened; ``code`` says why, in AWS's terms."""

    def __init__(self, code: ConnectionErrorCode) -> None:
        super().__init__(code.value)
        self.code = code


def unusable(store_id: str, code: ConnectionErrorCode) -> CustomKeyStoreInvalidStateException:
    return messages.KEY_STORE_TOKEN_FAILED(store_id=store_id, code=code.value)


class KeyStores:
    """Open ``hsm.KeyStore`` objects by custom key store id; close them all with ``aclose``."""

    def __init__(self, pool: asyncpg.Pool, hsm: Hsm) -> None:
        self.pool = pool
        self._hsm = hsm
        self._open: dict[str, KeyStore] = {}
        self._lock = asyncio.Lock()

    def get(self, store_id: str) -> KeyStore | None:
        return self._open.get(store_id)

    async def open(self, row: rows.StoreRow) -> KeyStore:
        """The store's token, opened with its PIN unless it is open already. Raises
        ``TokenUnusable``; the caller records the failure in its own terms."""
        handle = self.get(row.id)
        if handle is not None:
            return handle
        try:
            pin = await open_pin(self._hsm, row.id, row.sealed_pin)
        except HsmError:
            # the domain key cannot open what it sealed: nothing the caller can fix
            raise TokenUnusable(ConnectionErrorCode.INTERNAL_ERROR) from None
        return await self._connect(row.id, store_config(row.module_path, row.token_label, pin))

    async def use(self, row: rows.StoreRow, op: Callable[[KeyStore], Awaitable[T]]) -> T:
        """Run ``op`` on the token of a store the database says is CONNECTED; a token that
        cannot be used turns the store FAILED and answers CustomKeyStoreInvalidStateException."""
        try:
            return await op(await self.open(row))
        except TokenUnusable as exc:
            code = exc.code
        except HsmUnavailable as exc:
            code = connection_error(exc)
        await self._mark_failed(row.id, code)
        raise unusable(row.id, code)

    async def disconnect(self, store_id: str) -> None:
        async with self._lock:
            await self._close(store_id)

    async def aclose(self) -> None:
        async with self._lock:
            for store_id in list(self._open):
                await self._close(store_id)

    async def _connect(self, store_id: str, config: HsmConfig) -> KeyStore:
        """Open the token afresh, dropping an earlier handle; ``TokenUnusable`` if it cannot
        be used."""
        async with self._lock:
            await self._close(store_id)
            try:
                store = await open_key_store(config)
            except HsmError as exc:
                raise TokenUnusable(connection_error(exc)) from None
            if store.state is not TokenState.CONNECTED and store.last_error is not None:
                reason = connection_error(store.last_error)
                log.warning(
                    "custom key store %s: token %r unusable (%s)",
                    store_id,
                    config.token_label,
                    reason.value,
                )
                await store.aclose()
                raise TokenUnusable(reason)
            self._open[store_id] = store
            return store

    async def _mark_failed(self, store_id: str, code: ConnectionErrorCode) -> None:
        async with self.pool.acquire() as conn:
            await rows.set_connection(
                conn,
                store_id,
                ConnectionState.FAILED.value,
                code.value,
                expected=ConnectionState.CONNECTED.value,
            )
        await self.disconnect(store_id)

    async def _close(self, store_id: str) -> None:
        store = self._open.pop(store_id, None)
        if store is not None:
            await store.aclose()
