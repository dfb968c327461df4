"""The running parts of one keygraph process, and the order in which they start and stop.

Start-up is: database pool, migrations, HSM session pool, the domain wrapping key, the root
principal, the catalog. Steps that every replica runs at once but that must happen once (migrations,
the domain key, the root principal) run under a Postgres advisory lock, so replicas coordinate
through the database they share rather than through an election of their own.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg

import hsm
from api.audit import AuditTrail
from api.cache import KeyCache, KeyChangeListener
from api.catalog import Catalog, load_catalog
from api.clock import Clock, utc_now
from api.keystores.registry import KeyStores
from api.metrics import Metrics
from api.principals import IssuedToken, Principal, authenticate, create_principal, find_principal
from api.principals import issue_token as issue_principal_token
from api.readiness import Check, ReadinessProbe
from api.settings import Mode, Settings
from api.throttling import Throttle
from db.migrations import apply_migrations
from db.pool import create_pool

log = logging.getLogger("keygraph.services")

# pg_advisory_lock keys: fixed, distinct from the migration runner's.
_DOMAIN_KEY_LOCK = 0x6B67_0002
_ROOT_PRINCIPAL_LOCK = 0x6B67_0003


@dataclass
class Services:
    settings: Settings
    pool: asyncpg.Pool
    hsm: hsm.Hsm
    catalog: Catalog
    metrics: Metrics
    readiness: ReadinessProbe
    key_cache: KeyCache
    key_listener: KeyChangeListener
    throttle: Throttle
    audit: AuditTrail
    # Custom key store tokens this process has open, by store id.
    key_stores: KeyStores
    clock: Clock = utc_now

    async def aclose(self) -> None:
        """Stop in reverse order; the audit trail writes what it still holds before the pool
        closes, so no acknowledged call's event is lost on a clean shutdown."""
        await self.audit.close()
        await self.key_listener.stop()
        await self.key_stores.aclose()
        await self.hsm.aclose()
        await self.pool.close()


@contextlib.asynccontextmanager
async def advisory_lock(conn: asyncpg.Connection, key: int) -> AsyncIterator[None]:
    await conn.execute("SELECT pg_advisory_lock($1)", key)
    try:
        yield
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", key)


async def start_services(settings: Settings) -> Services:
    pool = await create_pool(settings.database_url)
    try:
        async with pool.acquire() as conn:
            await apply_migrations(conn)
        token = await hsm.open_hsm(settings.hsm)
    except BaseException:
        await pool.close()
        raise
    key_cache = KeyCache()
    services = Services(
        settings=settings,
        pool=pool,
        hsm=token,
        catalog=load_catalog(),
        metrics=Metrics(),
        readiness=ReadinessProbe({"database": _database_check(pool), "hsm": token.self_test}),
        key_cache=key_cache,
        key_listener=KeyChangeListener(settings.database_url, key_cache),
        throttle=Throttle(settings.rates),
        audit=AuditTrail(pool),
        key_stores=KeyStores(pool, token),
    )
    services.audit.start()
    services.metrics.watch_audit(services.audit.stats)
    try:
        await services.key_listener.start()
        async with pool.acquire() as conn:
            async with advisory_lock(conn, _DOMAIN_KEY_LOCK):
                await token.ensure_domain_key()
            async with advisory_lock(conn, _ROOT_PRINCIPAL_LOCK):
                await ensure_root_principal(conn, settings)
    except BaseException:
        await services.aclose()
        raise
    return services


def _database_check(pool: asyncpg.Pool) -> Check:
    async def check() -> None:
        await pool.fetchval("SELECT 1")

    return check


async def ensure_root_principal(conn: asyncpg.Connection, settings: Settings) -> None:
    """Create the account's root principal on first start and leave its token in the admin file.

    A valid admin-token file is left alone, so restarts keep the same token. When the root exists
    but the file is gone or no longer valid, development issues a fresh token (whoever owns the
    home directory owns the service); production does not mint root tokens on its own.
    """
    root = Principal.root(settings.account_id)
    path = settings.admin_token_path
    if await find_principal(conn, root) is None:
        _write_admin_token(path, await create_principal(conn, root))
        log.info("created the root principal %s; its token is in %s", root.arn, path)
        return
    if await _admin_token_valid(conn, path, root):
        return
    if settings.mode is Mode.PRODUCTION:
        log.warning("no valid admin token at %s; use `keygraph principal create`", path)
        return
    _write_admin_token(path, await issue_principal_token(conn, root))
    log.info("issued a new root token into %s", path)


async def _admin_token_valid(conn: asyncpg.Connection, path: Path, root: Principal) -> bool:
    token = _read_admin_token(path)
    return token is not None and await authenticate(conn, token) == root


def _read_admin_token(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


def _write_admin_token(path: Path, issued: IssuedToken) -> None:
    """Write the token readable by the owner only, created that way rather than chmod-ed after."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".new")
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(issued.value + "\n")
    temporary.replace(path)
