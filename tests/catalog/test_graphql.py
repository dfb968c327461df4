"""The catalog's GraphQL fields, through a minimal schema built on ``CatalogQuery``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import strawberry

from api.catalog import Catalog, import_page, load_catalog, read_catalog
from schema.catalog import CatalogQuery
from tests.catalog.conftest import WIDGET_PAGE


@strawberry.type
class Query(CatalogQuery):
    pass


SCHEMA = strawberry.Schema(query=Query)


@dataclass(frozen=True)
class Context:
    catalog: Catalog


def run(query: str, catalog: Catalog | None = None, **variables: Any) -> dict[str, Any]:
    result = SCHEMA.execute_sync(
        query, variable_values=variables, context_value=Context(catalog or load_catalog())
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


AMENDED_ENCRYPT_KEYS = [
    "aws:ResourceTag/${TagKey}",
    "kms:EncryptionContext:${EncryptionContextKey}",
    "kms:KeyOrigin",
    "kms:KeySpec",
    "kms:KeyUsage",
    "kms:MultiRegion",
    "kms:MultiRegionKeyType",
    "kms:RequestAlias",
    "kms:ResourceAliases",
]


def test_privilege_by_either_name_has_the_full_shape() -> None:
    query = """
        query ($name: String!) {
          privilege(name: $name) {
            name action service description accessLevel accessLevelName
            resourceTypes { resourceType required conditionKeys dependentActions }
            conditionKeys dependentActions fromSeed amendedConditionKeys operation operationType
          }
        }
    """
    expected = {
        "name": "Encrypt",
        "action": "kms:Encrypt",
        "service": "kms",
        "description": (
            "Controls permission to use the specified customer master key to encrypt data and data"
            " keys."
        ),
        "accessLevel": "WRITE",
        "accessLevelName": "Write",
        "resourceTypes": [
            {"resourceType": "key", "required": True, "conditionKeys": [], "dependentActions": []},
            {
                "resourceType": "",
                "required": False,
                # The page's keys, then those the amendment adds.
                "conditionKeys": [
                    "kms:CallerAccount",
                    "kms:EncryptionAlgorithm",
                    "kms:EncryptionContextKeys",
                    "kms:ViaService",
                    *AMENDED_ENCRYPT_KEYS,
                ],
                "dependentActions": [],
            },
        ],
        "conditionKeys": [
            "aws:ResourceTag/${TagKey}",
            "kms:CallerAccount",
            "kms:EncryptionAlgorithm",
            "kms:EncryptionContext:${EncryptionContextKey}",
            "kms:EncryptionContextKeys",
            "kms:KeyOrigin",
            "kms:KeySpec",
            "kms:KeyUsage",
            "kms:MultiRegion",
            "kms:MultiRegionKeyType",
            "kms:RequestAlias",
            "kms:ResourceAliases",
            "kms:ViaService",
        ],
        "dependentActions": [],
        "fromSeed": True,
        "amendedConditionKeys": AMENDED_ENCRYPT_KEYS,
        "operation": "encrypt",
        "operationType": "MUTATION",
    }
    assert run(query, name="Encrypt")["privilege"] == expected
    assert run(query, name="kms:Encrypt")["privilege"] == expected


def test_amended_condition_keys_say_what_is_not_from_the_page() -> None:
    data = run(
        """{
          createKey: privilege(name: "CreateKey") { fromSeed amendedConditionKeys conditionKeys }
          listKeys: privilege(name: "ListKeys") { fromSeed amendedConditionKeys conditionKeys }
          mac: privilege(name: "GenerateMac") { fromSeed amendedConditionKeys }
          grants: privileges(filter: {conditionKey: "kms:grantoperations"}) { action }
        }"""
    )
    assert data["createKey"]["fromSeed"] is True
    assert data["createKey"]["amendedConditionKeys"] == [
        "aws:RequestTag/${TagKey}",
        "aws:ResourceTag/${TagKey}",
        "aws:TagKeys",
        "kms:CallerAccount",
        "kms:KeySpec",
        "kms:KeyUsage",
        "kms:MultiRegion",
        "kms:MultiRegionKeyType",
        "kms:ViaService",
    ]
    assert set(data["createKey"]["amendedConditionKeys"]) < set(data["createKey"]["conditionKeys"])
    assert data["listKeys"] == {"fromSeed": True, "amendedConditionKeys": [], "conditionKeys": []}
    assert data["mac"] == {"fromSeed": False, "amendedConditionKeys": []}
    assert data["grants"] == [{"action": "kms:CreateGrant"}]


def test_unknown_privilege_is_null() -> None:
    assert run('{ privilege(name: "kms:Nope") { name } }') == {"privilege": None}


def test_all_privileges_include_the_newer_actions_marked() -> None:
    rows = run("{ privileges { action fromSeed } }")["privileges"]
    assert len(rows) == 52
    assert sorted(r["action"] for r in rows if not r["fromSeed"]) == [
        "kms:DeriveSharedSecret",
        "kms:GenerateMac",
        "kms:ListKeyRotations",
        "kms:RotateKeyOnDemand",
        "kms:VerifyMac",
    ]


def test_privileges_filter() -> None:
    query = """
        query ($filter: PrivilegeFilter) {
          privileges(filter: $filter) { name accessLevel accessLevelName }
        }
    """
    managed = run(query, filter={"accessLevel": "PERMISSIONS_MANAGEMENT"})["privileges"]
    assert [r["name"] for r in managed] == [
        "CreateGrant",
        "PutKeyPolicy",
        "RetireGrant",
        "RevokeGrant",
    ]
    assert {r["accessLevelName"] for r in managed} == {"Permissions management"}
    combined = run(
        query,
        filter={"service": "kms", "resourceType": "key", "conditionKey": "kms:MacAlgorithm"},
    )["privileges"]
    assert [r["name"] for r in combined] == ["GenerateMac", "VerifyMac"]
    assert [r["name"] for r in run(query, filter={"search": "rotation"})["privileges"]] == [
        "DisableKeyRotation",
        "EnableKeyRotation",
        "GetKeyRotationStatus",
        "ListKeyRotations",
        "RotateKeyOnDemand",
    ]


def test_bad_access_level_is_a_validation_error() -> None:
    result = SCHEMA.execute_sync(
        "{ privileges(filter: {accessLevel: ADMIN}) { name } }",
        context_value=Context(load_catalog()),
    )
    assert result.errors is not None
    assert "ADMIN" in result.errors[0].message


def test_operation_fields_follow_the_contract() -> None:
    data = run(
        """{
          from: privilege(name: "ReEncryptFrom") { operation operationType }
          to: privilege(name: "ReEncryptTo") { operation operationType }
          rotations: privilege(name: "ListKeyRotations") { operation operationType }
          tags: privilege(name: "ListResourceTags") { operation operationType }
        }"""
    )
    assert data == {
        "from": {"operation": "reEncrypt", "operationType": "MUTATION"},
        "to": {"operation": "reEncrypt", "operationType": "MUTATION"},
        "rotations": {"operation": "listKeyRotations", "operationType": "QUERY"},
        "tags": {"operation": "listResourceTags", "operationType": "QUERY"},
    }


def test_service_defaults_to_kms() -> None:
    data = run('{ service { name prefix resourceTypes } other: service(prefix: "nope") { name } }')
    assert data == {
        "service": {
            "name": "Key Management Service",
            "prefix": "kms",
            "resourceTypes": ["", "alias", "key"],
        },
        "other": None,
    }


@pytest.fixture
def two_services(data_dir: Path) -> Catalog:
    import_page(WIDGET_PAGE, data_dir)
    return read_catalog(data_dir)


def test_services_condition_keys_and_resource_types(two_services: Catalog) -> None:
    data = run(
        """{
          services { prefix name privileges { name } }
          widgetKeys: conditionKeys(service: "widget")
          allKeys: conditionKeys
          widgetTypes: resourceTypes(service: "widget")
          allTypes: resourceTypes
          widget: privileges(filter: {service: "widget", accessLevel: LIST}) { action }
        }""",
        two_services,
    )
    assert [(s["prefix"], s["name"], len(s["privileges"])) for s in data["services"]] == [
        ("kms", "Key Management Service", 52),
        ("widget", "Example Widget Service", 3),
    ]
    assert data["widgetKeys"] == ["aws:RequestTag/${TagKey}", "widget:Colour", "widget:Shine"]
    assert {"kms:CallerAccount", "widget:Colour"} <= set(data["allKeys"])
    assert data["widgetTypes"] == ["", "widget", "workshop"]
    assert data["allTypes"] == ["", "alias", "key", "widget", "workshop"]
    assert data["widget"] == [{"action": "widget:ListWidgets"}]
