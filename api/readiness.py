"""The readiness probe: can this replica serve a request right now?

It runs a real database query and a real HSM encrypt/decrypt round trip, and caches the answer for
a few seconds, because a load balancer probing every replica every second must not become load.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger("keygraph.readiness")

Check = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class Readiness:
    failing: tuple[str, ...]
    checked_at: float

    @property
    def ready(self) -> bool:
        return not self.failing


class ReadinessProbe:
    def __init__(
        self, checks: dict[str, Check], ttl_seconds: float = 3.0, timeout_seconds: float = 2.0
    ) -> None:
        self._checks = checks
        self._ttl = ttl_seconds
        self._timeout = timeout_seconds
        self._last: Readiness | None = None
        self._lock = asyncio.Lock()

    async def check(self) -> Readiness:
        async with self._lock:
            now = time.monotonic()
            if self._last is None or now - self._last.checked_at >= self._ttl:
                self._last = Readiness(await self._failing(), now)
            return self._last

    async def _failing(self) -> tuple[str, ...]:
        results = await asyncio.gather(
            *(self._run(name, check) for name, check in self._checks.items())
        )
        return tuple(name for name, ok in zip(self._checks, results, strict=True) if not ok)

    async def _run(self, name: str, check: Check) -> bool:
        try:
            await asyncio.wait_for(check(), self._timeout)
        except Exception as exc:  # any failure means "not ready"; its kind is logged
            log.warning("readiness check %s failed: %s", name, type(exc).__name__)
            return False
        return True
