"""Multiple key materials of a key with imported material, through GraphQL: new material imported
for rotation, RotateKeyOnDemand, the materials ListKeyRotations lists, deleting and re-importing
one material, and each material's own expiry.

What AWS documents, and where:
- ImportKeyMaterial's ImportType, KeyMaterialId and KeyMaterialDescription, and its defaults:
  AWS's API reference, ImportKeyMaterial.
- New material waits in PENDING_ROTATION until RotateKeyOnDemand makes it current, and the key
  needs all of its materials imported to be usable: "Step 4: Import the key material" and
  "List rotations and key materials" in AWS's KMS developer guide; RotateKeyOnDemand's reference.
- Deleting or expiring material the key keeps for good (anything but PENDING_ROTATION) makes the
  key PendingImport, and KeyMaterialId picks the material (the current one by default): "Delete
  imported key material" in the developer guide; DeleteImportedKeyMaterial's reference.
- The entries' members and when each is present: AWS's API reference, RotationsListEntry and
  ListKeyRotations (IncludeKeyMaterial).
- DescribeKey's ValidTo is the earliest expiry of the materials the key keeps for good: AWS's API
  reference, KeyMetadata.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from api.jobs import ImportExpiryJob
from api.services import Services
from tests.graphql_client import GraphQLFailure, gql, gql_failure, validation_failure
from tests.keys.test_import import external_key, parameters, wrap

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
IMPORT = """
mutation($input: ImportKeyMaterialInput!) {
  importKeyMaterial(input: $input) {
    keyId keyMaterialId keyMetadata { keyState currentKeyMaterialId expirationModel validTo }
  }
}
"""
DESCRIBE = """
query($id: String!) {
  describeKey(input: {keyId: $id}) {
    keyMetadata { keyState currentKeyMaterialId expirationModel validTo }
  }
}
"""
ROTATE = "mutation($id: String!) { rotateKeyOnDemand(input: {keyId: $id}) { keyId } }"
DELETE = """
mutation($id: String!, $material: String) {
  deleteImportedKeyMaterial(input: {keyId: $id, keyMaterialId: $material}) {
    keyId keyMaterialId keyMetadata { keyState currentKeyMaterialId }
  }
}
"""
LIST = """
query($id: String!, $include: IncludeKeyMaterial) {
  listKeyRotations(input: {keyId: $id, includeKeyMaterial: $include}) {
    rotations {
      keyId keyMaterialId keyMaterialDescription importState keyMaterialState expirationModel
      validTo rotationDate rotationType
    }
  }
}
"""
ENCRYPT = """
mutation($id: String!, $plaintext: Base64!) {
  encrypt(input: {keyId: $id, plaintext: $plaintext}) { ciphertextBlob }
}
"""
DECRYPT = """
mutation($blob: Base64!) { decrypt(input: {ciphertextBlob: $blob}) { plaintext keyMaterialId } }
"""
PLAINTEXT = base64.b64encode(b"under imported material").decode("ascii")


@pytest.fixture
def clock(services: Services) -> Callable[[datetime], None]:
    def set_time(when: datetime) -> None:
        services.clock = lambda: when

    set_time(NOW)
    return set_time


async def imported(
    client: httpx.AsyncClient,
    key_id: str,
    material: bytes,
    expires: datetime | None = None,
    **members: Any,
) -> dict[str, Any]:
    """importKeyMaterial of ``material`` with a new token; it expires at ``expires``, if given."""
    given = await parameters(client, key_id)
    expiry: dict[str, Any] = (
        {"expirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}
        if expires is None
        else {"expirationModel": "KEY_MATERIAL_EXPIRES", "validTo": expires.isoformat()}
    )
    variables = {
        "input": {
            "keyId": key_id,
            "importToken": given["importToken"],
            "encryptedKeyMaterial": wrap(material, given["publicKey"], "RSAES_OAEP_SHA_256"),
            **expiry,
            **members,
        }
    }
    result: dict[str, Any] = (await gql(client, IMPORT, variables))["importKeyMaterial"]
    return result


async def refused_import(
    client: httpx.AsyncClient, key_id: str, material: bytes, **members: Any
) -> GraphQLFailure:
    with pytest.raises(GraphQLFailure) as raised:
        await imported(client, key_id, material, **members)
    return raised.value


async def described(client: httpx.AsyncClient, key_id: str) -> dict[str, Any]:
    metadata: dict[str, Any] = (await gql(client, DESCRIBE, {"id": key_id}))["describeKey"][
        "keyMetadata"
    ]
    return metadata


async def listed(
    client: httpx.AsyncClient, key_id: str, include: str | None = None
) -> list[dict[str, Any]]:
    data = await gql(client, LIST, {"id": key_id, "include": include})
    rotations: list[dict[str, Any]] = data["listKeyRotations"]["rotations"]
    return rotations


async def encrypted(client: httpx.AsyncClient, key_id: str) -> str:
    blob: str = (await gql(client, ENCRYPT, {"id": key_id, "plaintext": PLAINTEXT}))["encrypt"][
        "ciphertextBlob"
    ]
    return blob


async def decrypted_by(client: httpx.AsyncClient, blob: str) -> str:
    """The material that decrypted ``blob`` (after checking the plaintext)."""
    result = (await gql(client, DECRYPT, {"blob": blob}))["decrypt"]
    assert result["plaintext"] == PLAINTEXT
    material_id: str = result["keyMaterialId"]
    return material_id


def entry(
    key: dict[str, Any],
    material_id: str,
    state: str,
    description: str | None = None,
    imported: bool = True,
    rotated: datetime | None = None,
) -> dict[str, Any]:
    """A listed material of an imported key that does not expire."""
    return {
        "keyId": key["arn"],
        "keyMaterialId": material_id,
        "keyMaterialDescription": description,
        "importState": "IMPORTED" if imported else "PENDING_IMPORT",
        "keyMaterialState": state,
        "expirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE" if imported else None,
        "validTo": None,
        "rotationDate": None if rotated is None else rotated.isoformat(),
        "rotationType": None if rotated is None else "ON_DEMAND",
    }


async def two_materials(
    client: httpx.AsyncClient, clock: Callable[[datetime], None]
) -> tuple[dict[str, Any], list[bytes], list[str], list[str]]:
    """A key given material 1, then material 2 rotated in an hour later: the key, the
    materials, their ids, and a ciphertext made under each."""
    key = await external_key(client)
    materials = [os.urandom(32), os.urandom(32)]
    first = await imported(client, key["keyId"], materials[0], keyMaterialDescription="first")
    blobs = [await encrypted(client, key["keyId"])]
    second = await imported(
        client,
        key["keyId"],
        materials[1],
        importType="NEW_KEY_MATERIAL",
        keyMaterialDescription="second one",
    )
    clock(NOW + timedelta(hours=1))
    await gql(client, ROTATE, {"id": key["keyId"]})
    blobs.append(await encrypted(client, key["keyId"]))
    return key, materials, [first["keyMaterialId"], second["keyMaterialId"]], blobs


async def test_new_material_waits_for_rotation_and_old_ciphertexts_still_decrypt(
    client: httpx.AsyncClient, clock: Callable[[datetime], None]
) -> None:
    key = await external_key(client)
    first = await imported(client, key["keyId"], os.urandom(32), keyMaterialDescription="first")
    one = first["keyMaterialId"]
    assert len(one) == 64 and set(one) <= set("0123456789abcdef")
    assert first["keyMetadata"]["currentKeyMaterialId"] == one
    old = await encrypted(client, key["keyId"])

    # New material is the key's only once rotated: until then it is pending and unused.
    second = await imported(
        client,
        key["keyId"],
        os.urandom(32),
        importType="NEW_KEY_MATERIAL",
        keyMaterialDescription="second one",
    )
    two = second["keyMaterialId"]
    assert two != one and second["keyId"] == key["arn"]
    assert second["keyMetadata"]["keyState"] == "Enabled"
    assert second["keyMetadata"]["currentKeyMaterialId"] == one
    assert await decrypted_by(client, await encrypted(client, key["keyId"])) == one
    assert await listed(client, key["keyId"], "ALL_KEY_MATERIAL") == [
        entry(key, one, "CURRENT", "first"),
        entry(key, two, "PENDING_ROTATION", "second one"),
    ]
    assert await listed(client, key["keyId"]) == []

    clock(NOW + timedelta(hours=1))
    rotated = await gql(client, ROTATE, {"id": key["keyId"]})
    assert rotated["rotateKeyOnDemand"]["keyId"] == key["arn"]
    assert (await described(client, key["keyId"]))["currentKeyMaterialId"] == two
    new = await encrypted(client, key["keyId"])
    assert await decrypted_by(client, new) == two
    assert await decrypted_by(client, old) == one
    rotation = entry(key, two, "CURRENT", "second one", rotated=NOW + timedelta(hours=1))
    assert await listed(client, key["keyId"], "ALL_KEY_MATERIAL") == [
        entry(key, one, "NON_CURRENT", "first"),
        rotation,
    ]
    assert await listed(client, key["keyId"], "ROTATIONS_ONLY") == [rotation]
    assert await listed(client, key["keyId"]) == [rotation]


async def test_deleting_one_material_and_reimporting_it(
    client: httpx.AsyncClient, clock: Callable[[datetime], None]
) -> None:
    key, materials, (one, two), (old, new) = await two_materials(client, clock)

    # Material pending rotation is not the key's for good: deleting it leaves the key usable,
    # and other material can take its place.
    third = await imported(client, key["keyId"], os.urandom(32), importType="NEW_KEY_MATERIAL")
    gone = await gql(client, DELETE, {"id": key["keyId"], "material": third["keyMaterialId"]})
    assert gone["deleteImportedKeyMaterial"]["keyMaterialId"] == third["keyMaterialId"]
    assert gone["deleteImportedKeyMaterial"]["keyMetadata"]["keyState"] == "Enabled"
    assert [m["keyMaterialId"] for m in await listed(client, key["keyId"], "ALL_KEY_MATERIAL")] == [
        one,
        two,
    ]

    # A non-current material the key keeps: the key waits for it to come back.
    deleted = (await gql(client, DELETE, {"id": key["keyId"], "material": one}))[
        "deleteImportedKeyMaterial"
    ]
    assert (deleted["keyId"], deleted["keyMaterialId"]) == (key["arn"], one)
    assert deleted["keyMetadata"] == {"keyState": "PendingImport", "currentKeyMaterialId": two}
    assert (await listed(client, key["keyId"], "ALL_KEY_MATERIAL"))[0] == entry(
        key, one, "NON_CURRENT", "first", imported=False
    )
    pending = GraphQLFailure("KMSInvalidStateException", f"{key['arn']} is pending import.")
    assert await gql_failure(client, DECRYPT, {"blob": new}) == pending

    # Only that material brings it back; its description stays.
    wrong = await refused_import(client, key["keyId"], materials[1], keyMaterialId=one)
    assert wrong.code == "IncorrectKeyMaterialException"
    back = await imported(
        client, key["keyId"], materials[0], importType="EXISTING_KEY_MATERIAL", keyMaterialId=one
    )
    assert back["keyMaterialId"] == one
    assert back["keyMetadata"]["keyState"] == "Enabled"
    assert back["keyMetadata"]["currentKeyMaterialId"] == two
    assert await decrypted_by(client, old) == one
    assert await decrypted_by(client, new) == two
    assert (await listed(client, key["keyId"], "ALL_KEY_MATERIAL"))[0] == entry(
        key, one, "NON_CURRENT", "first"
    )

    # Without KeyMaterialId the current material goes; omitting ImportType re-imports it.
    current = (await gql(client, DELETE, {"id": key["keyId"]}))["deleteImportedKeyMaterial"]
    assert current["keyMaterialId"] == two
    assert current["keyMetadata"]["keyState"] == "PendingImport"
    again = await imported(client, key["keyId"], materials[1], keyMaterialDescription="renamed")
    assert (again["keyMaterialId"], again["keyMetadata"]["keyState"]) == (two, "Enabled")
    assert (await listed(client, key["keyId"]))[0]["keyMaterialDescription"] == "renamed"


async def test_each_material_expires_on_its_own(
    client: httpx.AsyncClient, services: Services, clock: Callable[[datetime], None]
) -> None:
    key = await external_key(client)
    first, second = os.urandom(32), os.urandom(32)
    one = (await imported(client, key["keyId"], first))["keyMaterialId"]
    soon = NOW + timedelta(hours=1)
    pending = await imported(client, key["keyId"], second, soon, importType="NEW_KEY_MATERIAL")
    # The key's ValidTo counts only material it keeps for good.
    assert pending["keyMetadata"]["expirationModel"] == "KEY_MATERIAL_DOES_NOT_EXPIRE"
    assert pending["keyMetadata"]["validTo"] is None
    listed_pending = (await listed(client, key["keyId"], "ALL_KEY_MATERIAL"))[1]
    assert listed_pending["expirationModel"] == "KEY_MATERIAL_EXPIRES"
    assert datetime.fromisoformat(listed_pending["validTo"]) == soon

    # Pending material that expires is gone; the key stays usable.
    job = ImportExpiryJob()
    assert await job.run_once(services, soon - timedelta(seconds=1)) == 0
    assert await job.run_once(services, soon) == 1
    assert (await described(client, key["keyId"]))["keyState"] == "Enabled"
    assert [m["keyMaterialId"] for m in await listed(client, key["keyId"], "ALL_KEY_MATERIAL")] == [
        one
    ]

    # Rotated in, the expiring material is the key's: its expiry is the key's, and when it
    # passes the key waits for that material while the other stays imported.
    later = NOW + timedelta(days=2)
    two = (await imported(client, key["keyId"], second, later, importType="NEW_KEY_MATERIAL"))[
        "keyMaterialId"
    ]
    await gql(client, ROTATE, {"id": key["keyId"]})
    metadata = await described(client, key["keyId"])
    assert metadata["expirationModel"] == "KEY_MATERIAL_EXPIRES"
    assert datetime.fromisoformat(metadata["validTo"]) == later
    assert await job.run_once(services, later) == 1
    # The job changed the key in the database; this process's key cache hears of it by NOTIFY.
    for _ in range(100):
        if (await described(client, key["keyId"]))["keyState"] == "PendingImport":
            break
        await asyncio.sleep(0.05)
    assert await described(client, key["keyId"]) == {
        "keyState": "PendingImport",
        "currentKeyMaterialId": two,
        "expirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
        "validTo": None,
    }
    assert [
        (m["keyMaterialId"], m["importState"])
        for m in await listed(client, key["keyId"], "ALL_KEY_MATERIAL")
    ] == [(one, "IMPORTED"), (two, "PENDING_IMPORT")]
    back = await imported(client, key["keyId"], second)
    assert (back["keyMaterialId"], back["keyMetadata"]["keyState"]) == (two, "Enabled")


async def test_refusals(client: httpx.AsyncClient, clock: Callable[[datetime], None]) -> None:
    key = await external_key(client)
    material = os.urandom(32)
    # Re-importing into a key never given material (keygraph's wording).
    never = await refused_import(client, key["keyId"], material, importType="EXISTING_KEY_MATERIAL")
    assert never.code == "IncorrectKeyMaterialException"
    one = (await imported(client, key["keyId"], material))["keyMaterialId"]

    # "You cannot specify a key material ID with ImportType set to NEW_KEY_MATERIAL" (AWS's
    # ImportKeyMaterial reference; the wording is keygraph's).
    assert await refused_import(
        client, key["keyId"], os.urandom(32), importType="NEW_KEY_MATERIAL", keyMaterialId=one
    ) == GraphQLFailure(
        "ValidationException",
        "KeyMaterialId cannot be specified when ImportType is NEW_KEY_MATERIAL.",
    )
    # Without ImportType, an import after the first must bring known material (AWS's reference:
    # the default becomes EXISTING_KEY_MATERIAL; the message is AWS's, as recorded before).
    assert await refused_import(client, key["keyId"], os.urandom(32)) == GraphQLFailure(
        "IncorrectKeyMaterialException",
        "The key material in the request is not the key material that was previously imported "
        "into this KMS key.",
    )
    again = await refused_import(client, key["keyId"], material, importType="NEW_KEY_MATERIAL")
    assert again.code == "IncorrectKeyMaterialException"
    # RotateKeyOnDemand needs material pending rotation (AWS's reference; keygraph's wording).
    assert await gql_failure(client, ROTATE, {"id": key["keyId"]}) == GraphQLFailure(
        "KMSInvalidStateException",
        f"{key['arn']} has no key material pending rotation. Import new key material "
        "(ImportType NEW_KEY_MATERIAL) first.",
    )
    # One material waits for rotation at a time: delete it to import another in its place.
    pending = await imported(client, key["keyId"], os.urandom(32), importType="NEW_KEY_MATERIAL")
    assert await refused_import(
        client, key["keyId"], os.urandom(32), importType="NEW_KEY_MATERIAL"
    ) == GraphQLFailure(
        "KMSInvalidStateException",
        f"{key['arn']} already has key material {pending['keyMaterialId']} pending rotation. "
        "Rotate the key or delete that key material first.",
    )
    unknown = "0" * 64
    assert await gql_failure(
        client, DELETE, {"id": key["keyId"], "material": unknown}
    ) == GraphQLFailure(
        "NotFoundException", f"Key material {unknown} does not exist in {key['arn']}."
    )
    # BackingKeyIdType: 64 characters of [a-f0-9] (AWS's model).
    assert await gql_failure(
        client, DELETE, {"id": key["keyId"], "material": "F" * 64}
    ) == validation_failure(
        "keyMaterialId", "satisfy regular expression pattern: ^[a-f0-9]+$", "F" * 64
    )


async def test_all_key_material_of_keys_keygraph_generates(
    client: httpx.AsyncClient, clock: Callable[[datetime], None]
) -> None:
    """CURRENT and NON_CURRENT apply to every key that rotates; the import members only to
    keys with imported material (AWS's RotationsListEntry reference)."""
    created = await gql(
        client, "mutation { createKey { keyMetadata { keyId arn currentKeyMaterialId } } }"
    )
    key = created["createKey"]["keyMetadata"]
    first = key["currentKeyMaterialId"]
    await gql(client, ROTATE, {"id": key["keyId"]})
    second = (await described(client, key["keyId"]))["currentKeyMaterialId"]
    base = {
        "keyId": key["arn"],
        "keyMaterialDescription": None,
        "importState": None,
        "expirationModel": None,
        "validTo": None,
    }
    assert await listed(client, key["keyId"], "ALL_KEY_MATERIAL") == [
        {**base, "keyMaterialId": first, "keyMaterialState": "NON_CURRENT", "rotationDate": None,
         "rotationType": None},
        {**base, "keyMaterialId": second, "keyMaterialState": "CURRENT",
         "rotationDate": NOW.isoformat(), "rotationType": "ON_DEMAND"},
    ]  # fmt: skip
    # IncludeKeyMaterial is for keys that rotate (AWS's ListKeyRotations reference).
    asymmetric = await gql(
        client,
        "mutation { createKey(input: {keySpec: ECC_NIST_P256, keyUsage: SIGN_VERIFY}) "
        "{ keyMetadata { keyId arn } } }",
    )
    signing = asymmetric["createKey"]["keyMetadata"]
    assert await listed(client, signing["keyId"]) == []
    assert await gql_failure(
        client, LIST, {"id": signing["keyId"], "include": "ROTATIONS_ONLY"}
    ) == GraphQLFailure(
        "UnsupportedOperationException",
        f"{signing['arn']} does not support key rotation, so IncludeKeyMaterial is not valid for "
        "it.",
    )


async def test_material_imported_before_migration_0010_comes_back(
    client: httpx.AsyncClient, services: Services, clock: Callable[[datetime], None]
) -> None:
    """Such material was named by the digest of its wrapped blob alone; renaming it so here
    (as an older keygraph stored it) shows a re-import still finds it."""
    key = await external_key(client)
    material = os.urandom(32)
    scoped = (await imported(client, key["keyId"], material))["keyMaterialId"]
    key_uuid = uuid.UUID(key["keyId"])
    async with services.pool.acquire() as conn:
        wrapped = await conn.fetchval(
            "SELECT wrapped FROM key_materials WHERE key_id = $1", key_uuid
        )
        legacy = hashlib.sha256(bytes(wrapped)).hexdigest()
        assert legacy != scoped
        for table in ("key_materials", "imported_materials"):
            await conn.execute(
                f"UPDATE {table} SET material_id = $2 WHERE key_id = $1",  # noqa: S608
                key_uuid,
                legacy,
            )
        await conn.execute(
            "UPDATE keys SET current_material_id = $2 WHERE id = $1", key_uuid, legacy
        )
    await gql(client, DELETE, {"id": key["keyId"]})
    back = await imported(client, key["keyId"], material)
    assert (back["keyMaterialId"], back["keyMetadata"]["keyState"]) == (legacy, "Enabled")
