"""A small GraphQL client for tests: post a document, get data or the error code."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from tests.aws_messages import validation_message

BASE_URL = "http://keygraph.test"


def app_client(app: Starlette, token: str | None = None) -> httpx.AsyncClient:
    """An HTTP client of ``app`` in-process, sending ``token`` as its bearer token when given."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url=BASE_URL,
        headers=headers,
    )


@dataclass
class GraphQLFailure(Exception):
    """Not frozen: Python sets ``__traceback__`` on exceptions as they propagate."""

    code: str
    message: str


def validation_failure(member: str, constraint: str, value: object = None) -> GraphQLFailure:
    """The ValidationException for one ``member`` that fails its ``constraint``."""
    return GraphQLFailure("ValidationException", validation_message(member, constraint, value))


async def gql(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None, **headers: str
) -> dict[str, Any]:
    """The ``data`` of a successful response; raises GraphQLFailure with the first error."""
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    body = response.json()
    if body.get("errors"):
        error = body["errors"][0]
        raise GraphQLFailure(error["extensions"]["code"], error["message"])
    data: dict[str, Any] = body["data"]
    return data


async def walk_pages(
    fetch: Callable[[str | None], Awaitable[dict[str, Any]]], entries: str
) -> list[list[Any]]:
    """The ``entries`` of every page of a list, ``fetch(marker)`` from the first page (marker
    None) on, following nextMarker; asserts that a page has a nextMarker exactly when it is
    truncated."""
    pages: list[list[Any]] = []
    marker = None
    while True:
        page = await fetch(marker)
        assert page["truncated"] == (page["nextMarker"] is not None)
        pages.append(page[entries])
        if not page["truncated"]:
            return pages
        marker = page["nextMarker"]


async def gql_failure(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> GraphQLFailure:
    """The first error of a document that must fail (the test fails if it succeeds)."""
    with pytest.raises(GraphQLFailure) as raised:
        await gql(client, query, variables)
    return raised.value
