"""``keygraph backup DIR`` and ``keygraph restore DIR``: disaster recovery.

Every key's material is in PostgreSQL wrapped under the HSM's domain key, a token object that never
leaves the HSM. A backup is therefore worth something only with both halves: the database and the
token that holds the domain key. A backup directory holds

- ``database.dump``: ``pg_dump`` in its custom format, one consistent snapshot (a repeatable-read
  transaction), taken while the service runs;
- ``softhsm-tokens/``: for SoftHSM, a copy of its token directory. The domain key is written there
  once, at the first start, so a copy taken at any time after that unwraps every wrapped key of any
  later dump; Ed25519 keys, which SoftHSM cannot wrap, live in the token itself and are only in a
  copy taken after they were made. An HSM that is not SoftHSM (AWS CloudHSM) is backed up by its
  own means (README, "Backup and restore"); the backup then names only its token label;
- ``backup.json``, written last: what the backup holds and the SHA-256 of every file, so a restore
  refuses a truncated or altered backup before it touches anything.

The PIN is never in a backup: a restore reads it from ``KEYGRAPH_PIN`` or ``KEYGRAPH_PIN_FILE``,
as ``keygraph serve`` does. A restore goes into a new, empty place only (a new home, or an empty
database and token directory named by the environment), and proves the two halves belong together
by unwrapping a key of the restored database in the restored HSM before it reports success; on any
failure it removes what it made.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

import asyncpg

from api.embedded import TOKEN_LABEL, exclusive_home, postgres_of, running_postgres, softhsm_dir
from api.settings import EmbeddedDefaults, from_env
from db.embedded import find_bin_dir
from hsm import HsmConfig, HsmError, KeySpec, WrappedKey, open_hsm, provision_softhsm
from hsm.provision import SOFTHSM_MODULE

MANIFEST = "backup.json"
DUMP = "database.dump"
TOKENS = "softhsm-tokens"
FORMAT = 1
SOFTHSM = "softhsm"
EXTERNAL = "external"
# What SoftHSM reads when SOFTHSM2_CONF is unset (Debian's package).
_SOFTHSM_DEFAULT_CONF = Path("/etc/softhsm/softhsm2.conf")
_TOOL_TIMEOUT_SECONDS = 3600
# The dump waits this long for a table lock (a migration running) rather than forever.
_LOCK_WAIT = "60s"


class BackupError(Exception):
    """A backup or restore cannot be made; ``str()`` is the one line that says why."""


@dataclass(frozen=True)
class HsmSide:
    """What a backup can take of the server's HSM: SoftHSM's token directory, or, for an HSM
    backed up by its own means, nothing but the token's label."""

    token_label: str
    token_directory: Path | None


def server_hsm(env: Mapping[str, str], home: Path) -> HsmSide:
    """The HSM the server uses: the environment's (``KEYGRAPH_PKCS11_MODULE``), or else the
    SoftHSM token under ``home``, which ``keygraph dev`` makes."""
    module = env.get("KEYGRAPH_PKCS11_MODULE")
    if not module:
        tokens = softhsm_dir(home) / "tokens"
        if not tokens.is_dir():
            raise BackupError(
                f"no SoftHSM token under {home}; set KEYGRAPH_HOME, or KEYGRAPH_PKCS11_MODULE "
                "and KEYGRAPH_TOKEN_LABEL for the server's HSM"
            )
        return HsmSide(TOKEN_LABEL, tokens)
    label = env.get("KEYGRAPH_TOKEN_LABEL")
    if not label:
        raise BackupError("KEYGRAPH_TOKEN_LABEL: is not set")
    if not _is_softhsm(module):
        return HsmSide(label, None)
    return HsmSide(label, softhsm_token_directory(env))


def _is_softhsm(module_path: str) -> bool:
    return Path(module_path).name.startswith("libsofthsm2")


def softhsm_token_directory(env: Mapping[str, str]) -> Path:
    """``directories.tokendir`` of the SoftHSM configuration this environment loads."""
    conf = Path(env.get("SOFTHSM2_CONF") or _SOFTHSM_DEFAULT_CONF)
    try:
        lines = conf.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise BackupError(f"cannot read the SoftHSM configuration {conf}: {exc.strerror}") from None
    for line in lines:
        name, _, value = line.partition("=")
        if name.strip() == "directories.tokendir" and value.strip():
            return Path(value.strip())
    raise BackupError(f"{conf} names no directories.tokendir")


def write_backup(target: Path, database_url: str, side: HsmSide) -> str:
    """Dump the database and copy the SoftHSM token directory into ``target`` (new or empty);
    the manifest last. Returns the line to print."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} is not an empty directory; back up into a new one")
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    target.chmod(0o700)
    _run_tool(
        "pg_dump",
        database_url,
        "--format=custom",
        f"--lock-wait-timeout={_LOCK_WAIT}",
        f"--file={target / DUMP}",
    )
    if side.token_directory is not None:
        shutil.copytree(side.token_directory, target / TOKENS)
    manifest = {
        "format": FORMAT,
        "created": datetime.datetime.now(datetime.UTC).isoformat(),
        "hsm": SOFTHSM if side.token_directory is not None else EXTERNAL,
        "token_label": side.token_label,
        "files": _digests(target),
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    if side.token_directory is None:
        return (
            f"backed up the database into {target}; the keys' domain key is in the HSM "
            f"(token {side.token_label!r}), which is backed up on its own (README, "
            '"Backup and restore")'
        )
    return (
        f"backed up the database and the SoftHSM token directory into {target}; it holds the "
        "HSM's keys: keep it as safe as the HSM, and the PIN elsewhere"
    )


def _digests(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }


@dataclass(frozen=True)
class Manifest:
    hsm: str
    token_label: str


def read_manifest(source: Path) -> Manifest:
    """The backup's manifest, after checking that every file it lists is there unchanged and
    that nothing else is."""
    try:
        raw: dict[str, Any] = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{source} has no {MANIFEST}: not a complete keygraph backup") from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source / MANIFEST} cannot be read: {exc}") from None
    if raw.get("format") != FORMAT:
        raise BackupError(f"{source / MANIFEST} is of format {raw.get('format')!r}, not {FORMAT}")
    found = _digests(source)
    listed: dict[str, str] = raw.get("files", {})
    changed = sorted(
        name for name in listed.keys() | found.keys() if listed.get(name) != found.get(name)
    )
    if changed:
        raise BackupError(f"the backup in {source} is damaged: {', '.join(changed[:5])} differ")
    return Manifest(hsm=str(raw["hsm"]), token_label=str(raw["token_label"]))


def restore_backup(source: Path, env: Mapping[str, str], home: Path) -> str:
    """Restore into the database ``KEYGRAPH_DATABASE_URL`` names (it must be empty), or a new
    cluster under ``home``; and the token into the SoftHSM token directory the environment's
    ``SOFTHSM2_CONF`` names (it must be empty), or under ``home``. Returns the line to print."""
    manifest = read_manifest(source)
    made: list[Path] = []
    try:
        with contextlib.ExitStack() as stack:
            if not env.get("KEYGRAPH_DATABASE_URL") or not env.get("KEYGRAPH_PKCS11_MODULE"):
                stack.enter_context(exclusive_home(home))
            config = _restore_token(source, manifest, env, home, made)
            database_url = stack.enter_context(_new_database(env, home, made))
            _run_tool(
                "pg_restore",
                database_url,
                "--exit-on-error",
                "--single-transaction",
                "--no-owner",
                "--no-privileges",
                str(source / DUMP),
            )
            asyncio.run(_prove_keys_unwrap(database_url, config))
    except BaseException:
        for path in reversed(made):
            shutil.rmtree(path, ignore_errors=True)
        raise
    return (
        f"restored {source} (token {manifest.token_label!r}); a key of the restored database "
        "unwraps in the restored HSM"
    )


def _restore_token(
    source: Path, manifest: Manifest, env: Mapping[str, str], home: Path, made: list[Path]
) -> HsmConfig:
    """Put the backup's token where the server will look for it; how to open it there."""
    if env.get("KEYGRAPH_PKCS11_MODULE"):
        config = _hsm_as_served(env)
        if config.token_label != manifest.token_label:
            raise BackupError(
                f"KEYGRAPH_TOKEN_LABEL is {config.token_label!r} but the backup's token is "
                f"{manifest.token_label!r}"
            )
        if manifest.hsm == SOFTHSM:
            if not _is_softhsm(config.module_path):
                raise BackupError(
                    "the backup holds a SoftHSM token: KEYGRAPH_PKCS11_MODULE must name "
                    "SoftHSM's library"
                )
            _place_tokens(source, softhsm_token_directory(env), made)
        return config
    if manifest.hsm != SOFTHSM:
        raise BackupError(
            f"the backup's keys are in an HSM backed up on its own (token "
            f"{manifest.token_label!r}): restore that HSM, then set KEYGRAPH_PKCS11_MODULE, "
            "KEYGRAPH_TOKEN_LABEL and its PIN"
        )
    if manifest.token_label != TOKEN_LABEL:
        raise BackupError(
            f"the backup's SoftHSM token is {manifest.token_label!r}, not the home's "
            f"{TOKEN_LABEL!r}: restore it with KEYGRAPH_PKCS11_MODULE, KEYGRAPH_TOKEN_LABEL and "
            "SOFTHSM2_CONF naming where it goes"
        )
    directory = softhsm_dir(home)
    if directory.exists():
        raise BackupError(f"{directory} exists; restore into a new KEYGRAPH_HOME")
    as_served = {
        **env,
        "KEYGRAPH_PKCS11_MODULE": SOFTHSM_MODULE,
        "KEYGRAPH_TOKEN_LABEL": TOKEN_LABEL,
    }
    pin = _hsm_as_served(as_served).pin
    made.append(directory)
    _place_tokens(source, directory / "tokens", made)
    # Where `keygraph dev` keeps the home token's PIN.
    fd = os.open(directory / f"{TOKEN_LABEL}.pin", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(pin)
    return provision_softhsm(directory, TOKEN_LABEL)


def _hsm_as_served(env: Mapping[str, str]) -> HsmConfig:
    """The HSM settings (and the PIN, from ``KEYGRAPH_PIN`` or ``KEYGRAPH_PIN_FILE``) read and
    checked as ``keygraph serve`` reads them; the database they would go with is not needed."""
    return from_env(env, EmbeddedDefaults(database_url="postgresql://unused")).hsm


@contextlib.contextmanager
def _new_database(env: Mapping[str, str], home: Path, made: list[Path]) -> Iterator[str]:
    """The environment's database, refused unless empty; or a new cluster under ``home``,
    running for the duration."""
    url = env.get("KEYGRAPH_DATABASE_URL")
    if url:
        asyncio.run(_refuse_tables(url))
        yield url
        return
    cluster = postgres_of(home)
    if cluster.is_initialized() or cluster.data_dir.exists():
        raise BackupError(f"{home} already holds a database; restore into a new KEYGRAPH_HOME")
    made.append(cluster.directory)
    with running_postgres(home) as dsn:
        yield dsn


async def _refuse_tables(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        tables = await conn.fetchval(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        )
    finally:
        await conn.close()
    if tables:
        raise BackupError(
            f"KEYGRAPH_DATABASE_URL names a database with {tables} tables; "
            "restore into an empty one"
        )


def _place_tokens(source: Path, directory: Path, made: list[Path]) -> None:
    """Copy the backup's token directories into ``directory``, which must hold none yet."""
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(
            f"the token directory {directory} is not empty; restore into an empty one"
        )
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    for token in sorted((source / TOKENS).iterdir()):
        made.append(directory / token.name)
        shutil.copytree(token, directory / token.name)


async def _prove_keys_unwrap(database_url: str, config: HsmConfig) -> None:
    """Encrypt and decrypt under a stored key: the restored token holds the domain key that
    wrapped the restored database's keys (a token from another deployment would open, log in,
    and still unwrap nothing). With no symmetric key stored, the HSM's own self-test shows that
    a domain key is there."""
    conn = await asyncpg.connect(database_url)
    try:
        # One read of our own, of a restore's concern alone: any domain-wrapped AES material.
        wrapped = await conn.fetchval(
            "SELECT m.wrapped FROM key_materials m JOIN keys k ON k.id = m.key_id "
            "WHERE k.key_spec = 'SYMMETRIC_DEFAULT' AND k.custom_key_store_id IS NULL LIMIT 1"
        )
    finally:
        await conn.close()
    try:
        token = await open_hsm(config)
    except HsmError as exc:
        raise BackupError(f"the restored HSM cannot be opened: {exc}") from None
    try:
        if wrapped is None:
            await token.self_test()
            return
        key = WrappedKey(KeySpec.SYMMETRIC_DEFAULT, bytes(wrapped))
        probe = b"keygraph restore"
        if await token.decrypt(key, await token.encrypt(key, probe)) != probe:
            raise BackupError("the restored HSM returned other plaintext than it was given")
    except HsmError as exc:
        raise BackupError(
            f"the restored HSM does not unwrap the restored database's keys ({exc}): "
            "the token is not the one of this backup's deployment"
        ) from None
    finally:
        await token.aclose()


def _run_tool(name: str, database_url: str, *arguments: str) -> None:
    """``pg_dump`` or ``pg_restore`` of the installed PostgreSQL (as the embedded cluster finds
    it), the password handed over in the environment rather than on a command line others see."""
    parts = urlsplit(database_url)
    env = {**os.environ}
    if parts.password is not None:
        env["PGPASSWORD"] = parts.password
    tool = find_bin_dir() / name
    done = subprocess.run(  # noqa: S603 - a fixed tool; arguments are paths and flags we built
        [str(tool), f"--dbname={_without_password(parts)}", *arguments],
        capture_output=True,
        text=True,
        env=env,
        timeout=_TOOL_TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        why = " | ".join(done.stderr.strip().splitlines()[-3:]) or f"exit {done.returncode}"
        raise BackupError(f"{name} failed: {why}")


def _without_password(parts: SplitResult) -> str:
    if parts.password is None:
        return urlunsplit(parts)
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}@{host}"))
