"""Every operation of the catalog is authorized: a principal that no policy and no grant allows
is refused each one with AccessDeniedException, whatever it asks for.

The inputs are built from the schema itself (each required member filled with a plausible
value), so an operation added later is covered without touching this test.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
)

from api.catalog import OperationType, load_catalog
from schema.build import build_schema
from tests.authz.conftest import Clients, create_key, encrypt
from tests.grants.calls import create_grant
from tests.graphql_client import GraphQLFailure, gql

SCHEMA = build_schema().graphql
OPERATIONS = load_catalog().operations()

# Values for members whose name says what they hold; anything else by its type.
KEY_MEMBERS = {"keyId", "targetKeyId", "destinationKeyId", "sourceKeyId"}
BY_NAME: dict[str, Any] = {
    "aliasName": "alias/some-alias",
    "grantId": "a" * 64,
    "granteePrincipal": "arn:aws:iam::111122223333:user/bob",
    "retiringPrincipal": "arn:aws:iam::111122223333:user/bob",
    "customKeyStoreId": "cks-1234567890abcdef0",
    "customKeyStoreName": "store",
    "tokenLabel": "label",
    "pkcs11ModulePath": "/usr/lib/softhsm/libsofthsm2.so",
    "keyStorePassword": "password",
    "policy": '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", '
    '"Resource": "*"}]}',
    "numberOfBytes": 32,
    "operations": ["Encrypt"],
    "tagKeys": ["k"],
    "tags": [{"tagKey": "k", "tagValue": "v"}],
}

# Members AWS's model makes optional that a call still needs: one of a pair (GranteePrincipal or
# GranteeServicePrincipal), or the ciphertext a dry run ignoring it alone may leave out.
NEEDED = {"granteePrincipal", "retiringPrincipal", "ciphertextBlob"}

# Optional members some operations need to get past their own validation.
EXTRAS: dict[str, dict[str, Any]] = {
    "generateDataKey": {"keySpec": "AES_256"},
    "generateDataKeyWithoutPlaintext": {"keySpec": "AES_256"},
    "importKeyMaterial": {"expirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"},
}


def value_for(name: str, kind: Any, key_id: str, blob: str) -> Any:
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    if name in KEY_MEMBERS:
        return key_id
    if name == "ciphertextBlob":
        return blob
    if name in BY_NAME:
        return BY_NAME[name]
    if isinstance(kind, GraphQLList):
        return [value_for(name, kind.of_type, key_id, blob)]
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    if isinstance(kind, GraphQLInputObjectType):
        return {
            field: value_for(field, member.type, key_id, blob)
            for field, member in kind.fields.items()
            if isinstance(member.type, GraphQLNonNull) or field in NEEDED
        }
    assert isinstance(kind, GraphQLScalarType), kind
    return {"Int": 1, "Boolean": False, "Base64": "AAAA", "StringMap": {}}.get(kind.name, "x")


def document(field: str, operation: OperationType) -> tuple[str, str]:
    root = SCHEMA.mutation_type if operation is OperationType.MUTATION else SCHEMA.query_type
    assert root is not None
    argument = root.fields[field].args["input"]
    return str(argument.type), "mutation" if operation is OperationType.MUTATION else "query"


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: o.field)
async def test_an_unauthorized_principal_is_refused(
    client: httpx.AsyncClient, principal_client: Clients, operation: Any
) -> None:
    bob = await principal_client("bob")
    key_id = await create_key(client)
    blob = await encrypt(client, key_id)
    await gql(
        client,
        'mutation($k: String!) { createAlias(input: {aliasName: "alias/existing", '
        "targetKeyId: $k}) { keyMetadata { keyId } } }",
        {"k": key_id},
    )
    grant = await create_grant(client, key_id, "arn:aws:iam::111122223333:user/carol", "Encrypt")
    input_type, kind = document(operation.field, operation.operation_type)
    named = SCHEMA.get_type(input_type.rstrip("!"))
    assert isinstance(named, GraphQLInputObjectType)
    given = value_for("input", named, key_id, blob) | EXTRAS.get(operation.field, {})
    if operation.field == "deleteAlias":
        given["aliasName"] = "alias/existing"
    if operation.field == "retireGrant":
        given |= {"keyId": key_id, "grantId": grant["grantId"]}
    query = f"{kind}($i: {input_type}) {{ {operation.field}(input: $i) {{ __typename }} }}"
    with pytest.raises(GraphQLFailure) as raised:
        await gql(bob, query, {"i": given})
    assert raised.value.code == "AccessDeniedException", (operation.field, raised.value)
