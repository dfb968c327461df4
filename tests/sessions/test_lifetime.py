"""How long a session lasts: idle and absolute expiry on the service's clock, its use written
back at most once a minute, and its end when its principal is revoked, on every replica."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
from starlette.applications import Starlette

from api.access_keys import create_access_key, deactivate_access_key, delete_access_key
from api.principals import (
    Principal,
    PrincipalKind,
    create_principal,
    issue_token,
    revoke_principal,
    revoke_token,
)
from api.services import Services, start_services
from api.settings import Settings
from keygraph.app import keygraph_app
from tests.graphql_client import app_client
from tests.sessions.conftest import CSRF, WHOAMI, Clock, sign_in, whoami


async def last_seen(services: Services, session_id: str) -> object:
    async with services.pool.acquire() as conn:
        return await conn.fetchval(
            "SELECT last_seen_at FROM browser_sessions WHERE id_hash = $1",
            hashlib.sha256(session_id.encode()).digest(),
        )


async def test_a_session_ends_after_the_idle_time_without_use(
    browser: httpx.AsyncClient, admin_token: str, clock: Clock
) -> None:
    await sign_in(browser, admin_token)
    clock.advance(1_799)
    assert (await whoami(browser)).status_code == 200
    # That use was recorded: the idle time counts from it.
    clock.advance(1_799)
    assert (await whoami(browser)).status_code == 200
    clock.advance(1_800)
    expired = await whoami(browser)
    assert expired.status_code == 401
    assert expired.json()["errors"][0]["extensions"]["code"] == "UnrecognizedClientException"


async def test_use_is_written_back_at_most_once_a_minute(
    browser: httpx.AsyncClient, admin_token: str, clock: Clock, browser_services: Services
) -> None:
    session_id = await sign_in(browser, admin_token)
    signed_in_at = clock()
    for _ in range(5):
        clock.advance(10)
        assert (await whoami(browser)).status_code == 200
    assert await last_seen(browser_services, session_id) == signed_in_at
    clock.advance(10)  # a minute since the last write
    assert (await whoami(browser)).status_code == 200
    assert await last_seen(browser_services, session_id) == clock()


async def test_a_session_ends_at_its_absolute_expiry_however_used(
    browser_services: Services, admin_token: str, clock: Clock
) -> None:
    settings = replace(browser_services.settings, session_idle_seconds=60, session_max_seconds=150)
    services = replace(browser_services, settings=settings)
    async with app_client(keygraph_app(settings, services)) as browser:
        response = await browser.post(
            "/session", headers={"Authorization": f"Bearer {admin_token}"}
        )
        assert response.headers["set-cookie"].endswith("Max-Age=150")
        for _ in range(4):
            clock.advance(30)  # well inside the idle time every time
            assert (await whoami(browser)).status_code == 200
        clock.advance(29)
        assert (await whoami(browser)).status_code == 200
        clock.advance(1)  # 150 s after sign-in
        assert (await whoami(browser)).status_code == 401


async def test_small_settings_expire_for_real(browser_services: Services, admin_token: str) -> None:
    """On the wall clock too, with the settings at a second."""
    settings = replace(browser_services.settings, session_idle_seconds=1, session_max_seconds=60)
    services = replace(browser_services, settings=settings, clock=Services.clock)
    async with app_client(keygraph_app(settings, services)) as browser:
        await sign_in(browser, admin_token)
        assert (await whoami(browser)).status_code == 200
        await asyncio.sleep(1.1)
        assert (await whoami(browser)).status_code == 401


async def test_revoking_the_principal_ends_its_sessions(
    browser: httpx.AsyncClient, browser_services: Services
) -> None:
    carol = Principal(account_id="111122223333", kind=PrincipalKind.USER, name="carol")
    async with browser_services.pool.acquire() as conn:
        issued = await create_principal(conn, carol)
    bearer = {"Authorization": f"Bearer {issued.value}"}
    session_id = await sign_in(browser, issued.value)
    # Both credentials used, so the token sits in this process's cache.
    assert (await whoami(browser)).json() == {"data": {"whoami": {"arn": carol.arn}}}
    assert (await browser.post("/graphql", json=WHOAMI, headers=bearer)).status_code == 200
    async with browser_services.pool.acquire() as conn:
        await revoke_principal(conn, carol)
        revoked = await conn.fetchval(
            "SELECT revoked_at IS NOT NULL FROM browser_sessions WHERE id_hash = $1",
            hashlib.sha256(session_id.encode()).digest(),
        )
    assert revoked
    # The session is refused at once: nothing caches it.
    assert (await whoami(browser)).status_code == 401
    # The token leaves the cache when the revocation's notification arrives.
    for _ in range(100):
        refused = await browser.post("/graphql", json=WHOAMI, headers=bearer)
        if refused.status_code == 401:
            break
        await asyncio.sleep(0.01)
    assert refused.status_code == 401
    # Neither can sign in again.
    assert (await browser.post("/session", headers=bearer)).status_code == 401


async def test_a_principal_issued_again_under_the_same_name_inherits_no_session(
    browser: httpx.AsyncClient, browser_services: Services
) -> None:
    dave = Principal(account_id="111122223333", kind=PrincipalKind.ROLE, name="dave")
    async with browser_services.pool.acquire() as conn:
        first = await create_principal(conn, dave)
    session_id = await sign_in(browser, first.value)
    async with browser_services.pool.acquire() as conn:
        await revoke_principal(conn, dave)
        await create_principal(conn, dave)
    assert (await whoami(browser, Cookie=f"keygraph_session={session_id}")).status_code == 401


@pytest.fixture
async def other_replica(
    browser_services: Services, settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    """A second keygraph process on the same database (its own pool, HSM sessions and caches),
    as another replica or this one restarted would be."""
    running = await start_services(settings)
    try:
        async with app_client(keygraph_app(browser_services.settings, running)) as http:
            yield http
    finally:
        await running.aclose()


async def test_a_session_works_and_ends_on_every_replica(
    browser: httpx.AsyncClient,
    admin_token: str,
    other_replica: httpx.AsyncClient,
) -> None:
    replica = other_replica
    session_id = await sign_in(browser, admin_token)
    cookie = {"Cookie": f"keygraph_session={session_id}"}
    on_replica = await replica.post("/graphql", json=WHOAMI, headers={**CSRF, **cookie})
    assert on_replica.status_code == 200
    out = await replica.delete("/session", headers={**CSRF, **cookie})
    assert out.status_code == 204
    assert (await whoami(browser)).status_code == 401


async def test_revoking_the_token_ends_the_sessions_made_with_it(
    browser: httpx.AsyncClient, browser_app: Starlette, browser_services: Services
) -> None:
    erin = Principal(account_id="111122223333", kind=PrincipalKind.USER, name="erin")
    async with browser_services.pool.acquire() as conn:
        leaked = await create_principal(conn, erin)
        other = await issue_token(conn, erin)
    await sign_in(browser, leaked.value)
    async with app_client(browser_app) as second_browser:
        await sign_in(second_browser, other.value)
        async with browser_services.pool.acquire() as conn:
            await revoke_token(conn, leaked.value.split(".")[1])
        assert (await whoami(browser)).status_code == 401
        kept = await whoami(second_browser)
    assert kept.json() == {"data": {"whoami": {"arn": erin.arn}}}


async def test_deactivating_or_deleting_the_access_key_ends_its_sessions(
    browser: httpx.AsyncClient, browser_app: Starlette, browser_services: Services
) -> None:
    frank = Principal(account_id="111122223333", kind=PrincipalKind.USER, name="frank")
    async with browser_services.pool.acquire() as conn:
        await create_principal(conn, frank)
        first = await create_access_key(conn, browser_services.hsm, frank)
        second = await create_access_key(conn, browser_services.hsm, frank)
    async with app_client(browser_app) as second_browser:
        for http, issued in ((browser, first), (second_browser, second)):
            signed_in = await http.post(
                "/session",
                json={"accessKeyId": issued.key.access_key_id, "secretAccessKey": issued.secret},
            )
            assert signed_in.status_code == 200
            assert (await whoami(http)).status_code == 200
        async with browser_services.pool.acquire() as conn:
            await deactivate_access_key(conn, first.key)
            await delete_access_key(conn, second.key)
        assert (await whoami(browser)).status_code == 401
        assert (await whoami(second_browser)).status_code == 401
