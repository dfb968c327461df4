"""Ed25519 keys (ECC_NIST_EDWARDS25519) over GraphQL, and their private halves on the token.

AWS's rules, from the KMS API reference (botocore 1.44.18's model carries the same text):
- CreateKey, KeySpec: "ECC_NIST_EDWARDS25519 (ed25519) - signing and verification only"
  https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html#KMS-CreateKey-request-KeySpec
- Sign, MessageType: "ED25519_SHA_512 signing algorithm requires KMS MessageType:RAW;
  ED25519_PH_SHA_512 signing algorithm requires KMS MessageType:DIGEST", and with DIGEST "KMS
  still performs the SHA-512 prehash" https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html
- GetPublicKey returns the DER SubjectPublicKeyInfo
  https://docs.aws.amazon.com/kms/latest/APIReference/API_GetPublicKey.html
The refusal of a wrong MessageType was recorded against AWS KMS (ap-northeast-1) in
https://github.com/floci-io/floci/issues/2924 ("ValidationException: Message type RAW is
incompatible ..."); the full words are those api.messages.MESSAGE_TYPE_INCOMPATIBLE keeps.
"""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from pkcs11 import Attribute, KeyType, ObjectClass

from hsm import Hsm, KeySpec, MessageType, SigningAlgorithm
from tests.crypto.asymmetric import create_key, failure, get_public_key, public_key, unb64
from tests.crypto.test_signing import sign, verify
from tests.graphql_client import GraphQLFailure, gql

SPEC = "ECC_NIST_EDWARDS25519"
MESSAGE = b"pay 100 to alice"
# RFC 8410: SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (32 bytes) }
SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")
DESCRIBE = """
query($id: String!) {
  describeKey(input: {keyId: $id}) {
    keyMetadata { keySpec customerMasterKeySpec keyUsage signingAlgorithms }
  }
}
"""


async def ed25519_key(client: httpx.AsyncClient) -> dict[str, str]:
    return await create_key(client, SPEC, "SIGN_VERIFY")


async def test_describe_and_get_public_key_name_the_spec_and_both_algorithms(
    client: httpx.AsyncClient,
) -> None:
    key = await ed25519_key(client)
    data = await gql(client, DESCRIBE, {"id": key["keyId"]})
    assert data["describeKey"]["keyMetadata"] == {
        "keySpec": SPEC,
        # AWS's CustomerMasterKeySpec enum has no Ed25519 value: absent, not a made-up one.
        "customerMasterKeySpec": None,
        "keyUsage": "SIGN_VERIFY",
        "signingAlgorithms": ["ED25519_SHA_512", "ED25519_PH_SHA_512"],
    }
    found = await get_public_key(client, key["keyId"])
    assert found["keySpec"] == SPEC
    assert found["signingAlgorithms"] == ["ED25519_SHA_512", "ED25519_PH_SHA_512"]
    der = unb64(found["publicKey"])
    assert len(der) == 44 and der.startswith(SPKI_PREFIX)


@pytest.mark.parametrize("usage", ["ENCRYPT_DECRYPT", "KEY_AGREEMENT", "GENERATE_VERIFY_MAC"])
async def test_only_sign_verify_is_a_usage_of_ed25519(
    client: httpx.AsyncClient, usage: str
) -> None:
    error = await failure(create_key(client, SPEC, usage))
    assert error == GraphQLFailure(
        "ValidationException", f"KeyUsage {usage} is not compatible with KeySpec {SPEC}"
    )


async def test_raw_signatures_verify_offline_and_through_keygraph(
    client: httpx.AsyncClient,
) -> None:
    key = await ed25519_key(client)
    public = await public_key(client, key["keyId"])
    assert isinstance(public, ed25519.Ed25519PublicKey)
    signature = await sign(client, key["keyId"], MESSAGE, "ED25519_SHA_512")
    assert len(signature) == 64
    public.verify(signature, MESSAGE)  # RFC 8032 PureEdDSA, as any relying party checks it
    # Ed25519 is deterministic: the same message gives the same signature.
    assert await sign(client, key["keyId"], MESSAGE, "ED25519_SHA_512") == signature
    verified = await verify(client, key["keyId"], MESSAGE, signature, "ED25519_SHA_512")
    assert verified["signatureValid"] is True
    tampered = bytes([signature[0] ^ 1]) + signature[1:]
    error = await failure(verify(client, key["keyId"], MESSAGE, tampered, "ED25519_SHA_512"))
    assert error.code == "KMSInvalidSignatureException"
    error = await failure(
        verify(client, key["keyId"], MESSAGE + b"!", signature, "ED25519_SHA_512")
    )
    assert error.code == "KMSInvalidSignatureException"


@pytest.mark.parametrize(
    ("algorithm", "message_type", "message"),
    [
        ("ED25519_SHA_512", "DIGEST", hashlib.sha512(MESSAGE).digest()),
        ("ED25519_PH_SHA_512", "RAW", MESSAGE),
    ],
)
async def test_each_algorithm_takes_its_one_message_type(
    client: httpx.AsyncClient, algorithm: str, message_type: str, message: bytes
) -> None:
    key = await ed25519_key(client)
    expected = GraphQLFailure(
        "ValidationException",
        f"Message type {message_type} is incompatible with algorithm {algorithm}.",
    )
    assert (
        await failure(sign(client, key["keyId"], message, algorithm, messageType=message_type))
        == expected
    )
    assert (
        await failure(
            verify(client, key["keyId"], message, bytes(64), algorithm, messageType=message_type)
        )
        == expected
    )


async def test_algorithms_of_other_specs_are_refused_both_ways(client: httpx.AsyncClient) -> None:
    key = await ed25519_key(client)
    assert await failure(sign(client, key["keyId"], MESSAGE, "ECDSA_SHA_256")) == GraphQLFailure(
        "InvalidKeyUsageException",
        f"Algorithm ECDSA_SHA_256 is incompatible with key spec {SPEC}.",
    )
    p256 = await create_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    assert await failure(sign(client, p256["keyId"], MESSAGE, "ED25519_SHA_512")) == (
        GraphQLFailure(
            "InvalidKeyUsageException",
            "Algorithm ED25519_SHA_512 is incompatible with key spec ECC_NIST_P256.",
        )
    )


async def test_ed25519ph_digest_length_then_the_token_s_refusal(
    client: httpx.AsyncClient, hsm: Hsm
) -> None:
    """SoftHSM 2.6.1 ignores CK_EDDSA_PARAMS.phFlag (it signs PureEdDSA), so keygraph refuses
    Ed25519ph there rather than hand out a signature no Ed25519ph verifier accepts."""
    assert not hsm.capabilities.eddsa_prehash
    key = await ed25519_key(client)
    short = await failure(
        sign(client, key["keyId"], bytes(32), "ED25519_PH_SHA_512", messageType="DIGEST")
    )
    assert short == GraphQLFailure(
        "ValidationException", "Digest is invalid length for algorithm ED25519_PH_SHA_512."
    )
    digest = hashlib.sha512(MESSAGE).digest()
    for operation in (
        sign(client, key["keyId"], digest, "ED25519_PH_SHA_512", messageType="DIGEST"),
        verify(client, key["keyId"], digest, bytes(64), "ED25519_PH_SHA_512", messageType="DIGEST"),
    ):
        error = await failure(operation)
        assert error.code == "UnsupportedOperationException"
        assert "ED25519_PH_SHA_512" in error.message


async def test_the_private_key_is_a_sensitive_token_object_destroyed_with_the_key(
    hsm: Hsm, hsm_inspector: Any
) -> None:
    key = await hsm.generate_key(KeySpec.ECC_NIST_EDWARDS25519)
    template = {
        Attribute.CLASS: ObjectClass.PRIVATE_KEY,
        Attribute.KEY_TYPE: KeyType.EC_EDWARDS,
        Attribute.ID: key.material,
    }
    (stored,) = hsm_inspector.get_objects(template)
    assert stored[Attribute.TOKEN] and stored[Attribute.SENSITIVE]
    assert not stored[Attribute.EXTRACTABLE]
    signature = await hsm.sign(key, MESSAGE, SigningAlgorithm.ED25519_SHA_512, MessageType.RAW)
    await hsm.verify(key, MESSAGE, signature, SigningAlgorithm.ED25519_SHA_512)
    await hsm.destroy_key(key)
    assert list(hsm_inspector.get_objects(template)) == []
    await hsm.destroy_key(key)  # already gone: nothing to do
