"""The GraphQL contract of DESIGN.md, checked on the schema the code serves: each catalog action
that keygraph implements is one root field, on Query or Mutation as its access level says, taking
``input: <Action>Input`` and returning ``<Action>Result``."""

from __future__ import annotations

from graphql import GraphQLField, GraphQLNonNull, get_named_type

from api.catalog import OperationType, load_catalog
from schema.actions import OWN_ACTIONS, UNAUDITED
from schema.batch import BATCH_ACTIONS
from schema.build import build_schema

# Root fields that are not catalog actions: identity and the catalog itself.
NOT_ACTIONS = UNAUDITED | OWN_ACTIONS.keys() | BATCH_ACTIONS.keys()


def root_fields() -> dict[str, tuple[OperationType, GraphQLField]]:
    schema = build_schema()._schema
    fields = {}
    for kind, root in ((OperationType.QUERY, schema.query_type),
                       (OperationType.MUTATION, schema.mutation_type)):  # fmt: skip
        assert root is not None
        for name, field in root.fields.items():
            fields[name] = (kind, field)
    return fields


def test_every_root_field_is_a_catalog_operation_in_its_place() -> None:
    operations = {operation.field: operation for operation in load_catalog().operations()}
    served = root_fields()
    for name, (kind, _) in served.items():
        if name in NOT_ACTIONS:
            continue
        assert name in operations, f"{name} is not an operation of the catalog"
        assert kind is operations[name].operation_type, f"{name} belongs on {kind}"


def test_operations_take_one_input_and_return_a_result() -> None:
    operations = {operation.field: operation for operation in load_catalog().operations()}
    for name, (_, field) in root_fields().items():
        if name in NOT_ACTIONS:
            continue
        action = operations[name].name
        assert list(field.args) == ["input"], name
        assert get_named_type(field.args["input"].type).name == f"{action}Input"
        assert isinstance(field.type, GraphQLNonNull), name
        assert get_named_type(field.type).name == f"{action}Result"
