"""The catalog's reads through the pipeline: what a client browsing the IAM actions sees."""

from __future__ import annotations

import pytest

from api.catalog import AccessLevel, OperationType
from api.errors import ValidationException
from api.operation import Audit
from api.operations import BY_NAME
from api.operations.catalog import (
    AnyServiceRequest,
    Privilege,
    PrivilegeFilter,
    PrivilegeRequest,
    PrivilegeResourceType,
    PrivilegesRequest,
    ServiceRequest,
    ServicesRequest,
)
from tests.operations.conftest import Invoke

CATALOG_READS = ["Service", "Services", "Privileges", "Privilege", "ConditionKeys", "ResourceTypes"]


async def test_a_privilege_reads_as_the_catalog_has_it(call: Invoke) -> None:
    encrypt: Privilege = await call("Privilege", PrivilegeRequest(name="kms:Encrypt"))

    assert (encrypt.name, encrypt.action, encrypt.service) == ("Encrypt", "kms:Encrypt", "kms")
    assert (encrypt.access_level, encrypt.access_level_name) == (AccessLevel.WRITE, "Write")
    assert (encrypt.operation, encrypt.operation_type) == ("encrypt", OperationType.MUTATION)
    assert encrypt.resource_types[0] == PrivilegeResourceType(
        resource_type="key", required=True, condition_keys=[], dependent_actions=[]
    )
    assert "kms:EncryptionAlgorithm" in encrypt.condition_keys
    assert encrypt.condition_keys == sorted(encrypt.condition_keys)
    # The page lacks these; the hand-maintained amendments add them, and say so.
    assert "kms:RequestAlias" in encrypt.amended_condition_keys
    assert encrypt.from_seed is True


async def test_a_bare_name_means_kms_and_an_unknown_one_is_null(call: Invoke) -> None:
    bare = await call("Privilege", PrivilegeRequest(name="encrypt"))
    assert bare.action == "kms:Encrypt"
    assert await call("Privilege", PrivilegeRequest(name="kms:Nope")) is None


async def test_privileges_are_filtered(call: Invoke) -> None:
    everything = await call("Privileges", PrivilegesRequest())
    assert [p.action for p in everything] == sorted(p.action for p in everything)

    lists = await call(
        "Privileges", PrivilegesRequest(filter=PrivilegeFilter(access_level=AccessLevel.LIST))
    )
    assert "ListKeys" in [p.name for p in lists]
    assert {(p.access_level_name, p.operation_type) for p in lists} == {
        ("List", OperationType.QUERY)
    }

    found = await call(
        "Privileges",
        PrivilegesRequest(filter=PrivilegeFilter(search="mac", condition_key="kms:macalgorithm")),
    )
    assert [p.name for p in found] == ["GenerateMac", "VerifyMac"]
    assert [p.from_seed for p in found] == [False, False]


async def test_services_and_their_keys_and_resource_types(call: Invoke) -> None:
    kms = await call("Service", ServiceRequest())
    assert (kms.prefix, kms.name) == ("kms", "Key Management Service")
    assert [p.name for p in kms.privileges] == sorted(p.name for p in kms.privileges)
    assert await call("Services", ServicesRequest()) == [kms]
    assert await call("Service", ServiceRequest(prefix="iam")) is None

    assert await call("ResourceTypes", AnyServiceRequest(service="kms")) == ["", "alias", "key"]
    keys = await call("ConditionKeys", AnyServiceRequest())
    assert keys == kms.condition_keys
    assert "kms:EncryptionContextKeys" in keys
    assert await call("ConditionKeys", AnyServiceRequest(service="iam")) == []


async def test_a_missing_name_is_refused_in_aws_words(call: Invoke) -> None:
    with pytest.raises(ValidationException) as refused:
        await call("Privilege", PrivilegeRequest(name=None))  # type: ignore[arg-type]
    assert refused.value.message == (
        "1 validation error detected: Value null at 'name' failed to satisfy constraint: "
        "Member must not be null"
    )


@pytest.mark.parametrize("name", CATALOG_READS)
def test_catalog_reads_are_flat_and_unaudited(name: str) -> None:
    operation = BY_NAME[name]
    assert (operation.flat, operation.audit) == (True, Audit.NONE)
