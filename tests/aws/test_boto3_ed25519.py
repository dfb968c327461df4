"""Ed25519 keys through the AWS door, as boto3 users meet them.

AWS's rules (KMS API reference, the same text as botocore 1.44.18's model):
- CreateKey KeySpec ECC_NIST_EDWARDS25519, "signing and verification only"
  https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html#KMS-CreateKey-request-KeySpec
- Sign MessageType: ED25519_SHA_512 requires RAW, ED25519_PH_SHA_512 requires DIGEST
  https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html#KMS-Sign-request-MessageType
- the wrong MessageType answers ValidationException "Message type RAW is incompatible ...",
  recorded against AWS KMS in https://github.com/floci-io/floci/issues/2924
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import load_der_public_key

SPEC = "ECC_NIST_EDWARDS25519"
MESSAGE = b"pay 100 to alice"


def error_of(call: Any, **members: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**members)
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


@pytest.fixture(scope="module")
def key_id(kms: Any) -> str:
    created = kms.create_key(KeySpec=SPEC, KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    assert created["SigningAlgorithms"] == ["ED25519_SHA_512", "ED25519_PH_SHA_512"]
    assert "CustomerMasterKeySpec" not in created
    key: str = created["KeyId"]
    return key


def test_sign_raw_verifies_offline_with_get_public_key(kms: Any, key_id: str) -> None:
    described = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (described["KeySpec"], described["KeyUsage"]) == (SPEC, "SIGN_VERIFY")
    found = kms.get_public_key(KeyId=key_id)
    assert found["KeySpec"] == SPEC
    assert found["SigningAlgorithms"] == ["ED25519_SHA_512", "ED25519_PH_SHA_512"]
    public = load_der_public_key(found["PublicKey"])
    assert isinstance(public, ed25519.Ed25519PublicKey)
    signed = kms.sign(
        KeyId=key_id, Message=MESSAGE, MessageType="RAW", SigningAlgorithm="ED25519_SHA_512"
    )
    assert len(signed["Signature"]) == 64
    public.verify(signed["Signature"], MESSAGE)
    verified = kms.verify(
        KeyId=key_id,
        Message=MESSAGE,
        Signature=signed["Signature"],
        SigningAlgorithm="ED25519_SHA_512",
    )
    assert verified["SignatureValid"] is True
    code, _ = error_of(
        kms.verify,
        KeyId=key_id,
        Message=MESSAGE + b"!",
        Signature=signed["Signature"],
        SigningAlgorithm="ED25519_SHA_512",
    )
    assert code == "KMSInvalidSignatureException"


@pytest.mark.parametrize(
    ("algorithm", "message_type", "message"),
    [
        ("ED25519_SHA_512", "DIGEST", hashlib.sha512(MESSAGE).digest()),
        ("ED25519_PH_SHA_512", "RAW", MESSAGE),
    ],
)
def test_the_other_message_type_is_refused(
    kms: Any, key_id: str, algorithm: str, message_type: str, message: bytes
) -> None:
    assert error_of(
        kms.sign,
        KeyId=key_id,
        Message=message,
        MessageType=message_type,
        SigningAlgorithm=algorithm,
    ) == (
        "ValidationException",
        f"Message type {message_type} is incompatible with algorithm {algorithm}.",
    )


def test_key_agreement_usage_and_ecdsa_are_refused(kms: Any, key_id: str) -> None:
    assert error_of(kms.create_key, KeySpec=SPEC, KeyUsage="KEY_AGREEMENT") == (
        "ValidationException",
        f"KeyUsage KEY_AGREEMENT is not compatible with KeySpec {SPEC}",
    )
    assert error_of(kms.sign, KeyId=key_id, Message=MESSAGE, SigningAlgorithm="ECDSA_SHA_256") == (
        "InvalidKeyUsageException",
        f"Algorithm ECDSA_SHA_256 is incompatible with key spec {SPEC}.",
    )


def test_ed25519ph_is_refused_where_the_token_ignores_the_prehash_flag(
    kms: Any, key_id: str
) -> None:
    """SoftHSM 2.6.1 signs PureEdDSA whatever CK_EDDSA_PARAMS says: keygraph refuses instead."""
    code, message = error_of(
        kms.sign,
        KeyId=key_id,
        Message=hashlib.sha512(MESSAGE).digest(),
        MessageType="DIGEST",
        SigningAlgorithm="ED25519_PH_SHA_512",
    )
    assert code == "UnsupportedOperationException"
    assert "ED25519_PH_SHA_512" in message
