"""A writer-preferring readers-writer lock.

Every PKCS#11 call runs under the shared side so that many threads work in parallel; only
re-initialising the module (``C_Finalize`` + ``C_Initialize``) takes the exclusive side, because
finalising while another thread is inside the module is undefined behaviour. The shared side is
taken on every HSM call, so it is a plain context object rather than a generator.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class ReadWriteLock:
    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0
        self._shared = _SharedSide(self)

    def shared(self) -> _SharedSide:
        return self._shared

    def acquire_shared(self) -> None:
        with self._cond:
            while self._writer or self._writers_waiting:
                self._cond.wait()
            self._readers += 1

    def release_shared(self) -> None:
        with self._cond:
            self._readers -= 1
            if self._readers == 0:
                self._cond.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            try:
                while self._writer or self._readers:
                    self._cond.wait()
            finally:
                self._writers_waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


class _SharedSide:
    """Stateless, so one instance serves every thread."""

    def __init__(self, lock: ReadWriteLock) -> None:
        self._lock = lock

    def __enter__(self) -> None:
        self._lock.acquire_shared()

    def __exit__(self, *_: object) -> None:
        self._lock.release_shared()
