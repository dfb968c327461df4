"""Alias names resolve in the caller's account only, as in AWS: a principal of another account
asking for ``alias/<name>`` of this deployment's account learns nothing of the key behind it
(NotFound, word for word what a missing alias gets), through either door. An alias ARN names
its account and still reaches the key, as a key ARN does."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from api.principals import PrincipalKind, create_principal, principal_for
from api.services import Services
from keygraph.app import keygraph_app
from tests.authz.conftest import ACCOUNT, OTHER_ACCOUNT, ROOT_ADMIN, allow, create_key, policy
from tests.aws_protocol.conftest import post
from tests.graphql_client import GraphQLFailure, app_client, gql

DESCRIBE = "query($k: String!) { describeKey(input: {keyId: $k}) { keyMetadata { keyId } } }"
REGION = "us-east-1"


def missing_alias(account: str, name: str) -> str:
    return f"Alias arn:aws:kms:{REGION}:{account}:alias/{name} is not found."


@pytest.fixture
async def outsider(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """The root of another account: every identity permission of its own account."""
    async with services.pool.acquire() as conn:
        root = principal_for(OTHER_ACCOUNT, "root", PrincipalKind.ROOT)
        issued = await create_principal(conn, root)
    async with app_client(keygraph_app(services.settings, services), issued.value) as http:
        yield http


async def _aliased_key(client: httpx.AsyncClient, name: str, key_policy: str | None) -> str:
    key_id = await create_key(client, key_policy)
    await gql(
        client,
        "mutation($n: String!, $k: String!) { createAlias(input: {aliasName: $n, targetKeyId: $k})"
        " { keyMetadata { keyId } } }",
        {"n": f"alias/{name}", "k": key_id},
    )
    return key_id


async def _describe_failure(client: httpx.AsyncClient, key_id: str) -> tuple[str, str]:
    with pytest.raises(GraphQLFailure) as raised:
        await gql(client, DESCRIBE, {"k": key_id})
    return raised.value.code, raised.value.message


@pytest.mark.parametrize(
    "key_policy",
    [None, policy(ROOT_ADMIN, allow(OTHER_ACCOUNT, "kms:DescribeKey"))],
    ids=["default-policy", "shared-with-the-other-account"],
)
async def test_another_accounts_alias_name_is_not_found(
    client: httpx.AsyncClient, outsider: httpx.AsyncClient, key_policy: str | None
) -> None:
    """With the default policy the name used to answer AccessDenied naming the key's ARN; with a
    policy that shares the key it used to describe it: both told the outsider the alias exists."""
    key_id = await _aliased_key(client, "shared", key_policy)
    absent = (
        "NotFoundException",
        missing_alias(OTHER_ACCOUNT, "never-made"),
    )
    assert await _describe_failure(outsider, "alias/never-made") == absent
    assert await _describe_failure(outsider, "alias/shared") == (
        "NotFoundException",
        missing_alias(OTHER_ACCOUNT, "shared"),
    )
    with pytest.raises(GraphQLFailure) as encrypting:
        await gql(
            outsider,
            'mutation { encrypt(input: {keyId: "alias/shared", plaintext: "eA=="}) { keyId } }',
        )
    assert encrypting.value.code == "NotFoundException"
    answer = await post(outsider, "DescribeKey", {"KeyId": "alias/shared"})
    assert (answer.status, answer.error) == (
        400,
        ("NotFoundException", missing_alias(OTHER_ACCOUNT, "shared")),
    )
    # The account's own principals still reach the key by its alias name.
    own = await gql(client, DESCRIBE, {"k": "alias/shared"})
    assert own["describeKey"]["keyMetadata"]["keyId"] == key_id


async def test_an_alias_arn_still_names_its_account(
    client: httpx.AsyncClient, outsider: httpx.AsyncClient
) -> None:
    shared = policy(ROOT_ADMIN, allow(OTHER_ACCOUNT, "kms:DescribeKey"))
    key_id = await _aliased_key(client, "by-arn", shared)
    alias_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/by-arn"
    described = await gql(outsider, DESCRIBE, {"k": alias_arn})
    assert described["describeKey"]["keyMetadata"]["keyId"] == key_id
    answer = await post(outsider, "DescribeKey", {"KeyId": alias_arn})
    assert answer.status == 200
    assert answer.body["KeyMetadata"]["KeyId"] == key_id
    private = await _aliased_key(client, "private", None)
    private_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/private"
    code, message = await _describe_failure(outsider, private_arn)
    assert code == "AccessDeniedException"
    assert private in message
