"""Key rotation over GraphQL: automatic rotation settings and status, on-demand rotation and its
limit, the list of rotations, the state table rows, and the batch functions behind the graph."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from api.keys.rotation import RotationType, materials_for_keys, rotation_status_for_keys
from api.services import Services
from hsm import InvalidCiphertext, KeySpec, Sealed, WrappedKey
from tests.graphql_client import GraphQLFailure, gql, gql_failure, validation_failure, walk_pages
from tests.keys.test_deletion import CANCEL, SCHEDULE, ManualClock, key_in_state, parse_time
from tests.keys.test_lifecycle import create_key

ENABLE = """
mutation($id: String!, $days: Int) {
  enableKeyRotation(input: {keyId: $id, rotationPeriodInDays: $days}) { keyMetadata { keyId } }
}"""
DISABLE = """
mutation($id: String!) { disableKeyRotation(input: {keyId: $id}) { keyMetadata { keyId } } }
"""
STATUS = """
query($id: String!) {
  getKeyRotationStatus(input: {keyId: $id}) {
    keyRotationEnabled keyId rotationPeriodInDays nextRotationDate onDemandRotationStartDate
  }
}"""
ROTATE = """
mutation($id: String!) { rotateKeyOnDemand(input: {keyId: $id}) { keyId } }
"""
LIST = """
query($id: String!, $limit: Int, $marker: String) {
  listKeyRotations(input: {keyId: $id, limit: $limit, marker: $marker}) {
    rotations { keyId keyMaterialId rotationDate rotationType } nextMarker truncated
  }
}"""
CURRENT = """
query($id: String!) { describeKey(input: {keyId: $id}) { keyMetadata { currentKeyMaterialId } } }
"""

UNSUPPORTED = (
    "You cannot perform this operation on a non-symmetric key or a key with non-ENCRYPT_DECRYPT "
    "key usage."
)


@pytest.fixture
def clock(services: Services) -> ManualClock:
    """The services' time, still until a test moves it."""
    return ManualClock(services)


async def status(client: httpx.AsyncClient, key_id: object) -> dict[str, Any]:
    data = await gql(client, STATUS, {"id": key_id})
    result: dict[str, Any] = data["getKeyRotationStatus"]
    return result


async def rotations_page(client: httpx.AsyncClient, key_id: str, marker: str | None) -> Any:
    data = await gql(client, LIST, {"id": key_id, "limit": 2, "marker": marker})
    return data["listKeyRotations"]


async def current_material(client: httpx.AsyncClient, key_id: object) -> str:
    data = await gql(client, CURRENT, {"id": key_id})
    return str(data["describeKey"]["keyMetadata"]["currentKeyMaterialId"])


async def test_enable_with_the_default_period_then_disable(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    key = await create_key(client)
    assert await status(client, key["keyId"]) == {
        "keyRotationEnabled": False,
        "keyId": key["arn"],
        "rotationPeriodInDays": None,
        "nextRotationDate": None,
        "onDemandRotationStartDate": None,
    }
    data = await gql(client, ENABLE, {"id": key["keyId"]})
    assert data["enableKeyRotation"]["keyMetadata"]["keyId"] == key["keyId"]
    enabled = await status(client, key["keyId"])
    assert enabled["keyRotationEnabled"] is True
    assert enabled["rotationPeriodInDays"] == 365
    assert parse_time(enabled["nextRotationDate"]) == clock.now + timedelta(days=365)
    await gql(client, DISABLE, {"id": key["keyId"]})
    disabled = await status(client, key["keyId"])
    assert (disabled["keyRotationEnabled"], disabled["nextRotationDate"]) == (False, None)


@pytest.mark.parametrize("days", [90, 2560])
async def test_period_bounds_are_accepted(
    client: httpx.AsyncClient, clock: ManualClock, days: int
) -> None:
    key = await create_key(client)
    await gql(client, ENABLE, {"id": key["keyId"], "days": days})
    enabled = await status(client, key["keyId"])
    assert enabled["rotationPeriodInDays"] == days
    assert parse_time(enabled["nextRotationDate"]) == clock.now + timedelta(days=days)


@pytest.mark.parametrize(
    ("days", "bound"),
    [(89, "greater than or equal to 90"), (2561, "less than or equal to 2560")],
)
async def test_period_outside_90_to_2560_days_is_refused(
    client: httpx.AsyncClient, days: int, bound: str
) -> None:
    key = await create_key(client)
    refused = await gql_failure(client, ENABLE, {"id": key["keyId"], "days": days})
    assert refused == validation_failure("rotationPeriodInDays", f"have value {bound}", days)
    assert (await status(client, key["keyId"]))["keyRotationEnabled"] is False


async def test_a_new_period_counts_from_the_start_of_the_current_one(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    enabled_at = clock.now
    key = await create_key(client)
    await gql(client, ENABLE, {"id": key["keyId"], "days": 365})
    clock.advance(days=30)
    await gql(client, ENABLE, {"id": key["keyId"], "days": 180})
    changed = await status(client, key["keyId"])
    assert changed["rotationPeriodInDays"] == 180
    assert parse_time(changed["nextRotationDate"]) == enabled_at + timedelta(days=180)


@pytest.mark.parametrize(
    ("spec", "usage"),
    [
        ("RSA_2048", "ENCRYPT_DECRYPT"),
        ("ECC_NIST_P256", "SIGN_VERIFY"),
        ("HMAC_256", "GENERATE_VERIFY_MAC"),
    ],
)
async def test_only_symmetric_keys_rotate(client: httpx.AsyncClient, spec: str, usage: str) -> None:
    key = await create_key(client, keySpec=spec, keyUsage=usage)
    # RotateKeyOnDemand's message is empty at AWS (recorded), the others' are worded.
    for operation, message in ((ENABLE, UNSUPPORTED), (DISABLE, UNSUPPORTED), (ROTATE, "")):
        with pytest.raises(GraphQLFailure) as raised:
            await gql(client, operation, {"id": key["keyId"]})
        assert raised.value == GraphQLFailure("UnsupportedOperationException", message)
    assert (await status(client, key["keyId"]))["keyRotationEnabled"] is False


@pytest.mark.parametrize(
    ("state", "code", "message"),
    [
        ("Disabled", "DisabledException", "{arn} is disabled."),
        ("PendingDeletion", "KMSInvalidStateException", "{arn} is pending deletion."),
        ("PendingImport", "UnsupportedOperationException",
         "{arn} origin is EXTERNAL which is not valid for this operation."),
        ("Unavailable", "UnsupportedOperationException",
         "{arn} origin is AWS_CLOUDHSM which is not valid for this operation."),
    ],
)  # fmt: skip
async def test_state_table_rows(
    client: httpx.AsyncClient, services: Services, state: str, code: str, message: str
) -> None:
    """Enable/DisableKeyRotation and RotateKeyOnDemand share one row of the table, but for a
    key with imported material: it rotates on demand, so waiting for an import refuses as a
    cryptographic operation does ("Rotate imported key material", AWS's developer guide)."""
    key = await key_in_state(client, services, state)
    for operation in (ENABLE, DISABLE, ROTATE):
        expected = GraphQLFailure(code, message.format(arn=key["arn"]))
        if operation == ROTATE and state == "PendingImport":
            expected = GraphQLFailure(
                "KMSInvalidStateException", f"{key['arn']} is pending import."
            )
        with pytest.raises(GraphQLFailure) as raised:
            await gql(client, operation, {"id": key["keyId"]})
        assert raised.value == expected


@pytest.mark.usefixtures("clock")
async def test_pending_deletion_reports_rotation_off_and_cancel_restores_it(
    client: httpx.AsyncClient,
) -> None:
    key = await create_key(client)
    await gql(client, ENABLE, {"id": key["keyId"], "days": 100})
    before = await status(client, key["keyId"])
    await gql(client, SCHEDULE, {"id": key["keyId"]})
    pending = await status(client, key["keyId"])
    assert (pending["keyRotationEnabled"], pending["nextRotationDate"]) == (False, None)
    await gql(client, CANCEL, {"id": key["keyId"]})
    assert await status(client, key["keyId"]) == before


async def test_on_demand_rotation_adds_a_current_version_and_keeps_the_old_ones(
    client: httpx.AsyncClient, services: Services, clock: ManualClock
) -> None:
    key = await create_key(client)
    await gql(client, ENABLE, {"id": key["keyId"]})
    schedule = await status(client, key["keyId"])
    first = await current_material(client, key["keyId"])
    clock.advance(days=1)
    data = await gql(client, ROTATE, {"id": key["keyId"]})
    assert data["rotateKeyOnDemand"] == {"keyId": key["arn"]}
    second = await current_material(client, key["keyId"])
    assert second != first
    listed = (await gql(client, LIST, {"id": key["keyId"]}))["listKeyRotations"]
    assert listed == {
        "rotations": [
            {
                "keyId": key["arn"],
                "keyMaterialId": second,
                "rotationDate": listed["rotations"][0]["rotationDate"],
                "rotationType": "ON_DEMAND",
            }
        ],
        "nextMarker": None,
        "truncated": False,
    }
    assert parse_time(listed["rotations"][0]["rotationDate"]) == clock.now
    assert await status(client, key["keyId"]) == schedule  # the automatic schedule is untouched
    await assert_versions_are_distinct_working_keys(services, key["keyId"], [first, second])


async def assert_versions_are_distinct_working_keys(
    services: Services, key_id: object, material_ids: list[str]
) -> None:
    """Each stored version still encrypts and decrypts in the HSM, and each is its own key:
    what one sealed, another cannot open."""
    async with services.pool.acquire() as conn:
        records = await conn.fetch(
            "SELECT material_id, wrapped FROM key_materials WHERE key_id = $1::uuid",
            key_id,
        )
    versions = {
        record["material_id"]: WrappedKey(KeySpec.SYMMETRIC_DEFAULT, bytes(record["wrapped"]))
        for record in records
    }
    assert sorted(versions) == sorted(material_ids)
    sealed: dict[str, Sealed] = {}
    for material_id, wrapped in versions.items():
        sealed[material_id] = await services.hsm.encrypt(wrapped, b"payload", b"aad")
        assert await services.hsm.decrypt(wrapped, sealed[material_id], b"aad") == b"payload"
    first, second = material_ids[:2]
    with pytest.raises(InvalidCiphertext):
        await services.hsm.decrypt(versions[second], sealed[first], b"aad")


async def test_on_demand_rotations_stop_at_25(client: httpx.AsyncClient) -> None:
    key = await create_key(client)
    materials = {await current_material(client, key["keyId"])}
    for _ in range(25):
        await gql(client, ROTATE, {"id": key["keyId"]})
        materials.add(await current_material(client, key["keyId"]))
    assert len(materials) == 26
    with pytest.raises(GraphQLFailure) as raised:
        await gql(client, ROTATE, {"id": key["keyId"]})
    assert raised.value == GraphQLFailure(
        "LimitExceededException",
        "The on-demand rotations limit has been reached for the given keyId. No more on-demand "
        f"rotations can be performed for this key: {key['arn']}",
    )
    assert await current_material(client, key["keyId"]) in materials
    listed = (await gql(client, LIST, {"id": key["keyId"], "limit": 1000}))["listKeyRotations"]
    assert len(listed["rotations"]) == 25


async def test_list_key_rotations_pages_oldest_first(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    key = await create_key(client)
    made = []
    for _ in range(5):
        clock.advance(hours=1)
        await gql(client, ROTATE, {"id": key["keyId"]})
        made.append(await current_material(client, key["keyId"]))
    pages = await walk_pages(lambda marker: rotations_page(client, key["arn"], marker), "rotations")
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [entry["keyMaterialId"] for page in pages for entry in page] == made


async def test_list_key_rotations_rejects_bad_markers_and_limits(client: httpx.AsyncClient) -> None:
    key = await create_key(client)
    with pytest.raises(GraphQLFailure) as raised:
        await gql(client, LIST, {"id": key["keyId"], "marker": "not-a-marker"})
    assert raised.value == GraphQLFailure("InvalidMarkerException", "The marker is not valid.")
    with pytest.raises(GraphQLFailure) as raised:
        await gql(client, LIST, {"id": key["keyId"], "limit": 0})
    assert raised.value == GraphQLFailure(
        "ValidationException",
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1",
    )


@pytest.mark.usefixtures("clock")
async def test_batch_functions_answer_for_each_key(
    client: httpx.AsyncClient, services: Services
) -> None:
    rotated = await create_key(client)
    await gql(client, ENABLE, {"id": rotated["keyId"], "days": 90})
    await gql(client, ROTATE, {"id": rotated["keyId"]})
    plain = await create_key(client)
    plain_id, gone, rotated_id = (
        uuid.UUID(str(plain["keyId"])),
        uuid.uuid4(),
        uuid.UUID(str(rotated["keyId"])),
    )
    asked = [plain_id, gone, rotated_id]
    async with services.pool.acquire() as conn:
        statuses = await rotation_status_for_keys(conn, asked)
        materials = await materials_for_keys(conn, asked)
    # Each key's first material, then what rotations made; the rotations are those with a date.
    rotations = {key: [m for m in found if m.rotated] for key, found in materials.items()}
    assert set(statuses) == {plain_id, rotated_id}
    assert statuses[plain_id].enabled is False
    assert statuses[rotated_id].enabled is True
    assert statuses[rotated_id].period_days == 90
    assert {key: len(found) for key, found in rotations.items()} == {
        plain_id: 0,
        gone: 0,
        rotated_id: 1,
    }
    assert rotations[rotated_id][0].rotation_type is RotationType.ON_DEMAND
    assert rotations[rotated_id][0].key_arn == rotated["arn"]
    assert rotations[rotated_id][0].material_id == await current_material(client, rotated["keyId"])
