"""The GraphQL contract, checked on the schema the code serves: each catalog action that keygraph
implements is one root field, on Query or Mutation as its access level says, taking
``input: <Action>Input`` and returning ``<Action>Result``; a mutation field is nullable, so that
one failing field leaves the others' results standing."""

from __future__ import annotations

from graphql import GraphQLField, GraphQLNonNull, get_named_type

from api.catalog import OperationType, load_catalog
from api.operations import OPERATIONS
from schema.batch import BATCH_OPERATIONS
from schema.build import build_schema

CATALOG = {operation.field: operation for operation in load_catalog().operations()}
# Root fields that are not catalog actions: keygraph's own operations and the batch form.
NOT_ACTIONS = {op.field for op in OPERATIONS if op.field not in CATALOG} | BATCH_OPERATIONS.keys()


def root_fields() -> dict[str, tuple[OperationType, GraphQLField]]:
    schema = build_schema().graphql
    fields = {}
    for kind, root in ((OperationType.QUERY, schema.query_type),
                       (OperationType.MUTATION, schema.mutation_type)):  # fmt: skip
        assert root is not None
        for name, field in root.fields.items():
            fields[name] = (kind, field)
    return fields


def test_every_root_field_is_a_catalog_operation_in_its_place() -> None:
    served = root_fields()
    for name, (kind, _) in served.items():
        if name in NOT_ACTIONS:
            continue
        assert name in CATALOG, f"{name} is not an operation of the catalog"
        assert kind is CATALOG[name].operation_type, f"{name} belongs on {kind}"


def test_every_registered_operation_is_served() -> None:
    served = root_fields()
    assert {operation.field for operation in OPERATIONS} <= served.keys()


def test_operations_take_one_input_and_return_a_result() -> None:
    for name, (kind, field) in root_fields().items():
        if name in NOT_ACTIONS:
            continue
        action = CATALOG[name].name
        assert list(field.args) == ["input"], name
        assert get_named_type(field.args["input"].type).name == f"{action}Input"
        assert isinstance(field.type, GraphQLNonNull) is (kind is OperationType.QUERY), name
        assert get_named_type(field.type).name == f"{action}Result"
