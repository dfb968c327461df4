"""The background jobs against the real database and token: deletion and automatic rotation do
their work once the (injected) time has come, two replicas' runners at once handle each key
exactly once, and the runner loop starts, survives a failing job and stops."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from api.jobs import DeletionJob, JobRunner, RotationJob
from api.keys.model import Key
from api.keystores.registry import KeyStores
from api.services import Services
from db.pool import create_pool
from hsm import Hsm, KeySpec, WrappedKey
from tests.graphql_client import GraphQLFailure, gql
from tests.keys.test_deletion import SCHEDULE, START, ManualClock, describe, key_in_state
from tests.keys.test_lifecycle import create_key
from tests.keys.test_rotation import (
    ENABLE,
    LIST,
    assert_versions_are_distinct_working_keys,
    current_material,
    status,
)

ENABLE_KEY = """
mutation($id: String!) { enableKey(input: {keyId: $id}) { keyMetadata { keyState } } }
"""
DISABLE_KEY = """
mutation($id: String!) { disableKey(input: {keyId: $id}) { keyMetadata { keyState } } }
"""


@pytest.fixture
async def replica(services: Services) -> AsyncIterator[Services]:
    """A second replica's view of the same deployment: its own pool of connections."""
    pool = await create_pool(services.settings.database_url)
    try:
        yield dataclasses.replace(services, pool=pool)
    finally:
        await pool.close()


async def rows_of(services: Services, key_id: object) -> dict[str, int]:
    async with services.pool.acquire() as conn:
        return {
            table: await conn.fetchval(
                f"SELECT count(*) FROM {table} WHERE {column} = $1::uuid",  # noqa: S608
                key_id,
            )
            for table, column in [
                ("keys", "id"),
                ("key_materials", "key_id"),
                ("aliases", "key_id"),
                ("key_tags", "key_id"),
            ]
        }


async def events_of(services: Services, key_id: object) -> list[tuple[Any, ...]]:
    async with services.pool.acquire() as conn:
        records = await conn.fetch(
            "SELECT action, from_state, to_state FROM key_events WHERE key_id = $1::uuid "
            "ORDER BY id",
            key_id,
        )
    return [tuple(record) for record in records]


async def test_deletion_job_deletes_due_keys_and_everything_they_own(
    client: httpx.AsyncClient, services: Services
) -> None:
    ManualClock(services)
    doomed = await create_key(client, tags=[{"tagKey": "team", "tagValue": "payments"}])
    later = await create_key(client)
    kept = await create_key(client)
    async with services.pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO aliases (account_id, region, name, key_id) VALUES ($1, $2, $3, $4::uuid)",
            services.settings.account_id,
            services.settings.region,
            "alias/doomed",
            doomed["keyId"],
        )
    await gql(client, SCHEDULE, {"id": doomed["keyId"], "days": 7})
    await gql(client, SCHEDULE, {"id": later["keyId"], "days": 10})
    assert await rows_of(services, doomed["keyId"]) == {
        "keys": 1, "key_materials": 1, "aliases": 1, "key_tags": 1,
    }  # fmt: skip
    job = DeletionJob()

    assert await job.run_once(services, START + timedelta(days=7, seconds=-1)) == 0
    assert await job.run_once(services, START + timedelta(days=7)) == 1

    with pytest.raises(GraphQLFailure) as raised:
        await describe(client, doomed["keyId"])
    assert raised.value == GraphQLFailure(
        "NotFoundException", f"Key '{doomed['arn']}' does not exist"
    )
    assert await rows_of(services, doomed["keyId"]) == {
        "keys": 0, "key_materials": 0, "aliases": 0, "key_tags": 0,
    }  # fmt: skip
    assert (await events_of(services, doomed["keyId"]))[-1] == (
        "Deleted", "PendingDeletion", None,
    )  # fmt: skip
    assert (await describe(client, later["keyId"]))["keyState"] == "PendingDeletion"

    assert await job.run_once(services, START + timedelta(days=30)) == 1
    assert (await rows_of(services, later["keyId"]))["keys"] == 0
    assert (await describe(client, kept["keyId"]))["keyState"] == "Enabled"


class Overlap:
    """Holds each runner's first key until the other runner holds one too, so the two runners
    are certain to work at the same time (without it one may finish before the other starts).
    Were claims not skipping locked rows, the second runner would wait for the first's lock
    and the barrier would never fill."""

    def __init__(self) -> None:
        self.barrier = asyncio.Barrier(2)

    def first_item(self) -> Callable[[], Awaitable[None]]:
        waited = False

        async def wait() -> None:
            nonlocal waited
            if not waited:
                waited = True
                await asyncio.wait_for(self.barrier.wait(), timeout=60)

        return wait


async def test_two_runners_delete_each_due_key_exactly_once(
    client: httpx.AsyncClient, services: Services, replica: Services
) -> None:
    ManualClock(services)
    # Keys of a custom key store, so that the store hook can hold each runner's first key.
    keys = [await key_in_state(client, services, "Unavailable") for _ in range(24)]
    for key in keys:
        await gql(client, SCHEDULE, {"id": key["keyId"], "days": 7})
    due = START + timedelta(days=7)
    overlap = Overlap()

    def job() -> DeletionJob:
        wait = overlap.first_item()

        async def destroy_store_key(stores: KeyStores, key: Key) -> None:
            await wait()

        return DeletionJob(destroy_store_key=destroy_store_key)

    handled = await asyncio.gather(job().run_once(services, due), job().run_once(replica, due))

    assert sum(handled) == len(keys)
    assert min(handled) > 0
    for key in keys:
        deleted = [e for e in await events_of(services, key["keyId"]) if e[0] == "Deleted"]
        assert deleted == [("Deleted", "PendingDeletion", None)]
        assert (await rows_of(services, key["keyId"]))["keys"] == 0


async def test_rotation_job_rotates_a_due_key_once_per_period(
    client: httpx.AsyncClient, services: Services
) -> None:
    ManualClock(services)
    key = await create_key(client)
    original = await current_material(client, key["keyId"])
    await gql(client, ENABLE, {"id": key["keyId"], "days": 90})
    job = RotationJob()

    assert await job.run_once(services, START + timedelta(days=89)) == 0
    rotated_at = START + timedelta(days=90)
    assert await job.run_once(services, rotated_at) == 1
    assert await job.run_once(services, rotated_at) == 0

    rotated = await current_material(client, key["keyId"])
    assert rotated != original
    listed = (await gql(client, LIST, {"id": key["keyId"]}))["listKeyRotations"]["rotations"]
    assert [(e["keyMaterialId"], e["rotationType"]) for e in listed] == [(rotated, "AUTOMATIC")]
    assert datetime.fromisoformat(listed[0]["rotationDate"]) == rotated_at
    after = await status(client, key["keyId"])
    assert datetime.fromisoformat(after["nextRotationDate"]) == START + timedelta(days=180)
    await assert_versions_are_distinct_working_keys(services, key["keyId"], [original, rotated])


class GatedHsm(Hsm):
    """The real HSM, with key generation held by an ``Overlap`` gate."""

    def __init__(self, inner: Hsm, wait: Callable[[], Awaitable[None]]) -> None:
        super().__init__(inner.engine, inner.offload)
        self._wait = wait

    async def generate_key(self, spec: KeySpec) -> WrappedKey:
        await self._wait()
        return await super().generate_key(spec)


async def test_two_runners_rotate_each_due_key_exactly_once(
    client: httpx.AsyncClient, services: Services, replica: Services
) -> None:
    ManualClock(services)
    keys = [await create_key(client) for _ in range(12)]
    for key in keys:
        await gql(client, ENABLE, {"id": key["keyId"], "days": 90})
    due = START + timedelta(days=90)
    overlap = Overlap()
    first = dataclasses.replace(services, hsm=GatedHsm(services.hsm, overlap.first_item()))
    second = dataclasses.replace(replica, hsm=GatedHsm(services.hsm, overlap.first_item()))

    handled = await asyncio.gather(
        RotationJob().run_once(first, due), RotationJob().run_once(second, due)
    )

    assert sum(handled) == len(keys)
    assert min(handled) > 0
    async with services.pool.acquire() as conn:
        per_key = dict(
            await conn.fetch(
                "SELECT key_id::text, count(*) FROM key_materials "
                "WHERE rotation_type = 'AUTOMATIC' GROUP BY key_id"
            )
        )
    assert per_key == {key["keyId"]: 1 for key in keys}
    for key in keys:
        rotated = [e for e in await events_of(services, key["keyId"]) if e[0] == "Rotated"]
        assert rotated == [("Rotated", "Enabled", "Enabled")]


async def test_disabled_and_pending_deletion_keys_wait(
    client: httpx.AsyncClient, services: Services
) -> None:
    clock = ManualClock(services)
    disabled = await create_key(client)
    pending = await create_key(client)
    for key in (disabled, pending):
        await gql(client, ENABLE, {"id": key["keyId"], "days": 90})
    await gql(client, DISABLE_KEY, {"id": disabled["keyId"]})
    await gql(client, SCHEDULE, {"id": pending["keyId"], "days": 30})
    job = RotationJob()

    # Both are long past due (the deletion job is not running, so the other key stays).
    assert await job.run_once(services, clock.advance(days=329)) == 0
    # Enabled again after missing several periods, it rotates once and starts a new period.
    await gql(client, ENABLE_KEY, {"id": disabled["keyId"]})
    assert await job.run_once(services, clock.now) == 1
    assert await job.run_once(services, clock.now) == 0
    resumed = await status(client, disabled["keyId"])
    assert datetime.fromisoformat(resumed["nextRotationDate"]) == clock.now + timedelta(days=90)


async def test_store_keys_go_through_the_store_hook(
    client: httpx.AsyncClient, services: Services
) -> None:
    """The hook stands in for the custom key store's (another part): it records what it was
    asked to destroy and fails once for one key, as a store that cannot be reached would."""
    ManualClock(services)
    failing = await key_in_state(client, services, "Unavailable")
    stored = await key_in_state(client, services, "Unavailable")
    plain = await create_key(client)
    for key in (failing, stored, plain):
        await gql(client, SCHEDULE, {"id": key["keyId"], "days": 7})
    asked: list[str] = []
    broken = {failing["keyId"]}

    async def destroy_store_key(stores: KeyStores, key: Key) -> None:
        asked.append(key.key_id)
        if key.key_id in broken:
            raise ConnectionError("store unreachable")

    job = DeletionJob(destroy_store_key=destroy_store_key)
    due = START + timedelta(days=7)

    assert await job.run_once(services, due) == 2
    assert sorted(asked) == sorted([failing["keyId"], stored["keyId"]])
    assert (await describe(client, failing["keyId"]))["keyState"] == "PendingDeletion"

    broken.clear()
    assert await job.run_once(services, due) == 1
    assert (await rows_of(services, failing["keyId"]))["keys"] == 0


class Probe:
    """A job that only counts the passes, so a test can wait for the runner to make some."""

    name = "probe"

    def __init__(self) -> None:
        self.passes = 0
        self.second_pass = asyncio.Event()

    async def run_once(self, services: Services, now: datetime) -> int:
        self.passes += 1
        if self.passes == 2:
            self.second_pass.set()
        return 0


class Failing:
    name = "failing"

    async def run_once(self, services: Services, now: datetime) -> int:
        raise RuntimeError("this job always fails")


async def test_runner_survives_a_failing_job_and_stops_cleanly(
    client: httpx.AsyncClient, services: Services
) -> None:
    clock = ManualClock(services)
    key = await key_in_state(client, services, "PendingDeletion")
    clock.advance(days=7)
    probe = Probe()
    runner = JobRunner(services, [Failing(), DeletionJob(), probe], interval=0.01)

    runner.start()
    with pytest.raises(RuntimeError):
        runner.start()
    await asyncio.wait_for(probe.second_pass.wait(), timeout=60)
    await runner.stop()
    passes = probe.passes

    assert (await rows_of(services, key["keyId"]))["keys"] == 0
    assert await runner.run_once() == {"failing": 0, "key-deletion": 0, "probe": 0}
    assert probe.passes == passes + 1  # only the explicit pass ran: the loop has ended
