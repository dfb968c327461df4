"""Counting the SQL statements the app sends, for the tests that hold it to a fixed number."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import asyncpg

from api.services import Services

Found = TypeVar("Found")


@asynccontextmanager
async def pool_logging_statements(
    services: Services, log: Callable[[asyncpg.connection.LoggedQuery], None]
) -> AsyncIterator[None]:
    """Within the block, the services' pool is one whose connections call ``log`` with every
    statement they send; the original pool is put back after."""

    async def log_queries(conn: asyncpg.Connection) -> None:
        conn.add_query_logger(log)

    original = services.pool
    services.pool = await asyncpg.create_pool(
        services.settings.database_url, min_size=1, max_size=4, init=log_queries
    )
    try:
        yield
    finally:
        await services.pool.close()
        services.pool = original


async def looked_up_in_one_statement(
    services: Services,
    lookup: Callable[[asyncpg.Connection, list[uuid.UUID]], Awaitable[Found]],
    ids: list[uuid.UUID],
) -> Found:
    """``lookup(conn, ids)``, after asserting that it costs one statement, as a lookup of the
    first key alone does."""
    statements: list[str] = []
    async with services.pool.acquire() as conn:
        # The first call on a connection also makes asyncpg look up the uuid[] type.
        await lookup(conn, ids[:1])
        conn.add_query_logger(lambda record: statements.append(record.query))
        await lookup(conn, ids[:1])
        found = await lookup(conn, ids)
        await asyncio.sleep(0)  # asyncpg calls query loggers with call_soon
        assert len(statements) == 2
    return found
