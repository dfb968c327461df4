"""AWS KMS's default request quotas, as data: the one place keygraph's default rates come from.

Source: AWS KMS Developer Guide, "Request quotas"
(https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html), the default for
"all other Regions" where a quota varies with the Region. AWS raises some quotas over time
(symmetric 5,500 became 10,000; DescribeKey 1,000 became 2,000); when it does, change the numbers
here and nothing else.

AWS counts three kinds of quota, and so does keygraph (``Family``):

- the cryptographic operations share one quota per key type: symmetric (which AWS says includes
  HMAC keys), RSA, and ECC;
- GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext share one quota per pair spec, apart
  from the cryptographic ones (the KMS key that encrypts the pair does not count);
- every other operation has a quota of its own.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from hsm import KeyKind, KeySpec


class Family(enum.Enum):
    CRYPTOGRAPHIC = "cryptographic operations on one key type"
    DATA_KEY_PAIR = "data key pairs of one pair spec"
    OPERATION = "one operation"


@dataclass(frozen=True, slots=True)
class RateClass:
    """One AWS request quota: the requests it counts share one token bucket per principal.

    ``name`` is what configuration uses: ``symmetric``, ``rsa``, ``ecc``,
    ``GenerateDataKeyPair/<pair spec>``, or the operation's action name (``CreateKey``).
    """

    name: str
    family: Family
    default_rate: float  # AWS's default, requests per second

    def __post_init__(self) -> None:
        if not self.default_rate > 0:
            raise ValueError(f"{self.name}: a default rate must be positive")


SYMMETRIC = RateClass("symmetric", Family.CRYPTOGRAPHIC, 10_000)
RSA = RateClass("rsa", Family.CRYPTOGRAPHIC, 1_000)
ECC = RateClass("ecc", Family.CRYPTOGRAPHIC, 1_000)

# The operations that count against the shared quota of the key they use. AWS's Encrypt, Decrypt
# and ReEncrypt are also RSA (and, for SM2, ECC) operations; ReEncrypt is the two actions
# ReEncryptFrom and ReEncryptTo in the catalog.
KEYED_ACTIONS = frozenset(
    {
        "Decrypt",
        "DeriveSharedSecret",
        "Encrypt",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "GenerateMac",
        "ReEncryptFrom",
        "ReEncryptTo",
        "Sign",
        "Verify",
        "VerifyMac",
    }
)

# GenerateRandom uses no key and counts against the symmetric quota.
KEYLESS_CRYPTOGRAPHIC_ACTIONS: Mapping[str, RateClass] = {"GenerateRandom": SYMMETRIC}

DATA_KEY_PAIR_ACTIONS = frozenset({"GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext"})
_PAIR_RATES: Mapping[str, float] = {
    "RSA_2048": 20,
    "RSA_3072": 4,
    "RSA_4096": 1,
    "ECC_NIST_P256": 100,
    "ECC_NIST_P384": 100,
    "ECC_NIST_P521": 100,
    "ECC_SECG_P256K1": 100,
}
DATA_KEY_PAIR_BY_SPEC: Mapping[str, RateClass] = {
    spec: RateClass(f"GenerateDataKeyPair/{spec}", Family.DATA_KEY_PAIR, rate)
    for spec, rate in _PAIR_RATES.items()
}

# Every other operation: its own quota, named after its action.
_OPERATION_RATES: Mapping[str, float] = {
    "CancelKeyDeletion": 5,
    "ConnectCustomKeyStore": 5,
    "CreateAlias": 5,
    "CreateCustomKeyStore": 5,
    "CreateGrant": 50,
    "CreateKey": 5,
    "DeleteAlias": 15,
    "DeleteCustomKeyStore": 5,
    "DeleteImportedKeyMaterial": 15,
    "DescribeCustomKeyStores": 5,
    "DescribeKey": 2_000,
    "DisableKey": 5,
    "DisableKeyRotation": 5,
    "DisconnectCustomKeyStore": 5,
    "EnableKey": 5,
    "EnableKeyRotation": 15,
    "GetKeyLastUsage": 2_000,
    "GetKeyPolicy": 1_000,
    "GetKeyRotationStatus": 1_000,
    "GetParametersForImport": 1,
    "GetPublicKey": 2_000,
    "ImportKeyMaterial": 15,
    "ListAliases": 500,
    "ListGrants": 100,
    "ListKeyPolicies": 100,
    "ListKeyRotations": 100,
    "ListKeys": 500,
    "ListResourceTags": 2_000,
    "ListRetirableGrants": 100,
    "PutKeyPolicy": 15,
    "RetireGrant": 50,
    "RevokeGrant": 50,
    "RotateKeyOnDemand": 5,
    "ScheduleKeyDeletion": 15,
    "TagResource": 10,
    "UntagResource": 5,
    "UpdateAlias": 5,
    "UpdateCustomKeyStore": 5,
    "UpdateKeyDescription": 5,
}
OPERATION_BY_ACTION: Mapping[str, RateClass] = {
    action: RateClass(action, Family.OPERATION, rate) for action, rate in _OPERATION_RATES.items()
}

RATE_CLASSES: tuple[RateClass, ...] = (
    SYMMETRIC,
    RSA,
    ECC,
    *DATA_KEY_PAIR_BY_SPEC.values(),
    *OPERATION_BY_ACTION.values(),
)

# Which shared quota each key spec keygraph serves counts against, derived from the spec's family
# so that a spec added to the HSM layer is classified without an edit here.
_BY_KIND: Mapping[KeyKind, RateClass] = {
    KeyKind.AES: SYMMETRIC,
    KeyKind.HMAC: SYMMETRIC,
    KeyKind.RSA: RSA,
    KeyKind.EC: ECC,
    KeyKind.EC_EDWARDS: ECC,
}
CRYPTOGRAPHIC_BY_KEY_SPEC: Mapping[str, RateClass] = {
    spec.value: _BY_KIND[spec.kind] for spec in KeySpec
}
