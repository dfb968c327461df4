"""CORS for dashboards hosted elsewhere: only the origins of KEYGRAPH_CORS_ORIGINS, preflights
answered without a token, and never a request the session cookie signs in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from api.services import Services
from keygraph.app import keygraph_app
from tests.graphql_client import app_client
from tests.sessions.conftest import WHOAMI

ALLOWED = "https://dashboard.example.com"
REFUSED = "https://evil.example"


@pytest.fixture
async def cors(browser_services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """The app with one allowed origin; no token."""
    settings = replace(browser_services.settings, cors_origins=frozenset({ALLOWED}))
    services = replace(browser_services, settings=settings)
    async with app_client(keygraph_app(settings, services)) as http:
        yield http


def preflight(origin: str, method: str = "POST") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization, content-type",
    }


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {
        name: value
        for name, value in response.headers.items()
        if name.startswith("access-control-")
    }


@pytest.mark.parametrize("path", ["/graphql", "/", "/session"])
async def test_a_preflight_of_an_allowed_origin_needs_no_token(
    cors: httpx.AsyncClient, path: str
) -> None:
    response = await cors.options(path, headers=preflight(ALLOWED))
    assert response.status_code == 204
    assert response.content == b""
    assert cors_headers(response) == {
        "access-control-allow-origin": ALLOWED,
        "access-control-allow-methods": "GET, POST, DELETE",
        "access-control-allow-headers": (
            "Authorization, Content-Type, X-Request-Id, X-Amz-Target, X-Amz-Date, "
            "X-Amz-Content-Sha256, X-Amz-User-Agent, Amz-Sdk-Invocation-Id, Amz-Sdk-Request"
        ),
        "access-control-max-age": "600",
        "access-control-expose-headers": "X-Request-Id, Retry-After",
    }
    assert response.headers["vary"] == "Origin"
    # Cookies are never let through: no credentials, and the CSRF header is not allowed.
    assert "access-control-allow-credentials" not in response.headers
    assert "x-keygraph-csrf" not in response.headers["access-control-allow-headers"].lower()


async def test_a_preflight_of_another_origin_is_refused_without_cors_headers(
    cors: httpx.AsyncClient,
) -> None:
    for origin in (REFUSED, ALLOWED + ":8443", ALLOWED.replace("https", "http"), "null"):
        response = await cors.options("/graphql", headers=preflight(origin))
        assert response.status_code == 403
        assert cors_headers(response) == {}
        assert response.json() == {
            "errors": [
                {
                    "message": "The request's Origin is not one of KEYGRAPH_CORS_ORIGINS.",
                    "extensions": {"code": "AccessDeniedException"},
                }
            ]
        }


async def test_with_no_origins_set_every_preflight_is_refused(
    browser: httpx.AsyncClient,
) -> None:
    response = await browser.options("/graphql", headers=preflight(ALLOWED))
    assert response.status_code == 403
    assert cors_headers(response) == {}


async def test_an_allowed_origin_may_read_what_its_token_gets(
    cors: httpx.AsyncClient, admin_token: str
) -> None:
    bearer = {"Authorization": f"Bearer {admin_token}"}
    response = await cors.post("/graphql", json=WHOAMI, headers={**bearer, "Origin": ALLOWED})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert response.headers["vary"] == "Origin"
    # A refusal is readable too, so the page can show why.
    refused = await cors.post("/graphql", json=WHOAMI, headers={"Origin": ALLOWED})
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == ALLOWED


async def test_another_origin_gets_no_cors_headers(
    cors: httpx.AsyncClient, admin_token: str
) -> None:
    bearer = {"Authorization": f"Bearer {admin_token}"}
    response = await cors.post("/graphql", json=WHOAMI, headers={**bearer, "Origin": REFUSED})
    assert cors_headers(response) == {}
    assert response.headers["vary"] == "Origin"
    without_origin = await cors.post("/graphql", json=WHOAMI, headers=bearer)
    assert cors_headers(without_origin) == {}


async def test_without_an_allow_list_responses_carry_no_cors_headers(
    browser: httpx.AsyncClient, admin_token: str
) -> None:
    bearer = {"Authorization": f"Bearer {admin_token}"}
    response = await browser.post("/graphql", json=WHOAMI, headers={**bearer, "Origin": ALLOWED})
    assert response.status_code == 200
    assert cors_headers(response) == {}
    assert "vary" not in response.headers
