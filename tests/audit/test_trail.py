"""The trail's promises: buffered events are written on a timer or a full batch, a durable record
is committed when it returns, close() writes everything, a failing database loses nothing, and a
full backlog refuses rather than drops."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import pytest

from api.audit import (
    AuditBacklogFull,
    AuditEventsLost,
    AuditTrail,
    AuditTrailClosed,
    TrailState,
    verify_chain,
)
from tests.audit.conftest import event, events

# Long enough that no timer flush happens during a test: what is written was written for another
# reason (a full batch, a durable caller, close).
NEVER = 3600.0


async def stored(pool: asyncpg.Pool) -> list[str]:
    rows = await pool.fetch("SELECT request_id FROM audit_events ORDER BY seq")
    return [row["request_id"] for row in rows]


async def eventually(check: Callable[[], bool]) -> None:
    """Wait for a background effect; the bound only keeps a broken trail from hanging the suite."""
    deadline = time.monotonic() + 30
    while not check():
        assert time.monotonic() < deadline, "the trail never got there"
        await asyncio.sleep(0.01)


@pytest.fixture
async def renamed_table(pool: asyncpg.Pool) -> AsyncIterator[Callable[[], Awaitable[None]]]:
    """The trail's table made unreachable (a real failing write), and a way to bring it back."""
    await pool.execute("ALTER TABLE audit_events RENAME TO audit_events_away")
    restored = False

    async def restore() -> None:
        nonlocal restored
        await pool.execute("ALTER TABLE audit_events_away RENAME TO audit_events")
        restored = True

    yield restore
    if not restored:
        await restore()


async def test_close_writes_everything_recorded(pool: asyncpg.Pool) -> None:
    trail = AuditTrail(pool, flush_interval=NEVER, max_batch=4)
    trail.start()
    trail.record(events(1, 3))
    trail.record([event(4)])
    trail.record(events(5, 6))
    assert await stored(pool) == []

    await trail.close()

    assert await stored(pool) == [f"request-{n}" for n in range(1, 11)]
    assert trail.state is TrailState.CLOSED
    stats = trail.stats()
    assert (stats.written, stats.pending) == (10, 0)
    async with pool.acquire() as conn:
        assert (await verify_chain(conn)).checked == 10


async def test_a_durable_record_is_committed_when_it_returns(pool: asyncpg.Pool) -> None:
    trail = AuditTrail(pool, flush_interval=NEVER)
    trail.start()
    try:
        trail.record([event(1)])
        await trail.record_durably([event(2), event(3)])
        # Written in order: what was buffered before it went first.
        assert await stored(pool) == ["request-1", "request-2", "request-3"]
    finally:
        await trail.close()


async def test_a_full_batch_is_written_without_waiting_for_the_timer(pool: asyncpg.Pool) -> None:
    trail = AuditTrail(pool, flush_interval=NEVER, max_batch=5)
    trail.start()
    try:
        trail.record(events(1, 4))
        trail.record([event(5)])

        await eventually(lambda: trail.stats().written == 5)
        assert trail.stats().batches == 1
        assert len(await stored(pool)) == 5
    finally:
        await trail.close()


async def test_buffered_events_are_written_on_the_timer(pool: asyncpg.Pool) -> None:
    trail = AuditTrail(pool, flush_interval=0.01)
    trail.start()
    try:
        trail.record([event(1)])

        await eventually(lambda: trail.stats().written == 1)
        assert await stored(pool) == ["request-1"]
    finally:
        await trail.close()


async def test_events_survive_a_failing_database(
    pool: asyncpg.Pool,
    renamed_table: Callable[[], Awaitable[None]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    trail = AuditTrail(pool, flush_interval=0.01)
    trail.start()
    try:
        trail.record([event(1)])
        durable = asyncio.create_task(trail.record_durably([event(2)]))

        await eventually(lambda: trail.stats().failures >= 2)
        assert not durable.done()
        assert trail.stats().pending == 2
        await renamed_table()
        await durable
    finally:
        await trail.close()

    assert await stored(pool) == ["request-1", "request-2"]
    warnings = [r.getMessage() for r in caplog.records if r.name == "keygraph.audit"]
    assert warnings
    assert all("UndefinedTableError" in w and "request-" not in w for w in warnings)


async def test_close_gives_up_on_a_database_that_stays_away(
    pool: asyncpg.Pool,
    renamed_table: Callable[[], Awaitable[None]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    trail = AuditTrail(pool, flush_interval=0.01, close_timeout=0.2)
    trail.start()
    trail.record(events(1, 2))
    durable = asyncio.create_task(trail.record_durably([event(3)]))
    await asyncio.sleep(0)

    await trail.close()

    with pytest.raises(AuditEventsLost):
        await durable
    assert "closed with 3 events unwritten" in caplog.text


async def test_a_full_backlog_refuses_and_the_durable_path_waits_for_room(
    pool: asyncpg.Pool,
) -> None:
    trail = AuditTrail(pool, flush_interval=NEVER, max_batch=2, max_pending=4)
    trail.record(events(1, 4))
    with pytest.raises(AuditBacklogFull):
        trail.record([event(5)])
    assert trail.stats().pending == 4

    waiting = asyncio.create_task(trail.record_durably([event(5)]))
    await asyncio.sleep(0)
    assert not waiting.done()
    trail.start()
    await waiting
    await trail.close()

    assert await stored(pool) == [f"request-{n}" for n in range(1, 6)]


async def test_a_closed_trail_takes_nothing(pool: asyncpg.Pool) -> None:
    trail = AuditTrail(pool, flush_interval=NEVER)
    trail.start()
    await trail.close()
    await trail.close()
    with pytest.raises(AuditTrailClosed):
        trail.record([event(1)])
    with pytest.raises(AuditTrailClosed):
        await trail.record_durably([event(1)])
    assert await stored(pool) == []


async def test_closing_a_trail_never_started_still_writes_what_it_took(
    pool: asyncpg.Pool,
) -> None:
    trail = AuditTrail(pool, flush_interval=NEVER)
    trail.record(events(1, 2))
    await trail.close()
    assert await stored(pool) == ["request-1", "request-2"]
