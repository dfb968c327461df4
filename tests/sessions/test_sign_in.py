"""Signing in and out of a browser session, and what a session lets through: the cookie's
flags, the CSRF header, the credentials a session may be made from, its audit events, and what
is (never) stored or logged of its id."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from dataclasses import replace
from datetime import datetime

import httpx
import pytest

from api.access_keys import IssuedAccessKey, create_access_key
from api.principals import Principal, PrincipalKind, create_principal
from api.services import Services
from api.settings import Mode
from keygraph.app import keygraph_app
from tests.database_dump import database_dump
from tests.graphql_client import app_client
from tests.sessions.conftest import CSRF, WHOAMI, sign_in, whoami

ROOT = "arn:aws:iam::111122223333:root"
INVALID = {
    "errors": [
        {
            "message": "The security token included in the request is invalid.",
            "extensions": {"code": "UnrecognizedClientException"},
        }
    ]
}


def cookie_attributes(response: httpx.Response) -> dict[str, str]:
    """The ``Set-Cookie`` of the session, as attribute name (lower case) to value."""
    (header,) = response.headers.get_list("set-cookie")
    first, *rest = (part.strip() for part in header.split(";"))
    name, _, value = first.partition("=")
    assert name == "keygraph_session"
    attributes = {"value": value}
    for part in rest:
        key, _, setting = part.partition("=")
        attributes[key.lower()] = setting
    return attributes


async def test_sign_in_sets_an_http_only_strict_cookie(
    browser: httpx.AsyncClient, admin_token: str, browser_services: Services
) -> None:
    response = await browser.post("/session", headers={"Authorization": f"Bearer {admin_token}"})
    assert response.status_code == 200
    body = response.json()
    assert body["principal"] == ROOT
    expires = datetime.fromisoformat(body["expiresAt"])
    assert (expires - browser_services.clock()).total_seconds() == 43_200
    cookie = cookie_attributes(response)
    assert len(cookie["value"]) == 43
    assert cookie["httponly"] == ""
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/"
    assert cookie["max-age"] == "43200"
    assert "secure" not in cookie  # development serves plain HTTP
    assert response.headers["cache-control"] == "no-store"
    # The session signs in the GraphQL door: the principal is the token's.
    signed_in = await whoami(browser)
    assert signed_in.json() == {"data": {"whoami": {"arn": ROOT}}}


async def test_production_cookies_are_secure(browser_services: Services, admin_token: str) -> None:
    production = replace(
        browser_services, settings=replace(browser_services.settings, mode=Mode.PRODUCTION)
    )
    async with app_client(keygraph_app(production.settings, production)) as http:
        response = await http.post("/session", headers={"Authorization": f"Bearer {admin_token}"})
        assert response.status_code == 200
        cookie = cookie_attributes(response)
        assert "secure" in cookie
        # httpx, like a browser, sends a Secure cookie only over HTTPS: the test sends it itself.
        session = {"Cookie": f"keygraph_session={cookie['value']}"}
        out = await http.delete("/session", headers={**CSRF, **session})
    assert out.status_code == 204
    assert "secure" in cookie_attributes(out)


async def test_cookie_requests_need_the_csrf_header(
    browser: httpx.AsyncClient, admin_token: str
) -> None:
    await sign_in(browser, admin_token)
    for headers in ({}, {"X-Keygraph-CSRF": "0"}, {"X-Keygraph-CSRF": ""}):
        refused = await browser.post("/graphql", json=WHOAMI, headers=headers)
        assert refused.status_code == 403
        assert refused.json() == {
            "errors": [
                {
                    "message": "A request signed in by the session cookie must carry the header "
                    "X-Keygraph-CSRF: 1.",
                    "extensions": {"code": "AccessDeniedException"},
                }
            ]
        }
    accepted = await browser.post("/graphql", json=WHOAMI, headers=CSRF)
    assert accepted.status_code == 200
    assert accepted.json() == {"data": {"whoami": {"arn": ROOT}}}
    # Sign-out is a request the cookie signs in like any other.
    assert (await browser.delete("/session")).status_code == 403
    assert (await whoami(browser)).status_code == 200


async def test_bearer_requests_need_no_csrf_header_and_win_over_the_cookie(
    browser: httpx.AsyncClient, admin_token: str, browser_services: Services
) -> None:
    await sign_in(browser, admin_token)
    as_root = await browser.post(
        "/graphql", json=WHOAMI, headers={"Authorization": f"Bearer {admin_token}"}
    )
    assert as_root.json() == {"data": {"whoami": {"arn": ROOT}}}
    # A wrong token is refused, not replaced by the cookie that came along.
    wrong = await browser.post(
        "/graphql", json=WHOAMI, headers={**CSRF, "Authorization": "Bearer kg1.nope"}
    )
    assert wrong.status_code == 401
    assert wrong.json() == INVALID


async def user_with_access_key(services: Services, name: str) -> tuple[Principal, IssuedAccessKey]:
    """A new user of the account and an access key of its own."""
    user = Principal(account_id="111122223333", kind=PrincipalKind.USER, name=name)
    async with services.pool.acquire() as conn:
        await create_principal(conn, user)
        return user, await create_access_key(conn, services.hsm, user)


async def test_sign_in_with_an_access_key(
    browser: httpx.AsyncClient, browser_services: Services
) -> None:
    alice, issued = await user_with_access_key(browser_services, "alice")
    credentials = {"accessKeyId": issued.key.access_key_id, "secretAccessKey": issued.secret}
    response = await browser.post("/session", json=credentials)
    assert response.status_code == 200
    assert response.json()["principal"] == alice.arn
    assert (await whoami(browser)).json() == {"data": {"whoami": {"arn": alice.arn}}}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": f"Bearer kg1.{'A' * 16}.{'A' * 43}"},
    ],
)
async def test_sign_in_with_a_bad_token_is_refused(
    browser: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await browser.post("/session", headers=headers)
    assert response.status_code == 401
    assert response.json() == INVALID
    assert "set-cookie" not in response.headers


async def test_sign_in_with_a_wrong_secret_of_a_real_token_is_refused(
    browser: httpx.AsyncClient, admin_token: str
) -> None:
    prefix, token_id, secret = admin_token.split(".")
    forged = f"{prefix}.{token_id}.{secret[::-1]}"
    response = await browser.post("/session", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert response.json() == INVALID


async def test_sign_in_with_a_bad_access_key_is_refused(
    browser: httpx.AsyncClient, browser_services: Services
) -> None:
    _, issued = await user_with_access_key(browser_services, "bob")
    key_id = issued.key.access_key_id
    for credentials in (
        {"accessKeyId": key_id, "secretAccessKey": issued.secret[::-1]},
        {"accessKeyId": key_id, "secretAccessKey": ""},
        {"accessKeyId": "KGAKAAAAAAAAAAAAAAAA", "secretAccessKey": issued.secret},
        {"accessKeyId": "AKIA-not-ours", "secretAccessKey": issued.secret},
    ):
        response = await browser.post("/session", json=credentials)
        assert response.status_code == 401, credentials
        assert response.json() == INVALID
        assert "set-cookie" not in response.headers


@pytest.mark.parametrize(
    "content, content_type",
    [
        (b"accessKeyId=KGAK&secretAccessKey=x", "application/x-www-form-urlencoded"),
        (b'{"accessKeyId": "KGAK", "secretAccessKey": "x"}', "text/plain"),
        (b"{not json", "application/json"),
        (b'["accessKeyId"]', "application/json"),
        (b'{"accessKeyId": 1, "secretAccessKey": "x"}', "application/json"),
        (b'{"accessKeyId": "KGAK"}', "application/json"),
    ],
)
async def test_a_sign_in_body_that_is_not_json_credentials_is_a_validation_error(
    browser: httpx.AsyncClient, content: bytes, content_type: str
) -> None:
    response = await browser.post(
        "/session", content=content, headers={"Content-Type": content_type}
    )
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "ValidationException"
    assert "POST /session takes Authorization: Bearer <token>" in error["message"]


async def test_sign_out_ends_the_session_and_clears_the_cookie(
    browser: httpx.AsyncClient, admin_token: str, browser_services: Services
) -> None:
    session_id = await sign_in(browser, admin_token)
    response = await browser.delete("/session", headers=CSRF)
    assert response.status_code == 204
    cleared = cookie_attributes(response)
    assert cleared["value"] == ""
    assert cleared["max-age"] == "0"
    assert "keygraph_session" not in browser.cookies
    # The id itself is dead, not only forgotten by this browser.
    replayed = await whoami(browser, Cookie=f"keygraph_session={session_id}")
    assert replayed.status_code == 401
    assert replayed.json() == INVALID
    async with browser_services.pool.acquire() as conn:
        revoked = await conn.fetchval(
            "SELECT revoked_at FROM browser_sessions WHERE id_hash = $1",
            hashlib.sha256(session_id.encode()).digest(),
        )
    assert revoked == browser_services.clock()
    # Signing out again without a session is refused like any request without credentials.
    assert (await browser.delete("/session", headers=CSRF)).status_code == 401


async def test_sessions_are_stored_only_as_hashes(
    browser: httpx.AsyncClient, admin_token: str, browser_services: Services
) -> None:
    session_id = await sign_in(browser, admin_token)
    dump = await database_dump(browser_services.pool)
    raw = base64.urlsafe_b64decode(session_id + "=")
    assert session_id.encode() not in dump
    assert raw not in dump
    assert raw.hex().encode() not in dump
    async with browser_services.pool.acquire() as conn:
        rows = await conn.fetch("SELECT * FROM browser_sessions")
    assert [bytes(row["id_hash"]) for row in rows] == [hashlib.sha256(session_id.encode()).digest()]


async def test_sign_in_and_out_are_audited(
    browser: httpx.AsyncClient, admin_token: str, browser_services: Services
) -> None:
    await sign_in(browser, admin_token)
    await browser.delete("/session", headers=CSRF)
    await browser_services.audit.flush()
    async with browser_services.pool.acquire() as conn:
        events = await conn.fetch(
            "SELECT principal_arn, action, door, outcome, detail, request_id FROM audit_events "
            "WHERE action LIKE 'keygraph:%Session' ORDER BY seq"
        )
    token_id = admin_token.split(".")[1]
    assert [(e["principal_arn"], e["action"], e["door"], e["outcome"]) for e in events] == [
        (ROOT, "keygraph:CreateSession", "graphql", "ok"),
        (ROOT, "keygraph:DeleteSession", "graphql", "ok"),
    ]
    assert events[0]["detail"] == f"token {token_id}"
    assert all(len(event["request_id"]) == 32 for event in events)


async def test_neither_cookie_nor_session_id_is_logged(
    browser: httpx.AsyncClient, admin_token: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        session_id = await sign_in(browser, admin_token)
        await whoami(browser)
        await browser.post("/graphql", json=WHOAMI)  # refused: no CSRF header
        await browser.delete("/session", headers=CSRF)
        await whoami(browser, Cookie=f"keygraph_session={session_id}")
    lines = [record for record in caplog.records if record.name == "keygraph.request"]
    assert [line.fields["status"] for line in lines] == [200, 200, 403, 204, 401]  # type: ignore[attr-defined]
    assert [line.fields["route"] for line in lines] == [  # type: ignore[attr-defined]
        "/session",
        "/graphql",
        "/graphql",
        "/session",
        "/graphql",
    ]
    logged = json.dumps([getattr(record, "fields", None) for record in caplog.records])
    logged += "\n".join(record.getMessage() for record in caplog.records)
    assert session_id not in logged
    assert admin_token.split(".")[2] not in logged


async def test_signing_in_again_ends_the_session_the_browser_held(
    browser: httpx.AsyncClient, admin_token: str
) -> None:
    first = await sign_in(browser, admin_token)
    second = await sign_in(browser, admin_token)
    assert second != first
    assert (await whoami(browser)).status_code == 200
    assert (await whoami(browser, Cookie=f"keygraph_session={first}")).status_code == 401
