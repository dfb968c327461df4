"""The running parts of one keygraph process, and the order in which they start and stop.

Start-up is: database pool (once the database answers: ``reach_database``), migrations, HSM
session pool, the domain wrapping key, the root principal, the catalog. Steps that every replica
runs at once but that must happen once (migrations, the domain key, the root principal) run under a
Postgres advisory lock, so replicas coordinate through the database they share rather than through
an election of their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import asyncpg

import hsm
from api.audit import AuditTrail
from api.cache import KeyCache, KeyChangeListener
from api.catalog import Catalog, load_catalog
from api.clock import Clock, utc_now
from api.keystores.registry import KeyStores
from api.metrics import Metrics
from api.principals import (
    IssuedToken,
    Principal,
    TokenStanding,
    TokenVerifier,
    authenticate,
    create_principal,
    ensure_principal,
    find_principal,
    install_token,
    list_tokens,
    token_standing,
)
from api.principals import issue_token as issue_principal_token
from api.readiness import Check, ReadinessProbe
from api.settings import ROOT_TOKEN_VERIFIER, ConfigurationError, Mode, Settings
from api.throttling import Throttle
from db.errors import DatabaseRefused, DatabaseUnreachable
from db.migrations import apply_migrations
from db.pool import create_pool

log = logging.getLogger("keygraph.services")

Connected = TypeVar("Connected")

# pg_advisory_lock keys: fixed, distinct from the migration runner's.
_DOMAIN_KEY_LOCK = 0x6B67_0002
_ROOT_PRINCIPAL_LOCK = 0x6B67_0003

# Waiting for the database at start-up: the pause doubles from the first to the cap, so a database
# that comes up late (a pod scheduled before Postgres) is found within seconds of answering, without
# a flood of attempts meanwhile. One attempt may take this long (an address that drops packets).
_FIRST_PAUSE_SECONDS = 0.25
_MAX_PAUSE_SECONDS = 5.0
_ATTEMPT_SECONDS = 10.0
# What a database that is not up yet gives: nothing listening, no such host yet, a timeout, "the
# database system is starting up", a connection dropped during its start, all slots taken.
_NOT_UP_YET = (
    OSError,
    TimeoutError,
    asyncpg.CannotConnectNowError,
    asyncpg.PostgresConnectionError,
    asyncpg.TooManyConnectionsError,
)


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


async def reach_database(
    connect: Callable[[], Awaitable[Connected]], wait_seconds: float
) -> Connected:
    """``connect()``, tried again with growing pauses while the database is not up, for up to
    ``wait_seconds`` (0: once), with one log line per failed attempt.

    Raises ``DatabaseUnreachable`` when time is up and ``DatabaseRefused`` at once when a database
    answers but refuses. Messages name the setting and the cause, never the URL (it may hold a
    password).
    """
    deadline = time.monotonic() + wait_seconds
    pause = _FIRST_PAUSE_SECONDS
    attempt = 1
    while True:
        try:
            return await asyncio.wait_for(connect(), _ATTEMPT_SECONDS)
        except _NOT_UP_YET as exc:
            cause = _cause(exc)
        except ValueError as exc:  # asyncpg's reading of the URL (ClientConfigurationError too)
            raise ConfigurationError("KEYGRAPH_DATABASE_URL", f"cannot be used: {exc}") from None
        except (asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise DatabaseRefused(
                f"KEYGRAPH_DATABASE_URL: the database refused the connection: {_cause(exc)}"
            ) from None
        left = deadline - time.monotonic()
        if left <= 0:
            waited = f" in {wait_seconds:g} s ({attempt} attempts)" if wait_seconds else ""
            raise DatabaseUnreachable(
                f"KEYGRAPH_DATABASE_URL: no database answered{waited}: {cause}"
            )
        asleep = min(pause, left)
        log.warning(
            "database not reachable (attempt %d: %s); trying again in %.2f s",
            attempt,
            cause,
            asleep,
            extra={"fields": {"attempt": attempt}},
        )
        await asyncio.sleep(asleep)
        pause = min(pause * 2, _MAX_PAUSE_SECONDS)
        attempt += 1


def _cause(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


async def check_database(settings: Settings) -> None:
    """Reach the database (waiting for it), bring its schema up to date and check that the root
    token verifier can be installed, then let go: run by a command before its server starts, so
    that what would stop start-up stops it there, as one line and an exit code, rather than
    inside a worker (a traceback, a worker restarted forever)."""
    conn = await reach_database(
        lambda: asyncpg.connect(settings.database_url), settings.database_wait_seconds
    )
    try:
        await apply_migrations(conn)
        await check_root_token(conn, settings)
    finally:
        await conn.close()


def check_hsm(config: hsm.HsmConfig) -> None:
    """Log in to the HSM and let go, for the same reason as ``check_database``; a plain function
    (its own event loop) so that a supervisor can run it in a spawned process like its workers."""

    async def log_in() -> None:
        token = await hsm.open_hsm(config)
        await token.aclose()

    asyncio.run(log_in())


async def start_services(settings: Settings) -> Services:
    pool = await reach_database(
        lambda: create_pool(settings.database_url), settings.database_wait_seconds
    )
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
    """Create the account's root principal if it is missing, and give it its token.

    Production never mints a root token: the operator mints one offline and hands over its
    verifier (``KEYGRAPH_ROOT_TOKEN_VERIFIER``), which is installed here unless it is already, so
    no token is ever written to a pod's disk. Development also keeps a root token in the home's
    admin-token file: a valid file is left alone so restarts keep the same token, and a missing or
    stale one is replaced (whoever owns the home directory owns the service).
    """
    root = Principal.root(settings.account_id)
    verifier = settings.root_token_verifier
    if settings.mode is Mode.PRODUCTION:
        if await ensure_principal(conn, root):
            log.info("created the root principal %s", root.arn)
    else:
        await _ensure_admin_token(conn, root, settings.admin_token_path)
    if verifier is not None:
        await _install_root_token(conn, root, verifier)
    elif settings.mode is Mode.PRODUCTION and not await list_tokens(conn, root):
        log.warning(
            "the root principal %s has no token: mint one with `keygraph root-token new "
            "--verifier FILE` and start keygraph with KEYGRAPH_ROOT_TOKEN_VERIFIER set to the "
            "file's content",
            root.arn,
        )


async def check_root_token(conn: asyncpg.Connection, settings: Settings) -> None:
    """Refuse a root token verifier that cannot be installed, before any worker starts."""
    verifier = settings.root_token_verifier
    if verifier is not None:
        _refuse_conflict(
            verifier, await token_standing(conn, Principal.root(settings.account_id), verifier)
        )


async def _install_root_token(
    conn: asyncpg.Connection, root: Principal, verifier: TokenVerifier
) -> None:
    standing = await token_standing(conn, root, verifier)
    _refuse_conflict(verifier, standing)
    if standing is TokenStanding.ABSENT:
        await install_token(conn, root, verifier)
        log.info("installed root token %s from KEYGRAPH_ROOT_TOKEN_VERIFIER", verifier.token_id)
    elif standing is TokenStanding.REVOKED:
        # Not installed again: a revoked token must stay revoked. The service still starts, so
        # revoking the token before replacing the Secret does not stop every replica.
        log.warning(
            "root token %s of KEYGRAPH_ROOT_TOKEN_VERIFIER was revoked and stays revoked: "
            "mint a new one with `keygraph root-token new --verifier FILE`",
            verifier.token_id,
        )


_CONFLICTS = {
    TokenStanding.OTHER_PRINCIPAL: "is the id of another principal's token",
    TokenStanding.OTHER_HASH: "is the id of a root token whose secret has another hash",
}


def _refuse_conflict(verifier: TokenVerifier, standing: TokenStanding) -> None:
    """A verifier that names a token installed otherwise is a wrong Secret, not one to fix by
    overwriting: stop start-up, naming the setting."""
    conflict = _CONFLICTS.get(standing)
    if conflict is not None:
        raise ROOT_TOKEN_VERIFIER.refused(
            f"token id {verifier.token_id} {conflict}; mint a new root token with "
            "`keygraph root-token new --verifier FILE`"
        )


async def _ensure_admin_token(conn: asyncpg.Connection, root: Principal, path: Path) -> None:
    if await find_principal(conn, root) is None:
        _write_admin_token(path, await create_principal(conn, root))
        log.info("created the root principal %s; its token is in %s", root.arn, path)
    elif not await _admin_token_valid(conn, path, root):
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
