"""Keys, alias targets, wrapped material, and what authorization reads (key policies, grants,
tags, identity policies) cached per process, dropped when they change.

The crypto hot path must not read Postgres on every call, yet a key disabled in one process must
stop working in every process within a second, and so must a revoked grant or a changed policy.
Every change to keys, material, aliases, tags, grants or custom key stores fires ``NOTIFY
keygraph_keys`` with the key's id (triggers, migrations 0003, 0004 and 0006); a change to a
principal or its identity policy fires ``principal:<arn>``, an access key deactivated or deleted
``access-key:<id>`` (migration 0007). Each process listens on a dedicated connection and evicts
what the notification names. NOTIFY is lost while the listening connection is down, so the cache
serves nothing until the listener is back, and is flushed then.

It holds the values of several packages (keys, grants, policies, principals' bearer tokens and
access keys), so it sits above them all and below what reads through it (``api.authz.access``,
authorization, the crypto material lookup, authentication, ``api.access_keys.signing_key``),
which reach it as ``services.key_cache``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import asyncpg

from api.access_keys import SigningKey
from api.grants.model import Grant
from api.keys.model import Key
from api.policy.model import PolicyDocument
from api.principals import TokenHolder
from hsm import WrappedKey

log = logging.getLogger("keygraph.keycache")

CHANNEL = "keygraph_keys"
LISTENER_APPLICATION_NAME = "keygraph-key-listener"
EVERYTHING = "*"
PRINCIPAL_PREFIX = "principal:"
ACCESS_KEY_PREFIX = "access-key:"
RECONNECT_SECONDS = 0.5
# How often the listening connection is probed: a connection that died silently is noticed
# within this time (plus the probe's timeout), and the cache stops serving meanwhile.
HEARTBEAT_SECONDS = 2.0

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Lru(Generic[K, V]):
    """A bounded mapping that forgets the least recently used entry first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[K, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def drop(self, key: K) -> None:
        self._entries.pop(key, None)

    def drop_matching(self, matches: Callable[[V], bool]) -> None:
        """Drop every entry whose value ``matches``: a scan, for rare changes only."""
        for key in [key for key, value in self._entries.items() if matches(value)]:
            del self._entries[key]

    def drop_where(self, first: object) -> None:
        """Drop every entry whose key is a tuple starting with ``first``."""
        for key in [key for key in self._entries if isinstance(key, tuple) and key[0] == first]:
            del self._entries[key]

    def clear(self) -> None:
        self._entries.clear()


@dataclass(frozen=True)
class IdentityPolicy:
    """A principal's identity policy as cached: ``document`` is None when it has none."""

    document: PolicyDocument | None


class KeyCache:
    """What this process knows about keys; ``live`` is false while changes could be missed.

    A reader takes ``generation`` before reading the database and passes it to ``put_*``: if a
    change was announced in between, what it read may be stale and is not cached.
    """

    def __init__(self, size: int = 10_000) -> None:
        self.live = False
        self.generation = 0
        self._keys: _Lru[uuid.UUID, Key] = _Lru(size)
        self._aliases: _Lru[tuple[str, str, str], uuid.UUID] = _Lru(size)
        self._materials: _Lru[tuple[uuid.UUID, str], WrappedKey] = _Lru(size)
        self._policies: _Lru[uuid.UUID, PolicyDocument] = _Lru(size)
        self._grants: _Lru[uuid.UUID, tuple[Grant, ...]] = _Lru(size)
        self._tags: _Lru[uuid.UUID, Mapping[str, str]] = _Lru(size)
        self._identities: _Lru[str, IdentityPolicy] = _Lru(size)
        self._tokens: _Lru[str, TokenHolder] = _Lru(size)
        # Unsealed secrets: held nowhere else in the process, never written anywhere.
        self._access_keys: _Lru[str, SigningKey] = _Lru(size)

    async def read_through(
        self,
        found: V | None,
        load: Callable[[], Awaitable[V | None]],
        keep: Callable[[V, int], None],
    ) -> V | None:
        """``found`` when the cache had it; otherwise ``load`` it and ``keep`` it (unless it does
        not exist) with the generation read before loading, so that a change announced while it
        was read is not cached stale. The one way every cached lookup fills the cache."""
        if found is not None:
            return found
        since = self.generation
        value = await load()
        if value is not None:
            keep(value, since)
        return value

    def key(self, key_id: uuid.UUID) -> Key | None:
        return self._keys.get(key_id) if self.live else None

    def _fresh(self, since: int) -> bool:
        return self.live and since == self.generation

    def put_key(self, key: Key, since: int) -> None:
        if self._fresh(since):
            self._keys.put(key.uuid, key)

    def alias(self, account_id: str, region: str, name: str) -> uuid.UUID | None:
        return self._aliases.get((account_id, region, name)) if self.live else None

    def put_alias(
        self, account_id: str, region: str, name: str, key_id: uuid.UUID, since: int
    ) -> None:
        if self._fresh(since):
            self._aliases.put((account_id, region, name), key_id)

    def material(self, key_id: uuid.UUID, material_id: str) -> WrappedKey | None:
        return self._materials.get((key_id, material_id)) if self.live else None

    def put_material(
        self, key_id: uuid.UUID, material_id: str, wrapped: WrappedKey, since: int
    ) -> None:
        if self._fresh(since):
            self._materials.put((key_id, material_id), wrapped)

    def policy(self, key_id: uuid.UUID) -> PolicyDocument | None:
        return self._policies.get(key_id) if self.live else None

    def put_policy(self, key_id: uuid.UUID, policy: PolicyDocument, since: int) -> None:
        if self._fresh(since):
            self._policies.put(key_id, policy)

    def grants(self, key_id: uuid.UUID) -> tuple[Grant, ...] | None:
        return self._grants.get(key_id) if self.live else None

    def put_grants(self, key_id: uuid.UUID, grants: tuple[Grant, ...], since: int) -> None:
        if self._fresh(since):
            self._grants.put(key_id, grants)

    def tags(self, key_id: uuid.UUID) -> Mapping[str, str] | None:
        return self._tags.get(key_id) if self.live else None

    def put_tags(self, key_id: uuid.UUID, tags: Mapping[str, str], since: int) -> None:
        if self._fresh(since):
            self._tags.put(key_id, tags)

    def identity(self, principal_arn: str) -> IdentityPolicy | None:
        return self._identities.get(principal_arn) if self.live else None

    def put_identity(self, principal_arn: str, policy: IdentityPolicy, since: int) -> None:
        if self._fresh(since):
            self._identities.put(principal_arn, policy)

    def forget_key(self, key_id: uuid.UUID) -> None:
        """What a writer calls after its commit: its own process sees the change at once,
        without waiting for its notification to come back (other processes get it by NOTIFY)."""
        self.changed(str(key_id))

    def forget_principal(self, principal_arn: str) -> None:
        self.changed(PRINCIPAL_PREFIX + principal_arn)

    def token(self, token_id: str) -> TokenHolder | None:
        return self._tokens.get(token_id) if self.live else None

    def put_token(self, token_id: str, holder: TokenHolder, since: int) -> None:
        if self._fresh(since):
            self._tokens.put(token_id, holder)

    def access_key(self, access_key_id: str) -> SigningKey | None:
        return self._access_keys.get(access_key_id) if self.live else None

    def put_access_key(self, access_key_id: str, key: SigningKey, since: int) -> None:
        if self._fresh(since):
            self._access_keys.put(access_key_id, key)

    def forget_access_key(self, access_key_id: str) -> None:
        self.changed(ACCESS_KEY_PREFIX + access_key_id)

    def changed(self, payload: str) -> None:
        """A notification: drop the key, principal or access key it names (or everything); a
        key change also drops every alias target, a principal change its tokens and access
        keys."""
        self.generation += 1
        if payload.startswith(PRINCIPAL_PREFIX):
            arn = payload.removeprefix(PRINCIPAL_PREFIX)
            self._identities.drop(arn)
            self._tokens.drop_matching(lambda holder: holder.principal.arn == arn)
            self._access_keys.drop_matching(lambda key: key.principal.arn == arn)
            return
        if payload.startswith(ACCESS_KEY_PREFIX):
            self._access_keys.drop(payload.removeprefix(ACCESS_KEY_PREFIX))
            return
        self._aliases.clear()
        if payload == EVERYTHING:
            self.flush()
            return
        try:
            key_id = uuid.UUID(payload)
        except ValueError:
            self.flush()
            return
        self._keys.drop(key_id)
        self._materials.drop_where(key_id)
        self._policies.drop(key_id)
        self._grants.drop(key_id)
        self._tags.drop(key_id)

    def flush(self) -> None:
        self.generation += 1
        for entries in self._every_lru():
            entries.clear()

    def _every_lru(self) -> tuple[_Lru[Any, Any], ...]:
        return (
            self._keys,
            self._aliases,
            self._materials,
            self._policies,
            self._grants,
            self._tags,
            self._identities,
            self._tokens,
            self._access_keys,
        )


class KeyChangeListener:
    """Keeps a LISTEN connection open for the cache, reconnecting (and flushing) when it drops."""

    def __init__(self, dsn: str, cache: KeyCache) -> None:
        self._dsn = dsn
        self._cache = cache
        self._task: asyncio.Task[None] | None = None
        self._lost = asyncio.Event()
        self._ready = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="keygraph-key-listener")
        await asyncio.wait_for(self._ready.wait(), timeout=10)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._cache.live = False

    async def _run(self) -> None:
        while True:
            try:
                await self._listen_once()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("key change listener lost: %s", type(exc).__name__)
            self._cache.live = False
            self._cache.flush()
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _listen_once(self) -> None:
        conn = await asyncpg.connect(
            self._dsn, server_settings={"application_name": LISTENER_APPLICATION_NAME}
        )
        try:
            self._lost.clear()
            conn.add_termination_listener(lambda _: self._lost.set())
            await conn.add_listener(CHANNEL, self._notified)
            # Anything cached before this point may have missed a change: start clean.
            self._cache.flush()
            self._cache.live = True
            self._ready.set()
            while not self._lost.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._lost.wait(), HEARTBEAT_SECONDS)
                await conn.execute("SELECT 1", timeout=HEARTBEAT_SECONDS)
        finally:
            self._cache.live = False
            with contextlib.suppress(Exception):
                await conn.close()

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        self._cache.changed(payload)
