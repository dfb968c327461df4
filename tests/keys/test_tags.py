"""tagResource, untagResource, listResourceTags (and createKey's tags) over GraphQL, and the batch
loader."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from api.keys.tags import Tag, tags_for_keys
from api.services import Services
from tests.aws_messages import UNTAG_ITEM_CONSTRAINT, validation_message
from tests.graphql_client import GraphQLFailure, gql, walk_pages
from tests.keys.tag_rules import LONG_KEY, REFUSED_TAGS
from tests.keys.test_aliases import failure, new_key, set_state
from tests.keys.test_lifecycle import CREATE
from tests.statements import looked_up_in_one_statement

SCOPE = "arn:aws:kms:us-east-1:111122223333"
TAG = """
mutation($id: String!, $tags: [TagInput!]!) {
  tagResource(input: {keyId: $id, tags: $tags}) { keyMetadata { keyId } }
}"""
UNTAG = """
mutation($id: String!, $keys: [String!]!) {
  untagResource(input: {keyId: $id, tagKeys: $keys}) { keyMetadata { keyId } }
}"""
LIST = """
query($input: ListResourceTagsInput!) {
  listResourceTags(input: $input) { tags { tagKey tagValue } nextMarker truncated }
}"""


def tags(**pairs: str) -> list[dict[str, str]]:
    return [{"tagKey": key, "tagValue": value} for key, value in pairs.items()]


def numbered(count: int, prefix: str = "k") -> list[dict[str, str]]:
    return [{"tagKey": f"{prefix}{n:02}", "tagValue": str(n)} for n in range(count)]


async def tag(client: httpx.AsyncClient, key_id: str, given: list[dict[str, str]]) -> str:
    data = await gql(client, TAG, {"id": key_id, "tags": given})
    return str(data["tagResource"]["keyMetadata"]["keyId"])


async def listed(client: httpx.AsyncClient, key_id: str, **members: object) -> dict[str, Any]:
    data = await gql(client, LIST, {"input": {"keyId": key_id, **members}})
    page: dict[str, Any] = data["listResourceTags"]
    return page


async def all_tags(client: httpx.AsyncClient, key_id: str) -> list[dict[str, str]]:
    page = await listed(client, key_id)
    assert page["truncated"] is False
    found: list[dict[str, str]] = page["tags"]
    return found


async def test_tag_untag_and_list(client: httpx.AsyncClient) -> None:
    key_id = await new_key(client, tags=tags(team="payments", env="prod"))
    assert await all_tags(client, key_id) == tags(env="prod", team="payments")
    assert await tag(client, key_id, tags(env="staging", owner="", cost="42")) == key_id
    assert await all_tags(client, key_id) == tags(
        cost="42", env="staging", owner="", team="payments"
    )
    data = await gql(client, UNTAG, {"id": key_id, "keys": ["team", "never-there", "owner"]})
    assert data["untagResource"]["keyMetadata"]["keyId"] == key_id
    assert await all_tags(client, key_id) == tags(cost="42", env="staging")
    # Tag keys are case-sensitive, and the key ARN reaches the key as its id does (TagResource
    # takes a key id or key ARN only: AWS's reference, API_TagResource.html).
    assert await tag(client, f"{SCOPE}:key/{key_id}", tags(Env="x")) == key_id
    assert await all_tags(client, f"{SCOPE}:key/{key_id}") == tags(
        Env="x", cost="42", env="staging"
    )


async def test_tags_follow_aws_rules(client: httpx.AsyncClient) -> None:
    key_id = await new_key(client, tags=tags(kept="yes"))
    for pairs, code, message in REFUSED_TAGS:
        given = [{"tagKey": key, "tagValue": value} for key, value in pairs]
        got = await failure(TAG, client, id=key_id, tags=given)
        assert (got.code, got.message) == (code, message), given
        got = await failure(CREATE, client, input={"tags": given})
        assert (got.code, got.message) == (code, message), given
    assert await all_tags(client, key_id) == tags(kept="yes")
    # The longest key and value, and a key merely containing "aws:", are fine.
    longest = {"tagKey": "k" * 128, "tagValue": "v" * 256}
    await tag(client, key_id, [longest, {"tagKey": "my-aws:tag", "tagValue": ""}])
    assert len(await all_tags(client, key_id)) == 3
    got = await failure(UNTAG, client, id=key_id, keys=["kept", LONG_KEY])
    assert (got.code, got.message) == (
        "ValidationException",
        # AWS's form for a list's items: tests/aws_protocol/test_validation_messages.py.
        validation_message("tagKeys", UNTAG_ITEM_CONSTRAINT, f"[kept, {LONG_KEY}]"),
    )
    assert len(await all_tags(client, key_id)) == 3


async def test_fifty_tags_counted_after_the_change(client: httpx.AsyncClient) -> None:
    key_id = await new_key(client, tags=numbered(45))
    # Five replaced values and five new tags: 50 in all.
    await tag(client, key_id, numbered(5) + numbered(5, prefix="new"))
    current = await all_tags(client, key_id)
    assert len(current) == 50
    got = await failure(TAG, client, id=key_id, tags=tags(extra="1"))
    assert (got.code, got.message) == ("TagException", "Too many tags")
    assert await all_tags(client, key_id) == current
    # At the limit, replacing values is still allowed, and room made by untagging can be used.
    await tag(client, key_id, tags(k00="changed"))
    assert {"tagKey": "k00", "tagValue": "changed"} in await all_tags(client, key_id)
    await gql(client, UNTAG, {"id": key_id, "keys": ["k01"]})
    await tag(client, key_id, tags(extra="1"))
    assert len(await all_tags(client, key_id)) == 50


async def test_concurrent_tagging_respects_the_limit(client: httpx.AsyncClient) -> None:
    key_id = await new_key(client, tags=numbered(45))

    async def attempt(number: int) -> str:
        try:
            await tag(client, key_id, numbered(2, prefix=f"race{number}-"))
        except GraphQLFailure as failed:
            return failed.code
        return "ok"

    outcomes = await asyncio.gather(*(attempt(number) for number in range(6)))
    assert sorted(outcomes) == ["TagException"] * 4 + ["ok"] * 2
    assert len(await all_tags(client, key_id)) == 49


async def test_key_states(client: httpx.AsyncClient, services: Services) -> None:
    disabled = await new_key(client)
    await gql(
        client,
        "mutation($id: String!) { disableKey(input: {keyId: $id}) { keyMetadata { keyId } } }",
        {"id": disabled},
    )
    assert await tag(client, disabled, tags(state="disabled")) == disabled
    doomed = await new_key(client, tags=tags(before="1"))
    await set_state(services, doomed, "PendingDeletion")
    pending = GraphQLFailure(
        "KMSInvalidStateException", f"{SCOPE}:key/{doomed} is pending deletion."
    )
    assert await failure(TAG, client, id=doomed, tags=tags(after="1")) == pending
    assert await failure(UNTAG, client, id=doomed, keys=["before"]) == pending
    assert await all_tags(client, doomed) == tags(before="1")
    importing = await new_key(client, origin="EXTERNAL")
    assert await tag(client, importing, tags(state="pending-import")) == importing


async def test_missing_and_malformed_keys(client: httpx.AsyncClient) -> None:
    missing = "1234abcd-12ab-34cd-56ef-1234567890ab"
    absent = GraphQLFailure("NotFoundException", f"Key '{SCOPE}:key/{missing}' does not exist")
    assert await failure(TAG, client, id=missing, tags=tags(a="1")) == absent
    assert await failure(UNTAG, client, id=missing, keys=["a"]) == absent
    assert await failure(LIST, client, input={"keyId": missing}) == absent
    assert await failure(LIST, client, input={"keyId": "bad"}) == GraphQLFailure(
        "NotFoundException", "Invalid keyId 'bad'"
    )


async def test_list_resource_tags_pages(client: httpx.AsyncClient) -> None:
    key_id = await new_key(client, tags=numbered(5))
    pages = await walk_pages(lambda marker: listed(client, key_id, limit=2, marker=marker), "tags")
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [entry["tagKey"] for page in pages for entry in page] == [f"k{n:02}" for n in range(5)]
    for limit, bound in ((0, "greater than or equal to 1"), (1001, "less than or equal to 1000")):
        got = await failure(LIST, client, input={"keyId": key_id, "limit": limit})
        assert got == GraphQLFailure(
            "ValidationException",
            f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
            f"constraint: Member must have value {bound}",
        )
    got = await failure(LIST, client, input={"keyId": key_id, "marker": "m" * 129})
    assert got == GraphQLFailure("InvalidMarkerException", "The marker is not valid.")


async def test_tags_for_keys_is_one_statement(
    client: httpx.AsyncClient, services: Services
) -> None:
    keys = [
        await new_key(client, tags=tags(b="2", a="1")),
        await new_key(client, tags=tags(only="x")),
        await new_key(client),
    ]
    ids = [uuid.UUID(key_id) for key_id in keys]
    found = await looked_up_in_one_statement(services, tags_for_keys, ids)
    assert found == {
        ids[0]: [Tag("a", "1"), Tag("b", "2")],
        ids[1]: [Tag("only", "x")],
        ids[2]: [],
    }
    assert list(found) == ids
