"""Every operation keygraph serves that AWS KMS has, called through boto3 as a user calls AWS: the
happy path, and what a user checks of the answer, members and their types as botocore parses
them (datetimes, bytes), members AWS omits absent. The operations come from keygraph's registry,
so an operation added without a case here fails ``test_every_operation_has_a_case``.

Every answer is also checked on the wire against botocore's model (``tests.aws.model``)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from api.operations import OPERATIONS
from aws.routes import kms_model
from hsm import HsmConfig
from tests.aws.door import AwsServer
from tests.aws.kms import (
    about,
    alias_arn,
    answered_nothing,
    error_of,
    key_arn,
    new_key,
    unique,
    wait_for_use,
)

pytestmark = pytest.mark.slow

# What the AWS door serves: the registry's operations that AWS KMS has (``aws.routes``), not
# keygraph's own reads that authorize kms: actions (``key``, ``keyAccess``).
AWS_OPERATIONS = sorted(
    operation.name for operation in OPERATIONS if operation.name in kms_model().operation_names
)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Kit:
    """What a case works with: the door, the root's client, the second user's client, and the
    spare SoftHSM token a custom key store can use."""

    aws: AwsServer
    kms: Any
    second: Any
    spare_token: HsmConfig

    def arn(self, key_id: str) -> str:
        return key_arn(self.aws, key_id)

    def described(self, key_id: str) -> dict[str, Any]:
        metadata: dict[str, Any] = self.kms.describe_key(KeyId=key_id)["KeyMetadata"]
        return metadata


Case = Callable[[Kit], None]
CASES: dict[str, Case] = {}


def case(operation: str) -> Callable[[Case], Case]:
    def register(run: Case) -> Case:
        assert operation not in CASES, operation
        CASES[operation] = run
        return run

    return register


@pytest.fixture(scope="module")
def kit(aws: AwsServer, kms: Any, second_kms: Any, key_store_config: HsmConfig) -> Kit:
    return Kit(aws, kms, second_kms, key_store_config)


def test_every_operation_has_a_case() -> None:
    assert sorted(CASES) == AWS_OPERATIONS


@pytest.mark.parametrize("operation", AWS_OPERATIONS)
def test_operation(operation: str, kit: Kit) -> None:
    CASES[operation](kit)


# Keys


@case("CreateKey")
def _create_key(kit: Kit) -> None:
    metadata = new_key(
        kit.kms, Description="conformance", Tags=[{"TagKey": "team", "TagValue": "kms"}]
    )
    key_id = metadata["KeyId"]
    assert about(metadata["CreationDate"])
    assert isinstance(metadata["CurrentKeyMaterialId"], str)
    assert metadata == {
        "AWSAccountId": kit.aws.account_id,
        "KeyId": key_id,
        "Arn": kit.arn(key_id),
        "CreationDate": metadata["CreationDate"],
        "Enabled": True,
        "Description": "conformance",
        "KeyUsage": "ENCRYPT_DECRYPT",
        "KeyState": "Enabled",
        "Origin": "AWS_KMS",
        "KeyManager": "CUSTOMER",
        "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
        "MultiRegion": False,
        "CurrentKeyMaterialId": metadata["CurrentKeyMaterialId"],
    }
    signing = new_key(kit.kms, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    assert signing["SigningAlgorithms"] == ["ECDSA_SHA_256"]
    assert "EncryptionAlgorithms" not in signing
    assert "CurrentKeyMaterialId" not in signing  # only symmetric encryption keys have one


@case("DescribeKey")
def _describe_key(kit: Kit) -> None:
    created = new_key(kit.kms, Description="described")
    alias = unique("alias/described")
    kit.kms.create_alias(AliasName=alias, TargetKeyId=created["KeyId"])
    for name in (created["KeyId"], created["Arn"], alias, alias_arn(kit.aws, alias)):
        assert kit.described(name) == created, name


@case("ListKeys")
def _list_keys(kit: Kit) -> None:
    created = new_key(kit.kms)
    listed = kit.kms.list_keys(Limit=1000)
    assert listed["Truncated"] is False
    assert "NextMarker" not in listed
    assert {"KeyId": created["KeyId"], "KeyArn": created["Arn"]} in listed["Keys"]
    assert all(set(entry) == {"KeyId", "KeyArn"} for entry in listed["Keys"])


@case("DisableKey")
def _disable_key(kit: Kit) -> None:
    key_id = new_key(kit.kms)["KeyId"]
    assert answered_nothing(kit.kms.disable_key(KeyId=key_id))
    metadata = kit.described(key_id)
    assert (metadata["KeyState"], metadata["Enabled"]) == ("Disabled", False)


@case("EnableKey")
def _enable_key(kit: Kit) -> None:
    key_id = new_key(kit.kms)["KeyId"]
    kit.kms.disable_key(KeyId=key_id)
    assert answered_nothing(kit.kms.enable_key(KeyId=kit.arn(key_id)))
    metadata = kit.described(key_id)
    assert (metadata["KeyState"], metadata["Enabled"]) == ("Enabled", True)


@case("UpdateKeyDescription")
def _update_key_description(kit: Kit) -> None:
    key_id = new_key(kit.kms, Description="before")["KeyId"]
    assert answered_nothing(kit.kms.update_key_description(KeyId=key_id, Description="after"))
    assert kit.described(key_id)["Description"] == "after"


@case("ScheduleKeyDeletion")
def _schedule_key_deletion(kit: Kit) -> None:
    key_id = new_key(kit.kms)["KeyId"]
    scheduled = kit.kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert about(scheduled["DeletionDate"], 7 * DAY)
    assert scheduled == {
        "KeyId": kit.arn(key_id),
        "DeletionDate": scheduled["DeletionDate"],
        "KeyState": "PendingDeletion",
        "PendingWindowInDays": 7,
        "ResponseMetadata": scheduled["ResponseMetadata"],
    }
    metadata = kit.described(key_id)
    assert (metadata["KeyState"], metadata["Enabled"]) == ("PendingDeletion", False)
    assert metadata["DeletionDate"] == scheduled["DeletionDate"]
    # Present only in PendingReplicaDeletion (KeyMetadata, AWS API reference:
    # https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html).
    assert "PendingDeletionWindowInDays" not in metadata


@case("CancelKeyDeletion")
def _cancel_key_deletion(kit: Kit) -> None:
    key_id = new_key(kit.kms)["KeyId"]
    kit.kms.schedule_key_deletion(KeyId=key_id)
    cancelled = kit.kms.cancel_key_deletion(KeyId=key_id)
    assert cancelled["KeyId"] == kit.arn(key_id)
    assert set(cancelled) == {"KeyId", "ResponseMetadata"}
    metadata = kit.described(key_id)
    # AWS leaves a key whose deletion is cancelled disabled.
    assert (metadata["KeyState"], metadata["Enabled"]) == ("Disabled", False)
    assert "DeletionDate" not in metadata
    assert "PendingDeletionWindowInDays" not in metadata


# Aliases


def _alias_entry(kit: Kit, alias: str, key_id: str) -> dict[str, Any]:
    """The one ListAliases entry of ``alias``, after checking its members."""
    listed = kit.kms.list_aliases(KeyId=key_id)
    assert listed["Truncated"] is False
    (entry,) = [entry for entry in listed["Aliases"] if entry["AliasName"] == alias]
    assert about(entry["CreationDate"]) and about(entry["LastUpdatedDate"])
    assert entry["LastUpdatedDate"] >= entry["CreationDate"]
    assert {k: v for k, v in entry.items() if not k.endswith("Date")} == {
        "AliasName": alias,
        "AliasArn": alias_arn(kit.aws, alias),
        "TargetKeyId": key_id,
    }
    return dict(entry)


@case("CreateAlias")
def _create_alias(kit: Kit) -> None:
    key_id = new_key(kit.kms)["KeyId"]
    alias = unique("alias/created")
    assert answered_nothing(kit.kms.create_alias(AliasName=alias, TargetKeyId=kit.arn(key_id)))
    _alias_entry(kit, alias, key_id)
    assert kit.described(alias)["KeyId"] == key_id


@case("UpdateAlias")
def _update_alias(kit: Kit) -> None:
    first, second = new_key(kit.kms)["KeyId"], new_key(kit.kms)["KeyId"]
    alias = unique("alias/updated")
    kit.kms.create_alias(AliasName=alias, TargetKeyId=first)
    assert answered_nothing(kit.kms.update_alias(AliasName=alias, TargetKeyId=second))
    assert kit.described(alias)["KeyId"] == second
    _alias_entry(kit, alias, second)
    assert kit.kms.list_aliases(KeyId=first)["Aliases"] == []


@case("DeleteAlias")
def _delete_alias(kit: Kit) -> None:
    key_id = new_key(kit.kms)["KeyId"]
    alias = unique("alias/deleted")
    kit.kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    assert answered_nothing(kit.kms.delete_alias(AliasName=alias))
    with pytest.raises(kit.kms.exceptions.NotFoundException) as raised:
        kit.kms.describe_key(KeyId=alias)
    assert error_of(raised.value) == (
        "NotFoundException",
        f"Alias {alias_arn(kit.aws, alias)} is not found.",
    )


@case("ListAliases")
def _list_aliases(kit: Kit) -> None:
    key_id = new_key(kit.kms)["KeyId"]
    aliases = sorted(unique("alias/listed") for _ in range(2))
    for alias in aliases:
        kit.kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    listed = kit.kms.list_aliases(KeyId=key_id)
    assert sorted(entry["AliasName"] for entry in listed["Aliases"]) == aliases
    for alias in aliases:
        _alias_entry(kit, alias, key_id)
    everything = kit.kms.list_aliases(Limit=100)
    assert set(aliases) <= {entry["AliasName"] for entry in everything["Aliases"]}


# Tags


def _tags(kit: Kit, key_id: str) -> list[dict[str, str]]:
    listed = kit.kms.list_resource_tags(KeyId=key_id)
    assert listed["Truncated"] is False
    assert "NextMarker" not in listed
    return sorted(listed["Tags"], key=lambda tag: tag["TagKey"])


@case("TagResource")
def _tag_resource(kit: Kit) -> None:
    key_id = new_key(kit.kms)["KeyId"]
    tags = [{"TagKey": "env", "TagValue": "test"}, {"TagKey": "team", "TagValue": "kms"}]
    assert answered_nothing(kit.kms.tag_resource(KeyId=key_id, Tags=tags))
    assert _tags(kit, key_id) == tags


@case("UntagResource")
def _untag_resource(kit: Kit) -> None:
    tags = [{"TagKey": "env", "TagValue": "test"}, {"TagKey": "team", "TagValue": "kms"}]
    key_id = new_key(kit.kms, Tags=tags)["KeyId"]
    assert answered_nothing(kit.kms.untag_resource(KeyId=key_id, TagKeys=["env"]))
    assert _tags(kit, key_id) == tags[1:]


@case("ListResourceTags")
def _list_resource_tags(kit: Kit) -> None:
    assert _tags(kit, new_key(kit.kms)["KeyId"]) == []
    tags = [{"TagKey": "a", "TagValue": ""}, {"TagKey": "b", "TagValue": "2"}]
    assert _tags(kit, new_key(kit.kms, Tags=tags)["KeyId"]) == tags


# Key policies


def _policy_of(kit: Kit, key_id: str) -> dict[str, Any]:
    got = kit.kms.get_key_policy(KeyId=key_id, PolicyName="default")
    assert got["PolicyName"] == "default"
    document: dict[str, Any] = json.loads(got["Policy"])
    return document


@case("GetKeyPolicy")
def _get_key_policy(kit: Kit) -> None:
    key_id = new_key(kit.kms)["KeyId"]
    document = _policy_of(kit, key_id)
    # AWS's default key policy: the account's root may do everything with the key.
    assert document["Version"] == "2012-10-17"
    assert {
        "Sid": "Enable IAM User Permissions",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{kit.aws.account_id}:root"},
        "Action": "kms:*",
        "Resource": "*",
    } in document["Statement"]
    without_name = kit.kms.get_key_policy(KeyId=key_id)
    assert json.loads(without_name["Policy"]) == document


@case("ListKeyPolicies")
def _list_key_policies(kit: Kit) -> None:
    listed = kit.kms.list_key_policies(KeyId=new_key(kit.kms)["KeyId"])
    assert (listed["PolicyNames"], listed["Truncated"]) == (["default"], False)
    assert "NextMarker" not in listed


@case("PutKeyPolicy")
def _put_key_policy(kit: Kit) -> None:
    key_id = new_key(kit.kms)["KeyId"]
    document = {
        "Version": "2012-10-17",
        "Id": "conformance",
        "Statement": [
            {
                "Sid": "Root",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{kit.aws.account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "Bob encrypts",
                "Effect": "Allow",
                "Principal": {"AWS": kit.aws.second.principal_arn},
                "Action": "kms:Encrypt",
                "Resource": "*",
            },
        ],
    }
    put = kit.kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(document))
    assert answered_nothing(put)
    assert _policy_of(kit, key_id) == document
    # The policy is in force: the second user may now encrypt with the key.
    assert kit.second.encrypt(KeyId=kit.arn(key_id), Plaintext=b"x")["KeyId"] == kit.arn(key_id)


# Rotation


@case("EnableKeyRotation")
def _enable_key_rotation(kit: Kit) -> None:
    key_id = new_key(kit.kms)["KeyId"]
    enabled = kit.kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    assert answered_nothing(enabled)
    status = kit.kms.get_key_rotation_status(KeyId=key_id)
    assert (status["KeyRotationEnabled"], status["RotationPeriodInDays"]) == (True, 90)
    assert about(status["NextRotationDate"], 90 * DAY)


@case("DisableKeyRotation")
def _disable_key_rotation(kit: Kit) -> None:
    key_id = new_key(kit.kms)["KeyId"]
    kit.kms.enable_key_rotation(KeyId=key_id)
    assert answered_nothing(kit.kms.disable_key_rotation(KeyId=key_id))
    status = kit.kms.get_key_rotation_status(KeyId=key_id)
    assert status["KeyRotationEnabled"] is False
    assert "NextRotationDate" not in status


@case("GetKeyRotationStatus")
def _get_key_rotation_status(kit: Kit) -> None:
    key_id = new_key(kit.kms)["KeyId"]
    status = kit.kms.get_key_rotation_status(KeyId=key_id)
    assert status["KeyRotationEnabled"] is False
    assert status["KeyId"] in (key_id, kit.arn(key_id))
    assert not {"NextRotationDate", "OnDemandRotationStartDate"} & set(status)
    kit.kms.enable_key_rotation(KeyId=key_id)
    status = kit.kms.get_key_rotation_status(KeyId=key_id)
    # AWS's default rotation period is a year.
    assert (status["KeyRotationEnabled"], status["RotationPeriodInDays"]) == (True, 365)
    assert about(status["NextRotationDate"], 365 * DAY)


@case("RotateKeyOnDemand")
def _rotate_key_on_demand(kit: Kit) -> None:
    metadata = new_key(kit.kms)
    key_id = metadata["KeyId"]
    ciphertext = kit.kms.encrypt(KeyId=key_id, Plaintext=b"before")["CiphertextBlob"]
    rotated = kit.kms.rotate_key_on_demand(KeyId=key_id)
    assert rotated["KeyId"] in (key_id, kit.arn(key_id))
    assert set(rotated) == {"KeyId", "ResponseMetadata"}
    after = kit.described(key_id)["CurrentKeyMaterialId"]
    assert after != metadata["CurrentKeyMaterialId"]
    # Data encrypted under the material before still decrypts.
    decrypted = kit.kms.decrypt(CiphertextBlob=ciphertext)
    assert decrypted["Plaintext"] == b"before"
    assert decrypted["KeyMaterialId"] == metadata["CurrentKeyMaterialId"]


@case("ListKeyRotations")
def _list_key_rotations(kit: Kit) -> None:
    key_id = new_key(kit.kms)["KeyId"]
    empty = kit.kms.list_key_rotations(KeyId=key_id)
    assert (empty["Rotations"], empty["Truncated"]) == ([], False)
    kit.kms.rotate_key_on_demand(KeyId=key_id)
    listed = kit.kms.list_key_rotations(KeyId=key_id)
    assert listed["Truncated"] is False
    (rotation,) = listed["Rotations"]
    assert about(rotation["RotationDate"])
    assert rotation["RotationType"] == "ON_DEMAND"
    assert rotation["KeyId"] in (key_id, kit.arn(key_id))
    assert rotation["KeyMaterialId"] == kit.described(key_id)["CurrentKeyMaterialId"]


# Imported key material


def _import_parameters(kit: Kit, key_id: str) -> dict[str, Any]:
    parameters: dict[str, Any] = kit.kms.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    return parameters


def _import(kit: Kit, key_id: str, material: bytes) -> dict[str, Any]:
    """What a user does with the parameters: wrap the material under the public key with
    RSAES_OAEP_SHA_256, then import it."""
    parameters = _import_parameters(kit, key_id)
    public = serialization.load_der_public_key(parameters["PublicKey"])
    assert isinstance(public, rsa.RSAPublicKey)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    imported: dict[str, Any] = kit.kms.import_key_material(
        KeyId=key_id,
        ImportToken=parameters["ImportToken"],
        EncryptedKeyMaterial=public.encrypt(material, oaep),
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
    )
    return imported


@case("GetParametersForImport")
def _get_parameters_for_import(kit: Kit) -> None:
    key_id = new_key(kit.kms, Origin="EXTERNAL")["KeyId"]
    parameters = _import_parameters(kit, key_id)
    assert parameters["KeyId"] == kit.arn(key_id)
    assert isinstance(parameters["ImportToken"], bytes) and parameters["ImportToken"]
    public = serialization.load_der_public_key(parameters["PublicKey"])
    assert isinstance(public, rsa.RSAPublicKey) and public.key_size == 2048
    # The parameters are good for a day.
    assert about(parameters["ParametersValidTo"], DAY)


@case("ImportKeyMaterial")
def _import_key_material(kit: Kit) -> None:
    metadata = new_key(kit.kms, Origin="EXTERNAL")
    key_id = metadata["KeyId"]
    assert (metadata["KeyState"], metadata["Enabled"], metadata["Origin"]) == (
        "PendingImport",
        False,
        "EXTERNAL",
    )
    imported = _import(kit, key_id, os.urandom(32))
    assert imported["KeyId"] == kit.arn(key_id)
    assert isinstance(imported["KeyMaterialId"], str)
    described = kit.described(key_id)
    assert (described["KeyState"], described["Enabled"]) == ("Enabled", True)
    assert described["ExpirationModel"] == "KEY_MATERIAL_DOES_NOT_EXPIRE"
    assert "ValidTo" not in described
    ciphertext = kit.kms.encrypt(KeyId=key_id, Plaintext=b"imported")["CiphertextBlob"]
    assert kit.kms.decrypt(CiphertextBlob=ciphertext)["Plaintext"] == b"imported"


@case("DeleteImportedKeyMaterial")
def _delete_imported_key_material(kit: Kit) -> None:
    key_id = new_key(kit.kms, Origin="EXTERNAL")["KeyId"]
    material_id = _import(kit, key_id, os.urandom(32))["KeyMaterialId"]
    deleted = kit.kms.delete_imported_key_material(KeyId=key_id)
    assert {k: v for k, v in deleted.items() if k != "ResponseMetadata"} == {
        "KeyId": kit.arn(key_id),
        "KeyMaterialId": material_id,
    }
    described = kit.described(key_id)
    assert (described["KeyState"], described["Enabled"]) == ("PendingImport", False)


# Custom key stores: keygraph's are PKCS#11 tokens, named by members AWS's model does not have
# (api.differences), which a boto3 user adds to the request body before it is signed.


def _with_members(**members: str) -> Callable[..., None]:
    """A ``before-call`` handler adding ``members`` to the JSON body botocore serialized."""

    def add(params: dict[str, Any], **_: Any) -> None:
        params["body"] = json.dumps({**json.loads(params["body"]), **members}).encode()

    return add


def _create_store(kit: Kit, name: str) -> str:
    token = kit.spare_token
    add = _with_members(Pkcs11ModulePath=token.module_path, TokenLabel=token.token_label)
    event = "before-call.kms.CreateCustomKeyStore"
    kit.kms.meta.events.register(event, add)
    try:
        created = kit.kms.create_custom_key_store(
            CustomKeyStoreName=name, KeyStorePassword=token.pin
        )
    finally:
        kit.kms.meta.events.unregister(event, add)
    store_id: str = created["CustomKeyStoreId"]
    return store_id


def _store(kit: Kit, store_id: str) -> dict[str, Any]:
    described = kit.kms.describe_custom_key_stores(CustomKeyStoreId=store_id)
    (store,) = described["CustomKeyStores"]
    assert about(store["CreationDate"])
    return dict(store)


def _with_store(kit: Kit, check: Callable[[str, str], None]) -> None:
    """``check(store_id, name)`` on a new store of the spare token, deleted afterwards: the
    token serves one store at a time."""
    name = unique("store")
    store_id = _create_store(kit, name)
    try:
        check(store_id, name)
    finally:
        if _store(kit, store_id)["ConnectionState"] == "CONNECTED":
            kit.kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
        kit.kms.delete_custom_key_store(CustomKeyStoreId=store_id)


@case("CreateCustomKeyStore")
def _create_custom_key_store(kit: Kit) -> None:
    def check(store_id: str, name: str) -> None:
        assert store_id.startswith("cks-")
        store = _store(kit, store_id)
        assert {k: v for k, v in store.items() if k != "CreationDate"} == {
            "CustomKeyStoreId": store_id,
            "CustomKeyStoreName": name,
            "CustomKeyStoreType": "AWS_CLOUDHSM",
            "ConnectionState": "DISCONNECTED",
        }

    _with_store(kit, check)


@case("ConnectCustomKeyStore")
def _connect_custom_key_store(kit: Kit) -> None:
    def check(store_id: str, _: str) -> None:
        assert answered_nothing(kit.kms.connect_custom_key_store(CustomKeyStoreId=store_id))
        assert _store(kit, store_id)["ConnectionState"] == "CONNECTED"

    _with_store(kit, check)


@case("DisconnectCustomKeyStore")
def _disconnect_custom_key_store(kit: Kit) -> None:
    def check(store_id: str, _: str) -> None:
        kit.kms.connect_custom_key_store(CustomKeyStoreId=store_id)
        assert answered_nothing(kit.kms.disconnect_custom_key_store(CustomKeyStoreId=store_id))
        assert _store(kit, store_id)["ConnectionState"] == "DISCONNECTED"

    _with_store(kit, check)


@case("UpdateCustomKeyStore")
def _update_custom_key_store(kit: Kit) -> None:
    def check(store_id: str, _: str) -> None:
        renamed = unique("renamed")
        updated = kit.kms.update_custom_key_store(
            CustomKeyStoreId=store_id, NewCustomKeyStoreName=renamed
        )
        assert answered_nothing(updated)
        assert _store(kit, store_id)["CustomKeyStoreName"] == renamed
        by_name = kit.kms.describe_custom_key_stores(CustomKeyStoreName=renamed)
        assert [store["CustomKeyStoreId"] for store in by_name["CustomKeyStores"]] == [store_id]

    _with_store(kit, check)


@case("DeleteCustomKeyStore")
def _delete_custom_key_store(kit: Kit) -> None:
    store_id = _create_store(kit, unique("deleted"))
    assert answered_nothing(kit.kms.delete_custom_key_store(CustomKeyStoreId=store_id))
    with pytest.raises(kit.kms.exceptions.CustomKeyStoreNotFoundException):
        kit.kms.describe_custom_key_stores(CustomKeyStoreId=store_id)


@case("DescribeCustomKeyStores")
def _describe_custom_key_stores(kit: Kit) -> None:
    def check(store_id: str, name: str) -> None:
        described = kit.kms.describe_custom_key_stores()
        assert described["Truncated"] is False
        assert "NextMarker" not in described
        (store,) = [s for s in described["CustomKeyStores"] if s["CustomKeyStoreId"] == store_id]
        assert store == _store(kit, store_id)
        assert store["CustomKeyStoreName"] == name

    _with_store(kit, check)


# Signatures, MACs, key agreement


def _public_key(kit: Kit, key_id: str) -> Any:
    return serialization.load_der_public_key(kit.kms.get_public_key(KeyId=key_id)["PublicKey"])


@case("GetPublicKey")
def _get_public_key(kit: Kit) -> None:
    key_id = new_key(kit.kms, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyId"]
    got = kit.kms.get_public_key(KeyId=key_id)
    public = serialization.load_der_public_key(got["PublicKey"])
    assert isinstance(public, ec.EllipticCurvePublicKey) and public.curve.name == "secp256r1"
    assert {k: v for k, v in got.items() if k not in ("PublicKey", "ResponseMetadata")} == {
        "KeyId": kit.arn(key_id),
        "CustomerMasterKeySpec": "ECC_NIST_P256",
        "KeySpec": "ECC_NIST_P256",
        "KeyUsage": "SIGN_VERIFY",
        "SigningAlgorithms": ["ECDSA_SHA_256"],
    }


@case("Sign")
def _sign(kit: Kit) -> None:
    key_id = new_key(kit.kms, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyId"]
    signed = kit.kms.sign(KeyId=key_id, Message=b"signed", SigningAlgorithm="ECDSA_SHA_256")
    assert (signed["KeyId"], signed["SigningAlgorithm"]) == (kit.arn(key_id), "ECDSA_SHA_256")
    # A DER signature that anyone with the public key verifies.
    _public_key(kit, key_id).verify(signed["Signature"], b"signed", ec.ECDSA(hashes.SHA256()))
    digest = hashes.Hash(hashes.SHA256())
    digest.update(b"signed")
    by_digest = kit.kms.sign(
        KeyId=key_id,
        Message=digest.finalize(),
        MessageType="DIGEST",
        SigningAlgorithm="ECDSA_SHA_256",
    )
    _public_key(kit, key_id).verify(by_digest["Signature"], b"signed", ec.ECDSA(hashes.SHA256()))


@case("Verify")
def _verify(kit: Kit) -> None:
    key_id = new_key(kit.kms, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyId"]
    signature = kit.kms.sign(KeyId=key_id, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")[
        "Signature"
    ]
    verified = kit.kms.verify(
        KeyId=key_id, Message=b"m", Signature=signature, SigningAlgorithm="ECDSA_SHA_256"
    )
    assert {k: v for k, v in verified.items() if k != "ResponseMetadata"} == {
        "KeyId": kit.arn(key_id),
        "SignatureValid": True,
        "SigningAlgorithm": "ECDSA_SHA_256",
    }
    with pytest.raises(kit.kms.exceptions.KMSInvalidSignatureException):
        kit.kms.verify(
            KeyId=key_id, Message=b"other", Signature=signature, SigningAlgorithm="ECDSA_SHA_256"
        )


@case("GenerateMac")
def _generate_mac(kit: Kit) -> None:
    key_id = new_key(kit.kms, KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyId"]
    generated = kit.kms.generate_mac(KeyId=key_id, Message=b"m", MacAlgorithm="HMAC_SHA_256")
    assert isinstance(generated["Mac"], bytes) and len(generated["Mac"]) == 32
    assert (generated["KeyId"], generated["MacAlgorithm"]) == (kit.arn(key_id), "HMAC_SHA_256")
    again = kit.kms.generate_mac(KeyId=key_id, Message=b"m", MacAlgorithm="HMAC_SHA_256")
    assert again["Mac"] == generated["Mac"]


@case("VerifyMac")
def _verify_mac(kit: Kit) -> None:
    key_id = new_key(kit.kms, KeySpec="HMAC_384", KeyUsage="GENERATE_VERIFY_MAC")["KeyId"]
    mac = kit.kms.generate_mac(KeyId=key_id, Message=b"m", MacAlgorithm="HMAC_SHA_384")["Mac"]
    verified = kit.kms.verify_mac(KeyId=key_id, Message=b"m", Mac=mac, MacAlgorithm="HMAC_SHA_384")
    assert {k: v for k, v in verified.items() if k != "ResponseMetadata"} == {
        "KeyId": kit.arn(key_id),
        "MacValid": True,
        "MacAlgorithm": "HMAC_SHA_384",
    }
    with pytest.raises(kit.kms.exceptions.KMSInvalidMacException):
        kit.kms.verify_mac(KeyId=key_id, Message=b"n", Mac=mac, MacAlgorithm="HMAC_SHA_384")


@case("DeriveSharedSecret")
def _derive_shared_secret(kit: Kit) -> None:
    key_id = new_key(kit.kms, KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")["KeyId"]
    ours = ec.generate_private_key(ec.SECP256R1())
    derived = kit.kms.derive_shared_secret(
        KeyId=key_id,
        KeyAgreementAlgorithm="ECDH",
        PublicKey=ours.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )
    # The other side computes the same secret from the key's public key.
    assert derived["SharedSecret"] == ours.exchange(ec.ECDH(), _public_key(kit, key_id))
    assert {k: v for k, v in derived.items() if k not in ("SharedSecret", "ResponseMetadata")} == {
        "KeyId": kit.arn(key_id),
        "KeyAgreementAlgorithm": "ECDH",
        "KeyOrigin": "AWS_KMS",
    }


# Encryption and data keys


@case("Encrypt")
def _encrypt(kit: Kit) -> None:
    key_id = new_key(kit.kms)["KeyId"]
    alias = unique("alias/encrypt")
    kit.kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    for name in (key_id, kit.arn(key_id), alias, alias_arn(kit.aws, alias)):
        encrypted = kit.kms.encrypt(KeyId=name, Plaintext=b"secret")
        assert isinstance(encrypted["CiphertextBlob"], bytes)
        assert b"secret" not in encrypted["CiphertextBlob"]
        assert {k: v for k, v in encrypted.items() if k != "ResponseMetadata"} == {
            "CiphertextBlob": encrypted["CiphertextBlob"],
            "KeyId": kit.arn(key_id),
            "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        }


@case("Decrypt")
def _decrypt(kit: Kit) -> None:
    metadata = new_key(kit.kms)
    context = {"tenant": "acme", "purpose": "conformance"}
    ciphertext = kit.kms.encrypt(
        KeyId=metadata["KeyId"], Plaintext=b"\x00secret\xff", EncryptionContext=context
    )["CiphertextBlob"]
    decrypted = kit.kms.decrypt(CiphertextBlob=ciphertext, EncryptionContext=context)
    assert {k: v for k, v in decrypted.items() if k != "ResponseMetadata"} == {
        "KeyId": metadata["Arn"],
        "Plaintext": b"\x00secret\xff",
        "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "KeyMaterialId": metadata["CurrentKeyMaterialId"],
    }
    named = kit.kms.decrypt(
        CiphertextBlob=ciphertext, EncryptionContext=context, KeyId=metadata["Arn"]
    )
    assert named["Plaintext"] == b"\x00secret\xff"


@case("ReEncrypt")
def _re_encrypt(kit: Kit) -> None:
    source, destination = new_key(kit.kms), new_key(kit.kms)
    ciphertext = kit.kms.encrypt(
        KeyId=source["KeyId"], Plaintext=b"moved", EncryptionContext={"a": "1"}
    )["CiphertextBlob"]
    moved = kit.kms.re_encrypt(
        CiphertextBlob=ciphertext,
        SourceEncryptionContext={"a": "1"},
        DestinationKeyId=destination["KeyId"],
        DestinationEncryptionContext={"b": "2"},
    )
    assert isinstance(moved["CiphertextBlob"], bytes)
    assert {k: v for k, v in moved.items() if k not in ("CiphertextBlob", "ResponseMetadata")} == {
        "SourceKeyId": source["Arn"],
        "KeyId": destination["Arn"],
        "SourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "DestinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "SourceKeyMaterialId": source["CurrentKeyMaterialId"],
        "DestinationKeyMaterialId": destination["CurrentKeyMaterialId"],
    }
    decrypted = kit.kms.decrypt(
        CiphertextBlob=moved["CiphertextBlob"], EncryptionContext={"b": "2"}
    )
    assert (decrypted["Plaintext"], decrypted["KeyId"]) == (b"moved", destination["Arn"])


@case("GenerateDataKey")
def _generate_data_key(kit: Kit) -> None:
    metadata = new_key(kit.kms)
    context = {"file": "report.pdf"}
    generated = kit.kms.generate_data_key(
        KeyId=metadata["KeyId"], KeySpec="AES_256", EncryptionContext=context
    )
    assert isinstance(generated["Plaintext"], bytes) and len(generated["Plaintext"]) == 32
    assert (generated["KeyId"], generated["KeyMaterialId"]) == (
        metadata["Arn"],
        metadata["CurrentKeyMaterialId"],
    )
    unwrapped = kit.kms.decrypt(
        CiphertextBlob=generated["CiphertextBlob"], EncryptionContext=context
    )
    assert unwrapped["Plaintext"] == generated["Plaintext"]
    sized = kit.kms.generate_data_key(KeyId=metadata["KeyId"], NumberOfBytes=7)
    assert len(sized["Plaintext"]) == 7


@case("GenerateDataKeyWithoutPlaintext")
def _generate_data_key_without_plaintext(kit: Kit) -> None:
    metadata = new_key(kit.kms)
    generated = kit.kms.generate_data_key_without_plaintext(
        KeyId=metadata["KeyId"], NumberOfBytes=16
    )
    assert "Plaintext" not in generated
    assert generated["KeyId"] == metadata["Arn"]
    unwrapped = kit.kms.decrypt(CiphertextBlob=generated["CiphertextBlob"])
    assert len(unwrapped["Plaintext"]) == 16


def _private_key_of(kit: Kit, ciphertext: bytes) -> ec.EllipticCurvePrivateKey:
    """The private key a data key pair's ciphertext holds, decrypted as its user would."""
    private = serialization.load_der_private_key(
        kit.kms.decrypt(CiphertextBlob=ciphertext)["Plaintext"], password=None
    )
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    return private


def _spki(private: ec.EllipticCurvePrivateKey) -> bytes:
    return private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@case("GenerateDataKeyPair")
def _generate_data_key_pair(kit: Kit) -> None:
    metadata = new_key(kit.kms)
    pair = kit.kms.generate_data_key_pair(KeyId=metadata["KeyId"], KeyPairSpec="ECC_NIST_P256")
    assert (pair["KeyId"], pair["KeyPairSpec"]) == (metadata["Arn"], "ECC_NIST_P256")
    private = serialization.load_der_private_key(pair["PrivateKeyPlaintext"], password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    assert _spki(private) == pair["PublicKey"]
    stored = _private_key_of(kit, pair["PrivateKeyCiphertextBlob"])
    assert stored.private_numbers() == private.private_numbers()


@case("GenerateDataKeyPairWithoutPlaintext")
def _generate_data_key_pair_without_plaintext(kit: Kit) -> None:
    metadata = new_key(kit.kms)
    pair = kit.kms.generate_data_key_pair_without_plaintext(
        KeyId=metadata["KeyId"], KeyPairSpec="ECC_NIST_P384"
    )
    assert "PrivateKeyPlaintext" not in pair
    assert (pair["KeyId"], pair["KeyPairSpec"]) == (metadata["Arn"], "ECC_NIST_P384")
    assert _spki(_private_key_of(kit, pair["PrivateKeyCiphertextBlob"])) == pair["PublicKey"]


@case("GenerateRandom")
def _generate_random(kit: Kit) -> None:
    first = kit.kms.generate_random(NumberOfBytes=64)
    assert set(first) == {"Plaintext", "ResponseMetadata"}
    assert isinstance(first["Plaintext"], bytes) and len(first["Plaintext"]) == 64
    assert kit.kms.generate_random(NumberOfBytes=64)["Plaintext"] != first["Plaintext"]

    # CustomKeyStoreId: the bytes come from the store's token, which must be connected
    # (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateRandom.html).
    def from_store(store_id: str, _name: str) -> None:
        with pytest.raises(ClientError) as refused:
            kit.kms.generate_random(NumberOfBytes=16, CustomKeyStoreId=store_id)
        assert error_of(refused.value)[0] == "CustomKeyStoreInvalidStateException"
        kit.kms.connect_custom_key_store(CustomKeyStoreId=store_id)
        made = kit.kms.generate_random(NumberOfBytes=16, CustomKeyStoreId=store_id)
        assert len(made["Plaintext"]) == 16

    _with_store(kit, from_store)


@case("GetKeyLastUsage")
def _get_key_last_usage(kit: Kit) -> None:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyLastUsage.html"""
    key = new_key(kit.kms)
    answer = kit.kms.get_key_last_usage(KeyId=key["KeyId"])
    assert {k: v for k, v in answer.items() if k != "ResponseMetadata"} == {
        "KeyId": key["KeyId"],
        "KeyLastUsage": {},
        "TrackingStartDate": key["CreationDate"],
        "KeyCreationDate": key["CreationDate"],
    }
    used = kit.kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")
    usage = wait_for_use(kit.kms, key["KeyId"], used["ResponseMetadata"]["RequestId"])
    assert usage["Operation"] == "Encrypt"
    assert about(usage["Timestamp"]) and usage["CloudTrailEventId"].isdigit()


# Grants


def _grant(kit: Kit, key_id: str, **members: Any) -> dict[str, Any]:
    members.setdefault("Operations", ["Encrypt", "Decrypt"])
    granted: dict[str, Any] = kit.kms.create_grant(
        KeyId=key_id, GranteePrincipal=kit.aws.second.principal_arn, **members
    )
    return granted


def _grant_ids(kit: Kit, key_id: str) -> list[str]:
    return [grant["GrantId"] for grant in kit.kms.list_grants(KeyId=key_id)["Grants"]]


@case("CreateGrant")
def _create_grant(kit: Kit) -> None:
    key_arn_ = kit.arn(new_key(kit.kms)["KeyId"])
    with pytest.raises(ClientError) as raised:
        kit.second.encrypt(KeyId=key_arn_, Plaintext=b"x")
    assert error_of(raised.value)[0] == "AccessDeniedException"
    granted = _grant(kit, key_arn_, Operations=["Encrypt"])
    assert set(granted) == {"GrantId", "GrantToken", "ResponseMetadata"}
    assert isinstance(granted["GrantId"], str) and isinstance(granted["GrantToken"], str)
    # The grantee uses the grant at once with its token, and later without.
    encrypted = kit.second.encrypt(
        KeyId=key_arn_, Plaintext=b"x", GrantTokens=[granted["GrantToken"]]
    )
    assert encrypted["KeyId"] == key_arn_
    assert kit.second.encrypt(KeyId=key_arn_, Plaintext=b"y")["KeyId"] == key_arn_


@case("ListGrants")
def _list_grants(kit: Kit) -> None:
    key_id = new_key(kit.kms)["KeyId"]
    granted = _grant(
        kit,
        key_id,
        Name="conformance",
        Constraints={"EncryptionContextSubset": {"dept": "it"}},
        RetiringPrincipal=kit.aws.root.principal_arn,
    )
    listed = kit.kms.list_grants(KeyId=key_id)
    assert listed["Truncated"] is False
    assert "NextMarker" not in listed
    (grant,) = listed["Grants"]
    assert about(grant["CreationDate"])
    assert grant["KeyId"] in (key_id, kit.arn(key_id))
    assert {k: v for k, v in grant.items() if k not in ("CreationDate", "KeyId")} == {
        "GrantId": granted["GrantId"],
        "Name": "conformance",
        "GranteePrincipal": kit.aws.second.principal_arn,
        "RetiringPrincipal": kit.aws.root.principal_arn,
        "IssuingAccount": f"arn:aws:iam::{kit.aws.account_id}:root",
        "Operations": grant["Operations"],
        "Constraints": {"EncryptionContextSubset": {"dept": "it"}},
    }
    assert sorted(grant["Operations"]) == ["Decrypt", "Encrypt"]
    by_id = kit.kms.list_grants(KeyId=key_id, GrantId=granted["GrantId"])["Grants"]
    assert [g["GrantId"] for g in by_id] == [granted["GrantId"]]


@case("ListRetirableGrants")
def _list_retirable_grants(kit: Kit) -> None:
    key_id = new_key(kit.kms)["KeyId"]
    granted = _grant(kit, key_id, RetiringPrincipal=kit.aws.second.principal_arn)
    _grant(kit, key_id)  # not retirable by anyone named
    listed = kit.kms.list_retirable_grants(RetiringPrincipal=kit.aws.second.principal_arn)
    assert listed["Truncated"] is False
    mine = [grant for grant in listed["Grants"] if grant["KeyId"] in (key_id, kit.arn(key_id))]
    assert [grant["GrantId"] for grant in mine] == [granted["GrantId"]]
    assert mine[0]["RetiringPrincipal"] == kit.aws.second.principal_arn


@case("RetireGrant")
def _retire_grant(kit: Kit) -> None:
    key_id = new_key(kit.kms)["KeyId"]
    granted = _grant(kit, key_id, RetiringPrincipal=kit.aws.second.principal_arn)
    # The retiring principal retires the grant with its token.
    assert answered_nothing(kit.second.retire_grant(GrantToken=granted["GrantToken"]))
    assert _grant_ids(kit, key_id) == []
    # Or by the key's ARN and the grant's id.
    other = _grant(kit, key_id, RetiringPrincipal=kit.aws.second.principal_arn)
    retired = kit.second.retire_grant(KeyId=kit.arn(key_id), GrantId=other["GrantId"])
    assert answered_nothing(retired)
    assert _grant_ids(kit, key_id) == []


@case("RevokeGrant")
def _revoke_grant(kit: Kit) -> None:
    key_arn_ = kit.arn(new_key(kit.kms)["KeyId"])
    granted = _grant(kit, key_arn_)
    kit.second.encrypt(KeyId=key_arn_, Plaintext=b"x")
    assert answered_nothing(kit.kms.revoke_grant(KeyId=key_arn_, GrantId=granted["GrantId"]))
    assert _grant_ids(kit, key_arn_) == []
    with pytest.raises(ClientError) as raised:
        kit.second.encrypt(KeyId=key_arn_, Plaintext=b"x")
    assert error_of(raised.value)[0] == "AccessDeniedException"
