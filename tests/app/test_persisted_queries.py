"""Persisted queries: a document's SHA-256 instead of its text, and registered documents as an
allow-list in production."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from api.services import Services
from api.settings import ConfigurationError, Mode
from keygraph.app import keygraph_app
from tests.graphql_client import app_client

WHOAMI = "{ whoami { arn } }"
PRIVILEGE = '{ privilege(name: "kms:Encrypt") { name } }'


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def by_hash(text: str) -> dict[str, Any]:
    return {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256(text)}}}


async def test_a_document_sent_once_runs_by_its_hash(client: httpx.AsyncClient) -> None:
    unknown = (await client.post("/graphql", json=by_hash(WHOAMI))).json()
    assert unknown["errors"][0]["extensions"]["code"] == "PersistedQueryNotFound"
    assert (await client.post("/graphql", json={"query": WHOAMI})).json()["data"]
    again = (await client.post("/graphql", json=by_hash(WHOAMI))).json()
    assert again == {"data": {"whoami": {"arn": "arn:aws:iam::111122223333:root"}}}


async def test_a_hash_that_is_not_the_texts_is_refused(client: httpx.AsyncClient) -> None:
    body = {"query": WHOAMI, **by_hash(PRIVILEGE)}
    error = (await client.post("/graphql", json=body)).json()["errors"][0]
    assert error["extensions"]["code"] == "ValidationException"


@pytest.fixture
async def production(
    services: Services, admin_token: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[httpx.AsyncClient]:
    """A production front door whose only registered document is WHOAMI."""
    settings = replace(
        services.settings, mode=Mode.PRODUCTION, persisted_queries=(("whoami.graphql", WHOAMI),)
    )
    async with app_client(keygraph_app(settings, services), admin_token) as http:
        yield http


async def test_in_production_registered_documents_are_an_allow_list(
    production: httpx.AsyncClient,
) -> None:
    assert (await production.post("/graphql", json=by_hash(WHOAMI))).json()["data"]
    assert (await production.post("/graphql", json={"query": WHOAMI})).json()["data"]
    refused = (await production.post("/graphql", json={"query": PRIVILEGE})).json()
    assert refused["errors"][0]["extensions"]["code"] == "PersistedQueryNotAllowed"
    assert refused["data"] is None


def test_a_registered_document_that_does_not_validate_stops_start_up(
    services: Services,
) -> None:
    settings = replace(services.settings, persisted_queries=(("bad.graphql", "{ nope }"),))
    with pytest.raises(ConfigurationError, match=r"bad\.graphql"):
        keygraph_app(settings, services)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "The request body is not JSON."),
        (b"[1, 2]", "The request body must be a JSON object."),
        (b'{"query": 3}', "query must be a string."),
        (b'{"query": "{ whoami { arn } }", "variables": []}', "variables must be an object."),
        (b"{}", "A request needs a query or a persisted query hash."),
        (
            b'{"extensions": {"persistedQuery": {}}}',
            "extensions.persistedQuery needs a sha256Hash string.",
        ),
    ],
)
async def test_malformed_bodies_are_refused_with_400(
    client: httpx.AsyncClient, body: bytes, message: str
) -> None:
    response = await client.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "data": None,
        "errors": [{"message": message, "extensions": {"code": "ValidationException"}}],
    }
