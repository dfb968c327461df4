"""The async face of hsm, for code running on the event loop.

Each method hands the blocking call to a thread pool sized to the session pool and awaits it; see
``HsmEngine`` for what each operation does and raises.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hsm._executor import Offloader
from hsm._gcm import Sealed
from hsm._token import ConnectionState
from hsm.algorithms import (
    EncryptionAlgorithm,
    MacAlgorithm,
    MessageType,
    SigningAlgorithm,
    WrappingAlgorithm,
)
from hsm.capabilities import Capabilities
from hsm.config import HsmConfig
from hsm.engine import HsmEngine
from hsm.keyspec import ExportedKeyPair, KeySpec, WrappedKey


class Hsm:
    """Open it with ``await open_hsm(config)``; close it with ``await hsm.aclose()``."""

    def __init__(self, engine: HsmEngine, offload: Offloader) -> None:
        self.engine = engine
        self._offload = offload

    @property
    def offload(self) -> Offloader:
        """The thread pool this facade's calls run on (a facade that groups some calls, a
        batch's, runs the others on it)."""
        return self._offload

    @property
    def capabilities(self) -> Capabilities:
        return self.engine.capabilities

    @property
    def state(self) -> ConnectionState:
        return self.engine.state

    async def aclose(self) -> None:
        """Log out and close the sessions; a second call returns at once."""
        await self._offload.aclose(self.engine.close)

    async def ensure_domain_key(self) -> None:
        await self._offload(self.engine.ensure_domain_key)

    async def self_test(self) -> None:
        await self._offload(self.engine.self_test)

    async def generate_key(self, spec: KeySpec) -> WrappedKey:
        return await self._offload(self.engine.generate_key, spec)

    async def destroy_key(self, key: WrappedKey) -> None:
        await self._offload(self.engine.destroy_key, key)

    async def generate_exportable_key_pair(self, spec: KeySpec) -> ExportedKeyPair:
        return await self._offload(self.engine.generate_exportable_key_pair, spec)

    async def encrypt(
        self, key: WrappedKey, plaintext: bytes, aad: bytes = b"", iv: bytes | None = None
    ) -> Sealed:
        return await self._offload(self.engine.encrypt, key, plaintext, aad, iv)

    async def decrypt(self, key: WrappedKey, sealed: Sealed, aad: bytes = b"") -> bytes:
        return await self._offload(self.engine.decrypt, key, sealed, aad)

    async def sign(
        self,
        key: WrappedKey,
        message: bytes,
        algorithm: SigningAlgorithm,
        message_type: MessageType = MessageType.RAW,
    ) -> bytes:
        return await self._offload(self.engine.sign, key, message, algorithm, message_type)

    async def verify(
        self,
        key: WrappedKey,
        message: bytes,
        signature: bytes,
        algorithm: SigningAlgorithm,
        message_type: MessageType = MessageType.RAW,
    ) -> None:
        await self._offload(self.engine.verify, key, message, signature, algorithm, message_type)

    async def rsa_encrypt(
        self, key: WrappedKey, plaintext: bytes, algorithm: EncryptionAlgorithm
    ) -> bytes:
        return await self._offload(self.engine.rsa_encrypt, key, plaintext, algorithm)

    async def rsa_decrypt(
        self, key: WrappedKey, ciphertext: bytes, algorithm: EncryptionAlgorithm
    ) -> bytes:
        return await self._offload(self.engine.rsa_decrypt, key, ciphertext, algorithm)

    async def derive_shared_secret(self, key: WrappedKey, peer_public_key: bytes) -> bytes:
        return await self._offload(self.engine.derive_shared_secret, key, peer_public_key)

    async def generate_mac(self, key: WrappedKey, message: bytes, algorithm: MacAlgorithm) -> bytes:
        return await self._offload(self.engine.generate_mac, key, message, algorithm)

    async def verify_mac(
        self, key: WrappedKey, message: bytes, mac: bytes, algorithm: MacAlgorithm
    ) -> None:
        await self._offload(self.engine.verify_mac, key, message, mac, algorithm)

    async def together(self, calls: Sequence[Callable[[], Any]]) -> list[Any]:
        """``HsmEngine.together`` in one thread-pool task: many calls for one hop."""
        return await self._offload(self.engine.together, calls)

    async def generate_random(self, size: int) -> bytes:
        return await self._offload(self.engine.generate_random, size)

    async def create_import_key(self, spec: KeySpec = KeySpec.RSA_2048) -> WrappedKey:
        return await self._offload(self.engine.create_import_key, spec)

    async def import_key_material(
        self,
        import_key: WrappedKey,
        encrypted_material: bytes,
        algorithm: WrappingAlgorithm,
        spec: KeySpec,
    ) -> WrappedKey:
        return await self._offload(
            self.engine.import_key_material, import_key, encrypted_material, algorithm, spec
        )


async def open_hsm(config: HsmConfig) -> Hsm:
    """Load the module (once per process), log in, probe and log the token's capabilities.

    Raises ``HsmConfigurationError`` for a bad module or IV mode, ``TokenNotFound`` /
    ``LoginFailed`` / ``HsmUnavailable`` when the token cannot be used.
    """
    offload = Offloader(config.session_pool_size, "hsm")
    engine = await offload.start(HsmEngine, config)
    hsm = Hsm(engine, offload)
    try:
        await offload(lambda: engine.capabilities)
    except BaseException:
        await hsm.aclose()
        raise
    return hsm
