"""The ``Job`` protocol, the loop that runs jobs in every replica, and ``drain``: the one way a
job takes due keys one by one so that concurrent replicas never take the same key twice."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Protocol

import asyncpg

from api.keys.model import Key
from api.keys.store import to_key
from api.services import Services
from db.keys import KeyRow

log = logging.getLogger("keygraph.jobs")

# How long ``stop`` lets a pass in progress finish before cancelling it.
STOP_GRACE_SECONDS = 10.0


class Job(Protocol):
    """A kind of due work. ``run_once`` handles what is due at ``now`` (jobs read no clock of
    their own, so tests move time by passing it) and returns how many items it handled."""

    @property
    def name(self) -> str: ...

    async def run_once(self, services: Services, now: datetime) -> int: ...


# Lock one due key, other than those listed (they failed in this pass), or return None.
Claim = Callable[[asyncpg.Connection, datetime, list[uuid.UUID]], Awaitable[KeyRow | None]]
# Do the work on a claimed key, through the connection whose transaction holds its lock.
Handle = Callable[[asyncpg.Connection, Key, datetime], Awaitable[None]]


async def drain(
    services: Services, job: str, now: datetime, claim: Claim, handle: Handle, limit: int
) -> int:
    """Claim and handle due keys, one transaction each, until none is due or ``limit`` are done.

    A key whose handling fails is rolled back, logged and left for the next pass, so one bad key
    neither stops the others nor is retried in a loop.
    """
    handled = 0
    failed: list[uuid.UUID] = []
    async with services.pool.acquire() as conn:
        while handled < limit:
            row: KeyRow | None = None
            try:
                async with conn.transaction():
                    row = await claim(conn, now, failed)
                    if row is None:
                        break
                    await handle(conn, to_key(row), now)
            except Exception:
                if row is None:
                    raise
                log.warning("job %s failed on key %s", job, row.id, exc_info=True)
                failed.append(row.id)
                continue
            handled += 1
    return handled


class JobRunner:
    """Runs every job once per ``interval`` seconds until stopped. Start it in each replica."""

    def __init__(self, services: Services, jobs: Sequence[Job], interval: float) -> None:
        self.services = services
        self.jobs = list(jobs)
        self.interval = interval
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is not None:
            raise RuntimeError("the job runner is already running")
        self._stopping.clear()
        self._task = asyncio.create_task(self._loop(), name="keygraph-jobs")

    async def stop(self) -> None:
        """Let the pass in progress finish (each key is its own transaction, so cancelling one
        mid-way loses nothing either), then return once the loop has ended."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_GRACE_SECONDS)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run_once(self) -> dict[str, int]:
        """One pass over every job at the services' current time: items handled per job."""
        handled: dict[str, int] = {}
        for job in self.jobs:
            try:
                handled[job.name] = await job.run_once(self.services, self.services.clock())
            except Exception:
                log.exception("job %s failed", job.name)
                handled[job.name] = 0
            else:
                if handled[job.name]:
                    log.info("job %s handled %d keys", job.name, handled[job.name])
        return handled

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            await self.run_once()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.interval)
