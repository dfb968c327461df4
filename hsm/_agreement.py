"""ECDH: the private half stays in the HSM; the shared secret is the operation's output, so it is
derived as a non-sensitive, extractable session object, read once and destroyed."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pkcs11 import KDF, Attribute, KeyType, Mechanism

from hsm.capabilities import Capabilities
from hsm.errors import InvalidPublicKey
from hsm.keyspec import KeySpec

_SHARED_SECRET = {
    Attribute.TOKEN: False,
    Attribute.SENSITIVE: False,
    Attribute.EXTRACTABLE: True,
}


def peer_point(spec: KeySpec, peer_public_der: bytes) -> bytes:
    """The peer's uncompressed point, after checking it is a key on ``spec``'s curve."""
    try:
        peer = serialization.load_der_public_key(peer_public_der)
    except ValueError as exc:
        raise InvalidPublicKey("the peer public key is not a DER SubjectPublicKeyInfo") from exc
    if not isinstance(peer, ec.EllipticCurvePublicKey) or peer.curve.name != spec.curve:
        raise InvalidPublicKey(f"the peer public key is not on the curve of {spec.value}")
    return peer.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def derive(caps: Capabilities, key: Any, spec: KeySpec, point: bytes) -> bytes:
    caps.require(Mechanism.ECDH1_DERIVE, "ECDH")
    field_bytes = (spec.bits + 7) // 8
    secret = key.derive_key(
        KeyType.GENERIC_SECRET,
        field_bytes * 8,
        mechanism=Mechanism.ECDH1_DERIVE,
        mechanism_param=(KDF.NULL, None, point),
        capabilities=0,
        template=_SHARED_SECRET,
    )
    try:
        return bytes(secret[Attribute.VALUE])
    finally:
        secret.destroy()
