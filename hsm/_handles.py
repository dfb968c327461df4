"""A least-recently-used cache of key objects unwrapped into the HSM.

Unwrapping costs an HSM round trip and a template parse; using a cached handle costs nothing. The
cache belongs to one working session because a session object dies with the session that made it
(and python-pkcs11 binds each object to its session). Evicted session objects are destroyed so the
token's memory stays bounded; token objects (custom key stores) are only forgotten.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from pkcs11.exceptions import PKCS11Error

log = logging.getLogger(__name__)


class HandleCache:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, tuple[Any, bool]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> Any | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        return entry[0]

    def put(self, key: Hashable, obj: Any, *, owned: bool = True) -> None:
        """Cache ``obj``; ``owned`` objects (session objects this cache made) are destroyed on
        eviction."""
        self._entries[key] = (obj, owned)
        self._entries.move_to_end(key)
        while len(self._entries) > self.capacity:
            _, (evicted, evicted_owned) = self._entries.popitem(last=False)
            if evicted_owned:
                _destroy(evicted)

    def forget(self, key: Hashable) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()


def _destroy(obj: Any) -> None:
    try:
        obj.destroy()
    except PKCS11Error as exc:
        log.debug("destroying an evicted session object failed: %s", type(exc).__name__)
