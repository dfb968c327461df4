"""The pool's settings, as the server and a stuck query see them."""

from __future__ import annotations

import pytest

from db.pool import create_pool


async def test_sessions_are_named_keygraph_in_pg_stat_activity(database_url: str) -> None:
    pool = await create_pool(database_url, min_size=1, max_size=2)
    try:
        names = await pool.fetchval(
            "SELECT array_agg(application_name) FROM pg_stat_activity WHERE pid = pg_backend_pid()"
        )
    finally:
        await pool.close()

    assert names == ["keygraph"]


async def test_a_query_past_the_command_timeout_is_abandoned(database_url: str) -> None:
    pool = await create_pool(database_url, min_size=1, max_size=1, command_timeout=0.2)
    try:
        with pytest.raises(TimeoutError):
            await pool.fetchval("SELECT pg_sleep(30)")
        assert await pool.fetchval("SELECT 1") == 1
    finally:
        await pool.close()
