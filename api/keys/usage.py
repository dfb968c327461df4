"""Which key usage each cryptographic action needs, as data, with AWS's message when it does not
fit: ``<key ARN> key usage is <USAGE> which is not valid for <Operation>.``"""

from __future__ import annotations

from api.errors import InvalidKeyUsageException
from api.keys.model import Key, KeyUsage

USAGE_FOR_ACTION: dict[str, frozenset[KeyUsage]] = {
    **dict.fromkeys(
        (
            "Encrypt",
            "Decrypt",
            "ReEncryptFrom",
            "ReEncryptTo",
        ),
        frozenset({KeyUsage.ENCRYPT_DECRYPT}),
    ),
    # Data keys are made under symmetric encryption keys only (checked by spec as well).
    **dict.fromkeys(
        (
            "GenerateDataKey",
            "GenerateDataKeyWithoutPlaintext",
            "GenerateDataKeyPair",
            "GenerateDataKeyPairWithoutPlaintext",
        ),
        frozenset({KeyUsage.ENCRYPT_DECRYPT}),
    ),
    **dict.fromkeys(("Sign", "Verify"), frozenset({KeyUsage.SIGN_VERIFY})),
    **dict.fromkeys(("GenerateMac", "VerifyMac"), frozenset({KeyUsage.GENERATE_VERIFY_MAC})),
    "DeriveSharedSecret": frozenset({KeyUsage.KEY_AGREEMENT}),
    "GetPublicKey": frozenset(
        {KeyUsage.ENCRYPT_DECRYPT, KeyUsage.SIGN_VERIFY, KeyUsage.KEY_AGREEMENT}
    ),
}


def require_usage(action: str, key: Key) -> None:
    if key.usage not in USAGE_FOR_ACTION[action]:
        raise InvalidKeyUsageException(
            f"{key.arn} key usage is {key.usage.value} which is not valid for {action}."
        )
