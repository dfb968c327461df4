"""Fixtures shared by the whole suite: a throwaway Postgres, a throwaway SoftHSM token, and a
running keygraph (services + ASGI app) on top of them."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from api.services import Services, start_services
from api.settings import Settings
from api.throttling import NO_THROTTLING
from hsm import HsmConfig
from keygraph.app import keygraph_app
from tests.graphql_client import app_client

pytest_plugins = ["tests.fixtures.postgres", "tests.fixtures.softhsm"]


@pytest.fixture
def keygraph_home() -> Iterator[Path]:
    """A KEYGRAPH_HOME that the unprivileged postgres user can traverse (pytest's tmp is 0700)."""
    with tempfile.TemporaryDirectory(prefix="keygraph-home-") as directory:
        Path(directory).chmod(0o755)
        yield Path(directory)


@pytest.fixture
def settings(fresh_database: str, hsm_config: HsmConfig, keygraph_home: Path) -> Settings:
    """Throttling is off: tests create keys faster than AWS's CreateKey quota (5 per second);
    tests/authz/test_throttling.py turns it on."""
    return Settings(
        database_url=fresh_database, hsm=hsm_config, home=keygraph_home, rates=NO_THROTTLING
    )


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    running = await start_services(settings)
    try:
        yield running
    finally:
        await running.aclose()


@pytest.fixture
def admin_token(services: Services) -> str:
    return services.settings.admin_token_path.read_text(encoding="ascii").strip()


@pytest.fixture
async def client(services: Services, admin_token: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the app in-process, authenticated as the account's root."""
    async with app_client(keygraph_app(services.settings, services), admin_token) as http:
        yield http
