"""What the browser tests share: a built dashboard of three files, the app serving it, a client
that keeps cookies as a browser does, and a clock the tests move."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from api.services import Services
from keygraph.app import keygraph_app
from tests.graphql_client import app_client

INDEX = "<!doctype html><title>keygraph</title><script type=module src=/ui/assets/app.js></script>"
IDE = "<!doctype html><title>GraphiQL</title><script type=module src=/ui/assets/ide.js></script>"
SCRIPT = "console.log('keygraph');"
WHOAMI = {"query": "{ whoami { arn } }"}
CSRF = {"X-Keygraph-CSRF": "1"}


class Clock:
    """``services.clock`` that moves only when told to."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def dashboard(tmp_path: Path) -> Path:
    """What ``npm run build`` leaves in dashboard/dist, in miniature."""
    built = tmp_path / "dist"
    (built / "assets").mkdir(parents=True)
    (built / "index.html").write_text(INDEX, encoding="utf-8")
    (built / "graphiql.html").write_text(IDE, encoding="utf-8")
    (built / "assets" / "app.js").write_text(SCRIPT, encoding="utf-8")
    return built


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def browser_services(services: Services, dashboard: Path, clock: Clock) -> Services:
    """The running services, reading the test's clock, serving the test's dashboard."""
    settings = replace(services.settings, dashboard_dir=dashboard)
    return replace(services, settings=settings, clock=clock)


@pytest.fixture
def browser_app(browser_services: Services) -> Starlette:
    return keygraph_app(browser_services.settings, browser_services)


@pytest.fixture
async def browser(browser_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A client without a token: it keeps the cookies the app sets, as a browser does."""
    async with app_client(browser_app) as http:
        yield http


async def sign_in(browser: httpx.AsyncClient, token: str) -> str:
    """Sign ``browser`` in with ``token``; the session id its cookie holds."""
    response = await browser.post("/session", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    session_id = browser.cookies.get("keygraph_session")
    assert session_id
    return session_id


async def whoami(browser: httpx.AsyncClient, **headers: str) -> httpx.Response:
    """``whoami`` as the dashboard sends it: by the cookie, with the CSRF header."""
    return await browser.post("/graphql", json=WHOAMI, headers={**CSRF, **headers})
