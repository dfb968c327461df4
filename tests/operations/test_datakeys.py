"""GenerateDataKey, GenerateDataKeyPair, their WithoutPlaintext variants and GenerateRandom through
the pipeline: data keys that Decrypt opens, key pairs whose halves match, AWS's errors."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_der_private_key,
    load_der_public_key,
)

from api.crypto.datakeys import (
    DataKeyPairSpec,
    DataKeySpec,
    GenerateDataKeyPairRequest,
    GenerateDataKeyRequest,
)
from api.crypto.encryption import DecryptRequest
from api.keys.model import Key, KeyUsage
from api.operations.datakeys import GenerateRandomRequest
from api.principals import Principal
from api.services import Services
from hsm import KeySpec
from tests.aws_messages import validation_message
from tests.operations.conftest import Invoke, created_key, refused

CONTEXT = {"purpose": "test"}


async def new_key(
    services: Services, root: Principal, spec: KeySpec = KeySpec.SYMMETRIC_DEFAULT
) -> Key:
    usage = KeyUsage.SIGN_VERIFY if spec is KeySpec.ECC_NIST_P256 else KeyUsage.ENCRYPT_DECRYPT
    return await created_key(services, root, key_spec=spec, key_usage=usage)


async def decrypted(call: Invoke, blob: bytes) -> bytes:
    opened = await call("Decrypt", DecryptRequest(ciphertext_blob=blob, encryption_context=CONTEXT))
    plaintext: bytes = opened.plaintext
    return plaintext


async def test_a_data_key_is_what_decrypt_recovers(
    call: Invoke, services: Services, root: Principal
) -> None:
    key = await new_key(services, root)
    made = await call(
        "GenerateDataKey",
        GenerateDataKeyRequest(
            key_id=key.key_id, key_spec=DataKeySpec.AES_256, encryption_context=CONTEXT
        ),
    )
    assert len(made.plaintext) == 32
    assert (made.key_id, made.key_material_id) == (key.arn, key.current_material_id)
    assert await decrypted(call, made.ciphertext_blob) == made.plaintext
    bare = await call(
        "GenerateDataKeyWithoutPlaintext",
        GenerateDataKeyRequest(key_id=key.key_id, number_of_bytes=64, encryption_context=CONTEXT),
    )
    assert not hasattr(bare, "plaintext")
    assert bare.key_id == key.arn
    assert len(await decrypted(call, bare.ciphertext_blob)) == 64


@pytest.mark.parametrize(
    "operation, request_type",
    [
        ("GenerateDataKey", GenerateDataKeyRequest),
        ("GenerateDataKeyWithoutPlaintext", GenerateDataKeyRequest),
    ],
)
async def test_data_key_size_refusals(
    call: Invoke, services: Services, root: Principal, operation: str, request_type: type
) -> None:
    key = await new_key(services, root)
    for members in ({}, {"key_spec": DataKeySpec.AES_128, "number_of_bytes": 16}):
        error = await refused(call(operation, request_type(key_id=key.key_id, **members)))
        assert (error.code, error.message) == (
            "ValidationException",
            "Please specify either number of bytes or key spec.",
        )
    for size, bound in ((0, "greater than or equal to 1"), (1025, "less than or equal to 1024")):
        error = await refused(
            call(operation, request_type(key_id=key.key_id, number_of_bytes=size))
        )
        assert error.message == (
            f"1 validation error detected: Value '{size}' at 'numberOfBytes' failed to satisfy "
            f"constraint: Member must have value {bound}"
        )


async def test_a_data_key_pair_opens_to_its_private_half(
    call: Invoke, services: Services, root: Principal
) -> None:
    key = await new_key(services, root)
    made = await call(
        "GenerateDataKeyPair",
        GenerateDataKeyPairRequest(
            key_id=key.key_id,
            key_pair_spec=DataKeyPairSpec.ECC_NIST_P384,
            encryption_context=CONTEXT,
        ),
    )
    assert (made.key_id, made.key_pair_spec) == (key.arn, DataKeyPairSpec.ECC_NIST_P384)
    private = load_der_private_key(made.private_key_plaintext, password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey) and private.curve.name == "secp384r1"
    spki = private.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    assert made.public_key == spki
    assert await decrypted(call, made.private_key_ciphertext_blob) == made.private_key_plaintext

    bare = await call(
        "GenerateDataKeyPairWithoutPlaintext",
        GenerateDataKeyPairRequest(
            key_id=key.key_id, key_pair_spec=DataKeyPairSpec.RSA_2048, encryption_context=CONTEXT
        ),
    )
    assert not hasattr(bare, "private_key_plaintext")
    public = load_der_public_key(bare.public_key)
    assert isinstance(public, rsa.RSAPublicKey) and public.key_size == 2048
    opened = load_der_private_key(
        await decrypted(call, bare.private_key_ciphertext_blob), password=None
    )
    assert opened.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo) == (
        bare.public_key
    )


async def test_the_parent_key_must_be_a_symmetric_encryption_key(
    call: Invoke, services: Services, root: Principal
) -> None:
    rsa_key = await new_key(services, root, KeySpec.RSA_2048)
    error = await refused(
        call(
            "GenerateDataKeyPair",
            GenerateDataKeyPairRequest(
                key_id=rsa_key.key_id, key_pair_spec=DataKeyPairSpec.ECC_NIST_P256
            ),
        )
    )
    assert (error.code, error.message) == (
        "InvalidKeyUsageException",
        "You cannot generate a data key with an asymmetric CMK",
    )
    signing = await new_key(services, root, KeySpec.ECC_NIST_P256)
    error = await refused(
        call(
            "GenerateDataKeyWithoutPlaintext",
            GenerateDataKeyRequest(key_id=signing.key_id, key_spec=DataKeySpec.AES_256),
        )
    )
    assert (error.code, error.message) == (
        "InvalidKeyUsageException",
        f"{signing.arn} key usage is SIGN_VERIFY which is not valid for "
        "GenerateDataKeyWithoutPlaintext.",
    )
    key = await new_key(services, root)
    dry = await refused(
        call(
            "GenerateDataKey",
            GenerateDataKeyRequest(key_id=key.key_id, key_spec=DataKeySpec.AES_256, dry_run=True),
        )
    )
    assert dry.code == "DryRunOperationException"
    eleven = ["t"] * 11
    tokens = await refused(
        call(
            "GenerateDataKey",
            GenerateDataKeyRequest(
                key_id=key.key_id, key_spec=DataKeySpec.AES_256, grant_tokens=eleven
            ),
        )
    )
    assert tokens.message == validation_message(
        "grantTokens", "have length less than or equal to 10", f"[{', '.join(eleven)}]"
    )


async def test_random_bytes(call: Invoke) -> None:
    drawn = [await call("GenerateRandom", GenerateRandomRequest(number_of_bytes=32)) for _ in "ab"]
    assert [len(response.plaintext) for response in drawn] == [32, 32]
    assert drawn[0].plaintext != drawn[1].plaintext
    assert (
        len((await call("GenerateRandom", GenerateRandomRequest(number_of_bytes=1024))).plaintext)
        == 1024
    )
    required = await refused(call("GenerateRandom", GenerateRandomRequest()))
    assert (required.code, required.message) == (
        "ValidationException",
        "NumberOfBytes is required.",
    )
    too_many = await refused(call("GenerateRandom", GenerateRandomRequest(number_of_bytes=1025)))
    assert too_many.message == (
        "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy "
        "constraint: Member must have value less than or equal to 1024"
    )
