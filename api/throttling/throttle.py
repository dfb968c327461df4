"""Token buckets per (principal, rate class): the check every request passes before it runs.

Each bucket holds at most one second of its rate (``capacity = max(rate, 1)`` tokens) and refills
continuously. A principal that has been quiet can therefore send one second's worth of requests
at once (the burst), and sustains the rate after that; with a rate below one per second the
burst is a single request. This matches how AWS states its quotas ("in each one-second
interval") without AWS's fixed window edges, which would allow twice the rate across a boundary.

Memory stays bounded by the principals that are active: a principal idle for ``idle_seconds``
is forgotten at the next sweep (sweeps run at most once per ``idle_seconds``, on a ``take``).
Forgetting costs no accuracy, because ``idle_seconds`` is never shorter than the time the
slowest bucket takes to refill completely, and a full bucket is exactly what a new one is.

``take`` is synchronous and does not yield, so on one event loop it needs no lock; it is not
meant to be called from several threads at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from api import messages
from api.throttling.classify import rate_class
from api.throttling.table import RateTable

# What AWS KMS answers when it throttles (the body of its ThrottlingException).
THROTTLED_MESSAGE = messages.THROTTLED.text
DEFAULT_IDLE_SECONDS = 300.0
# Refill is computed in floating point: a request that arrives exactly when its token is due must
# not be refused because 0.3 - 0.1 is 0.19999999999999998.
_DUE = 1.0 - 1e-9

MonotonicClock = Callable[[], float]


class _Bucket:
    __slots__ = ("capacity", "rate", "tokens", "updated")

    def __init__(self, rate: float, now: float) -> None:
        self.rate = rate
        self.capacity = max(rate, 1.0)
        self.tokens = self.capacity
        self.updated = now


class _Caller:
    """One principal's buckets, by class name, and when it was last seen."""

    __slots__ = ("buckets", "last_seen")

    def __init__(self, now: float) -> None:
        self.buckets: dict[str, _Bucket] = {}
        self.last_seen = now


class Throttle:
    """Per-principal request rates of one process.

    Limits are per process: with N replicas behind a load balancer a principal gets up to N times
    the configured rate in total. Set the rates per replica accordingly.
    """

    def __init__(
        self,
        table: RateTable,
        *,
        clock: MonotonicClock = time.monotonic,
        idle_seconds: float = DEFAULT_IDLE_SECONDS,
    ) -> None:
        self._table = table
        self._clock = clock
        slowest_refill = max(max(rate, 1.0) / rate for rate in table.rates.values())
        self._idle = max(idle_seconds, slowest_refill)
        self._callers: dict[str, _Caller] = {}
        self._swept = clock()

    @property
    def enforced(self) -> bool:
        return self._table.enforced

    @property
    def tracked_principals(self) -> int:
        """Principals whose buckets are held in memory now."""
        return len(self._callers)

    def take(
        self, principal_arn: str, action: str, key_spec: str | None, pair_spec: str | None = None
    ) -> None:
        """Spend one request of the principal's quota for this request's class, or raise
        ``ThrottlingException`` when there is none left. A refused request spends nothing."""
        if not self._table.enforced:
            return
        name = rate_class(action, key_spec, pair_spec).name
        now = self._clock()
        if now - self._swept >= self._idle:
            self._sweep(now)
        caller = self._callers.get(principal_arn)
        if caller is None:
            caller = self._callers[principal_arn] = _Caller(now)
        caller.last_seen = now
        bucket = caller.buckets.get(name)
        if bucket is None:
            bucket = caller.buckets[name] = _Bucket(self._table.rates[name], now)
        tokens = bucket.tokens + (now - bucket.updated) * bucket.rate
        if tokens > bucket.capacity:
            tokens = bucket.capacity
        bucket.updated = now
        if tokens < _DUE:
            bucket.tokens = tokens
            raise messages.THROTTLED()
        bucket.tokens = tokens - 1.0

    def _sweep(self, now: float) -> None:
        horizon = now - self._idle
        idle = [arn for arn, caller in self._callers.items() if caller.last_seen <= horizon]
        for arn in idle:
            del self._callers[arn]
        self._swept = now
