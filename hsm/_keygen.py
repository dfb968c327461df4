"""Customer key material: generated in the HSM, wrapped under the domain key, unwrapped on use."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from pkcs11 import Attribute, KeyType, Mechanism
from pkcs11 import exceptions as p11
from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters

from hsm import _eddsa
from hsm._failures import confirm_data_error
from hsm._session import WorkingSession
from hsm._templates import KEY_TYPES, OBJECT_CLASSES, TRANSIENT, working_copy
from hsm.errors import InvalidKeyMaterial
from hsm.keyspec import KeyKind, KeySpec, WrappedKey

WRAP = Mechanism.AES_KEY_WRAP_PAD

# Errors that mean "these bytes do not unwrap into that key", not "the device failed".
UNWRAP_DATA_ERRORS: tuple[type[p11.PKCS11Error], ...] = (
    p11.WrappedKeyInvalid,
    p11.WrappedKeyLenRange,
    p11.EncryptedDataInvalid,
    p11.EncryptedDataLenRange,
    p11.DataInvalid,
    p11.DataLenRange,
    p11.TemplateInconsistent,
    p11.TemplateIncomplete,
    p11.AttributeValueInvalid,
    p11.KeyTypeInconsistent,
    p11.DomainParamsInvalid,
    p11.KeySizeRange,
)


# SoftHSM reports a corrupt wrapped key as GeneralError; confirm_data_error sorts it out.
_UNWRAP_FAILURES: tuple[type[p11.PKCS11Error], ...] = (p11.GeneralError, *UNWRAP_DATA_ERRORS)


def generate(working: WorkingSession, spec: KeySpec) -> WrappedKey:
    """Generate transient material, wrap it under the domain key, destroy it."""
    if spec.token_resident:
        return _eddsa.generate(working, spec)
    session = working.session
    domain_key = working.domain_key()
    if spec.kind is KeyKind.AES:
        secret = session.generate_key(KeyType.AES, spec.bits, capabilities=0, template=TRANSIENT)
        return WrappedKey(spec, wrap_and_destroy(domain_key, secret))
    if spec.kind is KeyKind.HMAC:
        secret = session.generate_key(
            KeyType.GENERIC_SECRET,
            spec.bits,
            mechanism=Mechanism.GENERIC_SECRET_KEY_GEN,
            capabilities=0,
            template=TRANSIENT,
        )
        return WrappedKey(spec, wrap_and_destroy(domain_key, secret))
    if spec.kind is KeyKind.RSA:
        public, private = session.generate_keypair(
            KeyType.RSA,
            spec.bits,
            capabilities=0,
            public_template={Attribute.TOKEN: False},
            private_template=TRANSIENT,
        )
    else:
        public, private = session.generate_keypair(
            KeyType.EC,
            capabilities=0,
            public_template={
                Attribute.TOKEN: False,
                Attribute.EC_PARAMS: encode_named_curve_parameters(spec.curve),
            },
            private_template=TRANSIENT,
        )
    try:
        der = public_key_der(spec, public)
    finally:
        public.destroy()
    return WrappedKey(spec, wrap_and_destroy(domain_key, private), der)


def wrap_and_destroy(domain_key: Any, key: Any) -> bytes:
    try:
        return bytes(domain_key.wrap_key(key, mechanism=WRAP))
    finally:
        key.destroy()


_PUBLIC_KEY_TYPES: dict[KeyKind, type] = {
    KeyKind.RSA: rsa.RSAPublicKey,
    KeyKind.EC: ec.EllipticCurvePublicKey,
    KeyKind.EC_EDWARDS: ed25519.Ed25519PublicKey,
}


def load_public_key(spec: KeySpec, der: bytes) -> PublicKeyTypes:
    """The stored public key of ``spec``; a blob that is not one means the stored key is
    corrupt or belongs to another spec."""
    try:
        public = serialization.load_der_public_key(der)
    except ValueError as exc:
        raise InvalidKeyMaterial(f"the stored public key is not {spec.value} material") from exc
    if not isinstance(public, _PUBLIC_KEY_TYPES[spec.kind]):
        raise InvalidKeyMaterial(f"the stored public key is not {spec.value} material")
    return public


def public_key_der(spec: KeySpec, public: Any) -> bytes:
    """DER SubjectPublicKeyInfo of a public (or RSA private) key object."""
    if spec.kind is KeyKind.EC:
        return bytes(encode_ec_public_key(public))
    modulus, exponent = public[Attribute.MODULUS], public[Attribute.PUBLIC_EXPONENT]
    numbers = rsa.RSAPublicNumbers(int.from_bytes(exponent, "big"), int.from_bytes(modulus, "big"))
    return numbers.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def unwrapped(working: WorkingSession, key: WrappedKey) -> Any:
    """The working copy of ``key`` in this session, unwrapped on first use and cached (a token
    resident key is found instead, and cached without being owned: eviction must not destroy
    it)."""
    cache_key = (key.spec, key.material)
    obj = working.cache.get(cache_key)
    if obj is None and key.spec.token_resident:
        obj = _eddsa.find(working, key)
        working.cache.put(cache_key, obj, owned=False)
    elif obj is None:
        if not key.spec.is_asymmetric and len(key.material) != wrapped_size(key.spec):
            raise InvalidKeyMaterial(f"the wrapped key is not {key.spec.value} material")
        obj = unwrap(working.domain_key(), key.spec.kind, key.material, working_copy(key.spec.kind))
        try:
            check_material(key.spec, obj)
        except BaseException:
            obj.destroy()
            raise
        working.cache.put(cache_key, obj)
    return obj


def wrapped_size(spec: KeySpec) -> int:
    """RFC 5649 output size for secret key material of ``spec``: the padded length plus the
    8-byte integrity block."""
    return 8 + -(-spec.bits // 64) * 8


def check_material(spec: KeySpec, key: Any) -> None:
    """Refuse a key whose size or curve is not what its spec says (the spec is metadata kept
    outside the HSM, so a mix-up must not pass silently)."""
    if spec.kind is KeyKind.RSA:
        matches = len(key[Attribute.MODULUS]) * 8 == spec.bits
    elif spec.kind is KeyKind.EC:
        matches = key[Attribute.EC_PARAMS] == encode_named_curve_parameters(spec.curve)
    else:
        # SoftHSM reports 0 for unwrapped secret keys; the wrapped size was checked instead
        length = key[Attribute.VALUE_LEN]
        matches = length in (0, spec.bits // 8)
    if not matches:
        raise InvalidKeyMaterial(f"the key material is not {spec.value} material")


def unwrap(unwrapping_key: Any, kind: KeyKind, blob: bytes, template: dict[Attribute, Any]) -> Any:
    try:
        return unwrapping_key.unwrap_key(
            OBJECT_CLASSES[kind],
            KEY_TYPES[kind],
            blob,
            mechanism=WRAP,
            capabilities=0,
            template=template,
        )
    except _UNWRAP_FAILURES as exc:
        confirm_data_error(exc, unwrapping_key)
        raise InvalidKeyMaterial(f"the wrapped {kind.value} key does not unwrap") from exc
