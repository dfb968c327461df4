"""The private cluster behind `make run`: made once, reused across restarts, never shared by two.

One cluster serves this module (``initdb`` is the slow part); a test that stops it starts it again.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
import socket
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from db.embedded import SUPERUSER, EmbeddedPostgres, find_bin_dir
from db.errors import (
    ClusterAlreadyRunning,
    ClusterDirectoryUnreachable,
    ClusterStartFailed,
    PostgresNotInstalled,
)
from tests.fixtures.postgres import cluster_directory


@pytest.fixture(scope="module")
def cluster() -> Iterator[EmbeddedPostgres]:
    with cluster_directory() as directory, EmbeddedPostgres(directory, throwaway=True) as running:
        yield running


async def fetch(dsn: str, query: str) -> object:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(query)
    finally:
        await conn.close()


def superuser_password(cluster: EmbeddedPostgres) -> str:
    return cluster.password_file.read_text(encoding="ascii").strip().rsplit(":", 1)[1]


def test_picks_the_highest_installed_version(tmp_path: Path) -> None:
    for version, tools in (("9", ["initdb"]), ("15", ["initdb"]), ("16", ["psql"])):
        for tool in tools:
            (tmp_path / version / "bin").mkdir(parents=True, exist_ok=True)
            (tmp_path / version / "bin" / tool).touch()

    assert find_bin_dir(tmp_path) == tmp_path / "15" / "bin"


def test_missing_server_binaries_name_the_apt_package(tmp_path: Path) -> None:
    with pytest.raises(PostgresNotInstalled, match="apt package 'postgresql'"):
        find_bin_dir(tmp_path)


async def test_serves_the_database_on_loopback_and_in_its_directory(
    cluster: EmbeddedPostgres,
) -> None:
    conn = await asyncpg.connect(cluster.dsn)
    try:
        assert await conn.fetchval("SELECT current_database()") == "keygraph"
        assert await conn.fetchval("SHOW listen_addresses") == "127.0.0.1"
        assert await conn.fetchval("SHOW server_encoding") == "UTF8"
        assert await conn.fetchval("SHOW password_encryption") == "scram-sha-256"
    finally:
        await conn.close()
    assert (cluster.directory / f".s.PGSQL.{cluster.port}").is_socket()


async def test_a_wrong_password_is_refused(cluster: EmbeddedPostgres) -> None:
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(
            host="127.0.0.1",
            port=cluster.port,
            user=SUPERUSER,
            password="not-the-password",
            database="keygraph",
        )


def test_the_password_lives_only_in_a_private_file(cluster: EmbeddedPostgres) -> None:
    password = superuser_password(cluster)
    holders = [
        path
        for path in cluster.directory.rglob("*")
        if path.is_file() and password.encode() in path.read_bytes()
    ]

    assert len(password) >= 32
    assert stat.S_IMODE(cluster.password_file.stat().st_mode) == 0o600
    assert holders == [cluster.password_file]
    assert password not in cluster.dsn
    assert password not in repr(cluster)


@pytest.mark.skipif(os.geteuid() != 0, reason="only a root process hands the cluster to postgres")
def test_as_root_the_cluster_belongs_to_the_postgres_user(cluster: EmbeddedPostgres) -> None:
    postgres_uid = cluster.directory.stat().st_uid
    assert postgres_uid != 0
    for path in (cluster.directory, cluster.data_dir, cluster.password_file):
        assert path.stat().st_uid == postgres_uid


async def test_a_restart_keeps_the_data_and_the_port(cluster: EmbeddedPostgres) -> None:
    conn = await asyncpg.connect(cluster.dsn)
    try:
        await conn.execute("CREATE TABLE survivor (note text)")
        await conn.execute("INSERT INTO survivor VALUES ('still here')")
    finally:
        await conn.close()
    port = cluster.port

    cluster.stop()
    assert not cluster.is_running()
    again = EmbeddedPostgres(cluster.directory, throwaway=True)
    again.start()

    assert again.port == port
    assert again.dsn == cluster.dsn
    assert await fetch(again.dsn, "SELECT note FROM survivor") == "still here"


async def test_a_second_start_on_a_running_cluster_is_refused_and_harmless(
    cluster: EmbeddedPostgres,
) -> None:
    pid_before = (cluster.data_dir / "postmaster.pid").read_text().split("\n", 1)[0]

    with pytest.raises(ClusterAlreadyRunning, match=r"already running \(pid \d+\)"):
        EmbeddedPostgres(cluster.directory, throwaway=True).start()

    assert (cluster.data_dir / "postmaster.pid").read_text().split("\n", 1)[0] == pid_before
    assert await fetch(cluster.dsn, "SELECT 1") == 1


def test_of_two_simultaneous_starts_one_wins_and_one_is_refused(cluster: EmbeddedPostgres) -> None:
    cluster.stop()
    contenders = [EmbeddedPostgres(cluster.directory, throwaway=True) for _ in range(2)]

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = [future.exception() for future in [pool.submit(c.start) for c in contenders]]

    assert sorted(type(outcome).__name__ for outcome in outcomes) == [
        "ClusterAlreadyRunning",
        "NoneType",
    ]
    assert cluster.is_running()


async def test_as_a_context_manager_it_runs_only_inside_the_block(
    cluster: EmbeddedPostgres,
) -> None:
    cluster.stop()
    cluster.stop()  # stopping a stopped cluster is not an error
    with EmbeddedPostgres(cluster.directory, throwaway=True) as inside:
        assert inside.is_running()
        assert await fetch(inside.dsn, "SELECT 1") == 1
    assert not cluster.is_running()
    cluster.start()


async def test_a_server_killed_outright_leaves_a_cluster_that_starts_again(
    cluster: EmbeddedPostgres,
) -> None:
    pid = int((cluster.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
    os.kill(pid, signal.SIGKILL)
    for _ in range(200):
        if not cluster.is_running():
            break
        await asyncio.sleep(0.05)
    assert (cluster.data_dir / "postmaster.pid").exists(), "the crash should leave a stale pid file"

    cluster.start()

    assert await fetch(cluster.dsn, "SELECT 1") == 1


def test_a_taken_port_fails_the_start_with_the_servers_reason(cluster: EmbeddedPostgres) -> None:
    cluster.stop()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        # The server's closed connections linger in TIME_WAIT; a listener is what blocks it.
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", cluster.port))
        squatter.listen()
        with pytest.raises(ClusterStartFailed, match=r"did not start.*Address already in use"):
            cluster.start()
    cluster.start()
    assert cluster.is_running()


@pytest.mark.skipif(os.geteuid() != 0, reason="only a root process runs postgres as another user")
def test_a_directory_the_postgres_user_cannot_reach_is_one_clear_line() -> None:
    with tempfile.TemporaryDirectory(prefix="keygraph-private-") as private:
        Path(private).chmod(0o700)
        with pytest.raises(ClusterDirectoryUnreachable) as raised:
            EmbeddedPostgres(Path(private) / "postgres").start()

    message = str(raised.value)
    assert "\n" not in message
    assert f"{private} is not traversable" in message


async def test_reclaim_restarts_a_server_its_dead_owner_left_running(
    cluster: EmbeddedPostgres,
) -> None:
    """`keygraph dev` killed outright leaves its server up; the next one, holding the home's
    lock, stops it and starts its own, with the data."""
    left = cluster.pid_file.read_text().split("\n", 1)[0]
    conn = await asyncpg.connect(cluster.dsn)
    try:
        await conn.execute("CREATE TABLE left_behind AS SELECT 'kept' AS note")
    finally:
        await conn.close()

    EmbeddedPostgres(cluster.directory, throwaway=True).start(reclaim=True)

    assert cluster.is_running()
    assert cluster.pid_file.read_text().split("\n", 1)[0] != left
    assert await fetch(cluster.dsn, "SELECT note FROM left_behind") == "kept"


def test_a_pid_file_naming_another_live_process_does_not_block_a_start(
    cluster: EmbeddedPostgres,
) -> None:
    """After a crash of the machine the pid in ``postmaster.pid`` may be another process's (or a
    zombie's): it is neither this cluster's server nor ever signalled."""
    cluster.stop()
    owner = cluster.directory.stat()
    bystander = subprocess.Popen(  # the cluster's user: kill(pid, 0) succeeds, as for a server
        ["sleep", "60"], user=owner.st_uid, group=owner.st_gid
    )
    try:
        cluster.pid_file.write_text(f"{bystander.pid}\n{cluster.data_dir}\n")
        assert not cluster.is_running()

        cluster.start()

        assert cluster.is_running()
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()
