"""The catalog's GraphQL fields, through the served app (with another catalog where a test needs
one)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from api.catalog import Catalog, import_page, read_catalog
from api.services import Services
from keygraph.app import keygraph_app
from tests.catalog.conftest import WIDGET_PAGE
from tests.graphql_client import app_client


async def post(
    services: Services, token: str, query: str, catalog: Catalog | None, variables: dict[str, Any]
) -> dict[str, Any]:
    served = replace(services, catalog=catalog) if catalog else services
    async with app_client(keygraph_app(served.settings, served), token) as http:
        response = await http.post("/graphql", json={"query": query, "variables": variables})
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def run(services: Services, admin_token: str) -> Any:
    """``await run(query, catalog=None, **variables)``: the data of a request that must succeed."""

    async def request(query: str, catalog: Catalog | None = None, **variables: Any) -> Any:
        body = await post(services, admin_token, query, catalog, variables)
        assert "errors" not in body, body["errors"]
        return body["data"]

    return request


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


async def test_privilege_by_either_name_has_the_full_shape(run: Any) -> None:
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
    assert (await run(query, name="Encrypt"))["privilege"] == expected
    assert (await run(query, name="kms:Encrypt"))["privilege"] == expected


async def test_amended_condition_keys_say_what_is_not_from_the_page(run: Any) -> None:
    data = await run(
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


async def test_unknown_privilege_is_null(run: Any) -> None:
    assert await run('{ privilege(name: "kms:Nope") { name } }') == {"privilege": None}


async def test_all_privileges_include_the_newer_actions_marked(run: Any) -> None:
    rows = (await run("{ privileges { action fromSeed } }"))["privileges"]
    assert len(rows) == 53
    assert sorted(r["action"] for r in rows if not r["fromSeed"]) == [
        "kms:DeriveSharedSecret",
        "kms:GenerateMac",
        "kms:GetKeyLastUsage",
        "kms:ListKeyRotations",
        "kms:RotateKeyOnDemand",
        "kms:VerifyMac",
    ]


async def test_privileges_filter(run: Any) -> None:
    query = """
        query ($filter: PrivilegeFilter) {
          privileges(filter: $filter) { name accessLevel accessLevelName }
        }
    """
    managed = (await run(query, filter={"accessLevel": "PERMISSIONS_MANAGEMENT"}))["privileges"]
    assert [r["name"] for r in managed] == [
        "CreateGrant",
        "PutKeyPolicy",
        "RetireGrant",
        "RevokeGrant",
    ]
    assert {r["accessLevelName"] for r in managed} == {"Permissions management"}
    combined = (
        await run(
            query,
            filter={"service": "kms", "resourceType": "key", "conditionKey": "kms:MacAlgorithm"},
        )
    )["privileges"]
    assert [r["name"] for r in combined] == ["GenerateMac", "VerifyMac"]
    assert [r["name"] for r in (await run(query, filter={"search": "rotation"}))["privileges"]] == [
        "DisableKeyRotation",
        "EnableKeyRotation",
        "GetKeyRotationStatus",
        "ListKeyRotations",
        "RotateKeyOnDemand",
    ]


async def test_bad_access_level_is_a_validation_error(services: Services, admin_token: str) -> None:
    query = "{ privileges(filter: {accessLevel: ADMIN}) { name } }"
    body = await post(services, admin_token, query, None, {})
    assert body["errors"][0]["extensions"]["code"] == "ValidationException"
    assert "ADMIN" in body["errors"][0]["message"]


async def test_operation_fields_follow_the_contract(run: Any) -> None:
    data = await run(
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


async def test_service_defaults_to_kms(run: Any) -> None:
    data = await run(
        '{ service { name prefix resourceTypes } other: service(prefix: "nope") { name } }'
    )
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


async def test_services_condition_keys_and_resource_types(run: Any, two_services: Catalog) -> None:
    data = await run(
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
        ("kms", "Key Management Service", 53),
        ("widget", "Example Widget Service", 3),
    ]
    assert data["widgetKeys"] == ["aws:RequestTag/${TagKey}", "widget:Colour", "widget:Shine"]
    assert {"kms:CallerAccount", "widget:Colour"} <= set(data["allKeys"])
    assert data["widgetTypes"] == ["", "widget", "workshop"]
    assert data["allTypes"] == ["", "alias", "key", "widget", "workshop"]
    assert data["widget"] == [{"action": "widget:ListWidgets"}]
