"""Blocking HSM work off the event loop, in a thread pool as large as the session pool.

More threads than sessions would only queue on the pool; fewer would leave sessions idle.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class Offloader:
    def __init__(self, workers: int, name: str) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._closing = False

    async def __call__(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(fn, *args, **kwargs))

    async def start(self, make: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``make``, which builds the pool's owner (an engine), on the pool.

        If it fails there is no owner to close the pool, so the pool is shut down here.
        """
        try:
            return await self(make, *args, **kwargs)
        except BaseException:
            self.shutdown()
            raise

    async def aclose(self, last: Callable[[], None]) -> None:
        """Run ``last`` (closing the token) on the pool, then shut the pool down.

        Only the first call does it; later ones, concurrent or not, return at once, because
        shutting down is the last thing an owner does and a second ``aclose`` (a lifespan and a
        fixture both cleaning up) must not fail on a pool that no longer takes work.
        """
        if self._closing:
            return
        self._closing = True
        try:
            await self(last)
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)
