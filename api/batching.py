"""A batch's items through the pipeline, with the expensive parts done once for the batch.

``encryptBatch`` and its kind answer each item as the single operation would: each item is its
own call, validated, authorized, throttled, audited and counted on its own, and fails on its
own. What the items share is done once:

- the HSM work goes to the thread pool as one task per key (``HsmGroups``): fifty Encrypts on
  one key cost one thread hop and one session, not fifty of each;
- an authorization decision is made once per distinct principal, key, action and condition
  values (``Call.shared_decisions``, see ``api.authz.authorize``), which is why the items share
  their call's time: the request's;
- their audit events go to the trail in one append when the batch ends.

How the HSM work is grouped without changing a line of the operations: the items run
concurrently as before, but on a ``Services`` whose ``hsm`` is a ``GroupedHsm``. Its grouped
methods park the call with the batch instead of handing it to the thread pool. Once every item
that has not finished is parked (nothing else can arrive), the parked calls go out, one task per
key; the items resume with their results and may park again (GenerateDataKey: the random
bytes, then their encryption). An item that waits for something slow (a key read from the
database) holds the others back for at most ``GROUP_WAIT_SECONDS``: then what is parked goes
out without it. That bound also keeps an item that would hold something another item needs
while parked (none does) from stalling the batch.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TypeVar

from api.audit import AuditEvent
from api.calls import Call, SharedDecisions
from api.invoke import append_events, run
from api.operation import Operation
from api.services import Services
from hsm import EncryptionAlgorithm, Hsm, MessageType, Sealed, SigningAlgorithm, WrappedKey

R = TypeVar("R")

# How long parked calls wait for an item that is still on its way to the HSM.
GROUP_WAIT_SECONDS = 0.002

_Parked = tuple[Callable[[], Any], "asyncio.Future[Any]"]


class HsmGroups:
    """The HSM calls of one batch's items, parked by key until they can go out together.

    The count of items still moving assumes what the batch operations do: an item makes its
    HSM calls one after another, never two at once."""

    def __init__(self, hsm: Hsm, items: int) -> None:
        self._hsm = hsm
        # Items neither finished nor parked: while any is, more calls may arrive.
        self._moving = items
        self._parked: dict[WrappedKey | None, list[_Parked]] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._running: set[asyncio.Task[None]] = set()

    async def call(self, key: WrappedKey | None, call: Callable[[], Any]) -> Any:
        """``call`` (an engine operation on ``key``, bound to its arguments) run with the other
        calls on ``key``: its result, or what it raised."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._parked.setdefault(key, []).append((call, future))
        self._moving -= 1
        if self._moving == 0:
            self._send()
        elif self._timer is None:
            self._timer = loop.call_later(GROUP_WAIT_SECONDS, self._send)
        return await future

    def finished(self) -> None:
        """An item has finished: the parked calls need not wait for it."""
        self._moving -= 1
        if self._moving == 0 and self._parked:
            self._send()

    def _send(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        groups, self._parked = self._parked, {}
        for parked in groups.values():
            self._moving += len(parked)
            task = asyncio.create_task(self._run(parked))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _run(self, parked: list[_Parked]) -> None:
        """One thread-pool task for a key's calls; each item gets its own outcome, and all of
        them the failure of the HSM as a whole (``HsmUnavailable``)."""
        try:
            outcomes = await self._hsm.together([call for call, _ in parked])
        except Exception as exc:
            outcomes = [exc] * len(parked)
        except asyncio.CancelledError:
            for _, future in parked:
                future.cancel()
            raise
        for (_, future), outcome in zip(parked, outcomes, strict=True):
            if future.done():  # its item was cancelled
                continue
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)


class GroupedHsm(Hsm):
    """The HSM as a batch's items see it: the calls the batch operations make on a key are
    grouped (``HsmGroups``); every other call goes to the thread pool as usual."""

    def __init__(self, hsm: Hsm, groups: HsmGroups) -> None:
        super().__init__(hsm.engine, hsm.offload)
        self._groups = groups

    async def encrypt(
        self, key: WrappedKey, plaintext: bytes, aad: bytes = b"", iv: bytes | None = None
    ) -> Sealed:
        sealed: Sealed = await self._groups.call(
            key, partial(self.engine.encrypt, key, plaintext, aad, iv)
        )
        return sealed

    async def decrypt(self, key: WrappedKey, sealed: Sealed, aad: bytes = b"") -> bytes:
        plaintext: bytes = await self._groups.call(
            key, partial(self.engine.decrypt, key, sealed, aad)
        )
        return plaintext

    async def sign(
        self,
        key: WrappedKey,
        message: bytes,
        algorithm: SigningAlgorithm,
        message_type: MessageType = MessageType.RAW,
    ) -> bytes:
        signature: bytes = await self._groups.call(
            key, partial(self.engine.sign, key, message, algorithm, message_type)
        )
        return signature

    async def rsa_encrypt(
        self, key: WrappedKey, plaintext: bytes, algorithm: EncryptionAlgorithm
    ) -> bytes:
        ciphertext: bytes = await self._groups.call(
            key, partial(self.engine.rsa_encrypt, key, plaintext, algorithm)
        )
        return ciphertext

    async def rsa_decrypt(
        self, key: WrappedKey, ciphertext: bytes, algorithm: EncryptionAlgorithm
    ) -> bytes:
        plaintext: bytes = await self._groups.call(
            key, partial(self.engine.rsa_decrypt, key, ciphertext, algorithm)
        )
        return plaintext

    async def generate_random(self, size: int) -> bytes:
        """Random bytes need no key: a batch's requests for them form one group of their own."""
        random: bytes = await self._groups.call(None, partial(self.engine.generate_random, size))
        return random


async def run_batch(
    services: Services, call: Call, operation: Operation[Any, R], requests: Sequence[Any]
) -> list[R | BaseException]:
    """Run ``operation`` for each of ``requests`` as its own call made like ``call`` (same
    caller, same time), concurrently, the HSM work grouped by key and the decisions shared;
    each item's response or exception in its place, as ``asyncio.gather`` with
    ``return_exceptions`` gives them. The items' audit events are appended before it returns."""
    groups = HsmGroups(services.hsm, len(requests))
    grouped = dataclasses.replace(services, hsm=GroupedHsm(services.hsm, groups))
    shared: SharedDecisions = {}
    events: list[AuditEvent] = []

    async def item(request: Any) -> R:
        own = dataclasses.replace(call, decisions=[], notes=[], shared_decisions=shared)
        try:
            return await run(grouped, own, operation, request, events=events)
        finally:
            groups.finished()

    try:
        return await asyncio.gather(
            *(item(request) for request in requests), return_exceptions=True
        )
    finally:
        # Also when the batch is cancelled (the client went away): what finished is audited.
        if events:
            await append_events(services, operation, events)
