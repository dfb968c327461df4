"""EnableKeyRotation, DisableKeyRotation, RotateKeyOnDemand, GetKeyRotationStatus and
ListKeyRotations through the pipeline: the schedule a status reports, rotations that make the
key's new current material, pages of rotations, AWS's errors, and a page of keys' statuses and
rotations loaded in one statement each (the graph's ``Key.rotationStatus``, ``Key.rotations``)."""

from __future__ import annotations

import asyncio
import operator
import uuid
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import asyncpg
import pytest

import api.keys.rotation
from api.authz.access import readable_key
from api.cache import CHANNEL
from api.invoke import Caller, new_call
from api.keys.model import KeyUsage
from api.keys.rotation import RotationType
from api.operations import BY_NAME
from api.operations.rotation import EnableKeyRotationRequest, ListKeyRotationsRequest
from api.operations.structures import KeyRequest
from api.principals import Principal
from api.services import Services
from hsm import KeySpec
from tests.aws_messages import validation_message
from tests.operations.conftest import Invoke, created_key, refused

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock(services: Services) -> None:
    services.clock = lambda: NOW


async def new_key(
    services: Services, root: Principal, spec: KeySpec = KeySpec.SYMMETRIC_DEFAULT
) -> str:
    usage = None if spec is KeySpec.SYMMETRIC_DEFAULT else KeyUsage.SIGN_VERIFY
    return (await created_key(services, root, key_spec=spec, key_usage=usage)).key_id


async def current_material(services: Services, root: Principal, key_id: str) -> str | None:
    key = await readable_key(services, new_call(services, Caller(root)), key_id, "DescribeKey")
    return key.current_material_id


async def test_enable_reports_the_schedule_and_disable_clears_it(
    call: Invoke, services: Services, root: Principal
) -> None:
    key_id = await new_key(services, root)
    status = await call("GetKeyRotationStatus", KeyRequest(key_id=key_id))
    assert status.key_rotation_enabled is False
    assert status.key_id.startswith("arn:aws:kms:") and status.key_id.endswith(f":key/{key_id}")
    assert status.rotation_period_in_days is None and status.next_rotation_date is None

    enabled = await call(
        "EnableKeyRotation", EnableKeyRotationRequest(key_id=key_id, rotation_period_in_days=90)
    )
    assert enabled.key_metadata.key_id == key_id
    status = await call("GetKeyRotationStatus", KeyRequest(key_id=key_id))
    assert status.key_rotation_enabled is True
    assert status.rotation_period_in_days == 90
    assert status.next_rotation_date == NOW + timedelta(days=90)
    assert status.on_demand_rotation_start_date is None

    disabled = await call("DisableKeyRotation", KeyRequest(key_id=key_id))
    assert disabled.key_metadata.key_id == key_id
    status = await call("GetKeyRotationStatus", KeyRequest(key_id=key_id))
    assert (status.key_rotation_enabled, status.rotation_period_in_days) == (False, None)


async def test_enable_without_a_period_takes_a_year(
    call: Invoke, services: Services, root: Principal
) -> None:
    key_id = await new_key(services, root)
    await call("EnableKeyRotation", EnableKeyRotationRequest(key_id=key_id))
    status = await call("GetKeyRotationStatus", KeyRequest(key_id=key_id))
    assert status.rotation_period_in_days == 365
    assert status.next_rotation_date == NOW + timedelta(days=365)


async def test_rotations_make_new_current_material_and_list_in_pages(
    call: Invoke, services: Services, root: Principal
) -> None:
    key_id = await new_key(services, root)
    first = await current_material(services, root, key_id)
    made = []
    for minutes in range(3):
        services.clock = partial(operator.add, NOW, timedelta(minutes=minutes))
        rotated = await call("RotateKeyOnDemand", KeyRequest(key_id=key_id))
        assert rotated.key_id.endswith(f":key/{key_id}")
        made.append(await current_material(services, root, key_id))
    assert first not in made and len(set(made)) == 3

    page = await call("ListKeyRotations", ListKeyRotationsRequest(key_id=key_id, limit=2))
    assert [entry.key_material_id for entry in page.rotations] == made[:2]
    assert page.truncated is True and page.next_marker == made[1]
    entry = page.rotations[0]
    assert entry.rotation_type is RotationType.ON_DEMAND
    assert entry.rotation_date == NOW and entry.key_id == rotated.key_id
    assert page.rotations[1].rotation_date == NOW + timedelta(minutes=1)

    rest = await call(
        "ListKeyRotations", ListKeyRotationsRequest(key_id=key_id, marker=page.next_marker)
    )
    assert [entry.key_material_id for entry in rest.rotations] == made[2:]
    assert (rest.truncated, rest.next_marker) == (False, None)


async def test_a_marker_must_be_a_rotation_of_the_key(
    call: Invoke, services: Services, root: Principal
) -> None:
    key_id = await new_key(services, root)
    await call("RotateKeyOnDemand", KeyRequest(key_id=key_id))
    error = await refused(
        call("ListKeyRotations", ListKeyRotationsRequest(key_id=key_id, marker="f" * 64))
    )
    assert (error.code, error.message) == ("InvalidMarkerException", "The marker is not valid.")


async def test_asymmetric_keys_do_not_rotate(
    call: Invoke, services: Services, root: Principal
) -> None:
    key_id = await new_key(services, root, KeySpec.ECC_NIST_P256)
    reason = (
        "You cannot perform this operation on a non-symmetric key or a key with "
        "non-ENCRYPT_DECRYPT key usage."
    )
    enabling = await refused(call("EnableKeyRotation", EnableKeyRotationRequest(key_id=key_id)))
    assert (enabling.code, enabling.message) == ("UnsupportedOperationException", reason)
    # RotateKeyOnDemand's message is empty at AWS (recorded); the reason is the detail.
    rotating = await refused(call("RotateKeyOnDemand", KeyRequest(key_id=key_id)))
    assert (rotating.code, rotating.message, rotating.detail) == (
        "UnsupportedOperationException",
        "",
        reason,
    )


@pytest.mark.parametrize(
    ("days", "bound"),
    [(89, "greater than or equal to 90"), (2561, "less than or equal to 2560")],
)
async def test_a_period_outside_the_model_is_refused_in_aws_words(
    call: Invoke, services: Services, root: Principal, days: int, bound: str
) -> None:
    key_id = await new_key(services, root)
    error = await refused(
        call(
            "EnableKeyRotation",
            EnableKeyRotationRequest(key_id=key_id, rotation_period_in_days=days),
        )
    )
    assert (error.code, error.message) == (
        "ValidationException",
        validation_message("rotationPeriodInDays", f"have value {bound}", days),
    )


async def test_a_key_id_too_long_and_an_unknown_key(call: Invoke) -> None:
    long_id = "k" * 3000
    error = await refused(call("GetKeyRotationStatus", KeyRequest(key_id=long_id)))
    assert (error.code, error.message) == (
        "ValidationException",
        validation_message("keyId", "have length less than or equal to 2048", long_id),
    )
    unknown = str(uuid.uuid4())
    error = await refused(call("ListKeyRotations", ListKeyRotationsRequest(key_id=unknown)))
    assert error.code == "NotFoundException" and unknown in error.message


async def notifications_applied(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """Wait until the cache has applied every change notified so far. Postgres delivers
    notifications in commit order, so a marker notified now arrives after all of them; the
    cache's own handling is kept, only watched."""
    marker, arrived = f"marker:{uuid.uuid4()}", asyncio.Event()
    changed = services.key_cache.changed

    def watched(payload: str) -> None:
        changed(payload)
        if payload == marker:
            arrived.set()

    monkeypatch.setattr(services.key_cache, "changed", watched)
    await services.pool.execute("SELECT pg_notify($1, $2)", CHANNEL, marker)
    await asyncio.wait_for(arrived.wait(), timeout=10)


async def test_a_page_of_keys_loads_statuses_and_rotations_in_one_statement_each(
    call: Invoke, services: Services, root: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the graph's ``listKeys { keys { rotationStatus rotations } }`` costs: the handlers
    run once per listed key within the listing's call, and their loads go out together."""
    key_ids = [await new_key(services, root) for _ in range(3)]
    batches: dict[str, list[list[uuid.UUID]]] = {"status": [], "rotations": []}
    status_batch = api.keys.rotation.rotation_status_for_keys
    rotations_batch = api.keys.rotation.materials_for_keys

    async def statuses(conn: asyncpg.Connection, ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
        batches["status"].append(ids)
        return await status_batch(conn, ids)

    async def rotations(conn: asyncpg.Connection, ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
        batches["rotations"].append(ids)
        return await rotations_batch(conn, ids)

    monkeypatch.setattr(api.keys.rotation, "rotation_status_for_keys", statuses)
    monkeypatch.setattr(api.keys.rotation, "materials_for_keys", rotations)
    rotate = new_call(services, Caller(root))
    await BY_NAME["RotateKeyOnDemand"].handler(services, rotate, KeyRequest(key_id=key_ids[1]))
    # The changes above evict their keys from the cache when their notifications arrive; under
    # load that can be after the warming below, and a key loaded late misses the batch.
    await notifications_applied(services, monkeypatch)

    for key_id in key_ids:  # key and policy now in the key cache, as for a page seen before
        await call("GetKeyRotationStatus", KeyRequest(key_id=key_id))
    batches["status"].clear()
    page = new_call(services, Caller(root))
    status_handler = BY_NAME["GetKeyRotationStatus"].handler
    list_handler = BY_NAME["ListKeyRotations"].handler
    found = await asyncio.gather(
        *(status_handler(services, page, KeyRequest(key_id=k)) for k in key_ids),
        *(list_handler(services, page, ListKeyRotationsRequest(key_id=k)) for k in key_ids),
    )
    expected = [uuid.UUID(key_id) for key_id in key_ids]
    assert batches == {"status": [expected], "rotations": [expected]}
    assert [status.key_rotation_enabled for status in found[:3]] == [False] * 3
    assert [len(listed.rotations) for listed in found[3:]] == [0, 1, 0]
    assert sorted(decision.action for decision in page.decisions) == sorted(
        ["kms:GetKeyRotationStatus", "kms:ListKeyRotations"] * 3
    )
