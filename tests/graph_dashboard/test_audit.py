"""The audit view of the dashboard through GraphQL: newest first with markers, the outcome
filter, and the chain's verification state."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.audit import Break
from api.audit.chain import append
from api.principals import PrincipalKind, create_principal, principal_for
from api.services import Services
from tests.audit.conftest import event
from tests.audit.test_chain import tamper
from tests.graphql_client import GraphQLFailure, gql

QUERY = """
query($filter: AuditEventFilter, $limit: Int, $marker: String, $order: AuditOrder) {
  auditEvents(filter: $filter, limit: $limit, marker: $marker, order: $order) {
    events { requestId outcome } truncated nextMarker
  }
}
"""
DENIED = "AccessDeniedException"


@pytest.fixture
async def trail(services: Services) -> None:
    """Seven events of the account's root, the 3rd and 6th denied."""
    events = [event(n, outcome=DENIED if n in (3, 6) else "ok") for n in range(1, 8)]
    async with services.pool.acquire() as conn:
        await append(conn, events)


async def pages(client: httpx.AsyncClient, **variables: Any) -> list[list[str]]:
    """The request ids of every page, in pages of three, following the markers."""
    found: list[list[str]] = []
    marker = None
    while True:
        result = await gql(client, QUERY, {"limit": 3, "marker": marker, **variables})
        page = result["auditEvents"]
        found.append([e["requestId"] for e in page["events"]])
        if not page["truncated"]:
            return found
        marker = page["nextMarker"]


def ids(*numbers: int) -> list[str]:
    return [f"request-{number}" for number in numbers]


@pytest.mark.usefixtures("trail")
async def test_newest_first_pages_back_through_the_trail(client: httpx.AsyncClient) -> None:
    assert await pages(client, order="NEWEST_FIRST") == [ids(7, 6, 5), ids(4, 3, 2), ids(1)]
    assert await pages(client) == [ids(1, 2, 3), ids(4, 5, 6), ids(7)]
    assert await pages(client, order="OLDEST_FIRST") == [ids(1, 2, 3), ids(4, 5, 6), ids(7)]


@pytest.mark.usefixtures("trail")
async def test_outcome_filters_in_both_orders(client: httpx.AsyncClient) -> None:
    denied = {"outcome": DENIED}
    assert await pages(client, filter=denied) == [ids(3, 6)]
    assert await pages(client, filter=denied, order="NEWEST_FIRST") == [ids(6, 3)]
    ok = await pages(client, filter={"outcome": "ok"}, order="NEWEST_FIRST")
    assert ok == [ids(7, 5, 4), ids(2, 1)]


@pytest.mark.usefixtures("trail")
async def test_a_bad_marker_is_refused_newest_first(client: httpx.AsyncClient) -> None:
    with pytest.raises(GraphQLFailure) as failure:
        await gql(client, QUERY, {"marker": "seven", "order": "NEWEST_FIRST"})
    assert failure.value.code == "InvalidMarkerException"


CHAIN = "{ auditChain { verified events brokenAt brokenWhy } }"


@pytest.mark.usefixtures("trail")
async def test_the_chain_state_is_verified_then_broken(
    client: httpx.AsyncClient, services: Services
) -> None:
    state = (await gql(client, CHAIN))["auditChain"]
    assert state["verified"] is True and state["brokenAt"] is None
    assert state["events"] >= 7  # the trail's seven, and whatever this test's calls added
    async with services.pool.acquire() as conn:
        third = await conn.fetchval("SELECT seq FROM audit_events WHERE request_id = 'request-3'")
        await tamper(conn, "UPDATE audit_events SET outcome = 'ok' WHERE seq = $1", third)
    broken = (await gql(client, CHAIN))["auditChain"]
    assert broken == {
        "verified": False,
        "events": 2,
        "brokenAt": str(third),
        "brokenWhy": Break.ALTERED.value,
    }


async def test_only_the_deployments_root_verifies_the_chain(
    client: httpx.AsyncClient, services: Services
) -> None:
    async with services.pool.acquire() as conn:
        bob = await create_principal(conn, principal_for("111122223333", "bob", PrincipalKind.USER))
    with pytest.raises(GraphQLFailure) as refused:
        await gql(client, CHAIN, Authorization=f"Bearer {bob.value}")
    assert refused.value.code == "AccessDeniedException"
