"""Both doors draw on one throttle bucket per principal and operation: a caller cannot double
its quota by calling through the other door."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from api.settings import Settings
from api.throttling import parse_rates
from hsm import HsmConfig
from tests.aws_protocol.conftest import AwsCall


@pytest.fixture
def settings(fresh_database: str, hsm_config: HsmConfig, keygraph_home: Path) -> Settings:
    """DescribeKey at one request per 100 seconds: the second call in a test is throttled."""
    return Settings(
        database_url=fresh_database,
        hsm=hsm_config,
        home=keygraph_home,
        rates=parse_rates("DescribeKey=0.01"),
    )


async def test_a_call_through_one_door_spends_the_other_doors_quota(
    client: httpx.AsyncClient, aws_call: AwsCall
) -> None:
    key_id = (await aws_call("CreateKey", {})).body["KeyMetadata"]["KeyId"]
    query = "query($k: String!) { describeKey(input: {keyId: $k}) { keyMetadata { keyId } } }"
    first = (
        await client.post("/graphql", json={"query": query, "variables": {"k": key_id}})
    ).json()
    assert "errors" not in first
    throttled = await aws_call("DescribeKey", {"KeyId": key_id})
    assert throttled.status == 400
    assert throttled.body["__type"] == "ThrottlingException"
    again = (
        await client.post("/graphql", json={"query": query, "variables": {"k": key_id}})
    ).json()
    error = again["errors"][0]
    assert (error["extensions"]["code"], error["message"]) == throttled.error
