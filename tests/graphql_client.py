"""A small GraphQL client for tests: post a document, get data or the error code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class GraphQLFailure(Exception):
    """Not frozen: Python sets ``__traceback__`` on exceptions as they propagate."""

    code: str
    message: str


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
