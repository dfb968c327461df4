"""Signatures: the digest is always made in software, the private-key operation in the HSM.

Hashing first gives one path for RAW and DIGEST messages and works on tokens without combined
hash-and-sign mechanisms (SoftHSM has no CKM_ECDSA_SHA256). Verification needs no secret, so it
runs in-process with ``cryptography`` against the stored public key: same answer, no HSM round
trip. EdDSA is the exception both ways (see ``hsm._eddsa``): its hashing is part of the
signature scheme, so the token gets the message itself, and Ed25519ph, which ``cryptography``
cannot verify, is verified in the HSM.
"""

from __future__ import annotations

from typing import Any

from cryptography.exceptions import InvalidSignature as _CryptographyInvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils
from pkcs11 import MGF, Mechanism
from pkcs11.util.ec import encode_ecdsa_signature

from hsm import _eddsa
from hsm._keygen import load_public_key
from hsm.algorithms import HashName, MessageType, SignaturePadding, SigningAlgorithm
from hsm.capabilities import Capabilities
from hsm.errors import IncompatibleAlgorithm, InvalidDigestLength, InvalidSignature
from hsm.keyspec import KeySpec

_DIGEST_INFO = {
    HashName.SHA_256: bytes.fromhex("3031300d060960864801650304020105000420"),
    HashName.SHA_384: bytes.fromhex("3041300d060960864801650304020205000430"),
    HashName.SHA_512: bytes.fromhex("3051300d060960864801650304020305000440"),
}

HASH_MECHANISMS = {
    HashName.SHA_1: (Mechanism.SHA_1, MGF.SHA1),
    HashName.SHA_224: (Mechanism.SHA224, MGF.SHA224),
    HashName.SHA_256: (Mechanism.SHA256, MGF.SHA256),
    HashName.SHA_384: (Mechanism.SHA384, MGF.SHA384),
    HashName.SHA_512: (Mechanism.SHA512, MGF.SHA512),
}


def digest_of(message: bytes, algorithm: SigningAlgorithm, message_type: MessageType) -> bytes:
    """What the private-key operation signs: the message's digest, or for EdDSA the message
    itself (Ed25519ph's DIGEST is hashed again by the token, as AWS documents)."""
    if message_type not in algorithm.message_types:
        raise IncompatibleAlgorithm(
            f"Message type {message_type.value} is incompatible with algorithm {algorithm.value}."
        )
    name = algorithm.hash
    if message_type is MessageType.DIGEST:
        if len(message) != name.digest_size:
            raise InvalidDigestLength(f"Digest is invalid length for algorithm {algorithm.value}.")
        return message
    if algorithm.padding is SignaturePadding.EDDSA:
        return message
    h = hashes.Hash(name.algorithm())
    h.update(message)
    return h.finalize()


def sign(caps: Capabilities, key: Any, digest: bytes, algorithm: SigningAlgorithm) -> bytes:
    kind = algorithm.padding
    if kind is SignaturePadding.EDDSA:
        caps.require(Mechanism.EDDSA, "EdDSA signing")
        prehash = algorithm is SigningAlgorithm.ED25519_PH_SHA_512
        if prehash:
            caps.require_eddsa_prehash()
        return _eddsa.sign(key, digest, prehash)
    if kind is SignaturePadding.ECDSA:
        caps.require(Mechanism.ECDSA, "ECDSA signing")
        return bytes(encode_ecdsa_signature(key.sign(digest, mechanism=Mechanism.ECDSA)))
    if kind is SignaturePadding.PSS:
        caps.require(Mechanism.RSA_PKCS_PSS, "RSASSA-PSS signing")
        hash_mechanism, mgf = HASH_MECHANISMS[algorithm.hash]
        return bytes(
            key.sign(
                digest,
                mechanism=Mechanism.RSA_PKCS_PSS,
                mechanism_param=(hash_mechanism, mgf, len(digest)),
            )
        )
    caps.require(Mechanism.RSA_PKCS, "RSASSA-PKCS1-v1_5 signing")
    return bytes(key.sign(_DIGEST_INFO[algorithm.hash] + digest, mechanism=Mechanism.RSA_PKCS))


def verify(
    spec: KeySpec, public_der: bytes, digest: bytes, signature: bytes, algorithm: SigningAlgorithm
) -> None:
    public = load_public_key(spec, public_der)
    if isinstance(public, ed25519.Ed25519PublicKey):
        # Ed25519ph never comes here: the engine verifies it in the HSM
        assert algorithm is SigningAlgorithm.ED25519_SHA_512
        _eddsa.verify(public, digest, signature)
        return
    prehashed = utils.Prehashed(algorithm.hash.algorithm())
    try:
        if algorithm.padding is SignaturePadding.ECDSA:
            if not isinstance(public, ec.EllipticCurvePublicKey):
                raise InvalidSignature()
            public.verify(signature, digest, ec.ECDSA(prehashed))
            return
        if not isinstance(public, rsa.RSAPublicKey):
            raise InvalidSignature()
        scheme: padding.AsymmetricPadding
        if algorithm.padding is SignaturePadding.PSS:
            scheme = padding.PSS(
                mgf=padding.MGF1(algorithm.hash.algorithm()), salt_length=len(digest)
            )
        else:
            scheme = padding.PKCS1v15()
        public.verify(signature, digest, scheme, prehashed)
    except _CryptographyInvalidSignature as exc:
        raise InvalidSignature() from exc
