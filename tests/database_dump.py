"""Every value of every table of keygraph's database as bytes, for tests that check a secret
(key material, an import token) was never written there in plaintext, in whichever table."""

from __future__ import annotations

import asyncpg


async def database_dump(pool: asyncpg.Pool) -> bytes:
    """The values of every row of every table in the ``public`` schema, concatenated: bytes as
    they are, anything else as its text."""
    dump = b""
    async with pool.acquire() as conn:
        tables = await conn.fetch(
            "SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public'"
        )
        for table in tables:
            for record in await conn.fetch(f"SELECT * FROM {table['name']}"):  # noqa: S608 - quoted
                dump += b"".join(
                    bytes(value) if isinstance(value, bytes) else str(value).encode()
                    for value in record.values()
                )
    return dump
