"""Growing a deployment to many keys by copying one key's rows inside Postgres.

Creating 100,000 keys through the API would take longer than the whole benchmark (each is an HSM
key generation and wrap). Instead the ``keys`` row and ``key_materials`` rows of one key made
through the API are copied with new ids, in one statement. The wrapped material stays valid:
it is wrapped under the token's domain key and bound to nothing else, so every copy encrypts
(with the template's key material, which does not matter for speed). Copies bypass the API:
they get no key events, and triggers are off for the copy (``session_replication_role =
replica``), so no 100,000 change notifications reach the server, which has none of the new keys
cached anyway. Columns are read from the catalog, so a migration that adds one is copied too.
"""

from __future__ import annotations

import asyncio
import uuid

import asyncpg

from bench.errors import SetupFailed

_COLUMNS = (
    "SELECT column_name FROM information_schema.columns "
    "WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
)


def grow(dsn: str, template: str, count: int) -> list[str]:
    """Copy key ``template`` ``count`` times; returns the new key ids."""
    try:
        return asyncio.run(_grow(dsn, uuid.UUID(template), count))
    except (OSError, asyncpg.PostgresError) as exc:
        raise SetupFailed(f"could not add {count:,} keys to keygraph's database: {exc}") from exc


async def _grow(dsn: str, template: uuid.UUID, count: int) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        key_columns = await _copied_columns(conn, "keys", "id")
        material_columns = await _copied_columns(conn, "key_materials", "key_id")
        keys = ", ".join(key_columns)
        materials = ", ".join(material_columns)
        copied = ", ".join(f"m.{column}" for column in material_columns)
        # Identifiers come from the catalog, values are parameters.
        statement = (
            f"WITH copies AS (INSERT INTO keys (id, {keys}) "  # noqa: S608
            f"SELECT gen_random_uuid(), {keys} FROM keys, generate_series(1, $2) "
            "WHERE keys.id = $1 RETURNING id), "
            f"materials AS (INSERT INTO key_materials (key_id, {materials}) "
            f"SELECT copies.id, {copied} FROM copies, key_materials m WHERE m.key_id = $1) "
            "SELECT id FROM copies"
        )
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            rows = await conn.fetch(statement, template, count)
        await conn.execute("ANALYZE keys")
        await conn.execute("ANALYZE key_materials")
    finally:
        await conn.close()
    if len(rows) != count:
        raise SetupFailed(f"copied {len(rows)} keys instead of {count}: is {template} a key?")
    return [str(row["id"]) for row in rows]


async def _copied_columns(conn: asyncpg.Connection, table: str, replaced: str) -> list[str]:
    columns = [f'"{row["column_name"]}"' for row in await conn.fetch(_COLUMNS, table)]
    if not columns:
        raise SetupFailed(f"keygraph's database has no table {table}")
    return [column for column in columns if column != f'"{replaced}"']
