"""GetParametersForImport, ImportKeyMaterial and DeleteImportedKeyMaterial through the pipeline:
material wrapped with ``cryptography`` as a customer would, a key that then encrypts and decrypts,
a token that works once, deleted material that only the same material brings back, AWS's errors."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from api.crypto.encryption import DecryptRequest, EncryptRequest
from api.keys.imports import WrappingKeySpec
from api.keys.model import ExpirationModel, KeyState, Origin
from api.operations.imports import (
    DeleteImportedKeyMaterialRequest,
    GetParametersForImportRequest,
    ImportKeyMaterialRequest,
)
from api.principals import Principal
from api.services import Services
from hsm import WrappingAlgorithm
from tests.aws_messages import validation_message
from tests.operations.conftest import Invoke, created_key, refused

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
OAEP_SHA_256 = WrappingAlgorithm.RSAES_OAEP_SHA_256


@pytest.fixture(autouse=True)
def fixed_clock(services: Services) -> None:
    services.clock = lambda: NOW


async def new_key(services: Services, root: Principal, origin: Origin = Origin.EXTERNAL) -> str:
    return (await created_key(services, root, origin=origin)).key_id


def wrap(material: bytes, public_key: bytes) -> bytes:
    """What a customer does with the parameters: RSAES_OAEP_SHA_256 under the import key."""
    public = serialization.load_der_public_key(public_key)
    assert isinstance(public, rsa.RSAPublicKey)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    return public.encrypt(material, oaep)


async def import_request(
    call: Invoke, key_id: str, material: bytes, **members: Any
) -> ImportKeyMaterialRequest:
    given = await call(
        "GetParametersForImport",
        GetParametersForImportRequest(
            key_id=key_id,
            wrapping_algorithm=OAEP_SHA_256,
            wrapping_key_spec=WrappingKeySpec.RSA_2048,
        ),
    )
    members.setdefault("expiration_model", ExpirationModel.KEY_MATERIAL_DOES_NOT_EXPIRE)
    return ImportKeyMaterialRequest(
        key_id=key_id,
        import_token=given.import_token,
        encrypted_key_material=wrap(material, given.public_key),
        **members,
    )


async def test_parameters_are_a_token_and_an_rsa_public_key_for_a_day(
    call: Invoke, services: Services, root: Principal
) -> None:
    key_id = await new_key(services, root)
    given = await call(
        "GetParametersForImport",
        GetParametersForImportRequest(
            key_id=key_id,
            wrapping_algorithm=OAEP_SHA_256,
            wrapping_key_spec=WrappingKeySpec.RSA_3072,
        ),
    )
    assert given.key_id.startswith("arn:aws:kms:") and given.key_id.endswith(f":key/{key_id}")
    public = serialization.load_der_public_key(given.public_key)
    assert isinstance(public, rsa.RSAPublicKey) and public.key_size == 3072
    assert len(given.import_token) == 32
    assert given.parameters_valid_to == NOW + timedelta(hours=24)
    assert "import_token" not in repr(given)  # a bearer secret, never shown


async def test_imported_material_encrypts_and_a_token_works_once(
    call: Invoke, services: Services, root: Principal
) -> None:
    key_id = await new_key(services, root)
    request = await import_request(call, key_id, os.urandom(32))
    imported = await call("ImportKeyMaterial", request)
    assert imported.key_id == imported.key_metadata.arn
    assert imported.key_metadata.key_state is KeyState.ENABLED
    assert imported.key_metadata.expiration_model is ExpirationModel.KEY_MATERIAL_DOES_NOT_EXPIRE
    assert len(imported.key_material_id) == 64
    assert imported.key_material_id == imported.key_metadata.current_key_material_id

    sealed = await call("Encrypt", EncryptRequest(key_id=key_id, plaintext=b"imported"))
    opened = await call("Decrypt", DecryptRequest(ciphertext_blob=sealed.ciphertext_blob))
    assert opened.plaintext == b"imported"

    error = await refused(call("ImportKeyMaterial", request))
    assert (error.code, error.message) == (
        "InvalidImportTokenException",
        "The import token is not valid for this KMS key.",
    )


async def test_deleted_material_comes_back_only_as_the_same_material(
    call: Invoke, services: Services, root: Principal
) -> None:
    key_id = await new_key(services, root)
    material = os.urandom(32)
    imported = await call("ImportKeyMaterial", await import_request(call, key_id, material))

    deleted = await call(
        "DeleteImportedKeyMaterial", DeleteImportedKeyMaterialRequest(key_id=key_id)
    )
    assert deleted.key_metadata.key_state is KeyState.PENDING_IMPORT
    assert deleted.key_material_id == imported.key_material_id
    assert deleted.key_id == imported.key_id

    other = await import_request(call, key_id, os.urandom(32))
    error = await refused(call("ImportKeyMaterial", other))
    assert error.code == "IncorrectKeyMaterialException"
    again = await call("ImportKeyMaterial", await import_request(call, key_id, material))
    assert again.key_metadata.key_state is KeyState.ENABLED
    assert again.key_material_id == imported.key_material_id


async def test_expiring_material_needs_a_valid_to(
    call: Invoke, services: Services, root: Principal
) -> None:
    key_id = await new_key(services, root)
    request = await import_request(
        call, key_id, os.urandom(32), expiration_model=ExpirationModel.KEY_MATERIAL_EXPIRES
    )
    error = await refused(call("ImportKeyMaterial", request))
    assert (error.code, error.message) == (
        "ValidationException",
        "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES",
    )
    valid_to = NOW + timedelta(days=30)
    expiring = await call(
        "ImportKeyMaterial",
        await import_request(
            call,
            key_id,
            os.urandom(32),
            expiration_model=ExpirationModel.KEY_MATERIAL_EXPIRES,
            valid_to=valid_to,
        ),
    )
    assert expiring.key_metadata.valid_to == valid_to


async def test_only_external_keys_take_imports(
    call: Invoke, services: Services, root: Principal
) -> None:
    key_id = await new_key(services, root, Origin.AWS_KMS)
    error = await refused(
        call("DeleteImportedKeyMaterial", DeleteImportedKeyMaterialRequest(key_id=key_id))
    )
    assert error.code == "UnsupportedOperationException"
    assert error.message.endswith("origin is AWS_KMS which is not valid for this operation.")


async def test_members_out_of_the_model_are_refused_in_aws_words(
    call: Invoke, services: Services, root: Principal
) -> None:
    key_id = await new_key(services, root)
    request = ImportKeyMaterialRequest(
        key_id=key_id,
        import_token=os.urandom(32),
        encrypted_key_material=b"",
        expiration_model=ExpirationModel.KEY_MATERIAL_DOES_NOT_EXPIRE,
    )
    error = await refused(call("ImportKeyMaterial", request))
    assert (error.code, error.message) == (
        "ValidationException",
        validation_message(
            "encryptedKeyMaterial",
            "have length greater than or equal to 1",
            "java.nio.HeapByteBuffer[pos=0 lim=0 cap=0]",
        ),
    )
    long_id = "k" * 3000
    error = await refused(
        call(
            "GetParametersForImport",
            GetParametersForImportRequest(
                key_id=long_id,
                wrapping_algorithm=OAEP_SHA_256,
                wrapping_key_spec=WrappingKeySpec.RSA_2048,
            ),
        )
    )
    assert (error.code, error.message) == (
        "ValidationException",
        validation_message("keyId", "have length less than or equal to 2048", long_id),
    )
