"""The symmetric ciphertext format: what ``Encrypt`` returns for a symmetric key.

A blob names its own key and key material version, so ``Decrypt`` needs no key id and an older
material version still decrypts after rotation. Byte layout of format version 1 (integers are
unsigned big-endian)::

    offset  size  field
    0       1     format version (0x01)
    1       16    key id: the key's UUID, raw
    17      32    key material id: the 64-hex-digit id, raw
    49      12    AES-GCM IV
    61      n     AES-256-GCM ciphertext of the n-byte plaintext
    61+n    16    GCM tag

The AAD of the GCM operation is bytes 0..48 (version, key id, material id) followed by the
canonical encoding of the encryption context::

    u32 number of pairs
    then per pair, in ascending order of the key's UTF-8 bytes:
        u32 length of the key, the key in UTF-8, u32 length of the value, the value in UTF-8

Lengths make the encoding injective: {"a": "bc"} and {"ab": "c"} differ, which plain
concatenation would not. A missing and an empty context encode alike, as in AWS.

The IV is the one header field outside the AAD: in HSM IV mode (CloudHSM) the token chooses the IV
during the encryption, so it cannot be known when the AAD is passed in. GCM authenticates it all
the same (it derives the counter blocks and the tag), so a changed byte anywhere in the blob, or
a different context, fails the tag check. Every such failure is one ``InvalidCiphertextException``
with an empty message: the caller learns nothing about which part was wrong.
"""

from __future__ import annotations

import struct
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import hsm
from api.errors import InvalidCiphertextException
from hsm import Sealed

FORMAT_VERSION = 1
_PREFIX = struct.Struct(">B16s32s")  # version, key id, material id: the authenticated header
IV_BYTES = 12
TAG_BYTES = 16
HEADER_BYTES = _PREFIX.size + IV_BYTES
# The shortest blob Encrypt can make: a one-byte plaintext.
MIN_BLOB_BYTES = HEADER_BYTES + 1 + TAG_BYTES
_LENGTH = struct.Struct(">I")


class Cipher(Protocol):
    """AES-256-GCM under one key, wherever that key lives (the service's HSM or a custom key
    store's token)."""

    async def encrypt(self, plaintext: bytes, aad: bytes) -> Sealed: ...

    async def decrypt(self, sealed: Sealed, aad: bytes) -> bytes: ...


@dataclass(frozen=True)
class Envelope:
    """A parsed blob: the key and material it names, and the sealed bytes."""

    key_uuid: uuid.UUID
    material_id: str
    sealed: Sealed = field(repr=False)


def encode_context(context: Mapping[str, str]) -> bytes:
    """The canonical encoding of an encryption context (see the module docstring)."""
    pairs = sorted((key.encode(), value.encode()) for key, value in context.items())
    parts = [_LENGTH.pack(len(pairs))]
    for key, value in pairs:
        parts += (_LENGTH.pack(len(key)), key, _LENGTH.pack(len(value)), value)
    return b"".join(parts)


def _prefix(key_uuid: uuid.UUID, material_id: str) -> bytes:
    return _PREFIX.pack(FORMAT_VERSION, key_uuid.bytes, bytes.fromhex(material_id))


async def seal(
    cipher: Cipher,
    key_uuid: uuid.UUID,
    material_id: str,
    plaintext: bytes,
    context: Mapping[str, str],
) -> bytes:
    """Encrypt ``plaintext`` under ``cipher`` (one HSM call) and frame it as a version 1 blob."""
    prefix = _prefix(key_uuid, material_id)
    sealed = await cipher.encrypt(plaintext, prefix + encode_context(context))
    return prefix + sealed.iv + sealed.ciphertext


def parse(blob: bytes) -> Envelope:
    """The key, material and sealed bytes a blob names; nothing is verified yet."""
    if len(blob) < MIN_BLOB_BYTES:
        raise InvalidCiphertextException()
    version, key_bytes, material = _PREFIX.unpack_from(blob)
    if version != FORMAT_VERSION:
        raise InvalidCiphertextException()
    iv = blob[_PREFIX.size : HEADER_BYTES]
    return Envelope(uuid.UUID(bytes=key_bytes), material.hex(), Sealed(iv, blob[HEADER_BYTES:]))


async def unseal(cipher: Cipher, envelope: Envelope, context: Mapping[str, str]) -> bytes:
    """The plaintext, if the blob is intact and ``context`` is the one it was sealed with."""
    aad = _prefix(envelope.key_uuid, envelope.material_id) + encode_context(context)
    try:
        return await cipher.decrypt(envelope.sealed, aad)
    except hsm.InvalidCiphertext:
        raise InvalidCiphertextException() from None
