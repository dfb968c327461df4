"""A document with several mutation fields keeps the results that committed: a failing field is
null with its error, and the others' results stand (mutation fields are nullable)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from api.services import Services
from api.throttling import DEFAULT_RATES, Throttle
from keygraph.app import keygraph_app
from tests.graphql_client import app_client

CREATE_EIGHT = (
    "mutation { "
    + " ".join(
        f'k{index}: createKey(input: {{description: "key {index}"}}) {{ keyMetadata {{ keyId }} }}'
        for index in range(1, 9)
    )
    + " }"
)

LIST_IDS = "{ listKeys { keys { keyId } } }"


@pytest.fixture
async def throttled(services: Services, admin_token: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app with AWS's quotas enforced: CreateKey allows 5 per second, so 5 in a burst."""
    enforcing = replace(services, throttle=Throttle(DEFAULT_RATES))
    async with app_client(keygraph_app(services.settings, enforcing), admin_token) as http:
        yield http


async def test_a_throttled_field_leaves_the_keys_created_before_it(
    throttled: httpx.AsyncClient,
) -> None:
    body = (await throttled.post("/graphql", json={"query": CREATE_EIGHT})).json()
    data = body["data"]
    created = [data[f"k{index}"]["keyMetadata"]["keyId"] for index in range(1, 6)]
    assert all(data[f"k{index}"] is None for index in range(6, 9))
    errors = {error["path"][0]: error["extensions"]["code"] for error in body["errors"]}
    assert errors == {f"k{index}": "ThrottlingException" for index in range(6, 9)}
    listed = (await throttled.post("/graphql", json={"query": LIST_IDS})).json()
    assert sorted(key["keyId"] for key in listed["data"]["listKeys"]["keys"]) == sorted(created)


async def test_an_alias_to_a_missing_key_leaves_the_created_key_answered(
    client: httpx.AsyncClient,
) -> None:
    missing = "11111111-2222-3333-4444-555555555555"
    query = (
        "mutation { created: createKey(input: {}) { keyMetadata { keyId } } "
        f'alias: createAlias(input: {{aliasName: "alias/x", targetKeyId: "{missing}"}}) '
        "{ keyMetadata { keyId } } }"
    )
    body = (await client.post("/graphql", json={"query": query})).json()
    key_id = body["data"]["created"]["keyMetadata"]["keyId"]
    assert body["data"]["alias"] is None
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
        (["alias"], "NotFoundException")
    ]
    listed = (await client.post("/graphql", json={"query": LIST_IDS})).json()
    assert [key["keyId"] for key in listed["data"]["listKeys"]["keys"]] == [key_id]
