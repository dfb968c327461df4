"""`keygraph audit verify` as an operator runs it against the service's database."""

from __future__ import annotations

import asyncio
import os
import sys

import asyncpg
import pytest

from api.audit.chain import append
from tests.audit.conftest import START, event, events

pytestmark = pytest.mark.slow


async def verify(database_url: str) -> tuple[int, str]:
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("KEYGRAPH_", "SOFTHSM2_"))
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "keygraph",
        "audit",
        "verify",
        env={**inherited, "KEYGRAPH_DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    assert not stderr, stderr.decode()
    return process.returncode, stdout.decode()


async def test_verify_proves_a_good_chain_and_names_a_tampered_event(
    pool: asyncpg.Pool, fresh_database: str
) -> None:
    """The chain mixes events written before doors were recorded (without one) and after."""
    async with pool.acquire() as conn:
        await append(conn, [event(n, door=None) for n in (1, 2, 3)])
        await append(conn, events(4, 2))
    assert await verify(fresh_database) == (0, "audit chain verified: 5 events\n")

    async with pool.acquire() as conn, conn.transaction():
        second = await conn.fetchval("SELECT seq FROM audit_events ORDER BY seq OFFSET 1 LIMIT 1")
        await conn.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
        await conn.execute("UPDATE audit_events SET decision = NULL WHERE seq = $1", second)
        await conn.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")

    when = START.replace(second=2).isoformat()
    assert await verify(fresh_database) == (
        1,
        f"audit chain broken at event {second} ({when}, kms:Encrypt): "
        "the event was altered (its contents do not match its hash)\n",
    )
