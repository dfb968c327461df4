"""Import into RSA, ECC and HMAC keys through boto3, as a user moving from AWS does it: key
material made offline with ``cryptography``, wrapped with the parameters GetParametersForImport
gives, and checked offline against what the key then answers.

AWS's rules: CreateKey's reference ("Imported key material": every KMS key type), the
GetParametersForImport reference (WrappingAlgorithm), the ImportKeyMaterial reference (its
exceptions), "Step 3: Encrypt the key material" in AWS's developer guide (PKCS#8 private keys;
AWS derives the public key).
"""

from __future__ import annotations

import hmac
import os
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding

from tests.aws.kms import error_of, new_key

pytestmark = pytest.mark.slow

MESSAGE = b"imported through the AWS door"


def pkcs8(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def spki(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def imported(
    kms: Any, key_id: str, material: bytes, algorithm: str, wrapping_key_spec: str = "RSA_2048"
) -> dict[str, Any]:
    """GetParametersForImport, the customer's wrapping, ImportKeyMaterial."""
    given = kms.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm=algorithm, WrappingKeySpec=wrapping_key_spec
    )
    public = serialization.load_der_public_key(given["PublicKey"])
    assert isinstance(public, rsa.RSAPublicKey)
    digest: hashes.HashAlgorithm = (
        hashes.SHA1() if algorithm.endswith("SHA_1") else hashes.SHA256()  # noqa: S303 - AWS's
    )
    oaep = padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)
    if algorithm.startswith("RSA_AES_KEY_WRAP"):
        ephemeral = os.urandom(32)
        encrypted = public.encrypt(ephemeral, oaep) + aes_key_wrap_with_padding(ephemeral, material)
    else:
        encrypted = public.encrypt(material, oaep)
    answer: dict[str, Any] = kms.import_key_material(
        KeyId=key_id,
        ImportToken=given["ImportToken"],
        EncryptedKeyMaterial=encrypted,
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
    )
    return answer


def test_an_imported_p256_key_signs_as_the_offline_key(kms: Any) -> None:
    # The flow recorded against AWS in localstack/localstack's tests/aws/services/kms/test_kms.py
    # (test_import_key_asymmetric, aws.validated): RSAES_OAEP_SHA_256 under RSA_2048, then
    # GetPublicKey equals the offline SubjectPublicKeyInfo and Sign/Verify round-trip.
    offline = ec.generate_private_key(ec.SECP256R1())
    metadata = new_key(kms, Origin="EXTERNAL", KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    assert (metadata["KeyState"], metadata["Enabled"]) == ("PendingImport", False)
    key_id = metadata["KeyId"]
    imported(kms, key_id, pkcs8(offline), "RSAES_OAEP_SHA_256")
    described = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (described["KeyState"], described["Enabled"]) == ("Enabled", True)
    assert kms.get_public_key(KeyId=key_id)["PublicKey"] == spki(offline)
    signature = kms.sign(
        KeyId=key_id, Message=MESSAGE, MessageType="RAW", SigningAlgorithm="ECDSA_SHA_256"
    )["Signature"]
    offline.public_key().verify(signature, MESSAGE, ec.ECDSA(hashes.SHA256()))
    verified = kms.verify(
        KeyId=key_id,
        Message=MESSAGE,
        Signature=offline.sign(MESSAGE, ec.ECDSA(hashes.SHA256())),
        SigningAlgorithm="ECDSA_SHA_256",
    )
    assert verified["SignatureValid"] is True


def test_an_imported_secp256k1_key_signs_as_the_offline_key(kms: Any) -> None:
    offline = ec.generate_private_key(ec.SECP256K1())
    key_id = new_key(kms, Origin="EXTERNAL", KeySpec="ECC_SECG_P256K1", KeyUsage="SIGN_VERIFY")[
        "KeyId"
    ]
    imported(kms, key_id, pkcs8(offline), "RSA_AES_KEY_WRAP_SHA_256")
    assert kms.get_public_key(KeyId=key_id)["PublicKey"] == spki(offline)
    digest = hashes.Hash(hashes.SHA256())
    digest.update(MESSAGE)
    signature = kms.sign(
        KeyId=key_id,
        Message=digest.finalize(),
        MessageType="DIGEST",
        SigningAlgorithm="ECDSA_SHA_256",
    )["Signature"]
    offline.public_key().verify(signature, MESSAGE, ec.ECDSA(hashes.SHA256()))


def test_an_imported_rsa_key_decrypts_and_encrypts_as_the_offline_key(kms: Any) -> None:
    # AWS's GetParametersForImport reference: "To import an RSA private key, you must use an
    # RSA_AES wrapping algorithm."
    offline = rsa.generate_private_key(65537, 2048)
    key_id = new_key(kms, Origin="EXTERNAL", KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")[
        "KeyId"
    ]
    imported(kms, key_id, pkcs8(offline), "RSA_AES_KEY_WRAP_SHA_256")
    assert kms.get_public_key(KeyId=key_id)["PublicKey"] == spki(offline)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    blob = offline.public_key().encrypt(MESSAGE, oaep)
    decrypted = kms.decrypt(
        KeyId=key_id, CiphertextBlob=blob, EncryptionAlgorithm="RSAES_OAEP_SHA_256"
    )
    assert decrypted["Plaintext"] == MESSAGE
    encrypted = kms.encrypt(
        KeyId=key_id, Plaintext=MESSAGE, EncryptionAlgorithm="RSAES_OAEP_SHA_256"
    )
    assert offline.decrypt(encrypted["CiphertextBlob"], oaep) == MESSAGE


def test_an_imported_hmac_key_computes_the_offline_mac(kms: Any) -> None:
    material = os.urandom(32)
    key_id = new_key(kms, Origin="EXTERNAL", KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")[
        "KeyId"
    ]
    imported(kms, key_id, material, "RSAES_OAEP_SHA_1")
    offline = hmac.new(material, MESSAGE, "sha256").digest()
    made = kms.generate_mac(KeyId=key_id, Message=MESSAGE, MacAlgorithm="HMAC_SHA_256")
    assert made["Mac"] == offline
    verified = kms.verify_mac(
        KeyId=key_id, Message=MESSAGE, Mac=offline, MacAlgorithm="HMAC_SHA_256"
    )
    assert verified["MacValid"] is True


def test_an_rsa_key_needs_an_rsa_aes_wrapping(kms: Any) -> None:
    # AWS's GetParametersForImport reference, WrappingAlgorithm (see
    # tests/keys/test_import_asymmetric.py); code and message are keygraph's.
    key_id = new_key(kms, Origin="EXTERNAL", KeySpec="RSA_3072", KeyUsage="SIGN_VERIFY")["KeyId"]
    with pytest.raises(ClientError) as raised:
        kms.get_parameters_for_import(
            KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_4096"
        )
    assert error_of(raised.value) == (
        "ValidationException",
        "RSA_3072 key material must be wrapped with RSA_AES_KEY_WRAP_SHA_1 or "
        "RSA_AES_KEY_WRAP_SHA_256.",
    )


def test_material_of_another_curve_is_incorrect_key_material(kms: Any) -> None:
    # AWS's ImportKeyMaterial reference: IncorrectKeyMaterialException for key material that is
    # "invalid, or does not meet expectations" (botocore's modeled exception class).
    key_id = new_key(kms, Origin="EXTERNAL", KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")[
        "KeyId"
    ]
    other_curve = pkcs8(ec.generate_private_key(ec.SECP384R1()))
    with pytest.raises(kms.exceptions.IncorrectKeyMaterialException) as raised:
        imported(kms, key_id, other_curve, "RSA_AES_KEY_WRAP_SHA_1")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error_of(raised.value) == (
        "IncorrectKeyMaterialException",
        "The key material in the request is not ECC_NIST_P256 key material.",
    )
