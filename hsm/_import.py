"""Import of customer key material encrypted under an import key pair made in the HSM.

The material is unwrapped inside the HSM (RSA-OAEP, or RSA-OAEP for an ephemeral AES key followed
by AES key wrap with padding), then wrapped again under the domain key; it leaves only as the
domain-wrapped blob. Exception, named here so nobody is surprised: a token without native
OAEP-SHA-256 (SoftHSM) needs the OAEP decoding in software, so on such a token the OAEP payload
(the ephemeral AES key, or for RSAES_OAEP_SHA_256 the material itself) is briefly in process
memory. AWS CloudHSM decodes OAEP-SHA-256 itself.
"""

from __future__ import annotations

from typing import Any

from pkcs11 import DEFAULT, Attribute, Mechanism, ObjectClass
from pkcs11 import exceptions as p11

from hsm import _oaep, _rsa
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
from hsm._templates import KEY_TYPES, extractable_copy
from hsm.algorithms import EncryptionAlgorithm, WrappingAlgorithm
from hsm.capabilities import Capabilities
from hsm.errors import InvalidCiphertext, InvalidInput, InvalidKeyMaterial, MechanismUnsupported
from hsm.keyspec import KeyKind, KeySpec, WrappedKey

_EPHEMERAL: dict[Attribute, Any] = {
    Attribute.TOKEN: False,
    Attribute.SENSITIVE: True,
    Attribute.EXTRACTABLE: False,
    Attribute.UNWRAP: True,
}


_OAEP_FAILURES: tuple[type[Exception], ...] = (
    InvalidCiphertext,
    *UNWRAP_DATA_ERRORS,
    *_rsa.DECRYPT_DATA_ERRORS,
)


def import_material(
    working: WorkingSession,
    caps: Capabilities,
    import_key: WrappedKey,
    encrypted: bytes,
    algorithm: WrappingAlgorithm,
    spec: KeySpec,
) -> WrappedKey:
    if spec.kind is KeyKind.EC:
        raise MechanismUnsupported(
            "importing EC private keys: a PKCS#11 EC private key does not yield its public key"
        )
    if spec.is_asymmetric and not algorithm.uses_aes_key_wrap:
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
            target = unwrap(ephemeral, spec.kind, encrypted[size:], extractable_copy(spec.kind))
        finally:
            ephemeral.destroy()
    else:
        if len(encrypted) != size:
            raise InvalidKeyMaterial(
                "the encrypted key material does not match the import key size"
            )
        target = _oaep_unwrap(
            working,
            caps,
            rsa_key,
            encrypted,
            algorithm.oaep,
            spec.kind,
            extractable_copy(spec.kind),
        )
    try:
        check_material(spec, target)
        public = public_key_der(spec, target) if spec.kind is KeyKind.RSA else None
    except BaseException:
        target.destroy()
        raise
    wrapped = wrap_and_destroy(working.domain_key(), target)
    if not spec.is_asymmetric and len(wrapped) != wrapped_size(spec):
        # the token may not report CKA_VALUE_LEN (SoftHSM does not); the wrapped size does
        raise InvalidKeyMaterial(f"the imported key material is not {spec.bits} bits long")
    return WrappedKey(spec, wrapped, public)


def _oaep_unwrap(
    working: WorkingSession,
    caps: Capabilities,
    rsa_key: Any,
    block: bytes,
    algorithm: EncryptionAlgorithm,
    kind: KeyKind,
    template: dict[Attribute, Any],
) -> Any:
    key_type = KEY_TYPES[kind]
    try:
        if _rsa.uses_native_oaep(caps, algorithm):
            return rsa_key.unwrap_key(
                ObjectClass.SECRET_KEY,
                key_type,
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
    attributes = {
        Attribute.CLASS: ObjectClass.SECRET_KEY,
        Attribute.KEY_TYPE: key_type,
        Attribute.VALUE: value,
        **{name: v for name, v in template.items() if v is not DEFAULT},
    }
    try:
        return working.session.create_object(attributes)
    except UNWRAP_DATA_ERRORS as exc:
        raise InvalidKeyMaterial("the decrypted key material is not a valid key") from exc
