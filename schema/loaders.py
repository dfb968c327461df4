"""Per-request DataLoaders for the graph's nested fields.

A page of 50 keys asking for their aliases costs one SQL statement, not 50: every ``load`` made
while resolving one level is batched into a single call of the area's batch function, which
takes a list of key ids and answers in one statement.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import asyncpg
from strawberry.dataloader import DataLoader

T = TypeVar("T")
Batch = Callable[[asyncpg.Connection, list[uuid.UUID]], Awaitable[dict[uuid.UUID, T]]]


class Loaders:
    """The loaders of one request, created on first use; they cache for that request only."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._loaders: dict[Callable[..., Any], DataLoader[uuid.UUID, Any]] = {}

    def of(self, batch: Batch[T]) -> DataLoader[uuid.UUID, T | None]:
        """The loader of ``batch``; it loads ``None`` for a key the batch has nothing for."""
        loader = self._loaders.get(batch)
        if loader is None:

            async def load(key_ids: Sequence[uuid.UUID]) -> list[T | None]:
                async with self._pool.acquire() as conn:
                    found = await batch(conn, list(key_ids))
                return [found.get(key_id) for key_id in key_ids]

            loader = DataLoader(load_fn=load)
            self._loaders[batch] = loader
        return loader
