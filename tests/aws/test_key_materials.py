"""Multiple key materials of an imported key through the AWS door, as a boto3 user drives them:
ImportKeyMaterial's ImportType, KeyMaterialId and KeyMaterialDescription, RotateKeyOnDemand of a
key with imported material, ListKeyRotations' IncludeKeyMaterial and DeleteImportedKeyMaterial's
KeyMaterialId. Every answer is also checked against botocore's model (``tests.aws.model``).

Where AWS documents each behaviour: ImportKeyMaterial, RotateKeyOnDemand,
DeleteImportedKeyMaterial, ListKeyRotations and RotationsListEntry in AWS's KMS API reference;
"Step 4: Import the key material", "List rotations and key materials" and "Delete imported key
material" in its developer guide. The GraphQL tests of the same behaviour are
``tests/keys/test_key_materials.py``.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.aws.door import AwsServer
from tests.aws.kms import about, error_of, key_arn, new_key
from tests.aws_messages import validation_message

pytestmark = pytest.mark.slow


def imported(kms: Any, key_id: str, material: bytes, **members: Any) -> dict[str, Any]:
    """ImportKeyMaterial of ``material``, wrapped as a user does with fresh parameters."""
    parameters = kms.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    public = serialization.load_der_public_key(parameters["PublicKey"])
    assert isinstance(public, rsa.RSAPublicKey)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    answer: dict[str, Any] = kms.import_key_material(
        KeyId=key_id,
        ImportToken=parameters["ImportToken"],
        EncryptedKeyMaterial=public.encrypt(material, oaep),
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
        **members,
    )
    return answer


def refused(attempt: Any, **members: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        attempt(**members)
    return error_of(raised.value)


def materials(kms: Any, key_id: str, include: str = "ALL_KEY_MATERIAL") -> list[dict[str, Any]]:
    rotations: list[dict[str, Any]] = kms.list_key_rotations(
        KeyId=key_id, IncludeKeyMaterial=include
    )["Rotations"]
    return rotations


def test_rotating_to_new_imported_material(aws: AwsServer, kms: Any) -> None:
    key_id = new_key(kms, Origin="EXTERNAL")["KeyId"]
    arn = key_arn(aws, key_id)
    first = imported(kms, key_id, os.urandom(32), KeyMaterialDescription="first")
    one = first["KeyMaterialId"]
    old = kms.encrypt(KeyId=key_id, Plaintext=b"before")["CiphertextBlob"]

    second = imported(
        kms,
        key_id,
        os.urandom(32),
        ImportType="NEW_KEY_MATERIAL",
        KeyMaterialDescription="second one",
    )
    two = second["KeyMaterialId"]
    assert second["KeyId"] == arn and two != one
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"] == one
    # The first material and the pending one; no rotation date or type for either.
    assert materials(kms, key_id) == [
        {
            "KeyId": arn,
            "KeyMaterialId": one,
            "KeyMaterialDescription": "first",
            "ImportState": "IMPORTED",
            "KeyMaterialState": "CURRENT",
            "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
        },
        {
            "KeyId": arn,
            "KeyMaterialId": two,
            "KeyMaterialDescription": "second one",
            "ImportState": "IMPORTED",
            "KeyMaterialState": "PENDING_ROTATION",
            "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
        },
    ]
    assert kms.list_key_rotations(KeyId=key_id)["Rotations"] == []

    assert kms.rotate_key_on_demand(KeyId=key_id)["KeyId"] == arn
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"] == two
    new = kms.encrypt(KeyId=key_id, Plaintext=b"after")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=old)["Plaintext"] == b"before"
    assert kms.decrypt(CiphertextBlob=old)["KeyMaterialId"] == one
    assert kms.decrypt(CiphertextBlob=new)["Plaintext"] == b"after"
    assert kms.decrypt(CiphertextBlob=new)["KeyMaterialId"] == two
    (rotation,) = materials(kms, key_id, "ROTATIONS_ONLY")
    assert (rotation["KeyMaterialId"], rotation["KeyMaterialState"]) == (two, "CURRENT")
    assert (rotation["RotationType"], about(rotation["RotationDate"])) == ("ON_DEMAND", True)
    assert [m["KeyMaterialState"] for m in materials(kms, key_id)] == ["NON_CURRENT", "CURRENT"]


def test_deleting_and_reimporting_one_material(aws: AwsServer, kms: Any) -> None:
    key_id = new_key(kms, Origin="EXTERNAL")["KeyId"]
    arn = key_arn(aws, key_id)
    first, second = os.urandom(32), os.urandom(32)
    one = imported(kms, key_id, first)["KeyMaterialId"]
    two = imported(kms, key_id, second, ImportType="NEW_KEY_MATERIAL")["KeyMaterialId"]
    kms.rotate_key_on_demand(KeyId=key_id)
    old = kms.encrypt(KeyId=key_id, Plaintext=b"kept")["CiphertextBlob"]

    deleted = kms.delete_imported_key_material(KeyId=key_id, KeyMaterialId=one)
    assert (deleted["KeyId"], deleted["KeyMaterialId"]) == (arn, one)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingImport"
    gone = materials(kms, key_id)[0]
    assert (gone["KeyMaterialId"], gone["ImportState"]) == (one, "PENDING_IMPORT")
    assert "ExpirationModel" not in gone
    assert refused(kms.decrypt, CiphertextBlob=old) == (
        "KMSInvalidStateException",
        f"{arn} is pending import.",
    )

    # Other material is refused: the message is AWS's (recorded), the id match keygraph's.
    assert refused(imported, kms=kms, key_id=key_id, material=second, KeyMaterialId=one) == (
        "IncorrectKeyMaterialException",
        f"The key material in the request does not match key material {one}.",
    )
    back = imported(kms, key_id, first, ImportType="EXISTING_KEY_MATERIAL", KeyMaterialId=one)
    assert back["KeyMaterialId"] == one
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
    assert kms.decrypt(CiphertextBlob=old)["Plaintext"] == b"kept"
    assert kms.delete_imported_key_material(KeyId=key_id)["KeyMaterialId"] == two


def test_refusals(aws: AwsServer, kms: Any, unvalidated_kms: Any) -> None:
    key_id = new_key(kms, Origin="EXTERNAL")["KeyId"]
    arn = key_arn(aws, key_id)
    material = os.urandom(32)
    one = imported(kms, key_id, material)["KeyMaterialId"]
    assert refused(
        imported,
        kms=kms,
        key_id=key_id,
        material=os.urandom(32),
        ImportType="NEW_KEY_MATERIAL",
        KeyMaterialId=one,
    ) == (
        "ValidationException",
        "KeyMaterialId cannot be specified when ImportType is NEW_KEY_MATERIAL.",
    )
    assert refused(imported, kms=kms, key_id=key_id, material=os.urandom(32)) == (
        "IncorrectKeyMaterialException",
        "The key material in the request is not the key material that was previously imported "
        "into this KMS key.",
    )
    assert refused(kms.rotate_key_on_demand, KeyId=key_id) == (
        "KMSInvalidStateException",
        f"{arn} has no key material pending rotation. Import new key material "
        "(ImportType NEW_KEY_MATERIAL) first.",
    )
    assert refused(kms.delete_imported_key_material, KeyId=key_id, KeyMaterialId="0" * 64) == (
        "NotFoundException",
        f"Key material {'0' * 64} does not exist in {arn}.",
    )
    # AWS's constraints of the model's members, in AWS's words.
    assert refused(
        unvalidated_kms.delete_imported_key_material, KeyId=key_id, KeyMaterialId="abc"
    ) == (
        "ValidationException",
        validation_message("keyMaterialId", "have length greater than or equal to 64", "abc"),
    )
    assert refused(unvalidated_kms.list_key_rotations, KeyId=key_id, IncludeKeyMaterial="SOME") == (
        "ValidationException",
        validation_message(
            "includeKeyMaterial",
            "satisfy enum value set: [ALL_KEY_MATERIAL, ROTATIONS_ONLY]",
            "SOME",
        ),
    )
