"""Which key usage each cryptographic action needs, as data, with AWS's answer when it does not
fit: ``InvalidKeyUsageException`` ``<key ARN> key usage is <USAGE> which is not valid for
<Operation>.``, except where the key named is the one a ciphertext must have been made under
(``NAMES_THE_CIPHERTEXTS_KEY``)."""

from __future__ import annotations

from api import messages
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


# Decrypt's KeyId and ReEncrypt's SourceKeyId name the key the ciphertext was made under; a key
# that cannot decrypt is not that key, and AWS answers IncorrectKeyException with the words of
# a wrong key (recorded against AWS: Decrypt and ReEncrypt naming an HMAC key), not
# InvalidKeyUsageException as for the other actions.
NAMES_THE_CIPHERTEXTS_KEY = frozenset({"Decrypt", "ReEncryptFrom"})


def require_usage(action: str, key: Key) -> None:
    if key.usage in USAGE_FOR_ACTION[action]:
        return
    if action in NAMES_THE_CIPHERTEXTS_KEY:
        raise messages.INCORRECT_KEY()
    raise messages.KEY_USAGE_NOT_VALID(arn=key.arn, usage=key.usage.value, action=action)
