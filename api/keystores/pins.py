"""A custom key store's PIN, sealed for the database and opened only to log in to its token.

The seal is an envelope: a fresh AES-256 key made in the HSM (stored only wrapped under the domain
key) encrypts the PIN with AES-GCM inside the HSM, the store id as additional data so a sealed PIN
cannot be moved to another store. The column holds ``len(wrapped) || wrapped || iv || ciphertext``.
"""

from __future__ import annotations

import struct

from hsm import Hsm, InvalidCiphertext, KeySpec, Sealed, WrappedKey

_LENGTH = struct.Struct(">H")
_IV_BYTES = 12


def _aad(store_id: str) -> bytes:
    return b"keygraph custom key store PIN " + store_id.encode("ascii")


async def seal_pin(hsm: Hsm, store_id: str, pin: str) -> bytes:
    key = await hsm.generate_key(KeySpec.SYMMETRIC_DEFAULT)
    sealed = await hsm.encrypt(key, pin.encode("utf-8"), _aad(store_id))
    return _LENGTH.pack(len(key.material)) + key.material + sealed.iv + sealed.ciphertext


async def open_pin(hsm: Hsm, store_id: str, blob: bytes) -> str:
    """Raises ``hsm.InvalidCiphertext`` for a blob that is not a PIN sealed for this store."""
    if len(blob) < _LENGTH.size:
        raise InvalidCiphertext()
    (size,) = _LENGTH.unpack_from(blob)
    wrapped = blob[_LENGTH.size : _LENGTH.size + size]
    rest = blob[_LENGTH.size + size :]
    key = WrappedKey(KeySpec.SYMMETRIC_DEFAULT, wrapped)
    sealed = Sealed(iv=rest[:_IV_BYTES], ciphertext=rest[_IV_BYTES:])
    return (await hsm.decrypt(key, sealed, _aad(store_id))).decode("utf-8")
