"""Every call leaves its events in the audit trail, allowed or denied, with what decided."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.services import Services
from tests.authz.conftest import Clients, create_key, encrypt, user_arn
from tests.graphql_client import GraphQLFailure, gql

EVENTS = """
query($f: AuditEventFilter) {
  auditEvents(filter: $f, limit: 50) {
    events { principal sourceIp action keyArn decision decidedBy outcome requestId }
  }
}"""
ROOT = "arn:aws:iam::111122223333:root"


async def events(client: httpx.AsyncClient, **given: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await gql(client, EVENTS, {"f": given}))["auditEvents"]["events"]
    return found


async def test_allowed_and_denied_calls_are_recorded_with_their_reason(
    client: httpx.AsyncClient, principal_client: Clients, services: Services
) -> None:
    alice = await principal_client("alice")
    key_id = await create_key(client)
    await encrypt(client, key_id)
    with pytest.raises(GraphQLFailure):
        await encrypt(alice, key_id)
    await services.audit.flush()  # crypto events are written in batches

    recorded = await events(client, keyId=key_id)
    assert [(e["principal"], e["action"], e["decision"], e["outcome"]) for e in recorded] == [
        (ROOT, "kms:Encrypt", "Allowed", "ok"),
        (user_arn("alice"), "kms:Encrypt", "ImplicitDeny", "AccessDeniedException"),
    ]
    allowed, denied = recorded
    assert allowed["decidedBy"] == 'KeyPolicy Statement[0] (Sid "Enable IAM User Permissions")'
    assert denied["decidedBy"] is None
    assert allowed["keyArn"].endswith(key_id)
    assert allowed["sourceIp"] == "127.0.0.1"
    assert allowed["requestId"]


async def test_management_calls_are_written_before_the_answer(
    client: httpx.AsyncClient,
) -> None:
    key_id = await create_key(client)  # no flush: CreateKey's event is already committed
    created = await events(client, action="kms:CreateKey")
    assert [(e["decision"], e["outcome"], e["keyArn"]) for e in created] == [
        ("Allowed", "ok", None)
    ]
    assert key_id


async def test_a_call_refused_before_authorization_is_recorded_without_a_decision(
    client: httpx.AsyncClient, services: Services
) -> None:
    with pytest.raises(GraphQLFailure):
        await gql(
            client, 'mutation { encrypt(input: {keyId: "nope", plaintext: "AA=="}) { keyId } }'
        )
    await services.audit.flush()
    (refused,) = await events(client, action="kms:Encrypt")
    assert (refused["decision"], refused["outcome"]) == (None, "NotFoundException")


async def test_no_plaintext_or_token_reaches_the_trail(
    client: httpx.AsyncClient, services: Services, admin_token: str
) -> None:
    key_id = await create_key(client)
    await encrypt(client, key_id, {"secret-context": "visible-context-value"})
    await services.audit.flush()
    async with services.pool.acquire() as conn:
        rows = await conn.fetch("SELECT * FROM audit_events")
    dumped = repr([dict(row) for row in rows])
    assert "c2VjcmV0" not in dumped and "secret" not in dumped.replace("secret-context", "")
    assert admin_token.split(".")[2] not in dumped
    assert "visible-context-value" not in dumped
