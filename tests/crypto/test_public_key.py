"""getPublicKey: the DER SubjectPublicKeyInfo, spec, usage and algorithms of asymmetric keys."""

from __future__ import annotations

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_der_public_key

from tests.crypto.asymmetric import (
    create_key,
    disable,
    failure,
    get_public_key,
    schedule_deletion,
    unb64,
)
from tests.graphql_client import GraphQLFailure

RSA_SIGNING = [
    "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
    "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
]  # fmt: skip


@pytest.mark.parametrize(
    ("spec", "usage", "curve", "algorithms"),
    [
        ("ECC_NIST_P256", "SIGN_VERIFY", "secp256r1", {"signingAlgorithms": ["ECDSA_SHA_256"]}),
        ("ECC_NIST_P384", "SIGN_VERIFY", "secp384r1", {"signingAlgorithms": ["ECDSA_SHA_384"]}),
        ("ECC_NIST_P521", "SIGN_VERIFY", "secp521r1", {"signingAlgorithms": ["ECDSA_SHA_512"]}),
        ("ECC_SECG_P256K1", "SIGN_VERIFY", "secp256k1", {"signingAlgorithms": ["ECDSA_SHA_256"]}),
        ("ECC_NIST_P384", "KEY_AGREEMENT", "secp384r1", {"keyAgreementAlgorithms": ["ECDH"]}),
    ],
)
async def test_ecc_public_keys(
    client: httpx.AsyncClient, spec: str, usage: str, curve: str, algorithms: dict[str, list[str]]
) -> None:
    key = await create_key(client, spec, usage)
    found = await get_public_key(client, key["keyId"])
    public = load_der_public_key(unb64(found.pop("publicKey")))
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert public.curve.name == curve
    assert found == {
        "keyId": key["arn"],
        "keySpec": spec,
        "customerMasterKeySpec": spec,
        "keyUsage": usage,
        "encryptionAlgorithms": None,
        "signingAlgorithms": None,
        "keyAgreementAlgorithms": None,
        **algorithms,
    }


@pytest.mark.parametrize(
    ("usage", "algorithms"),
    [
        ("SIGN_VERIFY", {"signingAlgorithms": RSA_SIGNING}),
        ("ENCRYPT_DECRYPT", {"encryptionAlgorithms": ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]}),
    ],
)
async def test_rsa_public_keys(
    client: httpx.AsyncClient, usage: str, algorithms: dict[str, list[str]]
) -> None:
    key = await create_key(client, "RSA_2048", usage)
    found = await get_public_key(client, key["keyId"])
    der = unb64(found.pop("publicKey"))
    public = load_der_public_key(der)
    assert isinstance(public, rsa.RSAPublicKey)
    assert public.key_size == 2048
    assert public.public_numbers().e == 65537
    # Exactly SubjectPublicKeyInfo DER, nothing around it.
    assert public.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo) == der
    assert found == {
        "keyId": key["arn"],
        "keySpec": "RSA_2048",
        "customerMasterKeySpec": "RSA_2048",
        "keyUsage": usage,
        "encryptionAlgorithms": None,
        "signingAlgorithms": None,
        "keyAgreementAlgorithms": None,
        **algorithms,
    }


async def test_the_same_key_every_time_and_from_a_disabled_key(client: httpx.AsyncClient) -> None:
    key = await create_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    other = await create_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    first = (await get_public_key(client, key["keyId"]))["publicKey"]
    assert (await get_public_key(client, key["arn"]))["publicKey"] == first
    assert (await get_public_key(client, other["keyId"]))["publicKey"] != first
    await disable(client, key["keyId"])
    assert (await get_public_key(client, key["keyId"]))["publicKey"] == first


async def test_keys_without_a_public_key(client: httpx.AsyncClient) -> None:
    symmetric = await create_key(client, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")
    hmac_key = await create_key(client, "HMAC_384", "GENERATE_VERIFY_MAC")
    assert await failure(get_public_key(client, symmetric["keyId"])) == GraphQLFailure(
        "UnsupportedOperationException",
        f"{symmetric['arn']} key spec is SYMMETRIC_DEFAULT which is not valid for GetPublicKey.",
    )
    assert await failure(get_public_key(client, hmac_key["keyId"])) == GraphQLFailure(
        "InvalidKeyUsageException",
        f"{hmac_key['arn']} key usage is GENERATE_VERIFY_MAC which is not valid for GetPublicKey.",
    )


async def test_pending_deletion_and_missing_keys(client: httpx.AsyncClient) -> None:
    key = await create_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    await schedule_deletion(client, key["keyId"])
    assert await failure(get_public_key(client, key["keyId"])) == GraphQLFailure(
        "KMSInvalidStateException", f"{key['arn']} is pending deletion."
    )
    assert await failure(get_public_key(client, "not a key")) == GraphQLFailure(
        "NotFoundException", "Invalid keyId 'not a key'"
    )


async def test_grant_tokens(client: httpx.AsyncClient) -> None:
    key = await create_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    tokens = [f"token-{n}" for n in range(10)]
    assert (await get_public_key(client, key["keyId"], grantTokens=tokens))["keyId"] == key["arn"]
    error = await failure(get_public_key(client, key["keyId"], grantTokens=[*tokens, "eleventh"]))
    assert error.code == "ValidationException"
    assert "'grantTokens'" in error.message
