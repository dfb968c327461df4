"""What the browser tests stand on: `keygraph serve` on the test database and SoftHSM token,
serving the dashboard as built from the sources now; Debian's chromium, driven headless by
Playwright (which is never asked to download a browser of its own); the account's root token;
and a second principal with a token of its own, as `keygraph principal create` makes one."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    Page,
    Request,
    ViewportSize,
    async_playwright,
    expect,
)

from api.principals import PrincipalKind, create_principal, principal_for
from hsm import HsmConfig
from tests.served import Replica, serve_environment

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "111122223333"
# The two widths the issue asks the UI to work at: a laptop's window and a phone's.
WIDE = ViewportSize(width=1280, height=800)
NARROW = ViewportSize(width=390, height=844)
# Generous: two cores are shared by the server, its Postgres, the browser and the test.
expect.set_options(timeout=15_000)


def chromium_executable() -> str:
    """Debian's chromium, which scripts/bootstrap.sh installs with apt-get."""
    found = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        pytest.fail("chromium is not installed: `make install` installs Debian's package")
    return found


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the scenario saves the README's screenshots: docs/screenshots under `make
    screenshots` (``KEYGRAPH_SCREENSHOTS_DIR``), else a temporary directory, so that a test run
    leaves the tree as it found it."""
    chosen = os.environ.get("KEYGRAPH_SCREENSHOTS_DIR")
    return Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")


@dataclass(frozen=True)
class User:
    arn: str
    token: str


@pytest.fixture(scope="session")
def dashboard_dist() -> Path:
    """The dashboard as its sources are now: `make test` built it already (bootstrap), and the
    script does nothing then; run alone, pytest still tests a current build."""
    subprocess.run([ROOT / "scripts" / "build-dashboard.sh"], check=True, timeout=600)
    dist = ROOT / "dashboard" / "dist"
    assert (dist / "index.html").is_file()
    return dist


@pytest.fixture
def served(
    fresh_database: str, hsm_config: HsmConfig, keygraph_home: Path, dashboard_dist: Path
) -> Iterator[Replica]:
    environment = serve_environment(fresh_database, hsm_config, keygraph_home)
    replica = Replica({**environment, "KEYGRAPH_DASHBOARD_DIR": str(dashboard_dist)})
    try:
        replica.wait_ready()
        yield replica
    finally:
        replica.stop()


@pytest.fixture
def root(served: Replica, keygraph_home: Path) -> User:
    """The account's root: its token is the one a user finds in $KEYGRAPH_HOME/admin-token."""
    token = (keygraph_home / "admin-token").read_text(encoding="ascii").strip()
    return User(f"arn:aws:iam::{ACCOUNT}:root", token)


@pytest.fixture
async def app_user(served: Replica, fresh_database: str) -> User:
    """A second principal, ``app``: a user of the account that no policy lets do anything yet."""
    principal = principal_for(ACCOUNT, "app", PrincipalKind.USER)
    conn = await asyncpg.connect(fresh_database)
    try:
        issued = await create_principal(conn, principal)
    finally:
        await conn.close()
    return User(f"arn:aws:iam::{ACCOUNT}:user/app", issued.value)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium_executable(), headless=True
        )
        try:
            yield launched
        finally:
            await launched.close()


PageOpener = Callable[[ViewportSize], Awaitable[Page]]


@pytest.fixture
async def open_page(browser: Browser, served: Replica) -> AsyncIterator[PageOpener]:
    """Opens pages on the served keygraph, each in a context of its own (its own cookies, as a
    second browser would have). The test fails on any uncaught script error in them (a UI that
    throws is broken even when the step it was on looks right) and on any request to another
    origin: everything the pages load comes from keygraph, nothing from a CDN."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []
    elsewhere: list[str] = []

    def record(request: Request) -> None:
        if not request.url.startswith((f"{served.url}/", "data:")):
            elsewhere.append(request.url)

    async def opener(viewport: ViewportSize) -> Page:
        context = await browser.new_context(viewport=viewport, base_url=served.url)
        contexts.append(context)
        page = await context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        page.on("request", record)
        return page

    yield opener
    for context in contexts:
        await context.close()
    assert errors == []
    assert elsewhere == []
