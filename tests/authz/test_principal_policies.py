"""Identity policies are managed by the root of their principal's account, and checked."""

from __future__ import annotations

import httpx
import pytest

from tests.authz.conftest import Clients, attach, grants_identity, identity, user_arn
from tests.graphql_client import GraphQLFailure, gql

GET = "query($p: String!) { principalPolicy(input: {principal: $p}) { principal policy } }"
DELETE = "mutation($p: String!) { deletePrincipalPolicy(input: {principal: $p}) { deleted } }"


async def test_root_attaches_reads_and_removes_a_policy(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    alice = await principal_client("alice")
    document = identity(grants_identity("kms:ListKeys"))
    await attach(client, user_arn("alice"), document)
    assert (await gql(alice, GET, {"p": user_arn("alice")}))["principalPolicy"]["policy"] == (
        document
    )
    assert (await gql(alice, "{ listKeys { keys { keyId } } }"))["listKeys"]["keys"] == []
    assert (await gql(client, DELETE, {"p": user_arn("alice")}))["deletePrincipalPolicy"] == {
        "deleted": True
    }
    with pytest.raises(GraphQLFailure) as raised:
        await gql(alice, "{ listKeys { keys { keyId } } }")
    assert raised.value.code == "AccessDeniedException"


async def test_only_the_root_of_the_account_manages_policies(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    alice = await principal_client("alice")
    await principal_client("bob")
    with pytest.raises(GraphQLFailure) as raised:
        await attach(alice, user_arn("alice"), identity(grants_identity("kms:*")))
    assert raised.value.code == "AccessDeniedException"
    with pytest.raises(GraphQLFailure) as raised:
        await gql(alice, GET, {"p": user_arn("bob")})
    assert raised.value.code == "AccessDeniedException"


@pytest.mark.parametrize(
    ("document", "code"),
    [
        (
            # An unknown action is only a warning (tests/policy/test_warn_mode.py); a statement
            # without Resource is refused in an identity policy, as IAM refuses it.
            identity({"Effect": "Allow", "Action": "kms:Encrypt"}),
            "MalformedPolicyDocumentException",
        ),
        (
            identity({"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}),
            "MalformedPolicyDocumentException",
        ),
        ("{not json", "MalformedPolicyDocumentException"),
    ],
)
async def test_documents_are_checked_like_key_policies(
    client: httpx.AsyncClient, principal_client: Clients, document: str, code: str
) -> None:
    await principal_client("alice")
    with pytest.raises(GraphQLFailure) as raised:
        await attach(client, user_arn("alice"), document)
    assert raised.value.code == code


async def test_unknown_principals_and_the_root_have_no_policy(client: httpx.AsyncClient) -> None:
    with pytest.raises(GraphQLFailure) as raised:
        await attach(client, user_arn("ghost"), identity(grants_identity("kms:*")))
    assert raised.value.code == "NotFoundException"
    with pytest.raises(GraphQLFailure) as raised:
        await attach(client, "arn:aws:iam::111122223333:root", identity(grants_identity("kms:*")))
    assert raised.value.code == "ValidationException"
    with pytest.raises(GraphQLFailure) as raised:
        await attach(client, "not-an-arn", identity(grants_identity("kms:*")))
    assert raised.value.code == "InvalidArnException"
