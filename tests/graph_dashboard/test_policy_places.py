"""A refused key policy says where its fault is, so the dashboard's editor can show it there:
``extensions.statementIndex`` for a fault in one statement, ``extensions.line`` and
``extensions.column`` (from 1) for text that is not JSON."""

from __future__ import annotations

import json
from typing import Any

import httpx

PUT = """
mutation($k: String!, $p: String!) {
  putKeyPolicy(input: {keyId: $k, policy: $p}) { keyMetadata { keyId } }
}
"""
CREATE = "mutation { createKey(input: {}) { keyMetadata { keyId } } }"
ROOT = "arn:aws:iam::111122223333:root"


async def refusal(client: httpx.AsyncClient, policy: str) -> dict[str, Any]:
    created = await client.post("/graphql", json={"query": CREATE})
    key_id = created.json()["data"]["createKey"]["keyMetadata"]["keyId"]
    response = await client.post(
        "/graphql", json={"query": PUT, "variables": {"k": key_id, "p": policy}}
    )
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "MalformedPolicyDocumentException"
    extensions: dict[str, Any] = error["extensions"]
    return extensions


def statement(**changes: Any) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": {"AWS": ROOT},
        "Action": "kms:*",
        "Resource": "*",
        **changes,
    }


async def test_a_fault_in_a_statement_names_the_statement(client: httpx.AsyncClient) -> None:
    statements = [statement(), statement(Effect="Perhaps"), statement()]
    policy = json.dumps({"Version": "2012-10-17", "Statement": statements})
    extensions = await refusal(client, policy)
    assert extensions == {"code": "MalformedPolicyDocumentException", "statementIndex": 1}


async def test_a_repeated_sid_names_the_second_statement(client: httpx.AsyncClient) -> None:
    statements = [statement(Sid="a"), statement(Sid="b"), statement(Sid="a")]
    policy = json.dumps({"Version": "2012-10-17", "Statement": statements})
    assert (await refusal(client, policy))["statementIndex"] == 2


async def test_text_that_is_not_json_names_its_line_and_column(
    client: httpx.AsyncClient,
) -> None:
    policy = '{\n  "Version": "2012-10-17",\n  "Statement": [,]\n}'
    extensions = await refusal(client, policy)
    assert (extensions["line"], extensions["column"]) == (3, 17)
    assert "statementIndex" not in extensions


async def test_a_fault_of_the_whole_document_has_no_place(client: httpx.AsyncClient) -> None:
    extensions = await refusal(client, json.dumps({"Version": "2012-10-17"}))
    assert extensions == {"code": "MalformedPolicyDocumentException"}
