"""New events as they are appended, in every replica: what the audit subscription follows.

Migration 0014 has Postgres announce every append to ``audit_events`` on the channel
``keygraph_audit`` (one NOTIFY per statement, delivered at commit, to every process that
listens). A process keeps one LISTEN connection while it has subscribers, whatever their number,
and a notification only wakes them: each subscriber then reads, through the pool, the events
after the last one it delivered that match its filter, a page at a time. Nothing is queued per
subscriber, so a slow one costs no memory; it falls behind and reads its backlog from the table
(the trail keeps every event) at its own pace. Events are read by ``seq``, which the chain's lock
makes grow in commit order, so a subscriber sees each event once and none out of order; when the
LISTEN connection drops, every subscriber is woken once it is back, so nothing appended meanwhile
is missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator

import asyncpg

from db import audit as rows
from db.audit import AuditRow, EventFilter

log = logging.getLogger("keygraph.audit")

CHANNEL = "keygraph_audit"
LISTENER_APPLICATION_NAME = "keygraph-audit-listener"
# How long to wait before connecting again after the LISTEN connection failed.
RECONNECT_SECONDS = 1.0
# How long a new subscriber waits for the LISTEN connection before failing.
CONNECT_SECONDS = 10.0
# How often the idle LISTEN connection is checked: a connection cut without a word (a
# firewall's idle timeout) would otherwise leave every subscriber waiting for nothing.
HEARTBEAT_SECONDS = 30.0
# Events a subscriber reads per statement while it catches up.
PAGE = 100


class AuditFeed:
    """The process's LISTEN connection on ``keygraph_audit``, open while anyone subscribes."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._wakers: set[asyncio.Event] = set()
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._lock = asyncio.Lock()

    @property
    def subscribers(self) -> int:
        return len(self._wakers)

    @contextlib.asynccontextmanager
    async def woken(self) -> AsyncIterator[asyncio.Event]:
        """An event set whenever something may have been appended, from the moment this returns
        (the LISTEN is in place): read the trail's head after entering, not before."""
        wake = asyncio.Event()
        async with self._lock:
            self._wakers.add(wake)
            if self._task is None:
                self._ready.clear()
                self._task = asyncio.create_task(self._run(), name="keygraph-audit-listener")
        try:
            await asyncio.wait_for(self._ready.wait(), CONNECT_SECONDS)
            yield wake
        finally:
            async with self._lock:
                self._wakers.discard(wake)
                if not self._wakers and self._task is not None:
                    task, self._task = self._task, None
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    async def _run(self) -> None:
        while True:
            try:
                await self._listen_once()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("audit listener lost: %s", type(exc).__name__)
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _listen_once(self) -> None:
        conn = await asyncpg.connect(
            self._dsn, server_settings={"application_name": LISTENER_APPLICATION_NAME}
        )
        lost = asyncio.Event()
        try:
            conn.add_termination_listener(lambda _: lost.set())
            await conn.add_listener(CHANNEL, self._notified)
            self._ready.set()
            self._wake_all()  # whatever was appended while no connection listened
            while not lost.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), HEARTBEAT_SECONDS)
                await conn.execute("SELECT 1", timeout=HEARTBEAT_SECONDS)
        finally:
            with contextlib.suppress(Exception):
                await conn.close()

    def _notified(self, _conn: object, _pid: int, _channel: str, _payload: str) -> None:
        self._wake_all()

    def _wake_all(self) -> None:
        for wake in self._wakers:
            wake.set()


async def follow(
    pool: asyncpg.Pool, wake: asyncio.Event, where: EventFilter, after: int
) -> AsyncGenerator[AuditRow, None]:
    """The events matching ``where`` after seq ``after``, oldest first, then each new one as it
    is appended (``wake``: from ``AuditFeed.woken``), for as long as the caller iterates."""
    while True:
        async with pool.acquire() as conn:
            found = await rows.find_events(conn, where, after, PAGE)
        for row in found:
            after = row.seq
            yield row
        if len(found) < PAGE:
            await wake.wait()
            wake.clear()
