"""Key specs (AWS KMS names) and the two forms in which key material leaves the HSM: wrapped
under the domain key (every KMS key), or in plaintext for a data key pair made to be handed out."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class KeyKind(enum.Enum):
    """The PKCS#11 family a spec belongs to; operations dispatch on it."""

    AES = "AES"
    RSA = "RSA"
    EC = "EC"
    EC_EDWARDS = "EC_EDWARDS"
    HMAC = "HMAC"


class KeySpec(enum.Enum):
    """Every key spec keygraph serves, spelled as AWS KMS spells it."""

    SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT"
    RSA_2048 = "RSA_2048"
    RSA_3072 = "RSA_3072"
    RSA_4096 = "RSA_4096"
    ECC_NIST_P256 = "ECC_NIST_P256"
    ECC_NIST_P384 = "ECC_NIST_P384"
    ECC_NIST_P521 = "ECC_NIST_P521"
    ECC_SECG_P256K1 = "ECC_SECG_P256K1"
    ECC_NIST_EDWARDS25519 = "ECC_NIST_EDWARDS25519"
    HMAC_224 = "HMAC_224"
    HMAC_256 = "HMAC_256"
    HMAC_384 = "HMAC_384"
    HMAC_512 = "HMAC_512"

    @property
    def kind(self) -> KeyKind:
        if self is KeySpec.ECC_NIST_EDWARDS25519:
            return KeyKind.EC_EDWARDS
        return _KIND[self.value.split("_", 1)[0]]

    @property
    def bits(self) -> int:
        """Key size: AES and HMAC key length, RSA modulus, EC field size."""
        return _BITS[self]

    @property
    def curve(self) -> str:
        """The named curve (OpenSSL / cryptography name) of an EC spec."""
        try:
            return _CURVES[self]
        except KeyError:
            raise ValueError(f"{self.value} is not an elliptic-curve spec") from None

    @property
    def is_asymmetric(self) -> bool:
        return self.kind in (KeyKind.RSA, KeyKind.EC, KeyKind.EC_EDWARDS)

    @property
    def token_resident(self) -> bool:
        """Whether the private key lives in the HSM as a token object instead of being wrapped
        under the domain key: SoftHSM 2.6.1 can neither wrap nor unwrap an EC_EDWARDS private
        key (``CKR_KEY_NOT_WRAPPABLE``), and CloudHSM has no EdDSA at all, so an Ed25519 key
        that must never leave the HSM in plaintext can only stay in it."""
        return self.kind is KeyKind.EC_EDWARDS


class OfKeySpec(enum.Enum):
    """An AWS enum whose values name key specs (``DataKeyPairSpec``, ``WrappingKeySpec``): a
    narrower choice of the same keys."""

    @property
    def key_spec(self) -> KeySpec:
        return KeySpec(self.value)


_KIND = {"SYMMETRIC": KeyKind.AES, "RSA": KeyKind.RSA, "ECC": KeyKind.EC, "HMAC": KeyKind.HMAC}

_BITS = {
    KeySpec.SYMMETRIC_DEFAULT: 256,
    KeySpec.RSA_2048: 2048,
    KeySpec.RSA_3072: 3072,
    KeySpec.RSA_4096: 4096,
    KeySpec.ECC_NIST_P256: 256,
    KeySpec.ECC_NIST_P384: 384,
    KeySpec.ECC_NIST_P521: 521,
    KeySpec.ECC_SECG_P256K1: 256,
    KeySpec.ECC_NIST_EDWARDS25519: 256,
    KeySpec.HMAC_224: 224,
    KeySpec.HMAC_256: 256,
    KeySpec.HMAC_384: 384,
    KeySpec.HMAC_512: 512,
}

_CURVES = {
    KeySpec.ECC_NIST_P256: "secp256r1",
    KeySpec.ECC_NIST_P384: "secp384r1",
    KeySpec.ECC_NIST_P521: "secp521r1",
    KeySpec.ECC_SECG_P256K1: "secp256k1",
}


@dataclass(frozen=True)
class WrappedKey:
    """Key material wrapped under the token's domain key (AES key wrap with padding).

    This is what the database stores: ``material`` is useless without the HSM, ``public_key`` is
    the DER SubjectPublicKeyInfo of an asymmetric key (``None`` for AES and HMAC). For a
    ``token_resident`` spec, ``material`` is the ``CKA_ID`` of the private key's token object
    (random, no secret). The repr shows sizes only, so that logs never carry the blob.
    """

    spec: KeySpec
    material: bytes = field(repr=False)
    public_key: bytes | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        public = "none" if self.public_key is None else f"{len(self.public_key)} B"
        return (
            f"WrappedKey(spec={self.spec.value}, material={len(self.material)} B, "
            f"public_key={public})"
        )


@dataclass(frozen=True)
class ExportedKeyPair:
    """An asymmetric key pair generated in the HSM to be handed out (GenerateDataKeyPair), as AWS
    returns it: the private key as PKCS#8 DER, the public key as DER SubjectPublicKeyInfo. No copy
    stays in the HSM. The repr shows sizes only, so logging the pair never leaks its secret."""

    private_key_der: bytes = field(repr=False)
    public_key_der: bytes = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"ExportedKeyPair(private_key_der={len(self.private_key_der)} B, "
            f"public_key_der={len(self.public_key_der)} B)"
        )
