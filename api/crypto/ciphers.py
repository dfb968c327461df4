"""Where a symmetric key's AES-256-GCM runs: the service's HSM on the key's wrapped material, or,
for a key of origin AWS_CLOUDHSM, the token object in its custom key store."""

from __future__ import annotations

from dataclasses import dataclass

from api.crypto.envelope import Cipher
from api.crypto.material import MaterialNotFound, material_of
from api.errors import InvalidCiphertextException
from api.keys.custom_stores import key_store_for
from api.keys.model import Key, Origin
from api.services import Services
from hsm import Hsm, KeyStore, Sealed, WrappedKey

# A key in a custom key store is one token object with no material versions; its blobs carry
# this id in the material id field.
STORE_MATERIAL_ID = "00" * 32


@dataclass(frozen=True)
class HsmCipher:
    hsm: Hsm
    wrapped: WrappedKey

    async def encrypt(self, plaintext: bytes, aad: bytes) -> Sealed:
        return await self.hsm.encrypt(self.wrapped, plaintext, aad)

    async def decrypt(self, sealed: Sealed, aad: bytes) -> bytes:
        return await self.hsm.decrypt(self.wrapped, sealed, aad)


@dataclass(frozen=True)
class TokenCipher:
    token: KeyStore
    label: str

    async def encrypt(self, plaintext: bytes, aad: bytes) -> Sealed:
        return await self.token.encrypt(self.label, plaintext, aad)

    async def decrypt(self, sealed: Sealed, aad: bytes) -> bytes:
        return await self.token.decrypt(self.label, sealed, aad)


@dataclass(frozen=True)
class SymmetricKey:
    """A symmetric key ready for the HSM, and the material version it uses (``None`` for a key
    in a custom key store, which AWS reports without one)."""

    key: Key
    cipher: Cipher
    material_id: str | None

    @property
    def blob_material_id(self) -> str:
        return self.material_id or STORE_MATERIAL_ID


async def symmetric_key(
    services: Services, key: Key, material_id: str | None = None
) -> SymmetricKey:
    """The key's current material, or the version ``material_id`` names (a blob's).

    A version the key does not have is a ciphertext that cannot be this key's:
    ``InvalidCiphertextException``, like any other damage to a blob.
    """
    if key.origin is Origin.AWS_CLOUDHSM:
        if material_id not in (None, STORE_MATERIAL_ID):
            raise InvalidCiphertextException()
        token = await key_store_for(services.key_stores, key)
        return SymmetricKey(key, TokenCipher(token, key.key_id), None)
    try:
        material = await material_of(services, key, material_id)
    except MaterialNotFound:
        raise InvalidCiphertextException() from None
    return SymmetricKey(key, HsmCipher(services.hsm, material.wrapped), material.material_id)
