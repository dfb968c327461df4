"""scheduleKeyDeletion and cancelKeyDeletion over GraphQL: AWS's members, the window bounds, and
both rows of the key state table with AWS's messages.

The helpers at the top (a clock the test moves, a key put into each state, a Call as the root
principal) are shared by the other deletion/rotation/job test modules of this part.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from api.calls import Call, Scope
from api.principals import Principal
from api.services import Services
from tests.graphql_client import GraphQLFailure, gql, gql_failure, validation_failure
from tests.keys.test_lifecycle import create_key

START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)

SCHEDULE = """
mutation($id: String!, $days: Int) {
  scheduleKeyDeletion(input: {keyId: $id, pendingWindowInDays: $days}) {
    keyId deletionDate keyState pendingWindowInDays
  }
}"""
CANCEL = """
mutation($id: String!) { cancelKeyDeletion(input: {keyId: $id}) { keyId } }
"""
DISABLE = """
mutation($id: String!) { disableKey(input: {keyId: $id}) { keyMetadata { keyState } } }
"""
DESCRIBE = """
query($id: String!) {
  describeKey(input: {keyId: $id}) {
    keyMetadata { keyState enabled deletionDate pendingDeletionWindowInDays }
  }
}"""


class ManualClock:
    """The services' clock, moved by the test instead of by waiting."""

    def __init__(self, services: Services, now: datetime = START) -> None:
        self.now = now
        services.clock = self

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def root_call(services: Services) -> Call:
    """The root's call, for the api functions that have no GraphQL field."""
    settings = services.settings
    return Call(
        principal=Principal.root(settings.account_id),
        scope=Scope(settings.account_id, settings.region),
        now=services.clock(),
    )


def parse_time(text: object) -> datetime:
    return datetime.fromisoformat(str(text))


async def key_in_state(client: httpx.AsyncClient, services: Services, state: str) -> dict[str, Any]:
    """A new key in ``state``, reached through the operations that lead there.

    Unavailable belongs to custom key stores (another part of the service), so that key is made
    by writing what a disconnected store leaves behind: a store row, the key's origin and state.
    """
    if state == "PendingImport":
        return await create_key(client, origin="EXTERNAL")
    key = await create_key(client)
    if state == "Disabled":
        await gql(client, DISABLE, {"id": key["keyId"]})
    elif state == "PendingDeletion":
        await gql(client, SCHEDULE, {"id": key["keyId"], "days": 7})
    elif state == "Unavailable":
        async with services.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO custom_key_stores (id, account_id, region, name, module_path, "
                "token_label, sealed_pin) VALUES ('cks-0123456789abcdef0', $1, $2, 'store', "
                "'/nonexistent.so', 'label', '\\x00') ON CONFLICT DO NOTHING",
                services.settings.account_id,
                services.settings.region,
            )
            await conn.execute(
                "UPDATE keys SET state = 'Unavailable', origin = 'AWS_CLOUDHSM', "
                "custom_key_store_id = 'cks-0123456789abcdef0' WHERE id = $1::uuid",
                key["keyId"],
            )
    else:
        assert state == "Enabled"
    key["keyState"] = state
    return key


async def describe(client: httpx.AsyncClient, key_id: object) -> dict[str, Any]:
    data = await gql(client, DESCRIBE, {"id": key_id})
    metadata: dict[str, Any] = data["describeKey"]["keyMetadata"]
    return metadata


async def test_schedule_returns_aws_members_and_defaults_to_30_days(
    client: httpx.AsyncClient, services: Services
) -> None:
    clock = ManualClock(services)
    key = await create_key(client)
    data = await gql(client, SCHEDULE, {"id": key["keyId"]})
    scheduled = data["scheduleKeyDeletion"]
    assert scheduled["keyId"] == key["arn"]
    assert scheduled["keyState"] == "PendingDeletion"
    assert scheduled["pendingWindowInDays"] == 30
    assert parse_time(scheduled["deletionDate"]) == clock.now + timedelta(days=30)
    described = await describe(client, key["keyId"])
    assert described == {
        "keyState": "PendingDeletion",
        "enabled": False,
        "deletionDate": scheduled["deletionDate"],
        # AWS shows it only in PendingReplicaDeletion (KeyMetadata, AWS API reference).
        "pendingDeletionWindowInDays": None,
    }


@pytest.mark.parametrize("days", [7, 30])
async def test_window_bounds_are_accepted(
    client: httpx.AsyncClient, services: Services, days: int
) -> None:
    clock = ManualClock(services)
    key = await create_key(client)
    data = await gql(client, SCHEDULE, {"id": key["keyId"], "days": days})
    scheduled = data["scheduleKeyDeletion"]
    assert scheduled["pendingWindowInDays"] == days
    assert parse_time(scheduled["deletionDate"]) == clock.now + timedelta(days=days)


@pytest.mark.parametrize("days", [1, 6, 31, 365])
async def test_window_outside_7_to_30_days_is_refused(
    client: httpx.AsyncClient, services: Services, days: int
) -> None:
    """Within the API model's 1 to 365 the service answers with its own sentence, the one AWS
    returned for a window of 1 day."""
    key = await create_key(client)
    with pytest.raises(GraphQLFailure) as raised:
        await gql(client, SCHEDULE, {"id": key["keyId"], "days": days})
    assert raised.value == GraphQLFailure(
        "ValidationException", "PendingWindowInDays must be between 7 and 30"
    )
    assert (await describe(client, key["keyId"]))["keyState"] == "Enabled"


@pytest.mark.parametrize(
    ("days", "bound"), [(0, "greater than or equal to 1"), (366, "less than or equal to 365")]
)
async def test_window_outside_the_api_model_fails_its_constraint(
    client: httpx.AsyncClient, services: Services, days: int, bound: str
) -> None:
    key = await create_key(client)
    refused = await gql_failure(client, SCHEDULE, {"id": key["keyId"], "days": days})
    assert refused == validation_failure("pendingWindowInDays", f"have value {bound}", days)
    assert (await describe(client, key["keyId"]))["keyState"] == "Enabled"


@pytest.mark.parametrize("state", ["Enabled", "Disabled", "PendingImport", "Unavailable"])
async def test_schedule_works_in_every_state_but_pending_deletion(
    client: httpx.AsyncClient, services: Services, state: str
) -> None:
    key = await key_in_state(client, services, state)
    data = await gql(client, SCHEDULE, {"id": key["keyId"], "days": 10})
    assert data["scheduleKeyDeletion"]["keyState"] == "PendingDeletion"
    assert (await describe(client, key["keyId"]))["keyState"] == "PendingDeletion"


async def test_schedule_of_a_key_pending_deletion_is_refused(
    client: httpx.AsyncClient, services: Services
) -> None:
    key = await key_in_state(client, services, "PendingDeletion")
    before = await describe(client, key["keyId"])
    with pytest.raises(GraphQLFailure) as raised:
        await gql(client, SCHEDULE, {"id": key["keyId"], "days": 30})
    assert raised.value == GraphQLFailure(
        "KMSInvalidStateException", f"{key['arn']} is pending deletion."
    )
    assert await describe(client, key["keyId"]) == before


@pytest.mark.parametrize("state", ["Enabled", "Disabled", "PendingImport", "Unavailable"])
async def test_cancel_needs_a_key_pending_deletion(
    client: httpx.AsyncClient, services: Services, state: str
) -> None:
    key = await key_in_state(client, services, state)
    with pytest.raises(GraphQLFailure) as raised:
        await gql(client, CANCEL, {"id": key["keyId"]})
    assert raised.value == GraphQLFailure(
        "KMSInvalidStateException", f"{key['arn']} is not pending deletion."
    )
    assert (await describe(client, key["keyId"]))["keyState"] == state


async def test_cancel_leaves_the_key_disabled_without_a_deletion_date(
    client: httpx.AsyncClient, services: Services
) -> None:
    key = await key_in_state(client, services, "PendingDeletion")
    data = await gql(client, CANCEL, {"id": f"{key['arn']}"})
    assert data["cancelKeyDeletion"] == {"keyId": key["arn"]}
    assert await describe(client, key["keyId"]) == {
        "keyState": "Disabled",
        "enabled": False,
        "deletionDate": None,
        "pendingDeletionWindowInDays": None,
    }


async def test_cancel_returns_a_key_without_material_to_pending_import(
    client: httpx.AsyncClient, services: Services
) -> None:
    key = await key_in_state(client, services, "PendingImport")
    await gql(client, SCHEDULE, {"id": key["keyId"], "days": 7})
    await gql(client, CANCEL, {"id": key["keyId"]})
    assert (await describe(client, key["keyId"]))["keyState"] == "PendingImport"


async def test_cancel_after_the_material_was_deleted_waits_for_an_import(
    client: httpx.AsyncClient, services: Services
) -> None:
    """DeleteImportedKeyMaterial (another part) removes the material rows and keeps the id;
    the test removes them the same way."""
    key = await key_in_state(client, services, "PendingDeletion")
    async with services.pool.acquire() as conn:
        await conn.execute("DELETE FROM key_materials WHERE key_id = $1::uuid", key["keyId"])
    await gql(client, CANCEL, {"id": key["keyId"]})
    assert (await describe(client, key["keyId"]))["keyState"] == "PendingImport"


async def test_schedule_and_cancel_are_in_the_history(
    client: httpx.AsyncClient, services: Services
) -> None:
    key = await create_key(client)
    await gql(client, SCHEDULE, {"id": key["keyId"]})
    await gql(client, CANCEL, {"id": key["keyId"]})
    async with services.pool.acquire() as conn:
        events = await conn.fetch(
            "SELECT action, from_state, to_state FROM key_events WHERE key_id = $1::uuid "
            "ORDER BY id",
            key["keyId"],
        )
    assert [tuple(event) for event in events] == [
        ("CreateKey", None, "Enabled"),
        ("ScheduleKeyDeletion", "Enabled", "PendingDeletion"),
        ("CancelKeyDeletion", "PendingDeletion", "Disabled"),
    ]


@pytest.mark.parametrize("operation", [SCHEDULE, CANCEL])
async def test_unknown_and_malformed_key_ids(
    client: httpx.AsyncClient, services: Services, operation: str
) -> None:
    absent = "0b0b0b0b-1111-2222-3333-444455556666"
    settings = services.settings
    with pytest.raises(GraphQLFailure) as raised:
        await gql(client, operation, {"id": absent})
    assert raised.value == GraphQLFailure(
        "NotFoundException",
        f"Key 'arn:aws:kms:{settings.region}:{settings.account_id}:key/{absent}' does not exist",
    )
    with pytest.raises(GraphQLFailure) as raised:
        await gql(client, operation, {"id": "not-a-key"})
    assert raised.value == GraphQLFailure("NotFoundException", "Invalid keyId 'not-a-key'")
