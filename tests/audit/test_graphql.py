"""auditEvents as an account's root uses it: filters, pages, and nobody else may read."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from api.audit.chain import append
from api.decisions import Outcome
from api.principals import PrincipalKind, create_principal, principal_for
from api.services import Services
from tests.audit.conftest import ACCOUNT, KEY, START, event
from tests.graphql_client import GraphQLFailure, gql

KEY_ID = KEY.rsplit("/", 1)[1]
OTHER_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0000aaaa-12ab-34cd-56ef-1234567890ab"
FOREIGN = "444455556666"
FOREIGN_KEY = f"arn:aws:kms:us-east-1:{FOREIGN}:key/0000bbbb-12ab-34cd-56ef-1234567890ab"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
BOB = f"arn:aws:iam::{ACCOUNT}:user/bob"
EVE = f"arn:aws:iam::{FOREIGN}:user/eve"

QUERY = """
query($filter: AuditEventFilter, $limit: Int, $marker: String) {
  auditEvents(filter: $filter, limit: $limit, marker: $marker) {
    events { seq time requestId principal sourceIp action keyArn decision decidedBy outcome }
    truncated
    nextMarker
  }
}
"""


DENIED = "AccessDeniedException"
# Seven events: request-N happened N seconds after START.
EVENTS = [
    event(1, principal_arn=ALICE),
    event(2, principal_arn=ALICE, action="kms:Decrypt", outcome=DENIED, decided_by=None,
          decision=Outcome.IMPLICIT_DENY),
    event(3, principal_arn=ALICE, key_arn=OTHER_KEY),
    event(4, principal_arn=BOB, decision=Outcome.EXPLICIT_DENY, outcome=DENIED,
          decided_by="KeyPolicy Statement[2]"),
    event(5, principal_arn=EVE),
    event(6, principal_arn=EVE, key_arn=FOREIGN_KEY),
    event(7, principal_arn=ALICE, action="kms:CreateKey", key_arn=None, decision=None,
          decided_by=None, outcome="LimitExceededException"),
]  # fmt: skip


@pytest.fixture
async def trail(services: Services) -> None:
    async with services.pool.acquire() as conn:
        await append(conn, EVENTS)


async def requests(client: httpx.AsyncClient, **variables: Any) -> list[str]:
    result = (await gql(client, QUERY, variables))["auditEvents"]
    return [found["requestId"] for found in result["events"]]


async def test_an_event_reads_as_recorded(client: httpx.AsyncClient, trail: None) -> None:
    result = (await gql(client, QUERY, {"filter": {"principal": BOB}}))["auditEvents"]

    (only,) = result["events"]
    assert isinstance(only.pop("seq"), str)
    assert only == {
        "time": (START + timedelta(seconds=4)).isoformat(),
        "requestId": "request-4",
        "principal": BOB,
        "sourceIp": "10.0.0.7",
        "action": "kms:Encrypt",
        "keyArn": KEY,
        "decision": "ExplicitDeny",
        "decidedBy": "KeyPolicy Statement[2]",
        "outcome": "AccessDeniedException",
    }
    assert (result["truncated"], result["nextMarker"]) == (False, None)


# Each filter, with the events it keeps. One services start-up for all of them keeps this fast.
FILTERS: list[tuple[dict[str, str], list[int]]] = [
    ({"principal": ALICE}, [1, 2, 3, 7]),
    ({"keyId": KEY_ID}, [1, 2, 4, 5]),
    ({"keyId": KEY}, [1, 2, 4, 5]),
    ({"keyId": KEY, "action": "Decrypt"}, [2]),
    ({"principal": ALICE, "action": "kms:Encrypt"}, [1, 3]),
    ({"keyId": KEY, "decision": "ExplicitDeny"}, [4]),
    ({"keyId": KEY, "from": "2024-05-01T12:00:02Z", "to": "2024-05-01T12:00:04Z"}, [2, 4]),
    ({"principal": ALICE, "action": "CreateKey"}, [7]),
    # Another account's principal: its calls on this account's keys, not on its own.
    ({"principal": EVE}, [5]),
]


async def test_filters(client: httpx.AsyncClient, trail: None) -> None:
    kept = {str(given): await requests(client, filter=given) for given, _ in FILTERS}
    assert kept == {str(given): [f"request-{n}" for n in expected] for given, expected in FILTERS}


async def test_pages_follow_each_other(client: httpx.AsyncClient, trail: None) -> None:
    first = (await gql(client, QUERY, {"filter": {"keyId": KEY}, "limit": 3}))["auditEvents"]
    assert [found["requestId"] for found in first["events"]] == [
        "request-1",
        "request-2",
        "request-4",
    ]
    assert first["truncated"] is True

    variables = {"filter": {"keyId": KEY}, "limit": 3, "marker": first["nextMarker"]}
    second = (await gql(client, QUERY, variables))["auditEvents"]
    assert [found["requestId"] for found in second["events"]] == ["request-5"]
    assert (second["truncated"], second["nextMarker"]) == (False, None)


REFUSED: list[tuple[dict[str, Any], str]] = [
    ({"marker": "not-a-marker"}, "InvalidMarkerException"),
    ({"marker": "99999999999999999999"}, "InvalidMarkerException"),
    ({"filter": {"keyId": "alias/mine"}}, "ValidationException"),
    ({"filter": {"keyId": "not-a-key"}}, "NotFoundException"),
    ({"limit": 0}, "ValidationException"),
]


async def code_of(client: httpx.AsyncClient, variables: dict[str, Any]) -> str:
    with pytest.raises(GraphQLFailure) as refused:
        await gql(client, QUERY, variables)
    return refused.value.code


async def test_refused_arguments(client: httpx.AsyncClient) -> None:
    codes = [await code_of(client, variables) for variables, _ in REFUSED]
    assert codes == [code for _, code in REFUSED]


async def test_only_the_root_may_read(
    client: httpx.AsyncClient, services: Services, trail: None
) -> None:
    async with services.pool.acquire() as conn:
        bob = await create_principal(conn, principal_for(ACCOUNT, "bob", PrincipalKind.USER))

    with pytest.raises(GraphQLFailure) as refused:
        await gql(
            client, QUERY, {"filter": {"principal": BOB}}, Authorization=f"Bearer {bob.value}"
        )

    assert refused.value.code == "AccessDeniedException"
    assert BOB in refused.value.message
