"""New asymmetric key pairs whose private half is handed to the caller (GenerateDataKeyPair).

Made in process by ``cryptography`` (OpenSSL's CSPRNG), not in the HSM: ``hsm`` generates only
key material that never leaves it in plaintext, and a data key pair's private key must. Only the
generation happens here; the private key's encrypted copy is made in the HSM like any Encrypt.
Swapping this for an HSM-side generation with export changes this module alone.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from hsm import KeyKind, KeySpec

_RSA_PUBLIC_EXPONENT = 65537
_CURVES: dict[KeySpec, type[ec.EllipticCurve]] = {
    KeySpec.ECC_NIST_P256: ec.SECP256R1,
    KeySpec.ECC_NIST_P384: ec.SECP384R1,
    KeySpec.ECC_NIST_P521: ec.SECP521R1,
    KeySpec.ECC_SECG_P256K1: ec.SECP256K1,
}


@dataclass(frozen=True)
class KeyPair:
    private_key: bytes = field(repr=False)  # PKCS#8 DER
    public_key: bytes  # SubjectPublicKeyInfo DER


def _generate(spec: KeySpec) -> PrivateKeyTypes:
    if spec.kind is KeyKind.RSA:
        return rsa.generate_private_key(_RSA_PUBLIC_EXPONENT, spec.bits)
    return ec.generate_private_key(_CURVES[spec]())


def _key_pair(spec: KeySpec) -> KeyPair:
    private = _generate(spec)
    return KeyPair(
        private.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )


async def new_key_pair(spec: KeySpec) -> KeyPair:
    """A fresh key pair of ``spec``, made off the event loop (RSA-4096 takes about a second)."""
    return await asyncio.to_thread(_key_pair, spec)
