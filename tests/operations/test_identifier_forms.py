"""Which forms of a key identifier (key ID, key ARN, alias name, alias ARN) each operation takes,
as AWS's API reference states for each member: declared in the registry (``api.members.key_id``),
checked here against botocore's copy of that reference, and served so through GraphQL (the AWS
door's twin is tests/aws/test_identifier_forms.py).

AWS's reference, per operation: https://docs.aws.amazon.com/kms/latest/APIReference/API_<Name>.html
(its "KeyId" parameter: "To specify a KMS key, use its key ID, key ARN, alias name, or alias ARN",
or "Specify the key ID or key ARN of the KMS key"); botocore's model carries the same text."""

from __future__ import annotations

import re
from typing import Any

import botocore.session
import httpx
import pytest

from api.keys.ids import KeyForm
from api.operation import Access
from api.operations import OPERATIONS
from api.services import Services
from api.shapes import shape_of
from tests.graphql_client import GraphQLFailure, gql
from tests.identifier_forms import RESOLVED_LATER, Case, cases

MODEL = botocore.session.get_session().get_service_model("kms")
ALL = frozenset(KeyForm)
KEY_FORMS = frozenset({KeyForm.KEY_ID, KeyForm.KEY_ARN})

# Where the member's own text in the model is not the whole of what AWS documents, and why.
BEYOND_THE_MEMBER_TEXT = {
    # GenerateMac's and VerifyMac's KeyId text names no form. CreateAlias's reference says "You
    # can use an alias to identify a KMS key in the KMS console, in the DescribeKey operation and
    # in cryptographic operations" (checked below), and these are cryptographic operations.
    ("GenerateMac", "KeyId"): ALL,
    ("VerifyMac", "KeyId"): ALL,
    # RetireGrant's KeyId text shows a key ARN only ("The key ARN KMS key associated with the
    # grant"); AWS takes a key id there too: RetireGrant with a GrantId and a bare key id is run
    # against AWS by localstack's AWS-validated test_retire_grant_with_grant_id_and_key_id. As in
    # RevokeGrant, whose text names both.
    ("RetireGrant", "KeyId"): KEY_FORMS,
}


def _input(name: str) -> dict[str, Any]:
    """The members of ``name``'s request in AWS's model."""
    shape = MODEL.operation_model(name).input_shape
    assert shape is not None
    return dict(shape.members)


def documented_forms(text: str) -> frozenset[KeyForm]:
    """The forms a member's documentation in AWS's model names."""
    text = re.sub(r"<[^>]+>", "", text)
    if "use its key ID, key ARN, alias name, or alias ARN" in text:
        return ALL
    if "Specify the key ID or key ARN of the KMS key" in text:
        return KEY_FORMS
    if "The key ARN KMS key associated with the grant" in text:
        return frozenset({KeyForm.KEY_ARN})
    return frozenset()


def test_every_member_naming_a_key_declares_its_forms() -> None:
    """Each member AWS's model types KeyIdType that keygraph serves declares the forms it
    takes, and no other member does."""
    for operation in OPERATIONS:
        if operation.name not in MODEL.operation_names:
            continue
        served = {member.wire for member in shape_of(operation.request)}
        key_ids = {
            name
            for name, member in _input(operation.name).items()
            if member.name == "KeyIdType" and name in served
        }
        assert {member.wire for member, _ in operation.key_members} == key_ids, operation.name


def test_declared_forms_are_what_aws_documents() -> None:
    compared = 0
    for operation in OPERATIONS:
        if operation.name not in MODEL.operation_names:
            continue
        documented = _input(operation.name)
        for member, accepts in operation.key_members:
            expected = BEYOND_THE_MEMBER_TEXT.get(
                (operation.name, member.wire),
                documented_forms(documented[member.wire].documentation),
            )
            assert accepts.forms == expected, (operation.name, member.wire)
            compared += 1
    assert compared >= 40
    # The source of GenerateMac's and VerifyMac's forms, in the same model.
    create_alias = re.sub(r"<[^>]+>", "", MODEL.operation_model("CreateAlias").documentation)
    assert "in the DescribeKey operation and in cryptographic operations" in create_alias


def test_the_beyond_the_text_entries_still_differ_from_the_text() -> None:
    """Once AWS's text states a member's forms, its entry above is to go."""
    for (name, wire), forms in BEYOND_THE_MEMBER_TEXT.items():
        text = _input(name)[wire].documentation
        assert documented_forms(text) != forms, (name, wire)


async def _alias(client: httpx.AsyncClient) -> str:
    """An alias of a real key: what a refused form names, so that only the form is refused."""
    made = await gql(client, "mutation { createKey(input: {}) { keyMetadata { keyId } } }")
    key_id = made["createKey"]["keyMetadata"]["keyId"]
    name = "alias/identifier-forms"
    await gql(
        client,
        "mutation($n: String!, $k: String!) "
        "{ createAlias(input: {aliasName: $n, targetKeyId: $k}) { keyMetadata { keyId } } }",
        {"n": name, "k": key_id},
    )
    return name


def _graphql_input(value: Any) -> Any:
    """A request in AWS's wire names as GraphQL's input: the same members in lowerCamelCase."""
    if isinstance(value, dict):
        return {name[:1].lower() + name[1:]: _graphql_input(v) for name, v in value.items()}
    if isinstance(value, list):
        return [_graphql_input(v) for v in value]
    return value


@pytest.mark.parametrize("case", list(cases(aws_door=False)), ids=lambda case: case.id)
async def test_graphql_takes_the_forms_the_registry_declares(
    case: Case, client: httpx.AsyncClient, services: Services
) -> None:
    settings = services.settings
    alias = await _alias(client)
    operation = case.operation
    kind = "query" if operation.access is Access.READ else "mutation"
    request = case.request(settings.region, settings.account_id, alias)
    if operation.flat:  # its members are the field's arguments (``key(keyId:)``): strings here
        given = _graphql_input(request)
        declared = ", ".join(f"${name}: String!" for name in given)
        arguments = ", ".join(f"{name}: ${name}" for name in given)
        document = f"{kind}({declared}) {{ {operation.field}({arguments}) {{ __typename }} }}"
        variables = given
    else:
        document = (
            f"{kind}($input: {operation.name}Input!) "
            f"{{ {operation.field}(input: $input) {{ __typename }} }}"
        )
        variables = {"input": _graphql_input(request)}
    code, message = case.expected(settings.region, settings.account_id, alias)
    with pytest.raises(GraphQLFailure) as raised:
        await gql(client, document, variables)
    answer = (raised.value.code, raised.value.message)
    if case.accepted and operation.name in RESOLVED_LATER:
        assert answer != case.refusal(settings.region, settings.account_id, alias)
        return
    assert answer == (code, message)
