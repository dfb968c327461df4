"""Lookups, filters and the naming rules others build the schema from."""

from __future__ import annotations

import pytest

from api.catalog import (
    AccessLevel,
    Catalog,
    CatalogDataError,
    OperationType,
    Privilege,
    Service,
    load_catalog,
    operation_type,
    root_field_name,
)


def _names(privileges: tuple[Privilege, ...]) -> list[str]:
    return [p.name for p in privileges]


def test_lookup_accepts_bare_and_prefixed_names_in_any_case() -> None:
    catalog = load_catalog()
    encrypt = catalog.privilege("kms:Encrypt")
    assert encrypt is not None
    assert encrypt.name == "Encrypt"
    assert catalog.privilege("Encrypt") is encrypt
    assert catalog.privilege("kms:encrypt") is encrypt
    assert catalog.privilege("KMS:ENCRYPT") is encrypt
    assert catalog.privilege("kms:Encrypted") is None
    assert catalog.privilege("s3:Encrypt") is None
    assert catalog.privilege("") is None
    assert catalog.privilege("kms:") is None


def test_load_catalog_is_read_once() -> None:
    assert load_catalog() is load_catalog()


def test_filters() -> None:
    catalog = load_catalog()
    assert _names(catalog.privileges(access_level=AccessLevel.TAGGING)) == [
        "TagResource",
        "UntagResource",
    ]
    assert _names(catalog.privileges(resource_type="alias")) == [
        "CreateAlias",
        "DeleteAlias",
        "UpdateAlias",
    ]
    assert _names(catalog.privileges(condition_key="KMS:GrantIsForAWSResource")) == [
        "CreateGrant",
        "ListGrants",
        "RevokeGrant",
    ]
    assert _names(catalog.privileges(search="Custom Key STORE")) == [
        "ConnectCustomKeyStore",
        "CreateCustomKeyStore",
        "DeleteCustomKeyStore",
        "DescribeCustomKeyStores",
        "DisconnectCustomKeyStore",
        "UpdateCustomKeyStore",
    ]
    assert _names(catalog.privileges(search="kms:GenerateData")) == [
        "GenerateDataKey",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
        "GenerateDataKeyWithoutPlaintext",
    ]
    assert _names(catalog.privileges(access_level=AccessLevel.LIST, resource_type="key")) == [
        "ListGrants",
        "ListKeyPolicies",
        "ListKeyRotations",
        "ListRetirableGrants",
    ]
    everything = catalog.privileges()
    assert len(everything) == 53
    assert catalog.privileges(service="KMS") == everything
    assert catalog.privileges(service="nope") == ()
    on_all_resources = catalog.privileges(resource_type="")
    assert "ListKeys" in _names(on_all_resources)
    assert "ListRetirableGrants" not in _names(on_all_resources)


def test_condition_keys_and_resource_types() -> None:
    catalog = load_catalog()
    keys = catalog.condition_keys("kms")
    assert list(keys) == sorted(set(keys))
    assert {"kms:EncryptionContextKeys", "kms:GrantConstraintType", "kms:MacAlgorithm"} <= set(keys)
    assert catalog.condition_keys() == keys
    assert catalog.condition_keys("nope") == ()
    assert catalog.resource_types("kms") == ("", "alias", "key")
    assert catalog.resource_types() == ("", "alias", "key")


@pytest.mark.parametrize(
    ("operation", "field"),
    [
        ("Encrypt", "encrypt"),
        ("ListResourceTags", "listResourceTags"),
        ("GenerateDataKeyPairWithoutPlaintext", "generateDataKeyPairWithoutPlaintext"),
        ("KMSKeys", "kmsKeys"),
        ("ACL", "acl"),
        ("already", "already"),
    ],
)
def test_root_field_name(operation: str, field: str) -> None:
    assert root_field_name(operation) == field


def test_operation_type_per_access_level() -> None:
    assert {level: operation_type(level) for level in AccessLevel} == {
        AccessLevel.READ: OperationType.QUERY,
        AccessLevel.LIST: OperationType.QUERY,
        AccessLevel.WRITE: OperationType.MUTATION,
        AccessLevel.PERMISSIONS_MANAGEMENT: OperationType.MUTATION,
        AccessLevel.TAGGING: OperationType.MUTATION,
    }


def test_operations_of_kms() -> None:
    operations = {o.field: o for o in load_catalog().operations()}
    assert len(operations) == 52
    reencrypt = operations["reEncrypt"]
    assert reencrypt.name == "ReEncrypt"
    assert reencrypt.actions == ("kms:ReEncryptFrom", "kms:ReEncryptTo")
    assert reencrypt.operation_type is OperationType.MUTATION
    assert "reEncryptFrom" not in operations
    assert operations["describeKey"].operation_type is OperationType.QUERY
    assert operations["listResourceTags"].operation_type is OperationType.QUERY
    assert operations["decrypt"].operation_type is OperationType.MUTATION
    assert operations["putKeyPolicy"].operation_type is OperationType.MUTATION
    assert operations["tagResource"].operation_type is OperationType.MUTATION
    queries = sorted(f for f, o in operations.items() if o.operation_type is OperationType.QUERY)
    assert queries == [
        "describeCustomKeyStores",
        "describeKey",
        "getKeyLastUsage",
        "getKeyPolicy",
        "getKeyRotationStatus",
        "getParametersForImport",
        "getPublicKey",
        "listAliases",
        "listGrants",
        "listKeyPolicies",
        "listKeyRotations",
        "listKeys",
        "listResourceTags",
        "listRetirableGrants",
    ]


def test_a_catalog_refuses_a_service_twice() -> None:
    kms = load_catalog().service("kms")
    assert kms is not None
    twin = Service(name="Another", prefix="KMS", privileges=())
    with pytest.raises(CatalogDataError, match="appears twice"):
        Catalog(services=(kms, twin))
