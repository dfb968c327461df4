"""Encrypt, Decrypt and ReEncrypt through the pipeline: round trips, AWS's validation words,
and the key ARN in every answer."""

from __future__ import annotations

import pytest

from api.crypto.encryption import DecryptRequest, EncryptRequest, ReEncryptRequest
from api.errors import InvalidCiphertextException, ValidationException
from api.keys.model import EncryptionAlgorithmSpec
from api.operations.keys import CreateKeyRequest
from tests.aws_messages import validation_message
from tests.operations.conftest import Invoke

CONTEXT = {"tenant": "acme"}


async def new_key_arn(call: Invoke) -> str:
    created = await call("CreateKey", CreateKeyRequest())
    arn: str = created.key_metadata.arn
    return arn


async def test_encrypt_then_decrypt_with_the_context(call: Invoke) -> None:
    arn = await new_key_arn(call)
    encrypted = await call(
        "Encrypt", EncryptRequest(key_id=arn, plaintext=b"hello", encryption_context=CONTEXT)
    )
    assert encrypted.key_id == arn
    assert encrypted.encryption_algorithm is EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT
    decrypted = await call(
        "Decrypt",
        DecryptRequest(ciphertext_blob=encrypted.ciphertext_blob, encryption_context=CONTEXT),
    )
    assert (decrypted.plaintext, decrypted.key_id) == (b"hello", arn)
    with pytest.raises(InvalidCiphertextException):
        await call("Decrypt", DecryptRequest(ciphertext_blob=encrypted.ciphertext_blob))


async def test_re_encrypt_moves_the_ciphertext_to_another_key(call: Invoke) -> None:
    source, destination = await new_key_arn(call), await new_key_arn(call)
    blob = (await call("Encrypt", EncryptRequest(key_id=source, plaintext=b"x"))).ciphertext_blob
    moved = await call(
        "ReEncrypt", ReEncryptRequest(ciphertext_blob=blob, destination_key_id=destination)
    )
    assert (moved.source_key_id, moved.key_id) == (source, destination)
    decrypted = await call("Decrypt", DecryptRequest(ciphertext_blob=moved.ciphertext_blob))
    assert (decrypted.plaintext, decrypted.key_id) == (b"x", destination)


async def test_a_key_id_longer_than_aws_allows_is_a_validation_error(call: Invoke) -> None:
    long_id = "k" * 3000
    with pytest.raises(ValidationException) as raised:
        await call("Encrypt", EncryptRequest(key_id=long_id, plaintext=b"x"))
    assert raised.value.message == validation_message(
        "keyId", "have length less than or equal to 2048", long_id
    )


async def test_every_violated_constraint_is_named_at_once(call: Invoke) -> None:
    with pytest.raises(ValidationException) as raised:
        await call("Encrypt", EncryptRequest(key_id="", plaintext=b"", grant_tokens=["t"] * 11))
    assert raised.value.message == (
        "3 validation errors detected: "
        "Value '' at 'keyId' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; "
        "Value at 'plaintext' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; "
        "Value '[t, t, t, t, t, t, t, t, t, t, t]' at 'grantTokens' failed to satisfy constraint: "
        "Member must have length less than or equal to 10"
    )
