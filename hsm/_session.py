"""Working sessions and their bounded pool.

One session serves one thread at a time; python-pkcs11 must never see a session shared between
threads. Sessions are opened lazily without a PIN: they inherit the login of the token's one
logged-in session. Each working session carries its own handle cache and its own handle on the
domain key, both found or made once per session, never per request.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from pkcs11 import Attribute, ObjectClass
from pkcs11.exceptions import PKCS11Error

from hsm._failures import TokenStateLost
from hsm._handles import HandleCache
from hsm.errors import DomainKeyAmbiguous, DomainKeyMissing


class DomainKeyMemory:
    """Whether any session of this backend has seen the domain key. Once it has, a search that
    comes back empty means the token lost its objects (it was pulled or replaced), which is a
    device failure to recover from, not a token that still needs ``ensure_domain_key``."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.seen = False


class WorkingSession:
    def __init__(
        self, session: Any, generation: int, cache_capacity: int, memory: DomainKeyMemory
    ) -> None:
        self.session = session
        self.generation = generation
        self.cache = HandleCache(cache_capacity)
        self._memory = memory
        self._domain_key: Any | None = None

    def domain_key(self) -> Any:
        """The domain wrapping key as an object of this session (searched once per session)."""
        if self._domain_key is None:
            try:
                self._domain_key = find_domain_key(self.session, self._memory.label)
            except DomainKeyMissing:
                if self._memory.seen:
                    raise TokenStateLost(f"domain key {self._memory.label!r} vanished") from None
                raise
            self._memory.seen = True
        return self._domain_key

    def close(self) -> None:
        self.cache.clear()
        # a broken session cannot be closed cleanly; the module reclaims it
        with contextlib.suppress(PKCS11Error):
            self.session.close()


def find_domain_key(session: Any, label: str) -> Any:
    found = list(
        session.get_objects(
            {Attribute.CLASS: ObjectClass.SECRET_KEY, Attribute.LABEL: label, Attribute.TOKEN: True}
        )
    )
    if not found:
        raise DomainKeyMissing(f"no domain wrapping key labelled {label!r} on the token")
    if len(found) > 1:
        raise DomainKeyAmbiguous(f"{len(found)} domain wrapping keys are labelled {label!r}")
    return found[0]


class SessionPool:
    """At most ``size`` working sessions, handed out one thread at a time (LIFO, so the hot
    sessions keep warm caches)."""

    def __init__(self, size: int, cache_capacity: int, domain_label: str) -> None:
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[WorkingSession] = []
        self._lock = threading.Lock()
        self._cache_capacity = cache_capacity
        self._memory = DomainKeyMemory(domain_label)

    def acquire(self, token: Any, generation: int) -> WorkingSession:
        self._slots.acquire()
        try:
            with self._lock:
                while self._idle:
                    candidate = self._idle.pop()
                    if candidate.generation == generation:
                        return candidate
                    # a session of an older module generation died with it: drop, do not close
            session = token.open(rw=True)
        except BaseException:
            self._slots.release()
            raise
        return WorkingSession(session, generation, self._cache_capacity, self._memory)

    def release(self, working: WorkingSession) -> None:
        with self._lock:
            self._idle.append(working)
        self._slots.release()

    def discard(self, working: WorkingSession) -> None:
        working.close()
        self._slots.release()

    def drain(self) -> list[WorkingSession]:
        """Take every idle session out of the pool (for closing)."""
        with self._lock:
            idle, self._idle = self._idle, []
        return idle
