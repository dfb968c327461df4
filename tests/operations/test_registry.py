"""The registry and the tables the domain keeps by action name agree: an operation in one and not
the others (the catalog, the key state table, the key usage table, the quotas, the grant
operations) fails here, naming it."""

from __future__ import annotations

from api.catalog import OperationType, load_catalog
from api.grants.model import GrantOperation
from api.keys.states import TABLE
from api.keys.usage import USAGE_FOR_ACTION
from api.operation import Access
from api.operations import OPERATIONS
from api.throttling import rate_classes_of

CATALOG = load_catalog()
# Every catalog action some operation authorizes, without its ``kms:`` prefix.
KMS_ACTIONS = {
    action.removeprefix("kms:")
    for operation in OPERATIONS
    for action in operation.actions
    if action.startswith("kms:")
}


def _keyed(action: str) -> bool:
    """Whether the catalog says the action acts on a key (resource type ``key``)."""
    privilege = CATALOG.privilege(f"kms:{action}")
    assert privilege is not None, action
    return any(resource.resource_type == "key" for resource in privilege.resource_types)


def test_the_registry_serves_every_catalog_operation_in_its_place() -> None:
    served = {operation.field: operation for operation in OPERATIONS}
    for operation in CATALOG.operations():
        assert operation.field in served, f"{operation.name} is in the catalog, not the registry"
        declared = served[operation.field]
        expected = Access.READ if operation.operation_type is OperationType.QUERY else Access.WRITE
        assert declared.access is expected, operation.name
        assert declared.actions == operation.actions, operation.name


def test_every_kms_action_of_the_registry_is_in_the_catalog() -> None:
    for action in KMS_ACTIONS:
        assert CATALOG.privilege(f"kms:{action}") is not None, action


# ListAliases is keyless in the catalog, yet lists one key's aliases when given a KeyId.
SOMETIMES_KEYED = {"ListAliases"}


def test_the_state_table_has_exactly_the_actions_on_a_key() -> None:
    keyed = {action for action in KMS_ACTIONS if _keyed(action)}
    assert set(TABLE) == keyed | SOMETIMES_KEYED


def test_key_usages_are_for_actions_on_a_key() -> None:
    assert set(USAGE_FOR_ACTION) <= {action for action in KMS_ACTIONS if _keyed(action)}


def test_every_action_has_a_quota() -> None:
    assert [action for action in sorted(KMS_ACTIONS) if not rate_classes_of(action)] == []


def test_grant_operations_are_actions_on_a_key() -> None:
    operations = {operation.value for operation in GrantOperation}
    assert operations <= {action for action in KMS_ACTIONS if _keyed(action)}


def test_operation_names_are_unique() -> None:
    names = [operation.name for operation in OPERATIONS]
    assert len(names) == len(set(names))
