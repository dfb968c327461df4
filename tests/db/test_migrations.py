"""Migrations against a real server: once each, in step across processes, and never half-applied."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from db.errors import (
    MigrationChecksumMismatch,
    MigrationFailed,
    MigrationFileInvalid,
    MigrationHistoryMismatch,
)
from db.migrations import DEFAULT_DIRECTORY, apply_migrations, load_migrations

# Each file records that it ran: a file applied twice leaves two rows.
COUNTER = "CREATE TABLE IF NOT EXISTS runs (name text NOT NULL);\nINSERT INTO runs VALUES ('{}');\n"


def write(directory: Path, name: str, sql: str) -> Path:
    path = directory / f"{name}.sql"
    path.write_text(sql, encoding="utf-8")
    return path


@pytest.fixture
def counted(tmp_path: Path) -> Path:
    for name in ("0001_first", "0002_second", "0003_third"):
        write(tmp_path, name, COUNTER.format(name))
    return tmp_path


@pytest.fixture
async def conn(fresh_database: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(fresh_database)
    try:
        yield connection
    finally:
        await connection.close()


async def runs(conn: asyncpg.Connection) -> list[str]:
    return [row["name"] for row in await conn.fetch("SELECT name FROM runs ORDER BY name")]


async def recorded(conn: asyncpg.Connection) -> list[tuple[int, str]]:
    rows = await conn.fetch("SELECT version, name FROM schema_migrations ORDER BY version")
    return [(row["version"], row["name"]) for row in rows]


async def test_applying_twice_applies_once(conn: asyncpg.Connection, counted: Path) -> None:
    first = await apply_migrations(conn, counted)
    second = await apply_migrations(conn, counted)

    assert first == ["0001_first", "0002_second", "0003_third"]
    assert second == []
    assert await runs(conn) == ["0001_first", "0002_second", "0003_third"]
    assert await recorded(conn) == [(1, "0001_first"), (2, "0002_second"), (3, "0003_third")]


async def test_a_new_file_is_applied_on_the_next_start(
    conn: asyncpg.Connection, counted: Path
) -> None:
    await apply_migrations(conn, counted)
    write(counted, "0004_fourth", COUNTER.format("0004_fourth"))

    assert await apply_migrations(conn, counted) == ["0004_fourth"]
    assert await runs(conn) == ["0001_first", "0002_second", "0003_third", "0004_fourth"]


async def test_concurrent_appliers_apply_each_file_exactly_once(
    fresh_database: str, counted: Path
) -> None:
    # A slow first file keeps the race window open: without the lock both appliers would see
    # an empty history and run every file.
    write(counted, "0001_first", "SELECT pg_sleep(0.2);\n" + COUNTER.format("0001_first"))
    connections = await asyncio.gather(*(asyncpg.connect(fresh_database) for _ in range(3)))
    try:
        results = await asyncio.gather(*(apply_migrations(c, counted) for c in connections))
        locks = await connections[0].fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
        )
        applied_runs = await runs(connections[0])
    finally:
        await asyncio.gather(*(c.close() for c in connections))

    assert sorted(name for result in results for name in result) == [
        "0001_first",
        "0002_second",
        "0003_third",
    ]
    assert applied_runs == ["0001_first", "0002_second", "0003_third"]
    assert locks == 0


async def test_an_edited_applied_file_stops_start_up(
    conn: asyncpg.Connection, counted: Path
) -> None:
    await apply_migrations(conn, counted)
    write(counted, "0002_second", COUNTER.format("0002_second") + "-- a later edit\n")
    write(counted, "0004_fourth", COUNTER.format("0004_fourth"))

    with pytest.raises(MigrationChecksumMismatch, match=r"0002_second\.sql was edited") as raised:
        await apply_migrations(conn, counted)

    assert raised.value.filename == "0002_second.sql"
    assert await runs(conn) == ["0001_first", "0002_second", "0003_third"]


async def test_a_failing_migration_rolls_back_alone(
    conn: asyncpg.Connection, counted: Path
) -> None:
    write(counted, "0002_second", "CREATE TABLE half (x int);\nSELECT 1 / 0;\n")

    with pytest.raises(MigrationFailed, match=r"0002_second\.sql failed.*division by zero"):
        await apply_migrations(conn, counted)

    assert await recorded(conn) == [(1, "0001_first")]
    assert await runs(conn) == ["0001_first"]
    assert await conn.fetchval("SELECT to_regclass('half')") is None
    assert await conn.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") == 0

    write(counted, "0002_second", COUNTER.format("0002_second"))
    assert await apply_migrations(conn, counted) == ["0002_second", "0003_third"]


async def test_a_removed_applied_file_stops_start_up(
    conn: asyncpg.Connection, counted: Path
) -> None:
    await apply_migrations(conn, counted)
    (counted / "0003_third.sql").unlink()

    with pytest.raises(MigrationHistoryMismatch, match=r"0003_third\.sql as number 0003.*no file"):
        await apply_migrations(conn, counted)


async def test_a_renamed_applied_file_stops_start_up(
    conn: asyncpg.Connection, counted: Path
) -> None:
    await apply_migrations(conn, counted)
    (counted / "0003_third.sql").rename(counted / "0003_renamed.sql")

    with pytest.raises(MigrationHistoryMismatch, match=r"the file is 0003_renamed\.sql"):
        await apply_migrations(conn, counted)


def test_a_gap_in_the_numbers_is_refused(counted: Path) -> None:
    (counted / "0002_second.sql").unlink()

    with pytest.raises(MigrationFileInvalid, match=r"expected 0002, found 0003_third\.sql"):
        load_migrations(counted)


def test_a_repeated_number_is_refused(counted: Path) -> None:
    write(counted, "0002_again", "SELECT 1;\n")

    with pytest.raises(MigrationFileInvalid, match=r"share number 0002.*0002_again.*0002_second"):
        load_migrations(counted)


@pytest.mark.parametrize("name", ["1_short", "0004-dash", "0004_Upper", "0004"])
def test_a_misnamed_file_is_refused(counted: Path, name: str) -> None:
    write(counted, name, "SELECT 1;\n")

    with pytest.raises(MigrationFileInvalid, match=re.escape(f"{name}.sql is not named")):
        load_migrations(counted)


async def test_the_shipped_migrations_apply_to_an_empty_database(
    conn: asyncpg.Connection,
) -> None:
    shipped = [migration.name for migration in load_migrations()]

    assert shipped, f"no migrations in {DEFAULT_DIRECTORY}"
    assert await apply_migrations(conn) == shipped
    assert await apply_migrations(conn) == []
