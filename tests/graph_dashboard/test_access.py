"""A key's access view (``Key.access``): who may do what, from the key's policy, its grants and
the principals' identity policies together, decided as authorization decides; and
simulateAccess agrees with every entry that holds whatever the request."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from api.principals import IssuedToken, PrincipalKind, create_principal, principal_for
from api.services import Services
from tests.graphql_client import gql

ACCOUNT = "111122223333"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
BOB = f"arn:aws:iam::{ACCOUNT}:user/bob"
PARTNER = "arn:aws:iam::444455556666:root"

ACCESS = """
query($k: String!) { key(keyId: $k) { access {
  principal action verdict source decidedBy conditions } } }
"""


def policy() -> str:
    statements: list[dict[str, Any]] = [
        {
            "Sid": "Root",
            "Effect": "Allow",
            "Principal": {"AWS": ROOT},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "AliceEncryptsForApp",
            "Effect": "Allow",
            "Principal": {"AWS": ALICE},
            "Action": "kms:Encrypt",
            "Resource": "*",
            "Condition": {"StringEquals": {"kms:EncryptionContext:app": "x"}},
        },
        {
            "Sid": "AliceDecrypts",
            "Effect": "Allow",
            "Principal": {"AWS": ALICE},
            "Action": ["kms:Decrypt", "kms:ScheduleKeyDeletion", "kms:GetKeyPolicy"],
            "Resource": "*",
        },
        {
            "Sid": "NeverDeletes",
            "Effect": "Deny",
            "Principal": {"AWS": ALICE},
            "Action": "kms:ScheduleKeyDeletion",
            "Resource": "*",
        },
        {
            "Sid": "PartnerDescribes",
            "Effect": "Allow",
            "Principal": {"AWS": "444455556666"},
            "Action": "kms:DescribeKey",
            "Resource": "*",
        },
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


@pytest.fixture
async def users(services: Services) -> dict[str, IssuedToken]:
    async with services.pool.acquire() as conn:
        return {
            name: await create_principal(conn, principal_for(ACCOUNT, name, PrincipalKind.USER))
            for name in ("alice", "bob")
        }


@pytest.fixture
async def key(client: httpx.AsyncClient, users: dict[str, IssuedToken]) -> str:
    created = await gql(
        client, 'mutation { createKey(input: {description: "shared"}) { keyMetadata { arn } } }'
    )
    key_arn: str = created["createKey"]["keyMetadata"]["arn"]
    await gql(
        client,
        "mutation($k: String!, $p: String!) { putKeyPolicy(input: {keyId: $k, policy: $p}) "
        "{ keyMetadata { keyId } } }",
        {"k": key_arn, "p": policy()},
    )
    for operations, constraints in (
        (["Encrypt"], {"encryptionContextSubset": {"tenant": "acme"}}),
        (["DescribeKey"], None),
    ):
        await gql(
            client,
            "mutation($k: String!, $g: String!, $o: [GrantOperation!]!, "
            "$c: GrantConstraintsInput) { createGrant(input: {keyId: $k, granteePrincipal: $g, "
            "operations: $o, constraints: $c}) { grantId } }",
            {"k": key_arn, "g": BOB, "o": operations, "c": constraints},
        )
    return key_arn


async def access_of(client: httpx.AsyncClient, key: str) -> dict[tuple[str, str], Any]:
    entries = (await gql(client, ACCESS, {"k": key}))["key"]["access"]
    return {(entry.pop("principal"), entry.pop("action")): entry for entry in entries}


async def test_the_access_view_reads_policy_grants_and_conditions(
    client: httpx.AsyncClient, key: str
) -> None:
    view = await access_of(client, key)
    principals = {principal for principal, _ in view}
    assert principals == {ROOT, ALICE, BOB, PARTNER}
    actions = {action for _, action in view}
    assert {"kms:Encrypt", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"} <= actions
    assert "kms:CreateKey" not in actions  # not an action on a key

    assert view[ROOT, "kms:PutKeyPolicy"] == {
        "verdict": "ALLOWED",
        "source": "POLICY",
        "decidedBy": 'KeyPolicy Statement[0] (Sid "Root")',
        "conditions": [],
    }
    assert view[ALICE, "kms:Encrypt"] == {
        "verdict": "CONDITIONAL",
        "source": "POLICY",
        "decidedBy": 'KeyPolicy Statement[1] (Sid "AliceEncryptsForApp")',
        "conditions": ['StringEquals kms:EncryptionContext:app = "x"'],
    }
    assert view[ALICE, "kms:Decrypt"]["verdict"] == "ALLOWED"
    assert view[ALICE, "kms:ScheduleKeyDeletion"] == {
        "verdict": "DENIED",
        "source": "POLICY",
        "decidedBy": 'KeyPolicy Statement[3] (Sid "NeverDeletes")',
        "conditions": [],
    }
    assert view[ALICE, "kms:Sign"] == {
        "verdict": "DENIED",
        "source": None,
        "decidedBy": None,
        "conditions": [],
    }
    bob_encrypts = view[BOB, "kms:Encrypt"]
    assert (bob_encrypts["verdict"], bob_encrypts["source"]) == ("CONDITIONAL", "GRANT")
    assert bob_encrypts["conditions"] == ['EncryptionContextSubset tenant = "acme"']
    assert bob_encrypts["decidedBy"].startswith("Grant ")
    assert view[BOB, "kms:DescribeKey"]["verdict"] == "ALLOWED"
    assert view[BOB, "kms:Decrypt"]["verdict"] == "DENIED"
    # Another account's root, named by the policy: allowed, as AWS allows it.
    assert view[PARTNER, "kms:DescribeKey"]["verdict"] == "ALLOWED"


async def test_simulate_access_agrees_with_every_unconditional_entry(
    client: httpx.AsyncClient, key: str
) -> None:
    view = await access_of(client, key)
    for (principal, action), entry in view.items():
        if entry["verdict"] == "CONDITIONAL" or principal == PARTNER:
            continue
        simulated = await gql(
            client,
            "query($p: String!, $a: String!, $k: String!) { simulateAccess(input: "
            "{principal: $p, action: $a, keyId: $k}) { allowed } }",
            {"p": principal, "a": action, "k": key},
        )
        allowed = simulated["simulateAccess"]["allowed"]
        assert allowed is (entry["verdict"] == "ALLOWED"), (principal, action)


async def test_reading_the_access_view_needs_the_policy_and_the_grants(
    client: httpx.AsyncClient, key: str, users: dict[str, IssuedToken]
) -> None:
    """Alice may read the key's policy but not list its grants: no access view for her."""
    response = await client.post(
        "/graphql",
        json={"query": ACCESS, "variables": {"k": key}},
        headers={"Authorization": f"Bearer {users['alice'].value}"},
    )
    body = response.json()
    assert body["data"] == {"key": None} or body["data"] is None
    codes = {error["extensions"]["code"] for error in body["errors"]}
    assert codes == {"AccessDeniedException"}
