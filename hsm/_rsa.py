"""RSA-OAEP: encryption in software with the public key, decryption in the HSM.

Where the token refuses OAEP with SHA-256 (SoftHSM 2.6.1), decryption runs raw RSA
(``CKM_RSA_X_509``) in the HSM and OAEP decoding in software, with one uniform error. Every
decryption failure, native or not, is ``InvalidCiphertext`` with no detail.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pkcs11 import Mechanism
from pkcs11 import exceptions as p11

from hsm import _oaep
from hsm._failures import confirm_data_error
from hsm._keygen import load_public_key
from hsm._signing import HASH_MECHANISMS
from hsm.algorithms import EncryptionAlgorithm
from hsm.capabilities import Capabilities
from hsm.errors import IncompatibleAlgorithm, InvalidCiphertext, PlaintextTooLarge
from hsm.keyspec import KeySpec

# GeneralError is how SoftHSM reports bad OAEP padding; confirm_data_error sorts it out.
DECRYPT_DATA_ERRORS: tuple[type[p11.PKCS11Error], ...] = (
    p11.GeneralError,
    p11.EncryptedDataInvalid,
    p11.EncryptedDataLenRange,
    p11.DataInvalid,
    p11.DataLenRange,
)


def max_plaintext(spec: KeySpec, algorithm: EncryptionAlgorithm) -> int:
    return spec.bits // 8 - 2 * algorithm.hash.digest_size - 2


def encrypt(
    spec: KeySpec, public_der: bytes, plaintext: bytes, algorithm: EncryptionAlgorithm
) -> bytes:
    limit = max_plaintext(spec, algorithm)
    if len(plaintext) > limit:
        raise PlaintextTooLarge(
            f"Algorithm {algorithm.value} and key spec {spec.value} cannot encrypt data larger "
            f"than {limit} bytes."
        )
    public = load_public_key(spec, public_der)
    if not isinstance(public, rsa.RSAPublicKey):
        raise IncompatibleAlgorithm(f"{spec.value} keys cannot encrypt with RSA-OAEP")
    name = algorithm.hash.algorithm()
    return public.encrypt(plaintext, padding.OAEP(padding.MGF1(name), name, None))


def oaep_params(algorithm: EncryptionAlgorithm) -> tuple[Mechanism, Any, None]:
    hash_mechanism, mgf = HASH_MECHANISMS[algorithm.hash]
    return (hash_mechanism, mgf, None)


def uses_native_oaep(caps: Capabilities, algorithm: EncryptionAlgorithm) -> bool:
    if algorithm is EncryptionAlgorithm.RSAES_OAEP_SHA_1:
        return caps.has(Mechanism.RSA_PKCS_OAEP)
    return caps.oaep_sha256


def decrypt(
    caps: Capabilities, key: Any, spec: KeySpec, ciphertext: bytes, algorithm: EncryptionAlgorithm
) -> bytes:
    size = spec.bits // 8
    if len(ciphertext) != size:
        raise InvalidCiphertext()
    try:
        if uses_native_oaep(caps, algorithm):
            return bytes(
                key.decrypt(
                    ciphertext,
                    mechanism=Mechanism.RSA_PKCS_OAEP,
                    mechanism_param=oaep_params(algorithm),
                )
            )
        caps.require(Mechanism.RSA_X_509, f"{algorithm.value} decryption")
        encoded = bytes(key.decrypt(ciphertext, mechanism=Mechanism.RSA_X_509))
    except DECRYPT_DATA_ERRORS as exc:
        confirm_data_error(exc, key)
        raise InvalidCiphertext() from exc
    return _oaep.decode(encoded.rjust(size, b"\0"), algorithm.hash)
