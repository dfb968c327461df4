"""The first credential in production, as an operator meets it: `keygraph root-token new` mints
the root token offline and writes its verifier; the server, given the verifier, installs the token
on start and writes no token anywhere; `keygraph principal tokens` and `revoke-token` rotate it,
and a revoked token stops working on servers that already run."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import asyncpg
import httpx
import pytest

from api.principals import (
    Principal,
    PrincipalKind,
    authenticate,
    create_principal,
    list_tokens,
    mint_token,
    parse_verifier,
    revoke_token,
)
from api.services import check_root_token, ensure_root_principal
from api.settings import ConfigurationError, Mode, Settings, from_env
from db.migrations import apply_migrations
from hsm import HsmConfig
from keygraph.cli import Exit
from tests.app.test_dev_server import keygraph, serve_failure, stderr_lines_besides_the_log
from tests.served import Replica, serve_environment

ROOT = Principal.root("111122223333")
TOKEN = re.compile(r"^kg1\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$")
WHOAMI = "{ whoami { arn } }"
SETTING = "KEYGRAPH_ROOT_TOKEN_VERIFIER"


def mint(verifier: Path, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        keygraph("root-token", "new", "--verifier", str(verifier)),
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def without_keygraph_settings() -> dict[str, str]:
    """The caller's environment with no KEYGRAPH_* at all: no database, no HSM, no home."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("KEYGRAPH_", "SOFTHSM2_"))}


def test_root_token_new_mints_offline(tmp_path: Path) -> None:
    verifier = tmp_path / "root.verifier"

    minted = mint(verifier, without_keygraph_settings(), tmp_path)

    assert minted.returncode == 0, minted.stderr
    token = minted.stdout.strip()
    match = TOKEN.match(token)
    assert match is not None and minted.stdout == token + "\n"
    token_id, secret = match.groups()
    written = verifier.read_text(encoding="ascii")
    assert written == f"kgv1.{token_id}.{hashlib.sha256(secret.encode()).hexdigest()}\n"
    assert verifier.stat().st_mode & 0o777 == 0o600
    assert secret not in minted.stderr and token_id in minted.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["root.verifier"]  # no home made


def test_root_token_new_never_overwrites_a_verifier(tmp_path: Path) -> None:
    verifier = tmp_path / "root.verifier"
    verifier.write_text("kept\n", encoding="ascii")

    again = mint(verifier, without_keygraph_settings(), tmp_path)

    assert again.returncode == 1
    assert again.stdout == ""
    assert stderr_lines_besides_the_log(again.stderr) == [
        f"keygraph: {verifier}: File exists; the verifier goes to a new file"
    ]
    assert verifier.read_text(encoding="ascii") == "kept\n"


BASE = {
    "KEYGRAPH_DATABASE_URL": "postgresql://kg@127.0.0.1:5432/keygraph",
    "KEYGRAPH_PKCS11_MODULE": "/usr/lib/softhsm/libsofthsm2.so",
    "KEYGRAPH_TOKEN_LABEL": "prod",
    "KEYGRAPH_PIN": "user:secret-pin",
}


def test_the_verifier_setting_is_read_with_its_newline() -> None:
    minted = mint_token()

    settings = from_env({**BASE, SETTING: f"{minted.verifier}\n"})

    assert settings.root_token_verifier == minted.verifier
    assert from_env(BASE).root_token_verifier is None


@pytest.mark.parametrize(
    "malformed",
    [
        "kgv1.short.00",
        "kgv2.AAAAAAAAAAAAAAAA." + "0" * 64,
        "kgv1.AAAAAAAAAAAAAAAA." + "A" * 64,
        "sha256:" + "0" * 64,
    ],
)
def test_a_malformed_verifier_is_refused_naming_the_setting(malformed: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        from_env({**BASE, SETTING: malformed})

    assert str(refused.value).startswith(f"{SETTING}: is not a token verifier (kgv1.")
    assert malformed not in str(refused.value)


def test_a_token_given_as_the_verifier_is_refused_without_repeating_it() -> None:
    """The likeliest mistake: the token itself put in the Secret."""
    token = mint_token().value

    with pytest.raises(ConfigurationError) as refused:
        from_env({**BASE, SETTING: token})

    assert "holds a token, not its verifier" in str(refused.value)
    assert token.split(".")[2] not in str(refused.value)


@pytest.fixture
async def conn(fresh_database: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(fresh_database)
    await apply_migrations(connection)
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
def production(fresh_database: str, hsm_config: HsmConfig, keygraph_home: Path) -> Settings:
    return Settings(
        database_url=fresh_database, hsm=hsm_config, home=keygraph_home, mode=Mode.PRODUCTION
    )


async def test_production_installs_the_verifiers_token_once_and_writes_no_file(
    conn: asyncpg.Connection, production: Settings
) -> None:
    minted = mint_token()
    settings = replace(production, root_token_verifier=minted.verifier)

    await ensure_root_principal(conn, settings)
    await ensure_root_principal(conn, settings)  # a restart, or another replica

    assert await authenticate(conn, minted.value) == ROOT
    assert [t.token_id for t in await list_tokens(conn, ROOT)] == [minted.verifier.token_id]
    assert list(production.home.iterdir()) == []


async def test_production_without_a_verifier_creates_a_root_without_token_and_says_how(
    conn: asyncpg.Connection, production: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="keygraph.services"):
        await ensure_root_principal(conn, production)

    assert await list_tokens(conn, ROOT) == []
    assert list(production.home.iterdir()) == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "keygraph root-token new --verifier FILE" in warnings[0]
    assert SETTING in warnings[0]


async def test_a_verifier_naming_another_token_stops_start_up(
    conn: asyncpg.Connection, production: Settings
) -> None:
    alice = await create_principal(conn, Principal("111122223333", PrincipalKind.USER, "alice"))
    alices_id = alice.value.split(".")[1]
    theirs = parse_verifier(f"kgv1.{alices_id}.{'0' * 64}")
    installed = mint_token().verifier
    await ensure_root_principal(conn, replace(production, root_token_verifier=installed))
    other_hash = parse_verifier(f"kgv1.{installed.token_id}.{'0' * 64}")

    for verifier, problem in [
        (theirs, "is the id of another principal's token"),
        (other_hash, "is the id of a root token whose secret has another hash"),
    ]:
        settings = replace(production, root_token_verifier=verifier)
        for start in (check_root_token, ensure_root_principal):
            with pytest.raises(ConfigurationError) as refused:
                await start(conn, settings)
            assert str(refused.value) == (
                f"{SETTING}: token id {verifier.token_id} {problem}; mint a new root token with "
                "`keygraph root-token new --verifier FILE`"
            )
    assert await authenticate(conn, alice.value) == alice.principal


async def test_a_revoked_root_token_stays_revoked_on_restart(
    conn: asyncpg.Connection, production: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    minted = mint_token()
    settings = replace(production, root_token_verifier=minted.verifier)
    await ensure_root_principal(conn, settings)
    assert await revoke_token(conn, minted.verifier.token_id) == ROOT

    with caplog.at_level(logging.WARNING, logger="keygraph.services"):
        await check_root_token(conn, settings)
        await ensure_root_principal(conn, settings)

    assert await authenticate(conn, minted.value) is None
    assert any("was revoked and stays revoked" in r.getMessage() for r in caplog.records)


async def test_development_keeps_its_admin_token_and_accepts_a_verifier(
    conn: asyncpg.Connection, production: Settings
) -> None:
    minted = mint_token()
    development = replace(production, mode=Mode.DEVELOPMENT, root_token_verifier=minted.verifier)

    await ensure_root_principal(conn, development)

    admin_token = development.admin_token_path.read_text(encoding="ascii").strip()
    assert await authenticate(conn, admin_token) == ROOT
    assert await authenticate(conn, minted.value) == ROOT


@pytest.fixture
def serve_env(fresh_database: str, hsm_config: HsmConfig, keygraph_home: Path) -> dict[str, str]:
    return {
        **serve_environment(fresh_database, hsm_config, keygraph_home),
        "KEYGRAPH_MODE": "production",
    }


@pytest.fixture
def replicas() -> Iterator[list[Replica]]:
    started: list[Replica] = []
    yield started
    for replica in started:
        if replica.process.poll() is None:
            replica.stop()


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        keygraph(*args), env=env, capture_output=True, text=True, timeout=60, check=True
    )


def whoami(replica: Replica, token: str) -> httpx.Response:
    return httpx.post(
        f"{replica.url}/graphql",
        json={"query": WHOAMI},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def list_keys(replica: Replica, token: str) -> httpx.Response:
    """ListKeys through the AWS door, with the bearer token rather than a SigV4 signature."""
    return httpx.post(
        f"{replica.url}/",
        content=b"{}",
        headers={
            "Authorization": f"Bearer {token}",
            "X-Amz-Target": "TrentService.ListKeys",
            "Content-Type": "application/x-amz-json-1.1",
        },
        timeout=10,
    )


def minted_with_verifier(directory: Path, env: dict[str, str], name: str) -> tuple[str, str]:
    """(token, verifier text), as the operator gets them."""
    minted = mint(directory / name, env, directory)
    assert minted.returncode == 0, minted.stderr
    return minted.stdout.strip(), (directory / name).read_text(encoding="ascii")


def started(replicas: list[Replica], env: dict[str, str]) -> Replica:
    replica = Replica(env)
    replicas.append(replica)
    replica.wait_ready()
    return replica


@pytest.mark.slow
def test_production_serves_the_verifiers_token_and_rotates_it(
    serve_env: dict[str, str], keygraph_home: Path, tmp_path: Path, replicas: list[Replica]
) -> None:
    """The rotation the README describes: mint a new token, restart with its verifier, then
    revoke the old token, which a running server stops accepting at once."""
    old, old_verifier = minted_with_verifier(tmp_path, serve_env, "old.verifier")
    first = started(replicas, {**serve_env, SETTING: old_verifier})

    assert whoami(first, old).json() == {"data": {"whoami": {"arn": ROOT.arn}}}
    listed = list_keys(first, old)
    assert listed.status_code == 200, listed.text
    assert "Keys" in listed.json()
    assert list(keygraph_home.iterdir()) == []
    first.stop()

    new, new_verifier = minted_with_verifier(tmp_path, serve_env, "new.verifier")
    second = started(replicas, {**serve_env, SETTING: new_verifier})
    for token in (old, new):  # both work, and both are now in the server's cache
        assert whoami(second, token).json() == {"data": {"whoami": {"arn": ROOT.arn}}}
    old_id, new_id = old.split(".")[1], new.split(".")[1]
    tokens = run(serve_env, "principal", "tokens", "--root").stdout
    assert [line.split("\t")[0] for line in tokens.splitlines()] == [old_id, new_id]
    assert old.split(".")[2] not in tokens and new.split(".")[2] not in tokens

    revoked = run(serve_env, "principal", "revoke-token", old_id)

    assert revoked.stdout == f"revoked token {old_id} of {ROOT.arn}\n"
    deadline = time.monotonic() + 10  # a bound on waiting, not a speed requirement
    while whoami(second, old).status_code != 401:
        assert time.monotonic() < deadline, "the revoked token is still accepted"
        time.sleep(0.05)
    refused = list_keys(second, old)
    assert refused.status_code == 400
    assert refused.json()["__type"] == "UnrecognizedClientException"
    assert whoami(second, new).json() == {"data": {"whoami": {"arn": ROOT.arn}}}
    assert list_keys(second, new).status_code == 200
    remaining = run(serve_env, "principal", "tokens", "--root").stdout
    assert [line.split("\t")[0] for line in remaining.splitlines()] == [new_id]
    assert list(keygraph_home.iterdir()) == []


@pytest.mark.slow
def test_serve_refuses_a_malformed_verifier_with_one_line(serve_env: dict[str, str]) -> None:
    code, lines, stderr = serve_failure({**serve_env, SETTING: "kgv1.not-a-verifier"})

    assert code == Exit.CONFIGURATION
    assert len(lines) == 1
    assert lines[0].startswith(f"keygraph: {SETTING}: is not a token verifier (kgv1.")
    assert "Traceback" not in stderr


@pytest.mark.slow
def test_serve_refuses_a_verifier_of_another_principals_token(serve_env: dict[str, str]) -> None:
    token = run(serve_env, "principal", "create", "alice").stdout.strip()
    token_id = token.split(".")[1]

    code, lines, stderr = serve_failure({**serve_env, SETTING: f"kgv1.{token_id}.{'0' * 64}"})

    assert code == Exit.CONFIGURATION
    assert lines == [
        f"keygraph: {SETTING}: token id {token_id} is the id of another principal's token; "
        "mint a new root token with `keygraph root-token new --verifier FILE`"
    ]
    assert "Traceback" not in stderr
