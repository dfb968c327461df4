"""``$KEYGRAPH_HOME`` for development: a private Postgres cluster and a SoftHSM token, made on
first use and reused after.

One server owns a home at a time. The owner holds an exclusive ``flock`` on ``home/lock`` for its
whole life; the kernel drops the lock when the process dies, so a crash never leaves a stale lock,
and a second server fails at once with a clear message instead of sharing the cluster.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from api.settings import EmbeddedDefaults
from db.embedded import EmbeddedPostgres
from hsm import provision_softhsm

TOKEN_LABEL = "keygraph"  # noqa: S105 - a token label, not a secret


class HomeInUse(Exception):
    """Another keygraph process serves from this home."""

    def __init__(self, home: Path, holder: str) -> None:
        who = f" (pid {holder})" if holder else ""
        super().__init__(f"keygraph is already running with KEYGRAPH_HOME={home}{who}")


@contextlib.contextmanager
def exclusive_home(home: Path) -> Iterator[None]:
    """Hold the home's lock for the duration, or raise ``HomeInUse``."""
    home.mkdir(parents=True, exist_ok=True, mode=0o755)
    path = home / "lock"
    with open(path, "a+", encoding="ascii") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise HomeInUse(home, _holder(handle)) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()


def home_in_use(home: Path) -> bool:
    """Whether a server holds this home right now (its Postgres is then running and ours to use)."""
    try:
        with exclusive_home(home):
            return False
    except HomeInUse:
        return True


def _holder(handle: IO[str]) -> str:
    handle.seek(0)
    return handle.read().strip()


def postgres_of(home: Path) -> EmbeddedPostgres:
    return EmbeddedPostgres(home / "postgres")


def softhsm_dir(home: Path) -> Path:
    return home / "softhsm"


@contextlib.contextmanager
def running_postgres(home: Path) -> Iterator[str]:
    """The home's database URL, starting its cluster for the duration if no server has it up."""
    cluster = postgres_of(home)
    if cluster.is_running():
        yield cluster.dsn
        return
    cluster.start()
    try:
        yield cluster.dsn
    finally:
        cluster.stop()


def environment_of(home: Path, defaults: EmbeddedDefaults) -> dict[str, str]:
    """The environment that names what ``provide`` made, for worker processes that start
    from the environment: the database URL and the token, its PIN by file."""
    env: dict[str, str] = {}
    if defaults.database_url is not None:
        env["KEYGRAPH_DATABASE_URL"] = defaults.database_url
    if defaults.hsm is not None:
        env["KEYGRAPH_PKCS11_MODULE"] = defaults.hsm.module_path
        env["KEYGRAPH_TOKEN_LABEL"] = defaults.hsm.token_label
        env["KEYGRAPH_PIN_FILE"] = str(softhsm_dir(home) / f"{defaults.hsm.token_label}.pin")
    return env


def provide(home: Path, *, database: bool, token: bool) -> EmbeddedDefaults:
    """Make (or reuse) what the environment did not name; the caller holds the home's lock, so a
    Postgres found running in the home is one a killed keygraph left, and is restarted."""
    database_url = None
    if database:
        cluster = postgres_of(home)
        cluster.start(reclaim=True)
        database_url = cluster.dsn
    hsm_config = provision_softhsm(softhsm_dir(home), TOKEN_LABEL) if token else None
    return EmbeddedDefaults(database_url=database_url, hsm=hsm_config)
