"""The one asyncpg pool a keygraph process uses for all of its database work."""

from __future__ import annotations

import asyncpg

APPLICATION_NAME = "keygraph"
# A query that runs this long is stuck (a lock never granted, a server gone): fail the request
# rather than hold a pool connection forever.
COMMAND_TIMEOUT_SECONDS = 30.0
# Prepared statements are what make asyncpg fast; the cache is per connection and keyed by the
# query text, so it must hold every statement the hot paths repeat.
STATEMENT_CACHE_SIZE = 256


async def create_pool(
    dsn: str,
    *,
    min_size: int = 2,
    max_size: int = 10,
    command_timeout: float = COMMAND_TIMEOUT_SECONDS,
) -> asyncpg.Pool:
    """Open the pool; it is up when this returns, so a wrong DSN fails start-up, not a request.

    ``application_name`` lets an operator tell keygraph's sessions apart in ``pg_stat_activity``.
    """
    return await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        command_timeout=command_timeout,
        statement_cache_size=STATEMENT_CACHE_SIZE,
        server_settings={"application_name": APPLICATION_NAME},
    )
