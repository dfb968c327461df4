"""Every event says which door its call came in by, as the account's root reads the trail: GraphQL,
or AWS's JSON protocol (whose door names itself to the pipeline with ``Caller(door=Door.AWS)``)."""

from __future__ import annotations

from typing import Any

import httpx

from api.calls import Door
from api.invoke import Caller, invoke
from api.operations import BY_NAME
from api.operations.keys import CreateKeyRequest
from api.principals import PrincipalKind, principal_for
from api.services import Services
from tests.graphql_client import gql

QUERY = """
query($filter: AuditEventFilter) {
  auditEvents(filter: $filter) { events { requestId action door } }
}
"""


async def created_keys(client: httpx.AsyncClient, **narrowed: str) -> list[dict[str, Any]]:
    found = await gql(client, QUERY, {"filter": {"action": "CreateKey", **narrowed}})
    events: list[dict[str, Any]] = found["auditEvents"]["events"]
    return events


async def test_each_event_names_its_calls_door(
    client: httpx.AsyncClient, services: Services
) -> None:
    await gql(client, "mutation { createKey { keyMetadata { keyId } } }")
    root = principal_for(services.settings.account_id, "root", PrincipalKind.ROOT)
    caller = Caller(root, request_id="through-aws", door=Door.AWS)
    await invoke(services, caller, BY_NAME["CreateKey"], CreateKeyRequest())

    graphql, aws = await created_keys(client)
    assert (graphql["action"], graphql["door"]) == ("kms:CreateKey", "GRAPHQL")
    assert aws == {"requestId": "through-aws", "action": "kms:CreateKey", "door": "AWS"}
    assert await created_keys(client, door="AWS") == [aws]
    assert await created_keys(client, door="GRAPHQL") == [graphql]
