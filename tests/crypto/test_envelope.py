"""The symmetric ciphertext format: its byte layout, the canonical context encoding, and that any
damage to a blob is one InvalidCiphertextException with an empty message."""

from __future__ import annotations

import uuid

import httpx
import pytest

from api.crypto.envelope import encode_context, parse
from api.errors import InvalidCiphertextException
from tests.crypto.asymmetric import create_key
from tests.crypto.encryption import INVALID_CIPHERTEXT, decrypt, encrypt, failure
from tests.graphql_client import gql

CONTEXT = {"bucket": "invoices", "object": "2026/11/a.pdf"}
PLAINTEXT = b"sixteen byte msg"
ROTATE = "mutation($id: String!) { rotateKeyOnDemand(input: {keyId: $id}) { keyId } }"
DESCRIBE = """
query($id: String!) { describeKey(input: {keyId: $id}) { keyMetadata { currentKeyMaterialId } } }
"""


async def current_material(client: httpx.AsyncClient, key_id: str) -> str:
    data = await gql(client, DESCRIBE, {"id": key_id})
    material: str = data["describeKey"]["keyMetadata"]["currentKeyMaterialId"]
    return material


def test_context_encoding_is_length_prefixed_and_sorted() -> None:
    assert encode_context({}) == b"\0\0\0\0"
    assert encode_context({"a": "bc"}) == (b"\0\0\0\x01" + b"\0\0\0\x01a" + b"\0\0\0\x02bc")
    # Concatenation would make these equal; lengths keep them apart.
    assert encode_context({"a": "bc"}) != encode_context({"ab": "c"})
    assert encode_context({"a": "b", "c": "d"}) != encode_context({"a": "bcd"})
    assert encode_context({"k": ""}) != encode_context({})
    # Insertion order does not matter; the encoding sorts by the keys' UTF-8 bytes.
    assert encode_context({"b": "2", "a": "1", "é": "3"}) == encode_context(
        {"é": "3", "a": "1", "b": "2"}
    )
    assert encode_context({"ключ": "значение"}).endswith("значение".encode())


def test_parse_refuses_what_is_no_blob_without_saying_why() -> None:
    for blob in (b"", b"\x01" * 77, b"\x02" + bytes(100)):
        with pytest.raises(InvalidCiphertextException) as raised:
            parse(blob)
        assert raised.value.message == ""


async def test_the_byte_layout(client: httpx.AsyncClient) -> None:
    key = await create_key(client, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")
    blob = await encrypt(client, key["keyId"], PLAINTEXT, encryptionContext=CONTEXT)
    assert len(blob) == 1 + 16 + 32 + 12 + len(PLAINTEXT) + 16
    assert blob[0] == 1
    assert uuid.UUID(bytes=blob[1:17]) == uuid.UUID(key["keyId"])
    assert blob[17:49].hex() == await current_material(client, key["keyId"])
    parsed = parse(blob)
    assert (parsed.sealed.iv, parsed.sealed.ciphertext) == (blob[49:61], blob[61:])


async def test_every_changed_byte_and_every_truncation_is_invalid_ciphertext(
    client: httpx.AsyncClient,
) -> None:
    key = await create_key(client, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")
    blob = await encrypt(client, key["keyId"], PLAINTEXT, encryptionContext=CONTEXT)
    for position in range(len(blob)):
        for mask in (0x01, 0x80):
            damaged = bytearray(blob)
            damaged[position] ^= mask
            error = await failure(decrypt(client, bytes(damaged), encryptionContext=CONTEXT))
            assert error == INVALID_CIPHERTEXT, (position, mask)
    for length in range(1, len(blob)):
        error = await failure(decrypt(client, blob[:length], encryptionContext=CONTEXT))
        assert error == INVALID_CIPHERTEXT, length
    for extended in (blob + b"\0", b"\x01" + blob):
        error = await failure(decrypt(client, extended, encryptionContext=CONTEXT))
        assert error == INVALID_CIPHERTEXT
    assert (await decrypt(client, blob, encryptionContext=CONTEXT))["plaintext"] == PLAINTEXT


async def test_older_material_decrypts_after_rotation_and_versions_are_bound(
    client: httpx.AsyncClient,
) -> None:
    key = await create_key(client, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")
    first_material = await current_material(client, key["keyId"])
    old = await encrypt(client, key["keyId"], PLAINTEXT, encryptionContext=CONTEXT)
    await gql(client, ROTATE, {"id": key["keyId"]})
    second_material = await current_material(client, key["keyId"])
    assert second_material != first_material
    new = await encrypt(client, key["keyId"], PLAINTEXT, encryptionContext=CONTEXT)
    assert (old[17:49].hex(), new[17:49].hex()) == (first_material, second_material)

    for blob, material in ((old, first_material), (new, second_material)):
        decrypted = await decrypt(client, blob, encryptionContext=CONTEXT)
        assert (decrypted["plaintext"], decrypted["keyMaterialId"]) == (PLAINTEXT, material)

    # The header is authenticated: naming the other (real) version breaks the blob.
    swapped = old[:17] + bytes.fromhex(second_material) + old[49:]
    assert await failure(decrypt(client, swapped, encryptionContext=CONTEXT)) == (
        INVALID_CIPHERTEXT
    )
    # A blob naming another key, or a key that does not exist, is just a broken blob.
    other = await create_key(client, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")
    for key_bytes in (uuid.UUID(other["keyId"]).bytes, uuid.uuid4().bytes):
        forged = new[:1] + key_bytes + new[17:]
        assert await failure(decrypt(client, forged, encryptionContext=CONTEXT)) == (
            INVALID_CIPHERTEXT
        )
