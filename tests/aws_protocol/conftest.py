"""An in-process client of the AWS door, for what the protocol itself promises (the conformance
suite in tests/aws drives a served keygraph with AWS's own clients)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

CONTENT_TYPE = "application/x-amz-json-1.1"


@dataclass(frozen=True)
class AwsAnswer:
    status: int
    body: dict[str, Any]
    headers: httpx.Headers

    @property
    def error(self) -> tuple[str, str]:
        return self.body["__type"], self.body["message"]


AwsCall = Callable[..., Awaitable[AwsAnswer]]


async def post(
    client: httpx.AsyncClient, action: str, body: dict[str, Any] | bytes, **headers: str
) -> AwsAnswer:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = await client.post(
        "/",
        content=content,
        headers={"X-Amz-Target": f"TrentService.{action}", "Content-Type": CONTENT_TYPE, **headers},
    )
    return AwsAnswer(response.status_code, response.json(), response.headers)


@pytest.fixture
def aws_call(client: httpx.AsyncClient) -> AwsCall:
    """``await aws_call("Encrypt", {...})`` as the account's root, with its bearer token."""

    async def call(action: str, body: dict[str, Any] | bytes, **headers: str) -> AwsAnswer:
        return await post(client, action, body, **headers)

    return call
