"""getParametersForImport, importKeyMaterial, deleteImportedKeyMaterial and the expiry job.

The material is generated and wrapped here with ``cryptography``, as a customer would; that keygraph
holds exactly that material is shown by encrypting under the stored (domain-wrapped) material in
the HSM and decrypting locally with the 32 bytes, and the other way round. (keygraph's Encrypt is
issue 5; the HSM is what it will call.)
"""

from __future__ import annotations

import asyncio
import base64
import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding

from api.jobs import ImportExpiryJob
from api.services import Services
from db import keys as key_rows
from hsm import KeySpec, WrappedKey
from tests.aws_messages import validation_message
from tests.database_dump import database_dump
from tests.graphql_client import GraphQLFailure, gql, gql_failure

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
ARN_PREFIX = "arn:aws:kms:us-east-1:111122223333:key/"
METADATA = "keyId arn keyState enabled origin expirationModel validTo currentKeyMaterialId"
CREATE = f"""
mutation($input: CreateKeyInput) {{ createKey(input: $input) {{ keyMetadata {{ {METADATA} }} }} }}
"""
DESCRIBE = f"""
query($id: String!) {{ describeKey(input: {{keyId: $id}}) {{ keyMetadata {{ {METADATA} }} }} }}
"""
PARAMETERS = """
query($id: String!, $algorithm: AlgorithmSpec!, $spec: WrappingKeySpec!) {
  getParametersForImport(input: {keyId: $id, wrappingAlgorithm: $algorithm,
                                 wrappingKeySpec: $spec}) {
    keyId importToken publicKey parametersValidTo
  }
}
"""
IMPORT = f"""
mutation($input: ImportKeyMaterialInput!) {{
  importKeyMaterial(input: $input) {{ keyId keyMaterialId keyMetadata {{ {METADATA} }} }}
}}
"""
DELETE = f"""
mutation($id: String!) {{
  deleteImportedKeyMaterial(input: {{keyId: $id}}) {{
    keyId keyMaterialId keyMetadata {{ {METADATA} }}
  }}
}}
"""


@pytest.fixture
def clock(services: Services) -> Callable[[datetime], None]:
    """Sets the service's time (no sleeping)."""

    def set_time(when: datetime) -> None:
        services.clock = lambda: when

    set_time(NOW)
    return set_time


async def external_key(client: httpx.AsyncClient) -> dict[str, Any]:
    data = await gql(client, CREATE, {"input": {"origin": "EXTERNAL"}})
    key: dict[str, Any] = data["createKey"]["keyMetadata"]
    return key


async def parameters(
    client: httpx.AsyncClient,
    key_id: str,
    algorithm: str = "RSAES_OAEP_SHA_256",
    spec: str = "RSA_2048",
) -> dict[str, Any]:
    data = await gql(client, PARAMETERS, {"id": key_id, "algorithm": algorithm, "spec": spec})
    result: dict[str, Any] = data["getParametersForImport"]
    return result


def wrap(material: bytes, public_key_b64: str, algorithm: str) -> str:
    """What a customer does with the parameters (AWS's wrapping algorithms)."""
    public = serialization.load_der_public_key(base64.b64decode(public_key_b64))
    assert isinstance(public, rsa.RSAPublicKey)
    sha1 = algorithm.endswith("SHA_1")
    digest: hashes.HashAlgorithm = hashes.SHA1() if sha1 else hashes.SHA256()  # noqa: S303 - AWS's
    oaep = padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)
    if algorithm.startswith("RSA_AES_KEY_WRAP"):
        ephemeral = os.urandom(32)
        wrapped = public.encrypt(ephemeral, oaep) + aes_key_wrap_with_padding(ephemeral, material)
    else:
        wrapped = public.encrypt(material, oaep)
    return base64.b64encode(wrapped).decode("ascii")


def import_input(
    key_id: str,
    token: str,
    encrypted: str,
    expiration_model: str | None = "KEY_MATERIAL_DOES_NOT_EXPIRE",
    **members: Any,
) -> dict[str, Any]:
    """IMPORT's variables; ``expiration_model`` None leaves the member out."""
    given = {"keyId": key_id, "importToken": token, "encryptedKeyMaterial": encrypted}
    if expiration_model is not None:
        given["expirationModel"] = expiration_model
    return {"input": {**given, **members}}


def wrapped_import(
    key_id: str,
    given: dict[str, Any],
    material: bytes,
    algorithm: str = "RSAES_OAEP_SHA_256",
    **members: Any,
) -> dict[str, Any]:
    """IMPORT's variables for ``material`` wrapped as the parameters ``given`` ask."""
    wrapped = wrap(material, given["publicKey"], algorithm)
    return import_input(key_id, given["importToken"], wrapped, **members)


async def import_material(
    client: httpx.AsyncClient,
    key_id: str,
    material: bytes,
    algorithm: str = "RSAES_OAEP_SHA_256",
    **members: Any,
) -> dict[str, Any]:
    given = await parameters(client, key_id, algorithm)
    data = await gql(client, IMPORT, wrapped_import(key_id, given, material, algorithm, **members))
    result: dict[str, Any] = data["importKeyMaterial"]
    return result


async def described(client: httpx.AsyncClient, key_id: str) -> dict[str, Any]:
    data = await gql(client, DESCRIBE, {"id": key_id})
    metadata: dict[str, Any] = data["describeKey"]["keyMetadata"]
    return metadata


async def assert_holds(services: Services, metadata: dict[str, Any], material: bytes) -> None:
    """The key's stored material is ``material``: HSM-sealed data opens locally and vice versa."""
    async with services.pool.acquire() as conn:
        row = await key_rows.find_material(
            conn, uuid.UUID(metadata["keyId"]), metadata["currentKeyMaterialId"]
        )
    assert row is not None and row.rotation_type == "IMPORTED"
    stored = WrappedKey(KeySpec.SYMMETRIC_DEFAULT, row.wrapped)
    plaintext, aad = os.urandom(100), b"import test"
    sealed = await services.hsm.encrypt(stored, plaintext, aad)
    assert AESGCM(material).decrypt(sealed.iv, sealed.ciphertext, aad) == plaintext
    iv = os.urandom(12)
    local = AESGCM(material).encrypt(iv, plaintext, aad)
    assert await services.hsm.decrypt(stored, type(sealed)(iv=iv, ciphertext=local), aad) == (
        plaintext
    )


@pytest.mark.parametrize(
    "algorithm",
    [
        "RSAES_OAEP_SHA_1",
        "RSAES_OAEP_SHA_256",
        "RSA_AES_KEY_WRAP_SHA_1",
        "RSA_AES_KEY_WRAP_SHA_256",
    ],
)
async def test_imported_material_is_the_material_given(
    client: httpx.AsyncClient,
    services: Services,
    clock: Callable[[datetime], None],
    algorithm: str,
) -> None:
    key = await external_key(client)
    assert key["keyState"] == "PendingImport"
    assert key["currentKeyMaterialId"] is None
    material = os.urandom(32)
    valid_to = NOW + timedelta(days=30)
    result = await import_material(
        client,
        key["keyId"],
        material,
        algorithm,
        expirationModel="KEY_MATERIAL_EXPIRES",
        validTo=valid_to.isoformat(),
    )
    metadata = result["keyMetadata"]
    assert result["keyId"] == key["arn"]
    assert result["keyMaterialId"] == metadata["currentKeyMaterialId"]
    assert metadata["keyState"] == "Enabled" and metadata["enabled"] is True
    assert metadata["expirationModel"] == "KEY_MATERIAL_EXPIRES"
    assert datetime.fromisoformat(metadata["validTo"]) == valid_to
    assert await described(client, key["keyId"]) == metadata
    await assert_holds(services, metadata, material)


@pytest.mark.parametrize(("spec", "bits"), [("RSA_2048", 2048), ("RSA_3072", 3072)])
async def test_parameters(
    client: httpx.AsyncClient, clock: Callable[[datetime], None], spec: str, bits: int
) -> None:
    key = await external_key(client)
    given = await parameters(client, key["keyId"], "RSA_AES_KEY_WRAP_SHA_256", spec)
    assert given["keyId"] == key["arn"]
    assert datetime.fromisoformat(given["parametersValidTo"]) == NOW + timedelta(hours=24)
    public = serialization.load_der_public_key(base64.b64decode(given["publicKey"]))
    assert isinstance(public, rsa.RSAPublicKey) and public.key_size == bits
    again = await parameters(client, key["keyId"], "RSA_AES_KEY_WRAP_SHA_256", spec)
    assert again["importToken"] != given["importToken"]
    assert again["publicKey"] != given["publicKey"]


async def test_rsa_4096_wrapping_key(
    client: httpx.AsyncClient, services: Services, clock: Callable[[datetime], None]
) -> None:
    key = await external_key(client)
    given = await parameters(client, key["keyId"], "RSAES_OAEP_SHA_1", "RSA_4096")
    public = serialization.load_der_public_key(base64.b64decode(given["publicKey"]))
    assert isinstance(public, rsa.RSAPublicKey) and public.key_size == 4096
    material = os.urandom(32)
    data = await gql(
        client,
        IMPORT,
        wrapped_import(key["keyId"], given, material, "RSAES_OAEP_SHA_1"),
    )
    await assert_holds(services, data["importKeyMaterial"]["keyMetadata"], material)


async def test_a_token_works_once(
    client: httpx.AsyncClient, clock: Callable[[datetime], None]
) -> None:
    key = await external_key(client)
    given = await parameters(client, key["keyId"])
    material = os.urandom(32)
    variables = wrapped_import(key["keyId"], given, material)
    await gql(client, IMPORT, variables)
    assert await gql_failure(client, IMPORT, variables) == GraphQLFailure(
        "InvalidImportTokenException", "The import token is not valid for this KMS key."
    )


async def test_a_token_expires_after_24_hours(
    client: httpx.AsyncClient, clock: Callable[[datetime], None]
) -> None:
    key = await external_key(client)
    given = await parameters(client, key["keyId"])
    variables = wrapped_import(key["keyId"], given, os.urandom(32))
    clock(NOW + timedelta(hours=24))
    assert await gql_failure(client, IMPORT, variables) == GraphQLFailure(
        "ExpiredImportTokenException",
        "The import token has expired. Use GetParametersForImport to get a new one.",
    )
    clock(NOW + timedelta(hours=23, minutes=59))
    assert (await gql(client, IMPORT, variables))["importKeyMaterial"]["keyMetadata"][
        "keyState"
    ] == "Enabled"


async def test_a_token_belongs_to_its_key(
    client: httpx.AsyncClient, clock: Callable[[datetime], None]
) -> None:
    key, other = await external_key(client), await external_key(client)
    given = await parameters(client, other["keyId"])
    wrapped = wrap(os.urandom(32), given["publicKey"], "RSAES_OAEP_SHA_256")
    invalid = GraphQLFailure(
        "InvalidImportTokenException", "The import token is not valid for this KMS key."
    )
    forged = base64.b64encode(os.urandom(32)).decode("ascii")
    for token in (given["importToken"], forged, base64.b64encode(b"short").decode("ascii")):
        variables = import_input(key["keyId"], token, wrapped)
        assert await gql_failure(client, IMPORT, variables) == invalid


async def test_material_wrapped_for_another_key_pair_is_refused_and_the_token_survives(
    client: httpx.AsyncClient, services: Services, clock: Callable[[datetime], None]
) -> None:
    key = await external_key(client)
    given = await parameters(client, key["keyId"])
    elsewhere = await parameters(client, key["keyId"])
    material = os.urandom(32)
    variables: dict[str, Any] = import_input(
        key["keyId"],
        given["importToken"],
        wrap(material, elsewhere["publicKey"], "RSAES_OAEP_SHA_256"),
    )
    assert await gql_failure(client, IMPORT, variables) == GraphQLFailure(
        "InvalidCiphertextException", ""
    )
    assert (await described(client, key["keyId"]))["keyState"] == "PendingImport"
    variables["input"]["encryptedKeyMaterial"] = wrap(
        material, given["publicKey"], "RSAES_OAEP_SHA_256"
    )
    imported = (await gql(client, IMPORT, variables))["importKeyMaterial"]["keyMetadata"]
    await assert_holds(services, imported, material)


async def test_material_of_the_wrong_size_is_refused(
    client: httpx.AsyncClient, clock: Callable[[datetime], None]
) -> None:
    key = await external_key(client)
    given = await parameters(client, key["keyId"], "RSA_AES_KEY_WRAP_SHA_256")
    variables = wrapped_import(key["keyId"], given, os.urandom(16), "RSA_AES_KEY_WRAP_SHA_256")
    # AWS's ImportKeyMaterial reference: material that decrypts but is "invalid, or does not
    # meet expectations" is IncorrectKeyMaterialException (the message is keygraph's).
    assert await gql_failure(client, IMPORT, variables) == GraphQLFailure(
        "IncorrectKeyMaterialException",
        "The key material in the request is not SYMMETRIC_DEFAULT key material.",
    )
    variables["input"]["encryptedKeyMaterial"] = ""
    assert await gql_failure(client, IMPORT, variables) == GraphQLFailure(
        "ValidationException",
        validation_message(
            "encryptedKeyMaterial",
            "have length greater than or equal to 1",
            "java.nio.HeapByteBuffer[pos=0 lim=0 cap=0]",
        ),
    )


async def test_reimport_needs_the_same_material(
    client: httpx.AsyncClient, services: Services, clock: Callable[[datetime], None]
) -> None:
    key = await external_key(client)
    material = os.urandom(32)
    first = (await import_material(client, key["keyId"], material))["keyMetadata"]

    deleted = (await gql(client, DELETE, {"id": key["keyId"]}))["deleteImportedKeyMaterial"]
    assert deleted["keyId"] == key["arn"]
    assert deleted["keyMetadata"]["keyState"] == "PendingImport"
    assert deleted["keyMetadata"]["expirationModel"] is None
    async with services.pool.acquire() as conn:
        assert await key_rows.list_materials(conn, uuid.UUID(key["keyId"])) == []

    with pytest.raises(GraphQLFailure) as raised:
        await import_material(client, key["keyId"], os.urandom(32), "RSA_AES_KEY_WRAP_SHA_256")
    assert raised.value == GraphQLFailure(
        "IncorrectKeyMaterialException",
        "The key material in the request is not the key material that was previously imported "
        "into this KMS key.",
    )
    assert (await described(client, key["keyId"]))["keyState"] == "PendingImport"

    again = await import_material(client, key["keyId"], material, "RSA_AES_KEY_WRAP_SHA_1")
    assert again["keyMetadata"]["keyState"] == "Enabled"
    assert again["keyMaterialId"] == first["currentKeyMaterialId"]
    await assert_holds(services, again["keyMetadata"], material)

    # Re-importing into an Enabled key changes the expiry; other material is still refused.
    later = NOW + timedelta(days=10)
    renewed = await import_material(
        client,
        key["keyId"],
        material,
        expirationModel="KEY_MATERIAL_EXPIRES",
        validTo=later.isoformat(),
    )
    assert renewed["keyMetadata"]["expirationModel"] == "KEY_MATERIAL_EXPIRES"
    assert datetime.fromisoformat(renewed["keyMetadata"]["validTo"]) == later
    with pytest.raises(GraphQLFailure) as raised:
        await import_material(client, key["keyId"], os.urandom(32))
    assert raised.value.code == "IncorrectKeyMaterialException"


async def test_a_disabled_key_stays_disabled_when_material_is_reimported(
    client: httpx.AsyncClient, clock: Callable[[datetime], None]
) -> None:
    key = await external_key(client)
    material = os.urandom(32)
    await import_material(client, key["keyId"], material)
    await gql(client, "mutation($id: String!) { disableKey(input: {keyId: $id}) { keyMetadata "
              "{ keyState } } }", {"id": key["keyId"]})  # fmt: skip
    again = await import_material(client, key["keyId"], material)
    assert again["keyMetadata"]["keyState"] == "Disabled"
    deleted = (await gql(client, DELETE, {"id": key["keyId"]}))["deleteImportedKeyMaterial"]
    assert deleted["keyMetadata"]["keyState"] == "PendingImport"


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"expirationModel": "KEY_MATERIAL_EXPIRES"},
         "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES"),
        ({}, "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES"),
        ({"expirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
          "validTo": (NOW + timedelta(days=1)).isoformat()},
         "ValidTo must be omitted when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE."),
        ({"expirationModel": "KEY_MATERIAL_EXPIRES", "validTo": NOW.isoformat()},
         "ValidTo must be in the future and at most 365 days from now."),
        ({"expirationModel": "KEY_MATERIAL_EXPIRES",
          "validTo": (NOW + timedelta(days=365, seconds=1)).isoformat()},
         "ValidTo must be in the future and at most 365 days from now."),
    ],
)  # fmt: skip
async def test_expiration_rules(
    client: httpx.AsyncClient,
    clock: Callable[[datetime], None],
    members: dict[str, str],
    message: str,
) -> None:
    key = await external_key(client)
    given = await parameters(client, key["keyId"])
    wrapped = wrap(os.urandom(32), given["publicKey"], "RSAES_OAEP_SHA_256")
    variables = import_input(key["keyId"], given["importToken"], wrapped, None, **members)
    assert await gql_failure(client, IMPORT, variables) == GraphQLFailure(
        "ValidationException", message
    )


async def test_only_external_keys_take_imports(
    client: httpx.AsyncClient, clock: Callable[[datetime], None]
) -> None:
    data = await gql(client, CREATE, {"input": None})
    key = data["createKey"]["keyMetadata"]
    unsupported = GraphQLFailure(
        "UnsupportedOperationException",
        f"{key['arn']} origin is AWS_KMS which is not valid for this operation.",
    )
    variables = {"id": key["keyId"], "algorithm": "RSAES_OAEP_SHA_256", "spec": "RSA_2048"}
    assert await gql_failure(client, PARAMETERS, variables) == unsupported
    assert await gql_failure(client, DELETE, {"id": key["keyId"]}) == unsupported
    token = base64.b64encode(os.urandom(32)).decode("ascii")
    imported = import_input(key["keyId"], token, token)
    assert await gql_failure(client, IMPORT, imported) == unsupported


async def test_a_key_pending_deletion_takes_no_import(
    client: httpx.AsyncClient, services: Services, clock: Callable[[datetime], None]
) -> None:
    key = await external_key(client)
    given = await parameters(client, key["keyId"])
    # The state is set directly: scheduling deletion is another part's operation.
    async with services.pool.acquire() as conn:
        await conn.execute("UPDATE keys SET state = 'PendingDeletion' WHERE id = $1",
                           uuid.UUID(key["keyId"]))  # fmt: skip
    pending = GraphQLFailure("KMSInvalidStateException", f"{key['arn']} is pending deletion.")
    variables = {"id": key["keyId"], "algorithm": "RSAES_OAEP_SHA_256", "spec": "RSA_2048"}
    assert await gql_failure(client, PARAMETERS, variables) == pending
    assert await gql_failure(client, DELETE, {"id": key["keyId"]}) == pending
    imported = wrapped_import(key["keyId"], given, os.urandom(32))
    assert await gql_failure(client, IMPORT, imported) == pending


async def test_unknown_keys(client: httpx.AsyncClient, clock: Callable[[datetime], None]) -> None:
    missing = str(uuid.uuid4())
    variables = {"id": missing, "algorithm": "RSAES_OAEP_SHA_256", "spec": "RSA_2048"}
    assert await gql_failure(client, PARAMETERS, variables) == GraphQLFailure(
        "NotFoundException", f"Key '{ARN_PREFIX}{missing}' does not exist"
    )
    assert await gql_failure(client, DELETE, {"id": "nonsense"}) == GraphQLFailure(
        "NotFoundException", "Invalid keyId 'nonsense'"
    )


async def test_secrets_stay_out_of_the_database(
    client: httpx.AsyncClient, services: Services, clock: Callable[[datetime], None]
) -> None:
    key = await external_key(client)
    material = os.urandom(32)
    given = await parameters(client, key["keyId"])
    token = base64.b64decode(given["importToken"])
    await gql(
        client,
        IMPORT,
        wrapped_import(key["keyId"], given, material),
    )
    dump = await database_dump(services.pool)
    for secret in (material, token, material.hex().encode(), token.hex().encode()):
        assert secret not in dump


async def test_expired_material_is_deleted_by_the_job(
    client: httpx.AsyncClient, services: Services, clock: Callable[[datetime], None]
) -> None:
    soon, later = NOW + timedelta(hours=1), NOW + timedelta(days=2)
    expiring = [await external_key(client) for _ in range(4)]
    material = os.urandom(32)
    for index, key in enumerate(expiring):
        await import_material(
            client,
            key["keyId"],
            material,
            expirationModel="KEY_MATERIAL_EXPIRES",
            validTo=(soon if index < 3 else later).isoformat(),
        )
    lasting = await external_key(client)
    await import_material(client, lasting["keyId"], material)
    job = ImportExpiryJob()

    assert await job.run_once(services, NOW) == 0
    # Two runners at once: each expired key is handled by exactly one of them.
    handled = await asyncio.gather(
        job.run_once(services, soon + timedelta(seconds=1)),
        job.run_once(services, soon + timedelta(seconds=1)),
    )
    assert sum(handled) == 3
    assert await job.run_once(services, soon + timedelta(seconds=1)) == 0

    for index, key in enumerate(expiring):
        metadata = await described(client, key["keyId"])
        if index < 3:
            assert metadata["keyState"] == "PendingImport"
            assert metadata["validTo"] is None and metadata["expirationModel"] is None
        else:
            assert metadata["keyState"] == "Enabled"
    assert (await described(client, lasting["keyId"]))["keyState"] == "Enabled"
    async with services.pool.acquire() as conn:
        events = await conn.fetch(
            "SELECT key_id FROM key_events WHERE action = 'KeyMaterialExpired'"
        )
        assert sorted(str(event["key_id"]) for event in events) == sorted(
            key["keyId"] for key in expiring[:3]
        )
        assert await key_rows.list_materials(conn, uuid.UUID(expiring[0]["keyId"])) == []

    # The expired material can come back: the same material, a new token.
    back = await import_material(client, expiring[0]["keyId"], material)
    assert back["keyMetadata"]["keyState"] == "Enabled"
    await assert_holds(services, back["keyMetadata"], material)


async def test_the_job_purges_old_tokens(
    client: httpx.AsyncClient, services: Services, clock: Callable[[datetime], None]
) -> None:
    key = await external_key(client)
    await parameters(client, key["keyId"])
    job = ImportExpiryJob()
    async with services.pool.acquire() as conn:
        await job.run_once(services, NOW + timedelta(hours=47))
        assert await conn.fetchval("SELECT count(*) FROM import_tokens") == 1
        await job.run_once(services, NOW + timedelta(hours=48, seconds=1))
        assert await conn.fetchval("SELECT count(*) FROM import_tokens") == 0
