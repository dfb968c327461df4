"""What a KMS key is, in AWS's words: its states, usages, origins and metadata."""

from __future__ import annotations

import enum
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from hsm import (
    IMPORTABLE_KINDS,
    KeySpec,
    MacAlgorithm,
    OfKeySpec,
    SigningAlgorithm,
    encryption_algorithms,
    mac_algorithm,
    signing_algorithms,
)


class KeyState(enum.Enum):
    ENABLED = "Enabled"
    DISABLED = "Disabled"
    PENDING_DELETION = "PendingDeletion"
    PENDING_IMPORT = "PendingImport"
    UNAVAILABLE = "Unavailable"


class KeyUsage(enum.Enum):
    ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT"
    SIGN_VERIFY = "SIGN_VERIFY"
    GENERATE_VERIFY_MAC = "GENERATE_VERIFY_MAC"
    KEY_AGREEMENT = "KEY_AGREEMENT"


class Origin(enum.Enum):
    AWS_KMS = "AWS_KMS"
    EXTERNAL = "EXTERNAL"
    AWS_CLOUDHSM = "AWS_CLOUDHSM"


class ExpirationModel(enum.Enum):
    KEY_MATERIAL_EXPIRES = "KEY_MATERIAL_EXPIRES"
    KEY_MATERIAL_DOES_NOT_EXPIRE = "KEY_MATERIAL_DOES_NOT_EXPIRE"


class KeyAgreementAlgorithm(enum.Enum):
    ECDH = "ECDH"


class EncryptionAlgorithmSpec(enum.Enum):
    """AWS's encryption algorithms: AES-256-GCM for symmetric keys, RSA-OAEP for RSA keys."""

    SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT"
    RSAES_OAEP_SHA_1 = "RSAES_OAEP_SHA_1"
    RSAES_OAEP_SHA_256 = "RSAES_OAEP_SHA_256"


class CustomerMasterKeySpec(OfKeySpec):
    """AWS's deprecated name of ``KeySpec``, whose enum in AWS's model stopped growing before
    Ed25519: a key of a newer spec has no value for it (keygraph leaves the member absent)."""

    RSA_2048 = "RSA_2048"
    RSA_3072 = "RSA_3072"
    RSA_4096 = "RSA_4096"
    ECC_NIST_P256 = "ECC_NIST_P256"
    ECC_NIST_P384 = "ECC_NIST_P384"
    ECC_NIST_P521 = "ECC_NIST_P521"
    ECC_SECG_P256K1 = "ECC_SECG_P256K1"
    SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT"
    HMAC_224 = "HMAC_224"
    HMAC_256 = "HMAC_256"
    HMAC_384 = "HMAC_384"
    HMAC_512 = "HMAC_512"

    @classmethod
    def of(cls, spec: KeySpec) -> CustomerMasterKeySpec | None:
        return cls.__members__.get(spec.name)


# Which usages each spec allows; the first is the default where AWS has one (symmetric only).
USAGES: dict[KeySpec, tuple[KeyUsage, ...]] = {
    KeySpec.SYMMETRIC_DEFAULT: (KeyUsage.ENCRYPT_DECRYPT,),
    **{
        spec: (KeyUsage.ENCRYPT_DECRYPT, KeyUsage.SIGN_VERIFY)
        for spec in (KeySpec.RSA_2048, KeySpec.RSA_3072, KeySpec.RSA_4096)
    },
    **{
        spec: (KeyUsage.SIGN_VERIFY, KeyUsage.KEY_AGREEMENT)
        for spec in (KeySpec.ECC_NIST_P256, KeySpec.ECC_NIST_P384, KeySpec.ECC_NIST_P521)
    },
    KeySpec.ECC_SECG_P256K1: (KeyUsage.SIGN_VERIFY,),
    KeySpec.ECC_NIST_EDWARDS25519: (KeyUsage.SIGN_VERIFY,),
    **{
        spec: (KeyUsage.GENERATE_VERIFY_MAC,)
        for spec in (KeySpec.HMAC_224, KeySpec.HMAC_256, KeySpec.HMAC_384, KeySpec.HMAC_512)
    },
}

# The key specs each origin holds. EXTERNAL: AWS imports material into every key type (CreateKey's
# "Imported key material" in AWS's API reference); keygraph into every kind hsm imports.
# AWS_CLOUDHSM: symmetric only, as in AWS.
ORIGIN_SPECS: dict[Origin, frozenset[KeySpec]] = {
    Origin.AWS_KMS: frozenset(KeySpec),
    Origin.EXTERNAL: frozenset(spec for spec in KeySpec if spec.kind in IMPORTABLE_KINDS),
    Origin.AWS_CLOUDHSM: frozenset({KeySpec.SYMMETRIC_DEFAULT}),
}


@dataclass(frozen=True)
class Key:
    """One KMS key as stored. ``arn`` is derived, so a key's identity lives in one place."""

    key_id: str
    account_id: str
    region: str
    description: str
    spec: KeySpec
    usage: KeyUsage
    origin: Origin
    state: KeyState
    created_at: datetime
    current_material_id: str | None
    deletion_date: datetime | None
    pending_window_days: int | None
    custom_key_store_id: str | None
    expiration_model: ExpirationModel | None
    valid_to: datetime | None
    rotation_period_days: int | None
    next_rotation_at: datetime | None
    version: int

    @property
    def arn(self) -> str:
        return key_arn(self.region, self.account_id, self.key_id)

    @cached_property
    def uuid(self) -> uuid.UUID:
        """Read on every cache lookup of the hot path: parsed once per key object."""
        return uuid.UUID(self.key_id)

    @property
    def enabled(self) -> bool:
        return self.state is KeyState.ENABLED

    @property
    def rotation_enabled(self) -> bool:
        return self.rotation_period_days is not None

    @property
    def encryption_algorithms(self) -> tuple[EncryptionAlgorithmSpec, ...]:
        if self.usage is not KeyUsage.ENCRYPT_DECRYPT:
            return ()
        if self.spec is KeySpec.SYMMETRIC_DEFAULT:
            return (EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT,)
        return tuple(EncryptionAlgorithmSpec(a.value) for a in encryption_algorithms(self.spec))

    @property
    def signing_algorithms(self) -> tuple[SigningAlgorithm, ...]:
        if self.usage is not KeyUsage.SIGN_VERIFY:
            return ()
        return signing_algorithms(self.spec)

    @property
    def mac_algorithms(self) -> tuple[MacAlgorithm, ...]:
        if self.usage is not KeyUsage.GENERATE_VERIFY_MAC:
            return ()
        return (mac_algorithm(self.spec),)

    @property
    def key_agreement_algorithms(self) -> tuple[KeyAgreementAlgorithm, ...]:
        if self.usage is not KeyUsage.KEY_AGREEMENT:
            return ()
        return (KeyAgreementAlgorithm.ECDH,)


def key_arn(region: str, account_id: str, key_id: str) -> str:
    return f"arn:aws:kms:{region}:{account_id}:key/{key_id}"


def alias_arn(region: str, account_id: str, alias_name: str) -> str:
    return f"arn:aws:kms:{region}:{account_id}:{alias_name}"


def new_material_id() -> str:
    """A new key material version's id, in AWS's form: 64 hexadecimal characters."""
    return secrets.token_hex(32)
