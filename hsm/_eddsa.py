"""Ed25519 (``ECC_NIST_EDWARDS25519``): keys kept on the token, signatures made by ``CKM_EDDSA``.

SoftHSM 2.6.1 generates Ed25519 key pairs and signs with them, but cannot wrap an EC_EDWARDS
private key (``CKR_KEY_NOT_WRAPPABLE`` under every wrapping mechanism) nor unwrap one, and the
only other way in, ``C_CreateObject``, takes the private value in plaintext from the caller. So the
private key is generated as a token object (sensitive, never extractable) and the database keeps
its random ``CKA_ID`` in place of wrapped material; the deletion job destroys it.

Ed25519ph (``ED25519_PH_SHA_512``) is ``CKM_EDDSA`` with ``CK_EDDSA_PARAMS.phFlag`` set, which
python-pkcs11 passes as ``(ph_flag, context)``. SoftHSM 2.6.1 ignores the parameter and returns a
PureEdDSA signature, which is why ``honours_prehash`` checks RFC 8032's Ed25519ph test vector at
start-up instead of trusting the mechanism list.
"""

from __future__ import annotations

import secrets
from typing import Any

from cryptography.exceptions import InvalidSignature as _CryptographyInvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pkcs11 import exceptions as p11
from pkcs11.util.ec import encode_named_curve_parameters

from hsm._failures import is_device_failure
from hsm._session import WorkingSession
from hsm._templates import resident
from hsm.errors import InvalidSignature, KeyNotFound
from hsm.keyspec import KeyKind, KeySpec, WrappedKey

# CKA_EC_PARAMS of an Ed25519 key: the OID id-Ed25519 (1.3.101.112, RFC 8410).
PARAMS = encode_named_curve_parameters("1.3.101.112")

_OBJECT_ID_BYTES = 16
_PUBLIC_KEY_BYTES = 32
_PREHASH = (True, None)  # CK_EDDSA_PARAMS: phFlag, no context

# RFC 8032 section 7.3, "TEST abc": an Ed25519ph signature of the message "abc".
_KNOWN_SEED = bytes.fromhex("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42")
_KNOWN_PUBLIC = bytes.fromhex("ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf")
_KNOWN_MESSAGE = b"abc"
_KNOWN_SIGNATURE = bytes.fromhex(
    "98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae41"
    "31f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406"
)


def generate(working: WorkingSession, spec: KeySpec) -> WrappedKey:
    """A key pair whose private half stays on the token; its public half is returned as DER."""
    object_id = secrets.token_bytes(_OBJECT_ID_BYTES)
    public, private = working.session.generate_keypair(
        KeyType.EC_EDWARDS,
        mechanism=Mechanism.EC_EDWARDS_KEY_PAIR_GEN,
        capabilities=0,
        public_template={Attribute.TOKEN: False, Attribute.EC_PARAMS: PARAMS},
        private_template=resident(KeyKind.EC_EDWARDS, object_id),
    )
    try:
        der = public_key_der(public)
    except BaseException:
        private.destroy()
        raise
    finally:
        public.destroy()
    return WrappedKey(spec, object_id, der)


def public_key_der(public: Any) -> bytes:
    """SubjectPublicKeyInfo DER of an Ed25519 public key object. PKCS#11 3.0 has ``CKA_EC_POINT``
    DER-encoded (an OCTET STRING, as SoftHSM returns it); some tokens give the 32 bytes bare."""
    point = bytes(public[Attribute.EC_POINT])
    if len(point) == _PUBLIC_KEY_BYTES + 2 and point[:2] == bytes([0x04, _PUBLIC_KEY_BYTES]):
        point = point[2:]
    return ed25519.Ed25519PublicKey.from_public_bytes(point).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def find(working: WorkingSession, key: WrappedKey) -> Any:
    """The token object holding ``key``'s private half."""
    found = _objects(working, key.material)
    if len(found) != 1:
        raise KeyNotFound(f"the token holds {len(found)} {key.spec.value} keys with that id")
    return found[0]


def destroy(working: WorkingSession, key: WrappedKey) -> None:
    """Destroy ``key``'s token object; nothing to do when it is already gone."""
    working.cache.forget((key.spec, key.material))
    for obj in _objects(working, key.material):
        obj.destroy()


def _objects(working: WorkingSession, object_id: bytes) -> list[Any]:
    return list(
        working.session.get_objects(
            {
                Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                Attribute.KEY_TYPE: KeyType.EC_EDWARDS,
                Attribute.TOKEN: True,
                Attribute.ID: object_id,
            }
        )
    )


def sign(private: Any, message: bytes, prehash: bool) -> bytes:
    """Ed25519 over ``message`` or, with ``prehash``, Ed25519ph (the token hashes it with
    SHA-512 first)."""
    if prehash:
        return bytes(private.sign(message, mechanism=Mechanism.EDDSA, mechanism_param=_PREHASH))
    return bytes(private.sign(message, mechanism=Mechanism.EDDSA))


def verify(public: ed25519.Ed25519PublicKey, message: bytes, signature: bytes) -> None:
    """PureEdDSA verification in process (``cryptography`` has no Ed25519ph)."""
    try:
        public.verify(signature, message)
    except _CryptographyInvalidSignature as exc:
        raise InvalidSignature() from exc


def verify_prehashed(session: Any, public_der: bytes, message: bytes, signature: bytes) -> None:
    """Ed25519ph verification in the HSM, against a session copy of the stored public key."""
    public = serialization.load_der_public_key(public_der)
    assert isinstance(public, ed25519.Ed25519PublicKey)
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    if not _verify_in_token(session, raw, message, signature):
        raise InvalidSignature()


def _verify_in_token(session: Any, public: bytes, message: bytes, signature: bytes) -> bool:
    obj = session.create_object(
        {
            Attribute.CLASS: ObjectClass.PUBLIC_KEY,
            Attribute.KEY_TYPE: KeyType.EC_EDWARDS,
            Attribute.TOKEN: False,
            Attribute.VERIFY: True,
            Attribute.EC_PARAMS: PARAMS,
            Attribute.EC_POINT: bytes([0x04, len(public)]) + public,
        }
    )
    try:
        return bool(
            obj.verify(message, signature, mechanism=Mechanism.EDDSA, mechanism_param=_PREHASH)
        )
    except (p11.SignatureInvalid, p11.SignatureLenRange):
        return False
    finally:
        obj.destroy()


def honours_prehash(session: Any) -> bool:
    """Whether ``CKM_EDDSA`` with ``phFlag`` signs and verifies RFC 8032's Ed25519ph vector: a
    token that ignores the flag (SoftHSM 2.6.1) signs PureEdDSA instead and fails the check."""
    try:
        private = session.create_object(
            {
                Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                Attribute.KEY_TYPE: KeyType.EC_EDWARDS,
                Attribute.TOKEN: False,
                Attribute.SIGN: True,
                Attribute.EC_PARAMS: PARAMS,
                Attribute.VALUE: _KNOWN_SEED,
            }
        )
        try:
            signature = sign(private, _KNOWN_MESSAGE, prehash=True)
        finally:
            private.destroy()
        return signature == _KNOWN_SIGNATURE and _verify_in_token(
            session, _KNOWN_PUBLIC, _KNOWN_MESSAGE, signature
        )
    except p11.PKCS11Error as exc:
        if is_device_failure(exc):
            raise
        return False
