"""Many concurrent changes of one key: row locks serialise them, so the final state is the last
recorded transition and the history is an unbroken chain of transitions."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections import Counter
from collections.abc import Awaitable, Callable

import httpx

from api.errors import KMSInvalidStateException
from api.operations import keys
from api.operations.structures import KeyRequest
from api.services import Services
from tests.keys.test_deletion import describe, root_call
from tests.keys.test_lifecycle import create_key

Operation = Callable[[Services, str], Awaitable[object]]

OPERATIONS: dict[str, Operation] = {
    "EnableKey": lambda services, key_id: keys.enable_key(
        services, root_call(services), KeyRequest(key_id=key_id)
    ),
    "DisableKey": lambda services, key_id: keys.disable_key(
        services, root_call(services), KeyRequest(key_id=key_id)
    ),
    "ScheduleKeyDeletion": lambda services, key_id: keys.schedule_key_deletion(
        services,
        root_call(services),
        keys.ScheduleKeyDeletionRequest(key_id=key_id, pending_window_in_days=7),
    ),
    "CancelKeyDeletion": lambda services, key_id: keys.cancel_key_deletion(
        services, root_call(services), KeyRequest(key_id=key_id)
    ),
}


async def test_concurrent_changes_agree_with_the_history(
    client: httpx.AsyncClient, services: Services
) -> None:
    key = await create_key(client)
    key_id = str(key["keyId"])
    shuffle = random.Random(4)
    calls = [name for name in OPERATIONS for _ in range(12)]
    shuffle.shuffle(calls)

    outcomes = await asyncio.gather(
        *(OPERATIONS[name](services, key_id) for name in calls), return_exceptions=True
    )

    refused = [o for o in outcomes if isinstance(o, BaseException)]
    # Only the state table refuses anything here: enable/disable while pending deletion, cancel
    # while not pending deletion, schedule while pending deletion.
    assert all(isinstance(o, KMSInvalidStateException) for o in refused), refused
    succeeded = Counter(
        name for name, o in zip(calls, outcomes, strict=True) if not isinstance(o, BaseException)
    )
    async with services.pool.acquire() as conn:
        events = await conn.fetch(
            "SELECT action, from_state, to_state FROM key_events WHERE key_id = $1::uuid "
            "ORDER BY id",
            key_id,
        )
    assert events[0]["action"] == "CreateKey"
    for previous, event in itertools.pairwise(events):
        assert event["from_state"] == previous["to_state"], (previous, event)
        assert event["from_state"] != event["to_state"] or event["action"] not in OPERATIONS
    final = await describe(client, key_id)
    assert final["keyState"] == events[-1]["to_state"]
    recorded = Counter(event["action"] for event in events[1:])
    # Scheduling and cancelling always change the state, so each success is one event; enabling
    # an enabled key (or disabling a disabled one) changes nothing and records nothing.
    for name in ("ScheduleKeyDeletion", "CancelKeyDeletion"):
        assert recorded[name] == succeeded[name]
    for name in ("EnableKey", "DisableKey"):
        assert recorded[name] <= succeeded[name]
    assert recorded["ScheduleKeyDeletion"] > 0
    assert recorded["CancelKeyDeletion"] > 0
    async with services.pool.acquire() as conn:
        version = await conn.fetchval("SELECT version FROM keys WHERE id = $1::uuid", key_id)
    assert version == len(events)  # one version bump per recorded change, none lost
