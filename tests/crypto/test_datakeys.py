"""generateDataKey(WithoutPlaintext) and generateDataKeyPair(WithoutPlaintext) over GraphQL: the
sizes, that the encrypted copy decrypts through keygraph's decrypt, that private keys load with
``cryptography`` and match their public keys, and the refusals."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_der_private_key,
    load_der_public_key,
)

from api.services import Services
from tests.crypto.asymmetric import call, create_key, disable, unb64
from tests.crypto.encryption import ARN, INVALID_CIPHERTEXT, count_hsm_calls, decrypt, failure
from tests.graphql_client import GraphQLFailure, gql

CONTEXT = {"table": "customers", "column": "ssn"}
DATA_KEY = "ciphertextBlob plaintext keyId keyMaterialId"
DATA_KEY_WITHOUT_PLAINTEXT = "ciphertextBlob keyId keyMaterialId"
PAIR = "privateKeyCiphertextBlob privateKeyPlaintext publicKey keyId keyPairSpec keyMaterialId"
PAIR_WITHOUT_PLAINTEXT = "privateKeyCiphertextBlob publicKey keyId keyPairSpec keyMaterialId"
CURVES = {
    "ECC_NIST_P256": "secp256r1",
    "ECC_NIST_P384": "secp384r1",
    "ECC_NIST_P521": "secp521r1",
    "ECC_SECG_P256K1": "secp256k1",
}
RSA_SIZES = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}
DESCRIBE = """
query($id: String!) { describeKey(input: {keyId: $id}) { keyMetadata { currentKeyMaterialId } } }
"""


async def symmetric_key(client: httpx.AsyncClient) -> dict[str, str]:
    key = await create_key(client, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")
    data = await gql(client, DESCRIBE, {"id": key["keyId"]})
    return {**key, "material": data["describeKey"]["keyMetadata"]["currentKeyMaterialId"]}


def check_pair(spec: str, private_der: bytes, public_der: bytes) -> None:
    """The private key is PKCS#8 DER of ``spec`` and ``public_der`` is its public half."""
    private = load_der_private_key(private_der, password=None)
    public = load_der_public_key(public_der)
    assert public_der == private.public_key().public_bytes(
        Encoding.DER, PublicFormat.SubjectPublicKeyInfo
    )
    if spec in RSA_SIZES:
        assert isinstance(private, rsa.RSAPrivateKey) and isinstance(public, rsa.RSAPublicKey)
        assert private.key_size == RSA_SIZES[spec]
    else:
        assert isinstance(private, ec.EllipticCurvePrivateKey)
        assert isinstance(public, ec.EllipticCurvePublicKey)
        assert private.curve.name == CURVES[spec]


@pytest.mark.parametrize(
    ("members", "size"),
    [
        ({"keySpec": "AES_256"}, 32),
        ({"keySpec": "AES_128"}, 16),
        ({"numberOfBytes": 1}, 1),
        ({"numberOfBytes": 64}, 64),
        ({"numberOfBytes": 1024}, 1024),
    ],
)
async def test_data_keys_have_the_asked_size_and_decrypt_to_their_plaintext(
    client: httpx.AsyncClient, members: dict[str, Any], size: int
) -> None:
    key = await symmetric_key(client)
    made = await call(
        client,
        "generateDataKey",
        DATA_KEY,
        keyId=key["keyId"],
        encryptionContext=CONTEXT,
        **members,
    )
    plaintext = unb64(made["plaintext"])
    assert len(plaintext) == size
    assert (made["keyId"], made["keyMaterialId"]) == (key["arn"], key["material"])
    decrypted = await decrypt(client, unb64(made["ciphertextBlob"]), encryptionContext=CONTEXT)
    assert (decrypted["plaintext"], decrypted["keyId"]) == (plaintext, key["arn"])
    assert await failure(decrypt(client, unb64(made["ciphertextBlob"]))) == INVALID_CIPHERTEXT

    bare = await call(
        client,
        "generateDataKeyWithoutPlaintext",
        DATA_KEY_WITHOUT_PLAINTEXT,
        keyId=key["keyId"],
        encryptionContext=CONTEXT,
        **members,
    )
    assert (bare["keyId"], bare["keyMaterialId"]) == (key["arn"], key["material"])
    hidden = await decrypt(client, unb64(bare["ciphertextBlob"]), encryptionContext=CONTEXT)
    assert len(hidden["plaintext"]) == size


async def test_data_keys_are_random(client: httpx.AsyncClient) -> None:
    key = await symmetric_key(client)
    made = set()
    for _ in range(3):
        result = await call(
            client, "generateDataKey", "plaintext", keyId=key["keyId"], keySpec="AES_256"
        )
        made.add(result["plaintext"])
    assert len(made) == 3


async def test_a_data_key_is_hsm_random_encrypted_by_the_hsm(
    client: httpx.AsyncClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = await symmetric_key(client)
    calls = count_hsm_calls(services, monkeypatch)
    await call(client, "generateDataKey", DATA_KEY, keyId=key["keyId"], keySpec="AES_256")
    assert calls == ["generate_random", "encrypt"]


async def test_without_plaintext_has_no_plaintext_member(client: httpx.AsyncClient) -> None:
    key = await symmetric_key(client)
    for operation, member in (
        ("generateDataKeyWithoutPlaintext", "plaintext"),
        ("generateDataKeyPairWithoutPlaintext", "privateKeyPlaintext"),
    ):
        error = await failure(call(client, operation, member, keyId=key["keyId"]))
        assert error.code == "ValidationException"
        assert f"Cannot query field '{member}'" in error.message


async def test_data_key_refusals(client: httpx.AsyncClient) -> None:
    key = await symmetric_key(client)
    either = GraphQLFailure(
        "ValidationException", "Please specify either number of bytes or key spec."
    )
    for operation in ("generateDataKey", "generateDataKeyWithoutPlaintext"):
        for members in ({}, {"keySpec": "AES_256", "numberOfBytes": 32}):
            error = await failure(call(client, operation, "keyId", keyId=key["keyId"], **members))
            assert error == either
        for size, bound in (
            (0, "greater than or equal to 1"),
            (1025, "less than or equal to 1024"),
        ):
            error = await failure(
                call(client, operation, "keyId", keyId=key["keyId"], numberOfBytes=size)
            )
            assert error == GraphQLFailure(
                "ValidationException",
                f"1 validation error detected: Value '{size}' at 'numberOfBytes' failed to "
                f"satisfy constraint: Member must have value {bound}",
            )


@pytest.mark.parametrize(
    "operation",
    [
        "generateDataKey",
        "generateDataKeyWithoutPlaintext",
        "generateDataKeyPair",
        "generateDataKeyPairWithoutPlaintext",
    ],
)
async def test_parent_key_checks_and_dry_run(client: httpx.AsyncClient, operation: str) -> None:
    pair = operation.startswith("generateDataKeyPair")
    size: dict[str, Any] = {"keyPairSpec": "ECC_NIST_P256"} if pair else {"keySpec": "AES_256"}
    action = operation[0].upper() + operation[1:]

    async def attempt(key_id: str, **members: Any) -> GraphQLFailure:
        return await failure(call(client, operation, "keyId", keyId=key_id, **size, **members))

    rsa_key = await create_key(client, "RSA_2048", "ENCRYPT_DECRYPT")
    assert await attempt(rsa_key["keyId"]) == GraphQLFailure(
        "InvalidKeyUsageException", "You cannot generate a data key with an asymmetric CMK"
    )
    signing = await create_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    assert await attempt(signing["keyId"]) == GraphQLFailure(
        "InvalidKeyUsageException",
        f"{signing['arn']} key usage is SIGN_VERIFY which is not valid for {action}.",
    )
    key = await symmetric_key(client)
    assert await attempt(key["keyId"], dryRun=True) == GraphQLFailure(
        "DryRunOperationException",
        "The request would have succeeded, but the DryRun option is set.",
    )
    too_many = await attempt(key["keyId"], grantTokens=["t"] * 11)
    assert too_many.code == "ValidationException" and "'grantTokens'" in too_many.message
    await disable(client, key["keyId"])
    disabled = GraphQLFailure("DisabledException", f"{key['arn']} is disabled.")
    assert await attempt(key["keyId"]) == disabled
    assert await attempt(key["keyId"], dryRun=True) == disabled


@pytest.mark.parametrize("spec", [*RSA_SIZES, *CURVES])
async def test_data_key_pairs_of_every_spec(client: httpx.AsyncClient, spec: str) -> None:
    key = await symmetric_key(client)
    made = await call(
        client,
        "generateDataKeyPair",
        PAIR,
        keyId=key["keyId"],
        keyPairSpec=spec,
        encryptionContext=CONTEXT,
    )
    assert ARN.match(made["keyId"])
    assert (made["keyId"], made["keyPairSpec"]) == (key["arn"], spec)
    assert made["keyMaterialId"] == key["material"]
    private_der, public_der = unb64(made["privateKeyPlaintext"]), unb64(made["publicKey"])
    check_pair(spec, private_der, public_der)
    opened = await decrypt(
        client, unb64(made["privateKeyCiphertextBlob"]), encryptionContext=CONTEXT
    )
    assert (opened["plaintext"], opened["keyId"]) == (private_der, key["arn"])

    bare = await call(
        client,
        "generateDataKeyPairWithoutPlaintext",
        PAIR_WITHOUT_PLAINTEXT,
        keyId=key["keyId"],
        keyPairSpec=spec,
        encryptionContext=CONTEXT,
    )
    assert (bare["keyId"], bare["keyPairSpec"]) == (key["arn"], spec)
    assert unb64(bare["publicKey"]) != public_der
    hidden = await decrypt(
        client, unb64(bare["privateKeyCiphertextBlob"]), encryptionContext=CONTEXT
    )
    check_pair(spec, hidden["plaintext"], unb64(bare["publicKey"]))
