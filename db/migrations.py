"""Numbered ``.sql`` files that bring a database's schema up to date, applied once each.

Every replica runs ``apply_migrations`` at start-up. A session-level advisory lock makes the
replicas take turns, so each file runs exactly once however many start together. Each file runs in
its own transaction together with its row in ``schema_migrations``: a file is either applied and
recorded, or neither. The sha256 recorded for each applied file catches a file edited after it ran,
which would otherwise leave databases that ran the old and the new text silently different.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from db.errors import (
    MigrationChecksumMismatch,
    MigrationFailed,
    MigrationFileInvalid,
    MigrationHistoryMismatch,
)

DEFAULT_DIRECTORY = Path(__file__).with_name("migrations")
# pg_advisory_lock key of the migration runner; other start-up steps use 0x6B67_0002 and up.
MIGRATION_LOCK_KEY = 0x6B67_0001
_FILE_NAME = re.compile(r"^(?P<version>[0-9]{4})_(?P<label>[a-z0-9_]+)\.sql$")

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str
    checksum: str

    @property
    def filename(self) -> str:
        return f"{self.name}.sql"


def load_migrations(directory: Path | None = None) -> list[Migration]:
    """Read and check the files: ``NNNN_label.sql``, numbered 1, 2, 3... with no gap or repeat."""
    directory = directory or DEFAULT_DIRECTORY
    migrations: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise MigrationFileInvalid(
                f"migration file {path} is not named NNNN_label.sql "
                "(four digits, then lower-case letters, digits and underscores)"
            )
        content = path.read_bytes()
        migrations.append(
            Migration(
                version=int(match["version"]),
                name=path.stem,
                sql=content.decode("utf-8"),
                checksum=hashlib.sha256(content).hexdigest(),
            )
        )
    for expected, migration in enumerate(migrations, start=1):
        if migration.version == expected:
            continue
        previous = migrations[expected - 2] if expected > 1 else None
        if previous is not None and previous.version == migration.version:
            raise MigrationFileInvalid(
                f"two migration files share number {migration.version:04d} in {directory}: "
                f"{previous.filename} and {migration.filename}"
            )
        raise MigrationFileInvalid(
            f"migration files in {directory} must be numbered 0001, 0002, ... without gaps: "
            f"expected {expected:04d}, found {migration.filename}"
        )
    return migrations


async def apply_migrations(conn: asyncpg.Connection, directory: Path | None = None) -> list[str]:
    """Apply the migrations this database lacks and return their names (``0001_principals``...).

    Raises before applying anything when the recorded history and the files disagree.
    """
    migrations = load_migrations(directory)
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
    try:
        await conn.execute(_CREATE_TABLE)
        recorded = {
            row["version"]: row
            for row in await conn.fetch("SELECT version, name, checksum FROM schema_migrations")
        }
        _check_history(recorded, migrations)
        applied: list[str] = []
        for migration in migrations:
            if migration.version in recorded:
                continue
            await _apply(conn, migration)
            applied.append(migration.name)
        return applied
    finally:
        if not conn.is_closed():
            await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)


def _check_history(recorded: dict[int, asyncpg.Record], migrations: list[Migration]) -> None:
    by_version = {migration.version: migration for migration in migrations}
    for version, row in sorted(recorded.items()):
        migration = by_version.get(version)
        if migration is None or migration.name != row["name"]:
            found = "no file" if migration is None else f"the file is {migration.filename}"
            raise MigrationHistoryMismatch(
                f"the database applied migration {row['name']}.sql as number {version:04d}, "
                f"but {found}; applied migrations must not be removed, renamed or renumbered"
            )
        if migration.checksum != row["checksum"]:
            raise MigrationChecksumMismatch(migration.filename, row["checksum"], migration.checksum)


async def _apply(conn: asyncpg.Connection, migration: Migration) -> None:
    try:
        async with conn.transaction():
            await conn.execute(migration.sql)
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                migration.version,
                migration.name,
                migration.checksum,
            )
    except asyncpg.PostgresError as exc:
        raise MigrationFailed(migration.filename, exc) from exc
