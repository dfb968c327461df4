"""The grant operations as a test calls them over GraphQL."""

from __future__ import annotations

from typing import Any

import httpx

from tests.graphql_client import GraphQLFailure, gql

ACCOUNT = "111122223333"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
SCOPE = f"arn:aws:kms:us-east-1:{ACCOUNT}"

ENTRY = """keyId grantId name creationDate granteePrincipal retiringPrincipal issuingAccount
operations constraints { encryptionContextSubset encryptionContextEquals }"""
CREATE = """
mutation($i: CreateGrantInput!) { createGrant(input: $i) { grantId grantToken } }"""
LIST = f"""
query($i: ListGrantsInput!) {{
  listGrants(input: $i) {{ grants {{ {ENTRY} }} nextMarker truncated }}
}}"""
LIST_RETIRABLE = f"""
query($i: ListRetirableGrantsInput!) {{
  listRetirableGrants(input: $i) {{ grants {{ {ENTRY} }} nextMarker truncated }}
}}"""
RETIRE = """
mutation($i: RetireGrantInput) { retireGrant(input: $i) { keyId grantId } }"""
REVOKE = """
mutation($i: RevokeGrantInput!) { revokeGrant(input: $i) { keyId grantId } }"""


def user(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"


def key_arn(key_id: str) -> str:
    return f"{SCOPE}:key/{key_id}"


def not_authorized(principal: str, action: str, key_id: str) -> GraphQLFailure:
    """The AccessDeniedException of a principal that no policy or grant allows ``action``."""
    return GraphQLFailure(
        "AccessDeniedException",
        f"User: {principal} is not authorized to perform: kms:{action} on resource: "
        f"{key_arn(key_id)} because no resource-based policy allows the kms:{action} action",
    )


async def create_grant(
    client: httpx.AsyncClient, key_id: str, grantee: str, *operations: str, **members: Any
) -> dict[str, str]:
    """``{"grantId": ..., "grantToken": ...}``."""
    given = {"keyId": key_id, "granteePrincipal": grantee, "operations": list(operations)}
    data = await gql(client, CREATE, {"i": {**given, **members}})
    created: dict[str, str] = data["createGrant"]
    return created


async def list_grants(client: httpx.AsyncClient, key_id: str, **members: Any) -> dict[str, Any]:
    data = await gql(client, LIST, {"i": {"keyId": key_id, **members}})
    page: dict[str, Any] = data["listGrants"]
    return page


async def grant_ids(client: httpx.AsyncClient, key_id: str) -> list[str]:
    page = await list_grants(client, key_id)
    assert page["truncated"] is False
    return [entry["grantId"] for entry in page["grants"]]


async def retire(client: httpx.AsyncClient, **members: Any) -> dict[str, str]:
    data = await gql(client, RETIRE, {"i": members})
    retired: dict[str, str] = data["retireGrant"]
    return retired


async def revoke(client: httpx.AsyncClient, key_id: str, grant_id: str, **more: Any) -> None:
    await gql(client, REVOKE, {"i": {"keyId": key_id, "grantId": grant_id, **more}})
