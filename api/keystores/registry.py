"""The custom key store tokens this process has open.

The connection state that callers see lives in Postgres and is shared by every replica; the open
token (its login and sessions) is per process. A replica opens a store's token the first time it
needs it while the database says CONNECTED, and closes it when it finds the store no longer is.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from api import limits
from api.keystores.model import ConnectionErrorCode
from hsm import (
    ConnectionState,
    HsmConfig,
    HsmConfigurationError,
    HsmError,
    HsmUnavailable,
    KeyStore,
    LoginFailed,
    TokenNotFound,
    open_key_store,
)

if TYPE_CHECKING:
    pass

log = logging.getLogger("keygraph.keystores")


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


class KeyStores:
    """Open ``hsm.KeyStore`` objects by custom key store id; close them all with ``aclose``."""

    def __init__(self) -> None:
        self._open: dict[str, KeyStore] = {}
        self._lock = asyncio.Lock()

    def get(self, store_id: str) -> KeyStore | None:
        return self._open.get(store_id)

    async def connect(self, store_id: str, config: HsmConfig) -> KeyStore:
        """Open the token afresh, dropping an earlier handle; ``TokenUnusable`` if it cannot
        be used."""
        async with self._lock:
            await self._close(store_id)
            try:
                store = await open_key_store(config)
            except HsmError as exc:
                raise TokenUnusable(connection_error(exc)) from None
            if store.state is not ConnectionState.CONNECTED and store.last_error is not None:
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

    async def disconnect(self, store_id: str) -> None:
        async with self._lock:
            await self._close(store_id)

    async def aclose(self) -> None:
        async with self._lock:
            for store_id in list(self._open):
                await self._close(store_id)

    async def _close(self, store_id: str) -> None:
        store = self._open.pop(store_id, None)
        if store is not None:
            await store.aclose()
