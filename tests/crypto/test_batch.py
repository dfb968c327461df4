"""The batch form: one entry per request, in order, each its own call (authorized and audited on
its own), one item's error leaving the others standing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.services import Services
from tests.authz.conftest import Clients, create_key, principal_client, user_arn
from tests.grants.calls import create_grant
from tests.graphql_client import GraphQLFailure, gql

__all__ = ["principal_client"]  # the fixture, shared with tests/authz

ENCRYPT_BATCH = """
mutation($r: [EncryptInput!]!) {
  encryptBatch(input: {requests: $r}) {
    entries { result { ciphertextBlob keyId } error { code message } }
  }
}"""
DECRYPT_BATCH = """
mutation($r: [DecryptInput!]!) {
  decryptBatch(input: {requests: $r}) { entries { result { plaintext } error { code } } }
}"""


async def encrypt_batch(client: httpx.AsyncClient, requests: list[dict[str, Any]]) -> list[Any]:
    entries: list[Any] = (await gql(client, ENCRYPT_BATCH, {"r": requests}))["encryptBatch"][
        "entries"
    ]
    return entries


async def test_entries_answer_their_requests_in_order(client: httpx.AsyncClient) -> None:
    first, second = await create_key(client), await create_key(client)
    plaintexts = ["b25l", "dHdv", "dGhyZWU="]
    entries = await encrypt_batch(
        client,
        [
            {"keyId": key, "plaintext": text, "encryptionContext": {"n": str(index)}}
            for index, (key, text) in enumerate(
                zip([first, second, first], plaintexts, strict=True)
            )
        ],
    )
    assert [entry["error"] for entry in entries] == [None, None, None]
    assert [entry["result"]["keyId"].rsplit("/", 1)[1] for entry in entries] == [
        first,
        second,
        first,
    ]
    decrypted = await gql(
        client,
        DECRYPT_BATCH,
        {
            "r": [
                {
                    "ciphertextBlob": entry["result"]["ciphertextBlob"],
                    "encryptionContext": {"n": str(i)},
                }
                for i, entry in enumerate(entries)
            ]
        },
    )
    assert [e["result"]["plaintext"] for e in decrypted["decryptBatch"]["entries"]] == plaintexts


async def test_one_items_error_leaves_the_others_standing(
    client: httpx.AsyncClient, principal_client: Clients, services: Services
) -> None:
    alice = await principal_client("alice")
    granted, other = await create_key(client), await create_key(client)
    await create_grant(client, granted, user_arn("alice"), "Encrypt")
    entries = await encrypt_batch(
        alice,
        [
            {"keyId": granted, "plaintext": "AA=="},
            {"keyId": other, "plaintext": "AA=="},
            {"keyId": "alias/none", "plaintext": "AA=="},
        ],
    )
    assert entries[0]["error"] is None and entries[0]["result"]["ciphertextBlob"]
    assert entries[1]["result"] is None
    assert entries[1]["error"]["code"] == "AccessDeniedException"
    assert entries[1]["error"]["message"].startswith(f"User: {user_arn('alice')} is not")
    assert entries[2]["error"]["code"] == "NotFoundException"

    await services.audit.flush()
    async with services.pool.acquire() as conn:
        audited = await conn.fetch(
            "SELECT decision, outcome FROM audit_events WHERE principal_arn = $1 ORDER BY seq",
            user_arn("alice"),
        )
    assert {(row["decision"], row["outcome"]) for row in audited} == {
        ("Allowed", "ok"),
        ("ImplicitDeny", "AccessDeniedException"),
        (None, "NotFoundException"),
    }
    assert len(audited) == 3


async def test_a_batch_holds_one_to_a_hundred_requests(client: httpx.AsyncClient) -> None:
    key_id = await create_key(client)
    for count in (0, 101):
        with pytest.raises(GraphQLFailure) as raised:
            await encrypt_batch(client, [{"keyId": key_id, "plaintext": "AA=="}] * count)
        assert raised.value.code == "ValidationException"
    assert len(await encrypt_batch(client, [{"keyId": key_id, "plaintext": "AA=="}] * 100)) == 100
