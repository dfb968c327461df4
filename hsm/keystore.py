"""A custom key store: another PKCS#11 token whose keys live there as labelled token objects.

Keys of origin AWS_CLOUDHSM are not wrapped under the domain key; the token keeps them and
keygraph addresses them by label. When the token cannot be reached the store reports
DISCONNECTED (and the application marks its keys Unavailable); ``connect`` tries again.
"""

from __future__ import annotations

import contextlib
from typing import Any

from pkcs11 import Attribute, KeyType, ObjectClass

from hsm import _gcm
from hsm._executor import Offloader
from hsm._gcm import Sealed
from hsm._session import WorkingSession
from hsm._token import ConnectionState, TokenBackend
from hsm.config import HsmConfig
from hsm.errors import HsmError, HsmUnavailable, InvalidInput, KeyNotFound

_STORE_KEY: dict[Attribute, Any] = {
    Attribute.TOKEN: True,
    Attribute.PRIVATE: True,
    Attribute.SENSITIVE: True,
    Attribute.EXTRACTABLE: False,
    Attribute.ENCRYPT: True,
    Attribute.DECRYPT: True,
}


class KeyAlreadyExists(HsmError):
    """The custom key store already holds a key with that label."""


class KeyStoreEngine:
    """The blocking face of a custom key store (see ``HsmEngine`` for the threading contract)."""

    def __init__(self, config: HsmConfig) -> None:
        self._backend = TokenBackend(config)

    @property
    def state(self) -> ConnectionState:
        return self._backend.state

    @property
    def last_error(self) -> HsmUnavailable | None:
        """Why the store is DISCONNECTED after a call failed to reach the token: ``LoginFailed``,
        ``TokenNotFound`` or ``HsmUnavailable``; ``None`` once a call succeeds again, and after
        ``close``."""
        return self._backend.last_error

    def connect(self) -> ConnectionState:
        """Reach the token (logging in again if needed); returns the resulting state instead of
        raising when the token is away, and ``last_error`` says why."""
        with contextlib.suppress(HsmUnavailable):
            self._backend.run("connect", _touch_token)
        return self._backend.state

    def close(self) -> None:
        self._backend.close()

    def create_key(self, label: str) -> None:
        """A new AES-256 token object labelled ``label`` (non-extractable, encrypt/decrypt)."""
        if not label:
            raise InvalidInput("a custom key store key needs a label")

        def op(working: WorkingSession) -> None:
            if _find(working, label):
                raise KeyAlreadyExists(f"the key store already holds a key labelled {label!r}")
            working.session.generate_key(
                KeyType.AES, 256, label=label, store=True, capabilities=0, template=_STORE_KEY
            )

        self._backend.run("create_key", op)

    def has_key(self, label: str) -> bool:
        """Searches the token every time: for administration, not for the request path."""
        return self._backend.run("has_key", lambda w: bool(_find(w, label)))

    def delete_key(self, label: str) -> None:
        def op(working: WorkingSession) -> None:
            for obj in _find(working, label):
                obj.destroy()
            working.cache.forget(label)

        self._backend.run("delete_key", op)

    def encrypt(
        self, label: str, plaintext: bytes, aad: bytes = b"", iv: bytes | None = None
    ) -> Sealed:
        caps = self._backend.capabilities
        return self._backend.run(
            "encrypt", lambda w: _gcm.seal(caps, _key(w, label), plaintext, aad, iv)
        )

    def decrypt(self, label: str, sealed: Sealed, aad: bytes = b"") -> bytes:
        caps = self._backend.capabilities
        return self._backend.run(
            "decrypt", lambda w: _gcm.unseal(caps, _key(w, label), sealed, aad)
        )

    def generate_random(self, size: int) -> bytes:
        """``size`` bytes from the token's random number generator (C_GenerateRandom)."""
        if size < 1:
            raise InvalidInput("a random byte count must be at least 1")
        return self._backend.run(
            "generate_random", lambda w: bytes(w.session.generate_random(size * 8))
        )


class KeyStore:
    """Open with ``await open_key_store(config)``; ``config.domain_key_label`` is unused."""

    def __init__(self, engine: KeyStoreEngine, offload: Offloader) -> None:
        self.engine = engine
        self._offload = offload

    @property
    def state(self) -> ConnectionState:
        return self.engine.state

    @property
    def last_error(self) -> HsmUnavailable | None:
        """See ``KeyStoreEngine.last_error``."""
        return self.engine.last_error

    async def connect(self) -> ConnectionState:
        return await self._offload(self.engine.connect)

    async def disconnect(self) -> None:
        await self._offload(self.engine.close)

    async def aclose(self) -> None:
        """Close the token for good; a second call returns at once."""
        await self._offload.aclose(self.engine.close)

    async def create_key(self, label: str) -> None:
        await self._offload(self.engine.create_key, label)

    async def has_key(self, label: str) -> bool:
        return await self._offload(self.engine.has_key, label)

    async def delete_key(self, label: str) -> None:
        await self._offload(self.engine.delete_key, label)

    async def encrypt(
        self, label: str, plaintext: bytes, aad: bytes = b"", iv: bytes | None = None
    ) -> Sealed:
        return await self._offload(self.engine.encrypt, label, plaintext, aad, iv)

    async def decrypt(self, label: str, sealed: Sealed, aad: bytes = b"") -> bytes:
        return await self._offload(self.engine.decrypt, label, sealed, aad)

    async def generate_random(self, size: int) -> bytes:
        return await self._offload(self.engine.generate_random, size)


def _touch_token(working: WorkingSession) -> None:
    """Any call that reaches the token's object store proves the token is there."""
    _find(working, "")


def _find(working: WorkingSession, label: str) -> list[Any]:
    return list(
        working.session.get_objects(
            {Attribute.CLASS: ObjectClass.SECRET_KEY, Attribute.LABEL: label, Attribute.TOKEN: True}
        )
    )


def _key(working: WorkingSession, label: str) -> Any:
    """The token object for ``label``, searched once per session and cached (not owned)."""
    obj = working.cache.get(label)
    if obj is None:
        found = _find(working, label)
        if not found:
            raise KeyNotFound(f"the key store holds no key labelled {label!r}")
        obj = found[0]
        working.cache.put(label, obj, owned=False)
    return obj


async def open_key_store(config: HsmConfig) -> KeyStore:
    """Open a custom key store token. Unlike ``open_hsm`` it does not fail when the token is
    away: the store starts DISCONNECTED and ``connect`` retries."""
    offload = Offloader(config.session_pool_size, "keystore")
    engine = await offload.start(KeyStoreEngine, config)
    store = KeyStore(engine, offload)
    await store.connect()
    return store
