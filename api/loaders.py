"""Batched loads for one call: every ``load`` made while a page of results resolves becomes one
call of the batch function (one SQL statement), not one per item.

The graph's ``listKeys { keys { aliases tags } }`` runs ListAliases and ListResourceTags once per
key, inside the listing's call; their handlers load through the call's loaders, so a page of 50
keys costs one statement per field, whatever the page size. A loader keeps what it loaded for the
life of its call only.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

import asyncpg

T = TypeVar("T")
Batch = Callable[[asyncpg.Connection, list[uuid.UUID]], Awaitable[dict[uuid.UUID, T]]]


class Loader(Generic[T]):
    """Loads by key id; the loads made before the event loop next runs go out as one batch."""

    def __init__(self, pool: asyncpg.Pool, batch: Batch[T]) -> None:
        self._pool = pool
        self._batch = batch
        self._loaded: dict[uuid.UUID, asyncio.Future[T | None]] = {}
        self._waiting: dict[uuid.UUID, asyncio.Future[T | None]] = {}

    def load(self, key_id: uuid.UUID) -> asyncio.Future[T | None]:
        """What the batch has for ``key_id`` (None for nothing)."""
        future = self._loaded.get(key_id)
        if future is None:
            loop = asyncio.get_running_loop()
            future = loop.create_future()
            self._loaded[key_id] = future
            if not self._waiting:
                loop.call_soon(self._dispatch)
            self._waiting[key_id] = future
        return future

    def _dispatch(self) -> None:
        waiting, self._waiting = self._waiting, {}
        task = asyncio.ensure_future(self._fill(list(waiting), list(waiting.values())))
        task.add_done_callback(_consume)

    async def _fill(
        self, key_ids: Sequence[uuid.UUID], futures: Sequence[asyncio.Future[T | None]]
    ) -> None:
        try:
            async with self._pool.acquire() as conn:
                found = await self._batch(conn, list(key_ids))
        except Exception as exc:
            for future in futures:
                if not future.done():
                    future.set_exception(exc)
            return
        for key_id, future in zip(key_ids, futures, strict=True):
            if not future.done():
                future.set_result(found.get(key_id))


def _consume(task: asyncio.Task[None]) -> None:
    """The batch's failure is each waiter's to raise; the task itself has nothing to report."""
    if not task.cancelled():
        task.exception()
