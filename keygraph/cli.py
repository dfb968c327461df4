"""``keygraph``: serve, develop, and administer principals, the catalog and the schema."""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import enum
import json
import multiprocessing
import os
import sys
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import uvicorn

from api import embedded
from api.access_keys import (
    create_access_key,
    deactivate_access_key,
    delete_access_key,
    find_access_key,
    list_access_keys,
)
from api.audit import ChainReport, verify_chain
from api.authz.identity import attach_policy
from api.catalog import CatalogError, load_catalog, run_catalog_import
from api.errors import KeygraphError
from api.logs import configure_logging
from api.principals import (
    Principal,
    PrincipalKind,
    create_principal,
    list_principals,
    list_tokens,
    mint_token,
    principal_for,
    revoke_principal,
    revoke_token,
)
from api.services import check_database, check_hsm, reach_database
from api.settings import (
    DEFAULT_ACCOUNT_ID,
    MAX_WORKERS,
    ConfigurationError,
    Mode,
    Settings,
    from_env,
    home_from_env,
    policy_check_from_env,
)
from api.settings_reference import configuration_reference
from db import principal_policies
from db.errors import (
    ClusterAlreadyRunning,
    DatabaseRefused,
    DatabaseUnreachable,
    EmbeddedPostgresError,
    MigrationError,
)
from db.migrations import apply_migrations
from hsm import (
    DomainKeyMissing,
    Hsm,
    HsmConfig,
    HsmConfigurationError,
    HsmError,
    HsmUnavailable,
    LoginFailed,
    open_hsm,
)
from keygraph.app import keygraph_app
from keygraph.backup import BackupError, restore_backup, server_hsm, write_backup
from keygraph.sockets import guarded_protocol
from schema.build import schema_sdl


class Exit(enum.IntEnum):
    """Exit codes, one per kind of failure, so that a supervisor or a script can tell them apart
    without reading the line (README.md lists them). 2 is argparse's (usage), 3 uvicorn's (a
    worker that failed to start after the command's own checks passed)."""

    FAILED = 1  # the command was refused (no such principal, a broken audit chain, ...)
    CONFIGURATION = 10
    NO_HOME = 11
    HOME_IN_USE = 12
    LOCAL_POSTGRES = 13
    DATABASE_UNREACHABLE = 14
    DATABASE_REFUSED = 15
    MIGRATIONS = 16
    HSM_LOGIN = 17
    HSM_UNAVAILABLE = 18


class HomeWithoutState(Exception):
    """A command that works on an existing home was given one that holds none of keygraph's
    state: most likely a mistyped ``KEYGRAPH_HOME``, which must not become a new, empty home."""

    def __init__(self, home: Path, missing: str, setting: str) -> None:
        super().__init__(
            f"KEYGRAPH_HOME={home} holds no keygraph state (no {missing}): start `keygraph dev` "
            f"there first, or set {setting}"
        )


# The first class an error is an instance of gives the code (subclasses before their bases).
_EXIT_CODES: tuple[tuple[type[Exception], Exit], ...] = (
    (ConfigurationError, Exit.CONFIGURATION),
    (HomeWithoutState, Exit.NO_HOME),
    (embedded.HomeInUse, Exit.HOME_IN_USE),
    (ClusterAlreadyRunning, Exit.HOME_IN_USE),
    (EmbeddedPostgresError, Exit.LOCAL_POSTGRES),
    (DatabaseUnreachable, Exit.DATABASE_UNREACHABLE),
    (DatabaseRefused, Exit.DATABASE_REFUSED),
    (MigrationError, Exit.MIGRATIONS),
    (LoginFailed, Exit.HSM_LOGIN),
    (HsmUnavailable, Exit.HSM_UNAVAILABLE),
    (HsmConfigurationError, Exit.HSM_UNAVAILABLE),
    (KeygraphError, Exit.FAILED),
    (CatalogError, Exit.FAILED),
    (HsmError, Exit.FAILED),
)


def main(argv: list[str] | None = None) -> None:
    """Run the command; a failure it foresees is one line on stderr and its ``Exit`` code."""
    args = _parser().parse_args(argv)
    try:
        args.run(args)
    except tuple(kind for kind, _ in _EXIT_CODES) as exc:
        print(f"keygraph: {exc}", file=sys.stderr, flush=True)
        sys.exit(next(code for kind, code in _EXIT_CODES if isinstance(exc, kind)))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="keygraph",
        description="A key management service: AWS KMS operations over GraphQL, keys in an HSM.",
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    dev = commands.add_parser(
        "dev", help="serve with a private Postgres and SoftHSM token under $KEYGRAPH_HOME"
    )
    dev.set_defaults(run=_dev)
    serve = commands.add_parser("serve", help="serve with the database and HSM of the environment")
    serve.set_defaults(run=_serve)
    for server in (dev, serve):
        server.add_argument(
            "--workers",
            type=int,
            help="worker processes (default: KEYGRAPH_WORKERS or 1); each opens its own HSM "
            "sessions and database pool",
        )
    migrate = commands.add_parser("migrate", help="apply database migrations and exit")
    migrate.set_defaults(run=_migrate)

    principal = commands.add_parser("principal", help="manage principals and their tokens")
    principal_commands = principal.add_subparsers(required=True, metavar="ACTION")
    create = principal_commands.add_parser("create", help="create a principal; prints its token")
    revoke = principal_commands.add_parser("revoke", help="revoke a principal and its tokens")
    attach = principal_commands.add_parser(
        "attach-policy", help="attach an identity policy (a JSON file, - for stdin)"
    )
    show = principal_commands.add_parser("show-policy", help="print a principal's policy")
    detach = principal_commands.add_parser("detach-policy", help="remove a principal's policy")
    for sub in (create, revoke, attach, show, detach):
        sub.add_argument("name")
        sub.add_argument(
            "--account", help=f"account id (default: KEYGRAPH_ACCOUNT_ID or {DEFAULT_ACCOUNT_ID})"
        )
        sub.add_argument("--role", action="store_true", help="an IAM role rather than a user")
    attach.add_argument("file", type=argparse.FileType("r", encoding="utf-8"))
    create.set_defaults(run=_principal_create)
    revoke.set_defaults(run=_principal_revoke)
    attach.set_defaults(run=_principal_attach_policy)
    show.set_defaults(run=_principal_show_policy)
    detach.set_defaults(run=_principal_detach_policy)
    listing = principal_commands.add_parser("list", help="list live principals")
    _output_option(listing)
    listing.set_defaults(run=_principal_list)
    _access_key_commands(principal_commands)
    _token_commands(principal_commands)

    audit = commands.add_parser("audit", help="the audit trail")
    audit_commands = audit.add_subparsers(required=True, metavar="ACTION")
    verify = audit_commands.add_parser(
        "verify", help="prove the audit chain, or name its first broken event"
    )
    verify.set_defaults(run=_audit_verify)

    backup = commands.add_parser(
        "backup", help="write a consistent database dump and the SoftHSM token into a new directory"
    )
    restore = commands.add_parser(
        "restore",
        help="restore a backup into a new home (or the empty database and token directory "
        "the environment names)",
    )
    for sub in (backup, restore):
        sub.add_argument("directory", type=Path)
    backup.set_defaults(run=_backup)
    restore.set_defaults(run=_restore)

    catalog = commands.add_parser("catalog", help="manage the privilege catalog")
    catalog_commands = catalog.add_subparsers(required=True, metavar="ACTION")
    importing = catalog_commands.add_parser("import", help="import a service's privilege page")
    importing.add_argument("file", type=Path)
    importing.set_defaults(run=lambda args: print(run_catalog_import(args.file)))

    schema = commands.add_parser("schema", help="the GraphQL schema")
    schema_commands = schema.add_subparsers(required=True, metavar="ACTION")
    export = schema_commands.add_parser("export", help="print the schema SDL")
    export.set_defaults(run=lambda _: sys.stdout.write(schema_sdl()))

    root_token = commands.add_parser(
        "root-token", help="the root principal's token, minted offline for production"
    )
    root_token_commands = root_token.add_subparsers(required=True, metavar="ACTION")
    mint = root_token_commands.add_parser(
        "new",
        help="mint a root token without a database: the token to stdout, its verifier (for "
        "KEYGRAPH_ROOT_TOKEN_VERIFIER) to a new file",
    )
    mint.add_argument("--verifier", type=Path, required=True, metavar="FILE")
    mint.set_defaults(run=_root_token_new)

    config = commands.add_parser("config", help="keygraph's settings")
    config_commands = config.add_subparsers(required=True, metavar="ACTION")
    reference = config_commands.add_parser(
        "reference", help="print the reference of every KEYGRAPH_* setting (Markdown)"
    )
    reference.set_defaults(run=lambda _: sys.stdout.write(configuration_reference()))
    return parser


def _token_commands(principal_commands: Any) -> None:
    """``keygraph principal tokens`` and ``revoke-token``: what rotating a token takes."""
    tokens = principal_commands.add_parser(
        "tokens", help="list a principal's live bearer tokens (id, creation time; no secrets)"
    )
    named = tokens.add_mutually_exclusive_group(required=True)
    named.add_argument("name", nargs="?", help="a user's name (a role's, with --role)")
    named.add_argument("--root", action="store_true", help="the account's root principal")
    tokens.add_argument(
        "--account", help=f"account id (default: KEYGRAPH_ACCOUNT_ID or {DEFAULT_ACCOUNT_ID})"
    )
    tokens.add_argument("--role", action="store_true", help="an IAM role rather than a user")
    _output_option(tokens)
    tokens.set_defaults(run=_principal_tokens)
    revoke = principal_commands.add_parser(
        "revoke-token", help="revoke one bearer token; every replica stops accepting it"
    )
    revoke.add_argument("token_id", metavar="TOKEN_ID")
    revoke.set_defaults(run=_principal_revoke_token)


def _access_key_commands(principal_commands: Any) -> None:
    """``keygraph principal create-access-key`` and the rest: the AWS door's credentials."""
    create = principal_commands.add_parser(
        "create-access-key",
        help="create an access key; prints AWS_ACCESS_KEY_ID=... and AWS_SECRET_ACCESS_KEY=... "
        "(the secret only this once)",
    )
    listing = principal_commands.add_parser(
        "list-access-keys", help="list a principal's access keys (id, status, creation time)"
    )
    for sub in (create, listing):
        named = sub.add_mutually_exclusive_group(required=True)
        named.add_argument("name", nargs="?", help="a user's name (a role's, with --role)")
        named.add_argument("--root", action="store_true", help="the account's root principal")
        sub.add_argument(
            "--account", help=f"account id (default: KEYGRAPH_ACCOUNT_ID or {DEFAULT_ACCOUNT_ID})"
        )
        sub.add_argument("--role", action="store_true", help="an IAM role rather than a user")
    create.set_defaults(run=_create_access_key)
    _output_option(listing)
    listing.set_defaults(run=_list_access_keys)
    deactivate = principal_commands.add_parser(
        "deactivate-access-key", help="stop an access key from signing requests"
    )
    delete = principal_commands.add_parser("delete-access-key", help="delete an access key")
    for sub in (deactivate, delete):
        sub.add_argument("access_key_id", metavar="ACCESS_KEY_ID")
    deactivate.set_defaults(run=_deactivate_access_key)
    delete.set_defaults(run=_delete_access_key)


def _output_option(command: argparse.ArgumentParser) -> None:
    """``--output`` for a command that prints a list: its lines for people, or JSON for scripts,
    which should not have to parse those lines."""
    command.add_argument(
        "--output",
        choices=("text", "json"),
        default="text",
        help="text (default): one line per item; json: an array of objects with fixed field names",
    )


def _print_listing(
    args: argparse.Namespace, rows: list[dict[str, str]], line: Callable[[dict[str, str]], str]
) -> None:
    """``rows`` as the command's ``--output`` asks. Rows never hold a secret: the JSON form has
    the same facts as the text form, with names (the GraphQL schema's, where it has the type)
    that stay the same from release to release."""
    if args.output == "json":
        print(json.dumps(rows, indent=2))
        return
    for row in rows:
        print(line(row))


def _serve_forever(settings: Settings) -> None:
    """One process, or ``settings.workers`` processes that each build the app from the
    environment (``keygraph.worker``), so the HSM is initialised in the process that uses it."""
    configure_logging()
    print(_banner(settings), file=sys.stderr, flush=True)
    served: Any = keygraph_app(settings) if settings.workers == 1 else "keygraph.worker:app"
    connections = settings.connections
    uvicorn.run(
        served,
        factory=settings.workers > 1,
        workers=settings.workers,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        http=guarded_protocol(connections),
        timeout_keep_alive=connections.keep_alive_timeout,
        limit_concurrency=connections.max_connections,
        timeout_graceful_shutdown=10,
    )


def _with_workers(settings: Settings, args: argparse.Namespace) -> Settings:
    if args.workers is None:
        return settings
    if not 1 <= args.workers <= MAX_WORKERS:
        raise ConfigurationError("--workers", f"{args.workers} is not a number from 1 to 64")
    os.environ["KEYGRAPH_WORKERS"] = str(args.workers)
    return replace(settings, workers=args.workers)


def _banner(settings: Settings) -> str:
    """How to make a first call and where the dashboard is; production keeps no token file, so
    its banner names none."""
    base = f"http://{settings.host}:{settings.port}"
    url = f"{base}/graphql"
    token = "$TOKEN" if settings.mode is Mode.PRODUCTION else f"$(cat {settings.admin_token_path})"
    sign_in = (
        "a principal's token"
        if settings.mode is Mode.PRODUCTION
        else f"the token in {settings.admin_token_path}"
    )
    return (
        f"keygraph: serving GraphQL on {url}\n"
        f'  curl -H "Authorization: Bearer {token}" '
        f"-H 'Content-Type: application/json' -d '{{\"query\":\"{{ whoami {{ arn }} }}\"}}' {url}\n"
        f"keygraph: the dashboard is at {base}/ui/ (sign in with {sign_in})"
    )


def _checked(settings: Settings) -> Settings:
    """``settings`` once the database and the HSM they name can be used. With several workers
    the HSM login is tried in a spawned process, as the workers are: the supervisor never loads
    the PKCS#11 module."""
    asyncio.run(check_database(settings))
    if settings.workers == 1:
        check_hsm(settings.hsm)
        return settings
    spawn = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=spawn) as like_a_worker:
        like_a_worker.submit(check_hsm, settings.hsm).result()
    return settings


def _serve(args: argparse.Namespace) -> None:
    configure_logging()
    _serve_forever(_checked(_with_workers(from_env(), args)))


def _dev(args: argparse.Namespace) -> None:
    configure_logging()
    home = home_from_env()
    with embedded.exclusive_home(home):
        defaults = embedded.provide(
            home,
            database=not os.environ.get("KEYGRAPH_DATABASE_URL"),
            token=not os.environ.get("KEYGRAPH_PKCS11_MODULE"),
        )
        # Worker processes read their settings from the environment: name the embedded parts.
        os.environ.update(embedded.environment_of(home, defaults))
        try:
            _serve_forever(_checked(_with_workers(from_env(embedded=defaults), args)))
        finally:
            if defaults.database_url is not None:
                embedded.postgres_of(home).stop()


@contextlib.contextmanager
def _database_url() -> Iterator[str]:
    """The environment's database, or the dev home's (started for the command if not running)."""
    url = os.environ.get("KEYGRAPH_DATABASE_URL")
    if url:
        yield url
        return
    home = home_from_env()
    if not embedded.postgres_of(home).is_initialized():
        raise HomeWithoutState(home, "database cluster", "KEYGRAPH_DATABASE_URL")
    if embedded.home_in_use(home):
        yield embedded.postgres_of(home).dsn
        return
    with embedded.exclusive_home(home), embedded.running_postgres(home) as dsn:
        yield dsn


async def _connected(url: str, work: Callable[[asyncpg.Connection], Awaitable[None]]) -> None:
    conn = await reach_database(lambda: asyncpg.connect(url), wait_seconds=0)
    try:
        await apply_migrations(conn)
        await work(conn)
    finally:
        await conn.close()


def _with_connection(work: Callable[[asyncpg.Connection], Awaitable[None]]) -> None:
    with _database_url() as url:
        asyncio.run(_connected(url, work))


def _migrate(_: argparse.Namespace) -> None:
    async def report(conn: asyncpg.Connection) -> None:
        print("migrations are up to date")

    _with_connection(report)


def _account(args: argparse.Namespace) -> str:
    if args.account:
        return str(args.account)
    return os.environ.get("KEYGRAPH_ACCOUNT_ID") or DEFAULT_ACCOUNT_ID


def _principal_arg(args: argparse.Namespace) -> PrincipalKind:
    return PrincipalKind.ROLE if args.role else PrincipalKind.USER


def _principal_create(args: argparse.Namespace) -> None:
    principal = principal_for(_account(args), args.name, _principal_arg(args))

    async def create(conn: asyncpg.Connection) -> None:
        issued = await create_principal(conn, principal)
        print(f"created {principal.arn}", file=sys.stderr)
        print(issued.value)

    _with_connection(create)


def _principal_revoke(args: argparse.Namespace) -> None:
    principal = principal_for(_account(args), args.name, _principal_arg(args))

    async def revoke(conn: asyncpg.Connection) -> None:
        await revoke_principal(conn, principal)
        print(f"revoked {principal.arn}")

    _with_connection(revoke)


def _principal_attach_policy(args: argparse.Namespace) -> None:
    principal = principal_for(_account(args), args.name, _principal_arg(args))
    document = args.file.read()

    check = policy_check_from_env()

    async def attach(conn: asyncpg.Connection) -> None:
        warnings = await attach_policy(conn, load_catalog(), principal, document, check)
        for warning in warnings:
            print(f"keygraph: warning: {warning.text}", file=sys.stderr)
        print(f"attached the policy to {principal.arn}")

    _with_connection(attach)


def _principal_show_policy(args: argparse.Namespace) -> None:
    principal = principal_for(_account(args), args.name, _principal_arg(args))

    async def show(conn: asyncpg.Connection) -> None:
        document = await principal_policies.find_policy(conn, principal.arn)
        if document is None:
            sys.exit(f"keygraph: {principal.arn} has no identity policy")
        print(document)

    _with_connection(show)


def _principal_detach_policy(args: argparse.Namespace) -> None:
    principal = principal_for(_account(args), args.name, _principal_arg(args))

    async def detach(conn: asyncpg.Connection) -> None:
        if not await principal_policies.delete_policy(conn, principal.arn):
            sys.exit(f"keygraph: {principal.arn} has no identity policy")
        print(f"detached the policy of {principal.arn}")

    _with_connection(detach)


def _principal_list(args: argparse.Namespace) -> None:
    async def show(conn: asyncpg.Connection) -> None:
        rows = [
            {
                "arn": principal.arn,
                "accountId": principal.account_id,
                "name": principal.name,
                "type": principal.kind.name,
            }
            for principal in await list_principals(conn)
        ]
        _print_listing(args, rows, lambda row: row["arn"])

    _with_connection(show)


def _named_or_root(args: argparse.Namespace) -> Principal:
    if not args.root:
        return principal_for(_account(args), args.name, _principal_arg(args))
    if args.role:
        sys.exit("keygraph: --root names the account's root principal, not a role")
    return Principal.root(_account(args))


def _server_hsm(database_url: str) -> HsmConfig:
    """The token the server seals under: the environment's, or else the dev home's SoftHSM
    token, which a running ``keygraph dev`` may have open too (SoftHSM lets processes share a
    token; nothing here writes to it)."""
    token = not os.environ.get("KEYGRAPH_PKCS11_MODULE")
    home = home_from_env()
    if token and not embedded.softhsm_dir(home).is_dir():
        raise HomeWithoutState(home, "SoftHSM token", "KEYGRAPH_PKCS11_MODULE")
    defaults = embedded.provide(home, database=False, token=token)
    return from_env(embedded=replace(defaults, database_url=database_url)).hsm


def _with_hsm(work: Callable[[asyncpg.Connection, Hsm], Awaitable[None]]) -> None:
    """``_with_connection`` with the server's HSM open as well."""
    with _database_url() as url:
        config = _server_hsm(url)

        async def with_token(conn: asyncpg.Connection) -> None:
            token = await open_hsm(config)
            try:
                await work(conn, token)
            except DomainKeyMissing:
                sys.exit("keygraph: the HSM has no domain key yet: start keygraph once, then retry")
            finally:
                await token.aclose()

        asyncio.run(_connected(url, with_token))


def _create_access_key(args: argparse.Namespace) -> None:
    principal = _named_or_root(args)

    async def create(conn: asyncpg.Connection, token: Hsm) -> None:
        issued = await create_access_key(conn, token, principal)
        key_id = issued.key.access_key_id
        print(
            f"created access key {key_id} for {principal.arn}; its secret is shown only now",
            file=sys.stderr,
        )
        print(f"AWS_ACCESS_KEY_ID={key_id}")
        print(f"AWS_SECRET_ACCESS_KEY={issued.secret}")

    _with_hsm(create)


def _list_access_keys(args: argparse.Namespace) -> None:
    principal = _named_or_root(args)

    async def show(conn: asyncpg.Connection) -> None:
        rows = [
            {
                "accessKeyId": key.access_key_id,
                "principal": key.principal.arn,
                "status": key.status.value,
                "createDate": key.create_date.isoformat(),
            }
            for key in await list_access_keys(conn, principal)
        ]
        _print_listing(
            args, rows, lambda row: f"{row['accessKeyId']}\t{row['status']}\t{row['createDate']}"
        )

    _with_connection(show)


def _deactivate_access_key(args: argparse.Namespace) -> None:
    async def deactivate(conn: asyncpg.Connection) -> None:
        await deactivate_access_key(conn, await find_access_key(conn, args.access_key_id))
        print(f"deactivated {args.access_key_id}")

    _with_connection(deactivate)


def _delete_access_key(args: argparse.Namespace) -> None:
    async def delete(conn: asyncpg.Connection) -> None:
        await delete_access_key(conn, await find_access_key(conn, args.access_key_id))
        print(f"deleted {args.access_key_id}")

    _with_connection(delete)


def _audit_verify(_: argparse.Namespace) -> None:
    reports: list[ChainReport] = []

    async def verify(conn: asyncpg.Connection) -> None:
        reports.append(await verify_chain(conn))

    _with_connection(verify)
    report = reports[0]
    broken = report.broken
    if broken is None:
        print(f"audit chain verified: {report.checked} events")
        return
    print(
        f"audit chain broken at event {broken.seq} "
        f"({broken.time.isoformat()}, {broken.action}): {broken.why.value}"
    )
    sys.exit(1)


def _backup(args: argparse.Namespace) -> None:
    """The server's database (as the other commands find it) and HSM, into a new directory."""
    try:
        with _database_url() as url:
            print(write_backup(args.directory, url, server_hsm(os.environ, home_from_env())))
    except BackupError as exc:
        sys.exit(f"keygraph: {exc}")


def _restore(args: argparse.Namespace) -> None:
    try:
        print(restore_backup(args.directory, os.environ, home_from_env()))
    except BackupError as exc:
        sys.exit(f"keygraph: {exc}")


def _root_token_new(args: argparse.Namespace) -> None:
    """The verifier is written first, to a file that must not exist yet (and readable by its
    owner only, though it is no secret): a token is printed only once its verifier is kept."""
    minted = mint_token()
    try:
        fd = os.open(args.verifier, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        sys.exit(f"keygraph: {args.verifier}: {exc.strerror}; the verifier goes to a new file")
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(f"{minted.verifier}\n")
    print(
        f"minted root token {minted.verifier.token_id}: keep the token (standard output) in your "
        f"secret store; set KEYGRAPH_ROOT_TOKEN_VERIFIER to the content of {args.verifier}",
        file=sys.stderr,
    )
    print(minted.value)


def _principal_tokens(args: argparse.Namespace) -> None:
    principal = _named_or_root(args)

    async def show(conn: asyncpg.Connection) -> None:
        rows = [
            {
                "tokenId": token.token_id,
                "principal": principal.arn,
                "createdAt": token.created_at.isoformat(),
            }
            for token in await list_tokens(conn, principal)
        ]
        _print_listing(args, rows, lambda row: f"{row['tokenId']}\t{row['createdAt']}")

    _with_connection(show)


def _principal_revoke_token(args: argparse.Namespace) -> None:
    async def revoke(conn: asyncpg.Connection) -> None:
        holder = await revoke_token(conn, args.token_id)
        print(f"revoked token {args.token_id} of {holder.arn}")

    _with_connection(revoke)
