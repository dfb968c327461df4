"""Algorithms, spelled as AWS KMS spells them, with the key specs each one suits."""

from __future__ import annotations

import enum

from cryptography.hazmat.primitives import hashes

from hsm.errors import IncompatibleAlgorithm
from hsm.keyspec import KeyKind, KeySpec


class MessageType(enum.Enum):
    """RAW messages are hashed by hsm; DIGEST messages arrive hashed and must have the digest's
    exact length. Ed25519 keys take each in one algorithm only (``SigningAlgorithm.message_types``).
    """

    RAW = "RAW"
    DIGEST = "DIGEST"


class HashName(enum.Enum):
    SHA_1 = "SHA_1"
    SHA_224 = "SHA_224"
    SHA_256 = "SHA_256"
    SHA_384 = "SHA_384"
    SHA_512 = "SHA_512"

    def algorithm(self) -> hashes.HashAlgorithm:
        return _HASHES[self]()

    @property
    def digest_size(self) -> int:
        return self.algorithm().digest_size


def _hash_ending(name: str) -> HashName:
    """The hash an algorithm's AWS name ends with: ``ECDSA_SHA_384`` and ``HMAC_SHA_384`` both
    name SHA_384, so one rule reads them all."""
    return HashName("SHA_" + name.rsplit("_", 1)[1])


_HASHES: dict[HashName, type[hashes.HashAlgorithm]] = {
    HashName.SHA_1: hashes.SHA1,
    HashName.SHA_224: hashes.SHA224,
    HashName.SHA_256: hashes.SHA256,
    HashName.SHA_384: hashes.SHA384,
    HashName.SHA_512: hashes.SHA512,
}


class SignaturePadding(enum.Enum):
    PSS = "PSS"
    PKCS1_V1_5 = "PKCS1_V1_5"
    ECDSA = "ECDSA"
    EDDSA = "EDDSA"


class SigningAlgorithm(enum.Enum):
    RSASSA_PSS_SHA_256 = "RSASSA_PSS_SHA_256"
    RSASSA_PSS_SHA_384 = "RSASSA_PSS_SHA_384"
    RSASSA_PSS_SHA_512 = "RSASSA_PSS_SHA_512"
    RSASSA_PKCS1_V1_5_SHA_256 = "RSASSA_PKCS1_V1_5_SHA_256"
    RSASSA_PKCS1_V1_5_SHA_384 = "RSASSA_PKCS1_V1_5_SHA_384"
    RSASSA_PKCS1_V1_5_SHA_512 = "RSASSA_PKCS1_V1_5_SHA_512"
    ECDSA_SHA_256 = "ECDSA_SHA_256"
    ECDSA_SHA_384 = "ECDSA_SHA_384"
    ECDSA_SHA_512 = "ECDSA_SHA_512"
    ED25519_SHA_512 = "ED25519_SHA_512"
    ED25519_PH_SHA_512 = "ED25519_PH_SHA_512"

    @property
    def hash(self) -> HashName:
        return _hash_ending(self.value)

    @property
    def padding(self) -> SignaturePadding:
        if self.value.startswith("RSASSA_PSS"):
            return SignaturePadding.PSS
        if self.value.startswith("RSASSA_PKCS1"):
            return SignaturePadding.PKCS1_V1_5
        if self.value.startswith("ED25519"):
            return SignaturePadding.EDDSA
        return SignaturePadding.ECDSA

    @property
    def message_types(self) -> tuple[MessageType, ...]:
        """The message types AWS takes with this algorithm: both, except that Ed25519 (RFC 8032
        PureEdDSA) signs the message itself (RAW only) and Ed25519ph a SHA-512 digest (DIGEST
        only), which it hashes once more as FIPS 186-5 section 7.8.1 step 1 says."""
        return _MESSAGE_TYPES.get(self, (MessageType.RAW, MessageType.DIGEST))


_MESSAGE_TYPES = {
    SigningAlgorithm.ED25519_SHA_512: (MessageType.RAW,),
    SigningAlgorithm.ED25519_PH_SHA_512: (MessageType.DIGEST,),
}


class EncryptionAlgorithm(enum.Enum):
    """RSA encryption algorithms; symmetric keys use AES-256-GCM only (SYMMETRIC_DEFAULT)."""

    RSAES_OAEP_SHA_1 = "RSAES_OAEP_SHA_1"
    RSAES_OAEP_SHA_256 = "RSAES_OAEP_SHA_256"

    @property
    def hash(self) -> HashName:
        return HashName.SHA_1 if self is EncryptionAlgorithm.RSAES_OAEP_SHA_1 else HashName.SHA_256


class MacAlgorithm(enum.Enum):
    HMAC_SHA_224 = "HMAC_SHA_224"
    HMAC_SHA_256 = "HMAC_SHA_256"
    HMAC_SHA_384 = "HMAC_SHA_384"
    HMAC_SHA_512 = "HMAC_SHA_512"

    @property
    def hash(self) -> HashName:
        return _hash_ending(self.value)


class WrappingAlgorithm(enum.Enum):
    """How imported key material is encrypted under an import public key (AWS's names).

    The RSA_AES_KEY_WRAP forms carry an ephemeral AES key under RSA-OAEP followed by the material
    under AES key wrap with padding (RFC 5649).
    """

    RSAES_OAEP_SHA_1 = "RSAES_OAEP_SHA_1"
    RSAES_OAEP_SHA_256 = "RSAES_OAEP_SHA_256"
    RSA_AES_KEY_WRAP_SHA_1 = "RSA_AES_KEY_WRAP_SHA_1"
    RSA_AES_KEY_WRAP_SHA_256 = "RSA_AES_KEY_WRAP_SHA_256"

    @property
    def oaep(self) -> EncryptionAlgorithm:
        sha1 = self.value.endswith("SHA_1")
        return (
            EncryptionAlgorithm.RSAES_OAEP_SHA_1 if sha1 else EncryptionAlgorithm.RSAES_OAEP_SHA_256
        )

    @property
    def uses_aes_key_wrap(self) -> bool:
        return self.value.startswith("RSA_AES_KEY_WRAP")


_EC_SIGNING = {
    KeySpec.ECC_NIST_P256: SigningAlgorithm.ECDSA_SHA_256,
    KeySpec.ECC_NIST_P384: SigningAlgorithm.ECDSA_SHA_384,
    KeySpec.ECC_NIST_P521: SigningAlgorithm.ECDSA_SHA_512,
    KeySpec.ECC_SECG_P256K1: SigningAlgorithm.ECDSA_SHA_256,
}

_HMAC = {
    KeySpec.HMAC_224: MacAlgorithm.HMAC_SHA_224,
    KeySpec.HMAC_256: MacAlgorithm.HMAC_SHA_256,
    KeySpec.HMAC_384: MacAlgorithm.HMAC_SHA_384,
    KeySpec.HMAC_512: MacAlgorithm.HMAC_SHA_512,
}


def signing_algorithms(spec: KeySpec) -> tuple[SigningAlgorithm, ...]:
    """The signing algorithms AWS KMS allows for ``spec`` (empty for AES and HMAC)."""
    if spec.kind is KeyKind.RSA:
        rsa = (SignaturePadding.PSS, SignaturePadding.PKCS1_V1_5)
        return tuple(a for a in SigningAlgorithm if a.padding in rsa)
    if spec.kind is KeyKind.EC:
        return (_EC_SIGNING[spec],)
    if spec.kind is KeyKind.EC_EDWARDS:
        return tuple(a for a in SigningAlgorithm if a.padding is SignaturePadding.EDDSA)
    return ()


def encryption_algorithms(spec: KeySpec) -> tuple[EncryptionAlgorithm, ...]:
    """The RSA encryption algorithms for ``spec`` (empty for every other kind)."""
    return tuple(EncryptionAlgorithm) if spec.kind is KeyKind.RSA else ()


def mac_algorithm(spec: KeySpec) -> MacAlgorithm:
    """The one MAC algorithm an HMAC spec allows; other specs have none."""
    try:
        return _HMAC[spec]
    except KeyError:
        raise IncompatibleAlgorithm(f"{spec.value} keys cannot generate MACs") from None
