"""The key pages of the dashboard through GraphQL: one key with everything about it
(``key(keyId:)``), and the key list filtered, sorted, paged and counted; none of it on the AWS
door."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.aws_protocol.conftest import post
from tests.graphql_client import GraphQLFailure, gql

CREATE = """
mutation($d: String!, $spec: KeySpec!, $usage: KeyUsageType, $tags: [TagInput!]) {
  createKey(input: {description: $d, keySpec: $spec, keyUsage: $usage, tags: $tags}) {
    keyMetadata { keyId }
  }
}
"""

LIST = """
query($filter: KeyFilter, $sortBy: KeySortField, $sortOrder: SortOrder, $limit: Int,
      $marker: String) {
  listKeys(input: {filter: $filter, sortBy: $sortBy, sortOrder: $sortOrder, limit: $limit,
                   marker: $marker}) {
    keys { keyId } totalCount truncated nextMarker
  }
}
"""


async def create(
    client: httpx.AsyncClient,
    description: str,
    spec: str = "SYMMETRIC_DEFAULT",
    usage: str | None = None,
    tags: list[dict[str, str]] | None = None,
) -> str:
    variables = {"d": description, "spec": spec, "usage": usage, "tags": tags}
    key_id: str = (await gql(client, CREATE, variables))["createKey"]["keyMetadata"]["keyId"]
    return key_id


async def listed(client: httpx.AsyncClient, **variables: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await gql(client, LIST, variables))["listKeys"]
    return result


async def every_page(client: httpx.AsyncClient, **variables: Any) -> list[str]:
    """The key ids of every page, following the markers (pages of two)."""
    found: list[str] = []
    marker = None
    while True:
        page = await listed(client, limit=2, marker=marker, **variables)
        found += [key["keyId"] for key in page["keys"]]
        assert page["truncated"] is (page["nextMarker"] is not None)
        if not page["truncated"]:
            return found
        marker = page["nextMarker"]


@pytest.fixture
async def keys(client: httpx.AsyncClient) -> dict[str, str]:
    """Five keys, created in this order."""
    made = {
        "payments": await create(client, "Payments data", tags=[
            {"tagKey": "team", "tagValue": "billing"}]),
        "signer": await create(client, "release signer", "ECC_NIST_P256", "SIGN_VERIFY"),
        "mac": await create(client, "webhooks", "HMAC_256", "GENERATE_VERIFY_MAC"),
        "archive": await create(client, "archive"),
        "zeta": await create(client, "Zeta"),
    }  # fmt: skip
    await gql(
        client,
        'mutation($k: String!) { createAlias(input: {aliasName: "alias/ledger", '
        "targetKeyId: $k}) { keyMetadata { keyId } } }",
        {"k": made["archive"]},
    )
    await gql(
        client,
        "mutation($k: String!) { disableKey(input: {keyId: $k}) { keyMetadata { keyId } } }",
        {"k": made["zeta"]},
    )
    return made


async def test_key_answers_one_key_with_its_nested_fields(
    client: httpx.AsyncClient, keys: dict[str, str]
) -> None:
    data = await gql(
        client,
        """query($k: String!) { key(keyId: $k) {
             keyId keyArn keyMetadata { description keyState } aliases { aliasName }
             tags { tagKey tagValue } policy rotationStatus { keyRotationEnabled } } }""",
        {"k": "alias/ledger"},
    )
    key = data["key"]
    assert key["keyId"] == keys["archive"]
    assert key["keyArn"].endswith(f":key/{keys['archive']}")
    assert key["keyMetadata"] == {"description": "archive", "keyState": "Enabled"}
    assert key["aliases"] == [{"aliasName": "alias/ledger"}]
    assert '"Version"' in key["policy"]
    assert key["rotationStatus"] == {"keyRotationEnabled": False}


async def test_key_of_a_key_that_does_not_exist_is_not_found(client: httpx.AsyncClient) -> None:
    missing = "1234abcd-12ab-34cd-56ef-1234567890ab"
    with pytest.raises(GraphQLFailure) as failure:
        await gql(client, "query($k: String!) { key(keyId: $k) { keyId } }", {"k": missing})
    assert failure.value.code == "NotFoundException"
    assert missing in failure.value.message


async def test_list_filters_by_state_spec_usage_origin_and_text(
    client: httpx.AsyncClient, keys: dict[str, str]
) -> None:
    async def ids(filter_: dict[str, Any]) -> set[str]:
        page = await listed(client, filter=filter_)
        assert page["totalCount"] == len(page["keys"])
        return {key["keyId"] for key in page["keys"]}

    assert await ids({"keyStates": ["Disabled"]}) == {keys["zeta"]}
    assert await ids({"keySpecs": ["ECC_NIST_P256", "HMAC_256"]}) == {keys["signer"], keys["mac"]}
    assert await ids({"keyUsages": ["GENERATE_VERIFY_MAC"]}) == {keys["mac"]}
    assert await ids({"origins": ["EXTERNAL"]}) == set()
    assert await ids({"text": "PAYMENTS"}) == {keys["payments"]}  # the description
    assert await ids({"text": "ledg"}) == {keys["archive"]}  # an alias name
    assert await ids({"text": "billing"}) == {keys["payments"]}  # a tag value
    assert await ids({"text": keys["mac"][:8]}) == {keys["mac"]}  # the key id
    assert await ids({"text": "signer", "keyStates": ["Disabled"]}) == set()


async def test_list_sorts_and_pages_in_every_order(
    client: httpx.AsyncClient, keys: dict[str, str]
) -> None:
    created = list(keys.values())
    assert await every_page(client, sortBy="CREATION_DATE") == created
    assert await every_page(client, sortBy="CREATION_DATE", sortOrder="DESCENDING") == created[::-1]
    by_description = sorted(keys, key=lambda name: _DESCRIPTIONS[name])
    assert await every_page(client, sortBy="DESCRIPTION") == [keys[n] for n in by_description]
    assert await every_page(client) == sorted(created)
    assert await every_page(client, sortBy="KEY_ID", sortOrder="DESCENDING") == sorted(
        created, reverse=True
    )
    states = await every_page(client, sortBy="KEY_STATE")
    assert states[0] == keys["zeta"]  # Disabled before Enabled
    page = await listed(client, limit=2, sortBy="KEY_SPEC")
    assert page["totalCount"] == 5 and len(page["keys"]) == 2


_DESCRIPTIONS = {
    "payments": "Payments data",
    "signer": "release signer",
    "mac": "webhooks",
    "archive": "archive",
    "zeta": "Zeta",
}


async def test_a_marker_of_another_order_is_refused(
    client: httpx.AsyncClient, keys: dict[str, str]
) -> None:
    page = await listed(client, limit=2, sortBy="CREATION_DATE")
    for marker, sort_by in ((page["nextMarker"], "DESCRIPTION"), ("bm90LWpzb24", "KEY_STATE")):
        with pytest.raises(GraphQLFailure) as failure:
            await listed(client, limit=2, sortBy=sort_by, marker=marker)
        assert failure.value.code == "InvalidMarkerException"


async def test_the_aws_door_neither_takes_nor_shows_the_dashboards_members(
    client: httpx.AsyncClient, keys: dict[str, str]
) -> None:
    """ListKeys through AWS's protocol is AWS's: a Filter or SortBy is ignored as any member
    AWS's model lacks, and no TotalCount is answered."""
    body = {"Filter": {"KeyStates": ["Disabled"]}, "SortBy": "DESCRIPTION", "Limit": 10}
    answer = await post(client, "ListKeys", body)
    assert answer.status == 200
    assert set(answer.body) == {"Keys", "Truncated"}
    assert sorted(entry["KeyId"] for entry in answer.body["Keys"]) == sorted(keys.values())
