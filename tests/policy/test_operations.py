"""getKeyPolicy, putKeyPolicy, listKeyPolicies and createKey's policy, over GraphQL against a real
Postgres and SoftHSM token."""

from __future__ import annotations

import dataclasses
import json
import uuid
from typing import Any

import httpx
import pytest

from api.policy import PolicyCheck
from api.services import Services
from api.settings import Settings
from db.policies import policies_for_keys
from tests.aws_messages import validation_message
from tests.graphql_client import GraphQLFailure, gql, gql_failure

ACCOUNT = "111122223333"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
CREATE = """
mutation($input: CreateKeyInput) { createKey(input: $input) { keyMetadata { keyId arn } } }
"""
GET = """
query($id: String!, $name: String) {
  getKeyPolicy(input: {keyId: $id, policyName: $name}) { policy policyName }
}
"""
PUT = """
mutation($id: String!, $policy: String!, $name: String) {
  putKeyPolicy(input: {keyId: $id, policy: $policy, policyName: $name,
                       bypassPolicyLockoutSafetyCheck: false}) {
    keyMetadata { keyId keyState }
  }
}
"""
LIST = """
query($id: String!, $limit: Int, $marker: String) {
  listKeyPolicies(input: {keyId: $id, limit: $limit, marker: $marker}) {
    policyNames truncated nextMarker
  }
}
"""
LIST_KEYS = "query { listKeys { keys { keyId } } }"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """``KEYGRAPH_POLICY_CHECK=strict``: these tests include the checker's refusals
    (tests/policy/test_warn_mode.py has the default, ``warn``)."""
    return dataclasses.replace(settings, policy_check=PolicyCheck.STRICT)


def document(sid: str, **condition: Any) -> str:
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"AWS": ROOT},
        "Action": "kms:*",
        "Resource": "*",
    }
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=1)


async def create_key(client: httpx.AsyncClient, **members: object) -> dict[str, str]:
    data = await gql(client, CREATE, {"input": members or None})
    key: dict[str, str] = data["createKey"]["keyMetadata"]
    return key


async def get_policy(client: httpx.AsyncClient, key_id: str, name: str | None = None) -> str:
    data = await gql(client, GET, {"id": key_id, "name": name})
    assert data["getKeyPolicy"]["policyName"] == "default"
    policy: str = data["getKeyPolicy"]["policy"]
    return policy


async def test_a_new_key_gets_the_default_policy(client: httpx.AsyncClient) -> None:
    key = await create_key(client)
    policy = json.loads(await get_policy(client, key["keyId"]))
    assert policy["Statement"] == [
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": ROOT},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]


async def test_create_key_stores_a_valid_policy_as_given(client: httpx.AsyncClient) -> None:
    given = document("Callers", StringEquals={"kms:CallerAccount": ACCOUNT})
    key = await create_key(client, policy=given, bypassPolicyLockoutSafetyCheck=True)
    assert await get_policy(client, key["arn"]) == given
    assert await get_policy(client, key["keyId"], "default") == given


async def test_create_key_refuses_an_invalid_policy_and_creates_nothing(
    client: httpx.AsyncClient,
) -> None:
    refused = document("Bad", StringEquals={"kms:EncryptionContext:Dept": "IT"}).replace(
        '"kms:*"', '"kms:DescribeKey"'
    )
    error = await gql_failure(client, CREATE, {"input": {"policy": refused}})
    assert error == GraphQLFailure(
        "MalformedPolicyDocumentException",
        'Statement[0] (Sid "Bad"): condition key kms:EncryptionContext:Dept is not listed in the '
        "catalog for any action of Action kms:DescribeKey.",
    )
    assert (await gql(client, LIST_KEYS))["listKeys"]["keys"] == []


async def test_put_then_get_round_trip_without_a_history_event(
    client: httpx.AsyncClient, services: Services
) -> None:
    key = await create_key(client)
    replacement = document("Replaced")
    data = await gql(client, PUT, {"id": key["keyId"], "policy": replacement})
    assert data["putKeyPolicy"]["keyMetadata"] == {"keyId": key["keyId"], "keyState": "Enabled"}
    assert await get_policy(client, key["keyId"]) == replacement
    async with services.pool.acquire() as conn:
        actions = await conn.fetch(
            "SELECT action FROM key_events WHERE key_id = $1", uuid.UUID(key["keyId"])
        )
    assert [row["action"] for row in actions] == ["CreateKey"]


@pytest.mark.parametrize(
    ("policy", "code", "message"),
    [
        ("{not json", "MalformedPolicyDocumentException", "The policy document is not valid JSON."),
        (document("x" * 33_000), "MalformedPolicyDocumentException",
         "The policy document exceeds the maximum size of 32768 bytes."),
        (document("Admins").replace('"kms:*"', '"kms:Encrpyt"'), "MalformedPolicyDocumentException",
         'Statement[0] (Sid "Admins"): kms:Encrpyt matches no action of the catalog\'s kms '
         "service."),
        (document("Admins").replace(ROOT, "root"), "MalformedPolicyDocumentException",
         "Policy contains a statement with one or more invalid principals. "
         'Statement[0] (Sid "Admins"): "root" is not a valid AWS principal.'),
    ],
)  # fmt: skip
async def test_put_refuses_and_keeps_the_old_policy(
    client: httpx.AsyncClient, policy: str, code: str, message: str
) -> None:
    key = await create_key(client)
    before = await get_policy(client, key["keyId"])
    error = await gql_failure(client, PUT, {"id": key["keyId"], "policy": policy})
    assert error == GraphQLFailure(code, message)
    assert await get_policy(client, key["keyId"]) == before


async def test_default_is_the_only_policy_name(client: httpx.AsyncClient) -> None:
    key = await create_key(client)
    before = await get_policy(client, key["keyId"])
    absent = GraphQLFailure("NotFoundException", "No such policy exists")
    assert await gql_failure(client, GET, {"id": key["keyId"], "name": "other"}) == absent
    assert (
        await gql_failure(
            client, PUT, {"id": key["keyId"], "policy": document("Other"), "name": "other"}
        )
        == absent
    )
    assert await gql_failure(
        client, GET, {"id": key["keyId"], "name": "bad-name"}
    ) == GraphQLFailure(
        "ValidationException",
        "1 validation error detected: Value 'bad-name' at 'policyName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\w]+",
    )
    long_name = "p" * 129
    assert await gql_failure(
        client, GET, {"id": key["keyId"], "name": long_name}
    ) == GraphQLFailure(
        "ValidationException",
        validation_message("policyName", "have length less than or equal to 128", long_name),
    )
    assert await get_policy(client, key["keyId"]) == before


async def test_list_key_policies(client: httpx.AsyncClient) -> None:
    key = await create_key(client)
    listed = await gql(client, LIST, {"id": key["keyId"]})
    assert listed["listKeyPolicies"] == {
        "policyNames": ["default"],
        "truncated": False,
        "nextMarker": None,
    }
    single = await gql(client, LIST, {"id": key["keyId"], "limit": 1})
    assert single["listKeyPolicies"]["policyNames"] == ["default"]
    after = await gql(client, LIST, {"id": key["keyId"], "marker": "default"})
    assert after["listKeyPolicies"] == {"policyNames": [], "truncated": False, "nextMarker": None}
    assert await gql_failure(client, LIST, {"id": key["keyId"], "limit": 0}) == GraphQLFailure(
        "ValidationException",
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1",
    )


async def test_an_absent_key(client: httpx.AsyncClient) -> None:
    missing = str(uuid.uuid4())
    expected = GraphQLFailure(
        "NotFoundException", f"Key 'arn:aws:kms:us-east-1:{ACCOUNT}:key/{missing}' does not exist"
    )
    assert await gql_failure(client, GET, {"id": missing}) == expected
    assert await gql_failure(client, LIST, {"id": missing}) == expected
    assert await gql_failure(client, PUT, {"id": missing, "policy": document("A")}) == expected


@pytest.mark.parametrize(
    "state", ["Enabled", "Disabled", "PendingDeletion", "PendingImport", "Unavailable"]
)
async def test_every_key_state_allows_the_policy_actions(
    client: httpx.AsyncClient, services: Services, state: str
) -> None:
    """The state table's row: GetKeyPolicy, PutKeyPolicy and ListKeyPolicies work in every state.

    The state is set in the database directly: the operations that lead to PendingDeletion and
    Unavailable belong to other parts, and only the table's verdict is under test here.
    """
    key = await create_key(client)
    async with services.pool.acquire() as conn:
        await conn.execute(
            "UPDATE keys SET state = $2 WHERE id = $1", uuid.UUID(key["keyId"]), state
        )
    replacement = document(state)
    data = await gql(client, PUT, {"id": key["keyId"], "policy": replacement})
    assert data["putKeyPolicy"]["keyMetadata"]["keyState"] == state
    assert await get_policy(client, key["keyId"]) == replacement
    listed = await gql(client, LIST, {"id": key["keyId"]})
    assert listed["listKeyPolicies"]["policyNames"] == ["default"]


async def test_policies_for_keys_reads_a_batch_and_skips_absent_keys(
    client: httpx.AsyncClient, services: Services
) -> None:
    first = await create_key(client, policy=document("First"))
    second = await create_key(client, policy=document("Second"))
    ids = [uuid.UUID(first["keyId"]), uuid.UUID(second["keyId"]), uuid.uuid4()]
    async with services.pool.acquire() as conn:
        found = await policies_for_keys(conn, ids)
    assert found == {ids[0]: document("First"), ids[1]: document("Second")}
