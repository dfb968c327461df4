"""The audit trail of a process: events buffered in memory and written to Postgres in batches.

Crypto calls are many and small, so their events are buffered (``record``) and a background task
writes them, one transaction and one COPY per batch, every ``flush_interval`` seconds, or at once
when ``max_batch`` are waiting or a management call waits for its own (``record_durably``).

What can be lost:
- a clean shutdown (``close``) writes everything recorded before it returns;
- a crash loses what was recorded and not yet committed: at most ``flush_interval`` (0.05 s by
  default) worth of events, plus the batch being written when it happened, while the database
  keeps up; while the database is unreachable the backlog grows to ``max_pending`` and a crash
  loses all of it;
- an event of ``record_durably`` is committed before that call returns, so it is never lost.

The backlog is bounded: when ``max_pending`` events wait, ``record`` refuses with
``AuditBacklogFull`` rather than drop anything or grow without limit, and the caller falls back to
``record_durably``, which waits for room and for the commit: calls then go only as fast as the
trail can be written, and stop while it cannot (no call goes unaudited). A caller waits at most
``durable_wait`` seconds: the database out of reach for longer is ``AuditTrailUnavailable`` (a
retryable answer, not a request held open forever), and the events it had handed over stay in the
backlog, written when the database is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import itertools
import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from api.audit import chain
from api.audit.event import AuditEvent

log = logging.getLogger("keygraph.audit")

DEFAULT_FLUSH_INTERVAL = 0.05
DEFAULT_MAX_BATCH = 500
DEFAULT_MAX_PENDING = 50_000
# A failed write is retried after flush_interval, doubling up to this.
RETRY_MAX_SECONDS = 1.0
# How long ``record_durably`` waits: failed writes are retried every second by then, so a
# database away longer is an outage to report, not a blip to ride out.
DURABLE_WAIT_SECONDS = 5.0
# How long ``close`` keeps trying to write the backlog before it gives up and says how much is lost.
CLOSE_TIMEOUT_SECONDS = 10.0


class AuditTrailError(Exception):
    """Base of what the trail raises to its callers."""


class AuditBacklogFull(AuditTrailError):
    """``record`` found ``max_pending`` events waiting; use ``record_durably`` instead."""


class AuditTrailClosed(AuditTrailError):
    """The trail is closing or closed and takes no more events."""


class AuditTrailUnavailable(AuditTrailError):
    """``record_durably`` waited ``durable_wait`` seconds and the events are not committed."""


class AuditEventsLost(AuditTrailError):
    """The trail closed before these events could be written."""


class TrailState(enum.Enum):
    NEW = "new"
    RUNNING = "running"
    CLOSING = "closing"
    CLOSED = "closed"


@dataclass(frozen=True)
class TrailStats:
    """Counters for metrics: events and batches committed, events waiting, failed writes."""

    written: int
    batches: int
    pending: int
    failures: int


def _describe(exc: Exception) -> str:
    """An error's class and SQLSTATE only: a database message may quote the row it refused."""
    state = getattr(exc, "sqlstate", None)
    return type(exc).__name__ + (f" (SQLSTATE {state})" if state else "")


class AuditTrail:
    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        flush_interval: float = DEFAULT_FLUSH_INTERVAL,
        max_batch: int = DEFAULT_MAX_BATCH,
        max_pending: int = DEFAULT_MAX_PENDING,
        close_timeout: float = CLOSE_TIMEOUT_SECONDS,
        durable_wait: float = DURABLE_WAIT_SECONDS,
    ) -> None:
        if flush_interval <= 0 or max_batch < 1 or max_pending < max_batch:
            raise ValueError("need flush_interval > 0 and 1 <= max_batch <= max_pending")
        self._pool = pool
        self._flush_interval = flush_interval
        self._max_batch = max_batch
        self._max_pending = max_pending
        self._close_timeout = close_timeout
        self._durable_wait = durable_wait
        self._pending: deque[AuditEvent] = deque()
        # Events ever accepted and ever committed: committed events are always the oldest
        # accepted ones, so a caller whose last event was the n-th accepted waits for n commits.
        self._accepted = 0
        self._committed = 0
        # A durable caller waits for every event up to this count: write without waiting.
        self._urgent = 0
        self._batches = 0
        self._failures = 0
        self._state = TrailState.NEW
        self._wake = asyncio.Event()
        self._progress = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None

    @property
    def state(self) -> TrailState:
        return self._state

    def stats(self) -> TrailStats:
        return TrailStats(self._committed, self._batches, len(self._pending), self._failures)

    def start(self) -> None:
        if self._state is not TrailState.NEW:
            raise RuntimeError(f"the audit trail cannot start when {self._state.value}")
        self._state = TrailState.RUNNING
        self._task = asyncio.create_task(self._run(), name="keygraph-audit")

    def record(self, events: Sequence[AuditEvent]) -> None:
        """Buffer ``events`` without waiting; ``AuditBacklogFull`` when there is no room."""
        self._check_open()
        if not self._has_room(len(events)):
            raise AuditBacklogFull(f"{len(self._pending)} audit events are waiting to be written")
        self._accept(events)
        if len(self._pending) >= self._max_batch:
            self._wake.set()

    async def record_durably(self, events: Sequence[AuditEvent]) -> None:
        """Return once ``events`` are committed, waiting first for room in the backlog;
        ``AuditTrailUnavailable`` after ``durable_wait`` seconds (the events, once accepted, stay
        in the backlog)."""
        self._check_open()
        target = None
        try:
            async with asyncio.timeout(self._durable_wait), self._progress:
                await self._progress.wait_for(
                    lambda: self._has_room(len(events)) or self._closing()
                )
                self._check_open()
                target = self._accept(events)
                self._urgent = max(self._urgent, target)
                self._wake.set()
                await self._progress.wait_for(
                    lambda: self._committed >= target or self._state is TrailState.CLOSED
                )
        except TimeoutError:
            waited = "room in the backlog" if target is None else "the commit"
            raise AuditTrailUnavailable(
                f"{len(events)} audit events waited {self._durable_wait:.0f} s for {waited}"
            ) from None
        if self._committed < target:
            raise AuditEventsLost(f"the trail closed before {len(events)} events were written")

    async def flush(self) -> None:
        """Return once every event recorded so far is committed."""
        await self.record_durably(())

    async def close(self) -> None:
        """Take no more events, write all that wait, then stop. Gives up after ``close_timeout``
        seconds of failed writes (the database is gone) and logs how many events are lost.
        Close it before the pool it writes through."""
        if self._closing():
            async with self._progress:
                await self._progress.wait_for(lambda: self._state is TrailState.CLOSED)
            return
        self._state = TrailState.CLOSING
        task = self._task or asyncio.create_task(self._run(), name="keygraph-audit")
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), self._close_timeout)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            log.error(
                "audit trail closed with %d events unwritten after %.0f s of failed writes",
                len(self._pending),
                self._close_timeout,
            )
        self._state = TrailState.CLOSED
        async with self._progress:
            self._progress.notify_all()

    def _closing(self) -> bool:
        return self._state in (TrailState.CLOSING, TrailState.CLOSED)

    def _check_open(self) -> None:
        if self._closing():
            raise AuditTrailClosed("the audit trail is closed")

    def _has_room(self, count: int) -> bool:
        # An empty backlog takes any call's events, however many.
        return not self._pending or len(self._pending) + count <= self._max_pending

    def _accept(self, events: Sequence[AuditEvent]) -> int:
        self._pending.extend(events)
        self._accepted += len(events)
        return self._accepted

    def _due(self) -> bool:
        return (
            self._state is TrailState.CLOSING
            or self._committed < self._urgent
            or len(self._pending) >= self._max_batch
        )

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()

    async def _run(self) -> None:
        backoff = self._flush_interval
        while self._state is not TrailState.CLOSING or self._pending:
            if not self._due():
                await self._sleep(self._flush_interval)
            if await self._flush():
                backoff = self._flush_interval
            else:
                await self._sleep(backoff)
                backoff = min(backoff * 2, RETRY_MAX_SECONDS)

    async def _flush(self) -> bool:
        """Write the backlog in batches, oldest first; ``False`` when a write failed (the batch
        stays at the head of the backlog, to be retried)."""
        while self._pending:
            batch = list(itertools.islice(self._pending, self._max_batch))
            try:
                async with self._pool.acquire() as conn:
                    await chain.append(conn, batch)
            except Exception as exc:
                self._failures += 1
                log.warning(
                    "audit batch of %d events not written: %s; %d events kept for retry",
                    len(batch),
                    _describe(exc),
                    len(self._pending),
                )
                return False
            for _ in batch:
                self._pending.popleft()
            self._committed += len(batch)
            self._batches += 1
            async with self._progress:
                self._progress.notify_all()
        return True
