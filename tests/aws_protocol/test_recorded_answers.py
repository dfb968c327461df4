"""Answers that must be AWS's as recorded against real AWS KMS (a comparison of keygraph with
responses recorded from AWS, not from an emulator), through both doors: the AWS door sends AWS's
code and message; GraphQL the same code and message, and where AWS's message is empty and the
reason helps no attacker, keygraph's explanation as ``extensions.detail``."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from tests.aws_protocol.conftest import AwsCall

# AWS's words, recorded: Decrypt naming a key that cannot be the ciphertext's (also documented
# under IncorrectKeyException in AWS's Decrypt and ReEncrypt API references).
INCORRECT_KEY = "The key ID in the request does not identify a CMK that can perform this operation."


async def graphql_error(client: httpx.AsyncClient, document: str, **variables: Any) -> Any:
    body = (await client.post("/graphql", json={"query": document, "variables": variables})).json()
    (error,) = body["errors"]
    return error


async def created(aws_call: AwsCall, **members: str) -> str:
    answer = await aws_call("CreateKey", members)
    key_id: str = answer.body["KeyMetadata"]["KeyId"]
    return key_id


async def test_decrypt_and_reencrypt_naming_an_hmac_key_is_an_incorrect_key(
    client: httpx.AsyncClient, aws_call: AwsCall
) -> None:
    symmetric = await created(aws_call)
    hmac_key = await created(aws_call, KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
    plaintext = base64.b64encode(b"secret").decode()
    blob = (await aws_call("Encrypt", {"KeyId": symmetric, "Plaintext": plaintext})).body[
        "CiphertextBlob"
    ]
    decrypted = await aws_call("Decrypt", {"CiphertextBlob": blob, "KeyId": hmac_key})
    assert decrypted.error == ("IncorrectKeyException", INCORRECT_KEY)
    reencrypted = await aws_call(
        "ReEncrypt",
        {"CiphertextBlob": blob, "SourceKeyId": hmac_key, "DestinationKeyId": symmetric},
    )
    assert reencrypted.error == ("IncorrectKeyException", INCORRECT_KEY)
    error = await graphql_error(
        client,
        "mutation($b: Base64!, $k: String!) { decrypt(input: {ciphertextBlob: $b, keyId: $k}) "
        "{ keyId } }",
        b=blob,
        k=hmac_key,
    )
    assert (error["extensions"]["code"], error["message"]) == decrypted.error


async def test_a_well_formed_multi_region_key_id_is_a_missing_key(
    client: httpx.AsyncClient, aws_call: AwsCall
) -> None:
    mrk = "mrk-" + "0123456789abcdef" * 2
    arn = f"arn:aws:kms:us-east-1:111122223333:key/{mrk}"
    expected = ("NotFoundException", f"Key '{arn}' does not exist")
    assert (await aws_call("DescribeKey", {"KeyId": mrk})).error == expected
    assert (await aws_call("DescribeKey", {"KeyId": arn})).error == expected
    error = await graphql_error(
        client,
        "query($k: String!) { describeKey(input: {keyId: $k}) { keyMetadata { arn } } }",
        k=mrk,
    )
    assert (error["extensions"]["code"], error["message"]) == expected


async def test_material_that_expires_needs_a_valid_to_in_aws_words(aws_call: AwsCall) -> None:
    answer = await aws_call(
        "ImportKeyMaterial",
        {
            "KeyId": await created(aws_call, Origin="EXTERNAL"),
            "ImportToken": base64.b64encode(b"t" * 16).decode(),
            "EncryptedKeyMaterial": base64.b64encode(b"m" * 32).decode(),
            "ExpirationModel": "KEY_MATERIAL_EXPIRES",
        },
    )
    assert answer.error == (
        "ValidationException",
        "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES",
    )


async def test_an_unusable_peer_key_has_aws_empty_message_and_keygraph_detail(
    client: httpx.AsyncClient, aws_call: AwsCall
) -> None:
    key_id = await created(aws_call, KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")
    junk = base64.b64encode(b"not a public key").decode()
    answer = await aws_call(
        "DeriveSharedSecret",
        {"KeyId": key_id, "KeyAgreementAlgorithm": "ECDH", "PublicKey": junk},
    )
    assert answer.error == ("ValidationException", "")
    error = await graphql_error(
        client,
        "mutation($k: String!, $p: Base64!) { deriveSharedSecret(input: {keyId: $k, "
        "keyAgreementAlgorithm: ECDH, publicKey: $p}) { keyId } }",
        k=key_id,
        p=junk,
    )
    assert (error["extensions"]["code"], error["message"]) == ("ValidationException", "")
    assert error["extensions"]["detail"] == (
        "The publicKey is not a DER-encoded SubjectPublicKeyInfo of a ECC_NIST_P256 key."
    )


async def test_rotating_an_asymmetric_key_on_demand_has_aws_empty_message(
    client: httpx.AsyncClient, aws_call: AwsCall
) -> None:
    key_id = await created(aws_call, KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    answer = await aws_call("RotateKeyOnDemand", {"KeyId": key_id})
    assert answer.error == ("UnsupportedOperationException", "")
    error = await graphql_error(
        client,
        "mutation($k: String!) { rotateKeyOnDemand(input: {keyId: $k}) { keyId } }",
        k=key_id,
    )
    assert (error["extensions"]["code"], error["message"]) == answer.error
    assert "non-symmetric key" in error["extensions"]["detail"]
    # EnableKeyRotation keeps AWS's worded refusal for the same key.
    enabling = await aws_call("EnableKeyRotation", {"KeyId": key_id})
    assert enabling.error[1].startswith("You cannot perform this operation on a non-symmetric key")


async def test_a_ciphertext_failure_says_nothing_more_anywhere(
    client: httpx.AsyncClient, aws_call: AwsCall
) -> None:
    junk = base64.b64encode(b"\x01" * 64).decode()
    answer = await aws_call("Decrypt", {"CiphertextBlob": junk})
    assert answer.error == ("InvalidCiphertextException", "")
    error = await graphql_error(
        client, "mutation($b: Base64!) { decrypt(input: {ciphertextBlob: $b}) { keyId } }", b=junk
    )
    assert error["extensions"] == {"code": "InvalidCiphertextException"}
    assert error["message"] == ""
