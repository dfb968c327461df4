"""Small secrets sealed for the database under the HSM's domain key, opened only where used.

Some secrets must be read back, not just compared (a custom key store's PIN to log in to its
token, an access key's secret to verify a signature), so a hash will not do, and keeping them in
plaintext would hand them to whoever reads a backup. The seal is an envelope: a fresh AES-256 key
made in the HSM (stored only wrapped under the domain key) encrypts the secret with AES-GCM inside
the HSM, with additional data naming what the secret belongs to, so that a sealed value cannot be
moved to another row. The blob is ``len(wrapped) || wrapped || iv || ciphertext``.
"""

from __future__ import annotations

import struct

from hsm import Hsm, InvalidCiphertext, KeySpec, Sealed, WrappedKey

_LENGTH = struct.Struct(">H")
_IV_BYTES = 12


async def seal(hsm: Hsm, secret: bytes, aad: bytes) -> bytes:
    key = await hsm.generate_key(KeySpec.SYMMETRIC_DEFAULT)
    sealed = await hsm.encrypt(key, secret, aad)
    return _LENGTH.pack(len(key.material)) + key.material + sealed.iv + sealed.ciphertext


async def unseal(hsm: Hsm, blob: bytes, aad: bytes) -> bytes:
    """Raises ``hsm.InvalidCiphertext`` for a blob not sealed with this ``aad``."""
    if len(blob) < _LENGTH.size:
        raise InvalidCiphertext()
    (size,) = _LENGTH.unpack_from(blob)
    wrapped = blob[_LENGTH.size : _LENGTH.size + size]
    rest = blob[_LENGTH.size + size :]
    key = WrappedKey(KeySpec.SYMMETRIC_DEFAULT, wrapped)
    sealed = Sealed(iv=rest[:_IV_BYTES], ciphertext=rest[_IV_BYTES:])
    return await hsm.decrypt(key, sealed, aad)
