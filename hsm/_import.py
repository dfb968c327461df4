"""Import of customer key material encrypted under an import key pair made in the HSM.

The material is unwrapped inside the HSM (RSA-OAEP, or RSA-OAEP for an ephemeral AES key followed
by AES key wrap with padding) straight into a key object of its spec: raw bytes become an AES or
generic secret key, a PKCS#8 PrivateKeyInfo an RSA or EC private key, parsed by the token. It is
then wrapped again under the domain key and leaves only as the domain-wrapped blob.

An asymmetric key also needs its public key (GetPublicKey, verification, encryption), and a
PKCS#11 private key object does not always give it back: an RSA private key exposes its modulus
and public exponent, an EC private key only its curve and secret scalar. So the EC public point
is computed in the HSM: ECDH of the private key with the curve's generator G yields the x
coordinate of d·G, the public point; of the two points with that x, the one that verifies a
signature the private key makes in the HSM is the key's. Every imported private key is proven so
(an RSA key whose CRT values do not match its modulus fails too), and a key that does not prove
is refused as ``KeyMaterialMismatch``.

Exception, named here so nobody is surprised: a token without native OAEP-SHA-256 (SoftHSM) needs
the OAEP decoding in software, so on such a token the OAEP payload (the ephemeral AES key, or for
RSAES_OAEP_SHA_256 the material itself) is briefly in process memory; material decoded so enters
the HSM under a one-call transport key. AWS CloudHSM decodes OAEP-SHA-256 itself.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pkcs11 import exceptions as p11

from hsm import _agreement, _oaep, _rsa, _signing
from hsm._failures import confirm_data_error
from hsm._keygen import (
    UNWRAP_DATA_ERRORS,
    check_material,
    public_key_der,
    unwrap,
    unwrapped,
    wrap_and_destroy,
    wrapped_size,
)
from hsm._session import WorkingSession
from hsm._templates import KEY_TYPES, OBJECT_CLASSES, extractable_copy
from hsm.algorithms import EncryptionAlgorithm, SigningAlgorithm, WrappingAlgorithm
from hsm.capabilities import Capabilities
from hsm.errors import (
    InvalidCiphertext,
    InvalidInput,
    InvalidKeyMaterial,
    InvalidSignature,
    KeyMaterialMismatch,
    MechanismUnsupported,
)
from hsm.keyspec import KeyKind, KeySpec, WrappedKey

# The key kinds whose material can be imported (wrapped under the domain key like generated keys).
IMPORTABLE_KINDS = frozenset({KeyKind.AES, KeyKind.HMAC, KeyKind.RSA, KeyKind.EC})

_EPHEMERAL: dict[Attribute, Any] = {
    Attribute.TOKEN: False,
    Attribute.SENSITIVE: True,
    Attribute.EXTRACTABLE: False,
    Attribute.UNWRAP: True,
}

# A decrypted payload, held as a generic secret only to learn that it decrypts.
_PROBE: dict[Attribute, Any] = {
    Attribute.TOKEN: False,
    Attribute.SENSITIVE: True,
    Attribute.EXTRACTABLE: False,
}

_OAEP_FAILURES: tuple[type[Exception], ...] = (
    InvalidCiphertext,
    *UNWRAP_DATA_ERRORS,
    *_rsa.DECRYPT_DATA_ERRORS,
)

# The signature that proves an imported private key: the cheapest each kind has.
_PROOF = {
    KeyKind.RSA: SigningAlgorithm.RSASSA_PKCS1_V1_5_SHA_256,
    KeyKind.EC: SigningAlgorithm.ECDSA_SHA_256,
}

_CURVES = {
    curve.name: curve for curve in (ec.SECP256R1(), ec.SECP384R1(), ec.SECP521R1(), ec.SECP256K1())
}


def import_material(
    working: WorkingSession,
    caps: Capabilities,
    import_key: WrappedKey,
    encrypted: bytes,
    algorithm: WrappingAlgorithm,
    spec: KeySpec,
) -> WrappedKey:
    if spec.kind not in IMPORTABLE_KINDS:
        raise MechanismUnsupported(f"importing {spec.value} key material")
    if spec.kind is KeyKind.RSA and not algorithm.uses_aes_key_wrap:
        raise InvalidInput(f"{spec.value} key material must be imported with RSA_AES_KEY_WRAP_*")
    rsa_key = unwrapped(working, import_key)
    size = import_key.spec.bits // 8
    if algorithm.uses_aes_key_wrap:
        if len(encrypted) <= size:
            raise InvalidKeyMaterial("the wrapped key material is too short")
        ephemeral = _oaep_unwrap(
            working, caps, rsa_key, encrypted[:size], algorithm.oaep, KeyKind.AES, _EPHEMERAL
        )
        try:
            target = _parsed(
                lambda kind, template: unwrap(ephemeral, kind, encrypted[size:], template),
                spec.kind,
            )
        finally:
            ephemeral.destroy()
    else:
        if len(encrypted) != size:
            raise InvalidKeyMaterial(
                "the encrypted key material does not match the import key size"
            )
        target = _parsed(
            lambda kind, template: _oaep_unwrap(
                working, caps, rsa_key, encrypted, algorithm.oaep, kind, template
            ),
            spec.kind,
        )
    try:
        try:
            check_material(spec, target)
        except InvalidKeyMaterial as exc:
            raise KeyMaterialMismatch(str(exc)) from exc
        public = _proven_public_key(caps, spec, target) if spec.is_asymmetric else None
    except BaseException:
        target.destroy()
        raise
    wrapped = wrap_and_destroy(working.domain_key(), target)
    if not spec.is_asymmetric and len(wrapped) != wrapped_size(spec):
        # the token may not report CKA_VALUE_LEN (SoftHSM does not); the wrapped size does
        raise KeyMaterialMismatch(f"the imported key material is not {spec.bits} bits long")
    return WrappedKey(spec, wrapped, public)


def _parsed(unwrap_as: Callable[[KeyKind, dict[Attribute, Any]], Any], kind: KeyKind) -> Any:
    """The imported material as a key object of ``kind``; ``unwrap_as(kind, template)`` unwraps
    it. A token that cannot parse the decrypted payload as a private key answers
    CKR_FUNCTION_FAILED (SoftHSM), as a busy HSM does; unwrapping the same payload as a generic
    secret tells the two apart (it succeeds when the payload decrypts), so a malformed PKCS#8
    is the caller's mistake and never costs the session."""
    try:
        return unwrap_as(kind, extractable_copy(kind))
    except p11.FunctionFailed as exc:
        if OBJECT_CLASSES[kind] is not ObjectClass.PRIVATE_KEY:
            raise
        unwrap_as(KeyKind.HMAC, _PROBE).destroy()
        raise KeyMaterialMismatch(
            f"the key material is not a PKCS#8 {kind.value} private key"
        ) from exc


def _proven_public_key(caps: Capabilities, spec: KeySpec, key: Any) -> bytes:
    """The DER SubjectPublicKeyInfo of the imported private ``key``, checked against a signature
    the key makes in the HSM (see the module's docstring)."""
    proof = _PROOF[spec.kind]
    digest = secrets.token_bytes(proof.hash.digest_size)
    signature = _signing.sign(caps, key, digest, proof)
    for candidate in _public_candidates(caps, spec, key):
        try:
            _signing.verify(spec, candidate, digest, signature, proof)
        except InvalidSignature:
            continue
        return candidate
    raise KeyMaterialMismatch(f"the {spec.value} private key does not match its public key")


def _public_candidates(caps: Capabilities, spec: KeySpec, key: Any) -> tuple[bytes, ...]:
    if spec.kind is KeyKind.RSA:
        return (public_key_der(spec, key),)
    curve = _CURVES[spec.curve]
    generator = ec.derive_private_key(1, curve).public_key()
    point = generator.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    x = _agreement.derive(caps, key, spec, point)
    return tuple(
        ec.EllipticCurvePublicKey.from_encoded_point(curve, parity + x).public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        for parity in (b"\x02", b"\x03")
    )


def _oaep_unwrap(
    working: WorkingSession,
    caps: Capabilities,
    rsa_key: Any,
    block: bytes,
    algorithm: EncryptionAlgorithm,
    kind: KeyKind,
    template: dict[Attribute, Any],
) -> Any:
    """The key that ``block`` carries under RSA-OAEP, as a key object of ``kind``."""
    try:
        if _rsa.uses_native_oaep(caps, algorithm):
            return rsa_key.unwrap_key(
                OBJECT_CLASSES[kind],
                KEY_TYPES[kind],
                block,
                mechanism=Mechanism.RSA_PKCS_OAEP,
                mechanism_param=_rsa.oaep_params(algorithm),
                capabilities=0,
                template=template,
            )
        caps.require(Mechanism.RSA_X_509, f"{algorithm.value} unwrapping")
        encoded = bytes(rsa_key.decrypt(block, mechanism=Mechanism.RSA_X_509))
        value = _oaep.decode(encoded.rjust(len(block), b"\0"), algorithm.hash)
    except _OAEP_FAILURES as exc:
        if isinstance(exc, p11.PKCS11Error):
            confirm_data_error(exc, rsa_key)
        raise InvalidKeyMaterial("the import key cannot decrypt the key material") from exc
    return _transported(working, kind, value, template)


def _transported(
    working: WorkingSession, kind: KeyKind, value: bytes, template: dict[Attribute, Any]
) -> Any:
    """Material decoded in process, into the HSM as a key object of ``kind``: wrapped in software
    under a transport AES key made for this call, then unwrapped by the token, which parses it
    (PKCS#8 for private keys) as it parses every other import."""
    transport_value = secrets.token_bytes(32)
    transport = working.session.create_object(
        {
            Attribute.CLASS: ObjectClass.SECRET_KEY,
            Attribute.KEY_TYPE: KeyType.AES,
            Attribute.VALUE: transport_value,
            **_EPHEMERAL,
        }
    )
    try:
        return unwrap(transport, kind, aes_key_wrap_with_padding(transport_value, value), template)
    finally:
        transport.destroy()
