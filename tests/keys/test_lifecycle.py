"""createKey, describeKey, listKeys, enableKey, disableKey, updateKeyDescription over GraphQL."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.graphql_client import GraphQLFailure, gql

ARN = re.compile(r"^arn:aws:kms:us-east-1:111122223333:key/[0-9a-f-]{36}$")
METADATA = """
  keyId arn awsAccountId keyState enabled keySpec keyUsage origin description keyManager
  encryptionAlgorithms signingAlgorithms macAlgorithms keyAgreementAlgorithms
  currentKeyMaterialId creationDate multiRegion
"""
CREATE = f"""
mutation($input: CreateKeyInput) {{ createKey(input: $input) {{ keyMetadata {{ {METADATA} }} }} }}
"""
DESCRIBE = f"""
query($id: String!) {{ describeKey(input: {{keyId: $id}}) {{ keyMetadata {{ {METADATA} }} }} }}
"""


async def create_key(client: httpx.AsyncClient, **members: object) -> dict[str, object]:
    data = await gql(client, CREATE, {"input": members or None})
    metadata: dict[str, object] = data["createKey"]["keyMetadata"]
    return metadata


async def test_symmetric_key_by_default(client: httpx.AsyncClient) -> None:
    key = await create_key(client, description="payments")
    assert ARN.match(str(key["arn"]))
    assert key["keyState"] == "Enabled"
    assert key["enabled"] is True
    assert key["keySpec"] == "SYMMETRIC_DEFAULT"
    assert key["keyUsage"] == "ENCRYPT_DECRYPT"
    assert key["origin"] == "AWS_KMS"
    assert key["keyManager"] == "CUSTOMER"
    assert key["encryptionAlgorithms"] == ["SYMMETRIC_DEFAULT"]
    assert key["signingAlgorithms"] is None  # absent at AWS: the key does not sign
    assert re.fullmatch(r"[0-9a-f]{64}", str(key["currentKeyMaterialId"]))
    described = await gql(client, DESCRIBE, {"id": key["keyId"]})
    assert described["describeKey"]["keyMetadata"] == key


@pytest.mark.parametrize(
    ("spec", "usage", "field", "algorithms"),
    [
        ("RSA_2048", "SIGN_VERIFY", "signingAlgorithms", [
            "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
            "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384",
            "RSASSA_PKCS1_V1_5_SHA_512"]),
        ("RSA_2048", "ENCRYPT_DECRYPT", "encryptionAlgorithms",
         ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]),
        ("ECC_NIST_P256", "SIGN_VERIFY", "signingAlgorithms", ["ECDSA_SHA_256"]),
        ("ECC_NIST_P384", "SIGN_VERIFY", "signingAlgorithms", ["ECDSA_SHA_384"]),
        ("ECC_NIST_P521", "SIGN_VERIFY", "signingAlgorithms", ["ECDSA_SHA_512"]),
        ("ECC_SECG_P256K1", "SIGN_VERIFY", "signingAlgorithms", ["ECDSA_SHA_256"]),
        ("ECC_NIST_P256", "KEY_AGREEMENT", "keyAgreementAlgorithms", ["ECDH"]),
        ("HMAC_224", "GENERATE_VERIFY_MAC", "macAlgorithms", ["HMAC_SHA_224"]),
        ("HMAC_256", "GENERATE_VERIFY_MAC", "macAlgorithms", ["HMAC_SHA_256"]),
        ("HMAC_384", "GENERATE_VERIFY_MAC", "macAlgorithms", ["HMAC_SHA_384"]),
        ("HMAC_512", "GENERATE_VERIFY_MAC", "macAlgorithms", ["HMAC_SHA_512"]),
    ],
)  # fmt: skip
async def test_every_spec_and_usage(
    client: httpx.AsyncClient, spec: str, usage: str, field: str, algorithms: list[str]
) -> None:
    key = await create_key(client, keySpec=spec, keyUsage=usage)
    assert (key["keySpec"], key["keyUsage"], key["keyState"]) == (spec, usage, "Enabled")
    assert key[field] == algorithms


async def test_asymmetric_and_hmac_specs_need_a_usage(client: httpx.AsyncClient) -> None:
    for spec in ("RSA_2048", "ECC_NIST_P256", "HMAC_256"):
        with pytest.raises(GraphQLFailure) as raised:
            await create_key(client, keySpec=spec)
        assert raised.value == GraphQLFailure(
            "ValidationException",
            "You must specify a KeyUsage value for all KMS keys except for symmetric "
            "encryption keys.",
        )


async def test_usage_must_fit_the_spec(client: httpx.AsyncClient) -> None:
    with pytest.raises(GraphQLFailure) as raised:
        await create_key(client, keySpec="HMAC_256", keyUsage="ENCRYPT_DECRYPT")
    assert raised.value.code == "ValidationException"


async def test_external_keys_start_pending_import_without_material(
    client: httpx.AsyncClient,
) -> None:
    key = await create_key(client, origin="EXTERNAL")
    assert key["keyState"] == "PendingImport"
    assert key["currentKeyMaterialId"] is None


async def test_disable_enable_and_describe(client: httpx.AsyncClient) -> None:
    key_id = (await create_key(client))["keyId"]
    change = """
    mutation($id: String!) {
      disableKey(input: {keyId: $id}) { keyMetadata { keyState enabled } }
    }"""
    data = await gql(client, change, {"id": key_id})
    assert data["disableKey"]["keyMetadata"] == {"keyState": "Disabled", "enabled": False}
    data = await gql(client, change.replace("disableKey", "enableKey"), {"id": key_id})
    assert data["enableKey"]["keyMetadata"] == {"keyState": "Enabled", "enabled": True}


async def test_update_description(client: httpx.AsyncClient) -> None:
    key_id = (await create_key(client, description="before"))["keyId"]
    data = await gql(
        client,
        """mutation($id: String!) { updateKeyDescription(input: {keyId: $id, description: "after"})
           { keyMetadata { description } } }""",
        {"id": key_id},
    )
    assert data["updateKeyDescription"]["keyMetadata"]["description"] == "after"
    with pytest.raises(GraphQLFailure) as raised:
        await gql(
            client,
            "mutation($id: String!, $d: String!) { updateKeyDescription("
            "input: {keyId: $id, description: $d}) { keyMetadata { arn } } }",
            {"id": key_id, "d": "x" * 8193},
        )
    assert raised.value.code == "ValidationException"


@pytest.mark.parametrize(
    ("key_id", "message"),
    [
        ("not-a-key", "Invalid keyId 'not-a-key'"),
        ("arn:aws:kms:us-east-1:111122223333:key/xyz",
         "Invalid keyId 'arn:aws:kms:us-east-1:111122223333:key/xyz'"),
        ("1234abcd-12ab-34cd-56ef-1234567890ab",
         "Key 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' "
         "does not exist"),
        ("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
         "Key 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' "
         "does not exist"),
        ("alias/missing", "Alias arn:aws:kms:us-east-1:111122223333:alias/missing is not found."),
        ("arn:aws:kms:us-east-1:111122223333:alias/missing",
         "Alias arn:aws:kms:us-east-1:111122223333:alias/missing is not found."),
    ],
)  # fmt: skip
async def test_malformed_and_absent_key_ids(
    client: httpx.AsyncClient, key_id: str, message: str
) -> None:
    with pytest.raises(GraphQLFailure) as raised:
        await gql(client, DESCRIBE, {"id": key_id})
    assert raised.value == GraphQLFailure("NotFoundException", message)


async def test_key_arn_is_accepted(client: httpx.AsyncClient) -> None:
    key = await create_key(client)
    described = await gql(client, DESCRIBE, {"id": key["arn"]})
    assert described["describeKey"]["keyMetadata"]["keyId"] == key["keyId"]


async def test_list_keys_pages_through_every_key(client: httpx.AsyncClient) -> None:
    created = {str((await create_key(client))["keyId"]) for _ in range(5)}
    seen: list[str] = []
    marker = None
    pages = 0
    while True:
        data = await gql(
            client,
            """query($marker: String) { listKeys(input: {limit: 2, marker: $marker})
               { keys { keyId keyArn } nextMarker truncated } }""",
            {"marker": marker},
        )
        page = data["listKeys"]
        pages += 1
        assert len(page["keys"]) <= 2
        seen += [entry["keyId"] for entry in page["keys"]]
        assert page["truncated"] == (page["nextMarker"] is not None)
        if not page["truncated"]:
            break
        marker = page["nextMarker"]
    assert set(seen) == created
    assert len(seen) == len(created)
    assert pages == 3


async def test_list_keys_limit_range(client: httpx.AsyncClient) -> None:
    for limit in (0, 1001):
        with pytest.raises(GraphQLFailure) as raised:
            await gql(
                client,
                "query($l: Int) { listKeys(input: {limit: $l}) { truncated } }",
                {"l": limit},
            )
        assert raised.value.code == "ValidationException"
