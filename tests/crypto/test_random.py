"""generateRandom over GraphQL: exact sizes, fresh bytes, the HSM as the source, AWS's errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.services import Services
from tests.crypto.asymmetric import unb64
from tests.crypto.encryption import count_hsm_calls, failure
from tests.graphql_client import GraphQLFailure, gql

RANDOM = "mutation($input: GenerateRandomInput) { generateRandom(input: $input) { plaintext } }"


async def generate_random(client: httpx.AsyncClient, size: int) -> bytes:
    data = await gql(client, RANDOM, {"input": {"numberOfBytes": size}})
    return unb64(data["generateRandom"]["plaintext"])


@pytest.mark.parametrize("size", [1, 32, 1024])
async def test_exactly_the_asked_number_of_bytes(client: httpx.AsyncClient, size: int) -> None:
    assert len(await generate_random(client, size)) == size


async def test_bytes_are_fresh_and_come_from_the_hsm(
    client: httpx.AsyncClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = count_hsm_calls(services, monkeypatch)
    drawn = {await generate_random(client, 32) for _ in range(4)}
    assert len(drawn) == 4
    assert calls == ["generate_random"] * 4


async def test_number_of_bytes_is_required_and_bounded(client: httpx.AsyncClient) -> None:
    required = GraphQLFailure("ValidationException", "NumberOfBytes is required.")
    variables: dict[str, Any]
    for variables in ({}, {"input": None}, {"input": {}}):
        assert await failure(gql(client, RANDOM, variables)) == required
    for size, bound in (
        (0, "greater than or equal to 1"),
        (-1, "greater than or equal to 1"),
        (1025, "less than or equal to 1024"),
    ):
        assert await failure(generate_random(client, size)) == GraphQLFailure(
            "ValidationException",
            f"1 validation error detected: Value '{size}' at 'numberOfBytes' failed to satisfy "
            f"constraint: Member must have value {bound}",
        )
