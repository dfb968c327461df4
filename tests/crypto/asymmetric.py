"""GraphQL helpers shared by the signing, MAC, agreement and public-key tests: make a key, change
its state, fetch its public key, and call an operation with base64 handled."""

from __future__ import annotations

import base64
from collections.abc import Awaitable
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.serialization import load_der_public_key

from tests.graphql_client import GraphQLFailure, gql

CREATE = """
mutation($input: CreateKeyInput) { createKey(input: $input) { keyMetadata { keyId arn } } }
"""
DISABLE = "mutation($id: String!) { disableKey(input: {keyId: $id}) { keyMetadata { keyState } } }"
SCHEDULE_DELETION = """
mutation($id: String!) { scheduleKeyDeletion(input: {keyId: $id}) { keyState } }
"""
CREATE_ALIAS = """
mutation($name: String!, $id: String!) {
  createAlias(input: {aliasName: $name, targetKeyId: $id}) { keyMetadata { keyId } }
}
"""
GET_PUBLIC_KEY = """
query($input: GetPublicKeyInput!) {
  getPublicKey(input: $input) {
    keyId publicKey keySpec customerMasterKeySpec keyUsage
    encryptionAlgorithms signingAlgorithms keyAgreementAlgorithms
  }
}
"""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


async def create_key(client: httpx.AsyncClient, spec: str, usage: str) -> dict[str, str]:
    """A new key's ``keyId`` and ``arn``."""
    data = await gql(client, CREATE, {"input": {"keySpec": spec, "keyUsage": usage}})
    key: dict[str, str] = data["createKey"]["keyMetadata"]
    return key


async def disable(client: httpx.AsyncClient, key_id: str) -> None:
    await gql(client, DISABLE, {"id": key_id})


async def schedule_deletion(client: httpx.AsyncClient, key_id: str) -> None:
    await gql(client, SCHEDULE_DELETION, {"id": key_id})


async def create_alias(client: httpx.AsyncClient, name: str, key_id: str) -> None:
    await gql(client, CREATE_ALIAS, {"name": name, "id": key_id})


async def get_public_key(client: httpx.AsyncClient, key_id: str, **members: Any) -> dict[str, Any]:
    data = await gql(client, GET_PUBLIC_KEY, {"input": {"keyId": key_id, **members}})
    result: dict[str, Any] = data["getPublicKey"]
    return result


async def public_key(client: httpx.AsyncClient, key_id: str) -> PublicKeyTypes:
    """The key's public half as ``cryptography`` sees it, from getPublicKey's DER."""
    return load_der_public_key(unb64((await get_public_key(client, key_id))["publicKey"]))


async def call(
    client: httpx.AsyncClient, operation: str, fields: str, **members: Any
) -> dict[str, Any]:
    """Run the mutation ``operation`` with ``members`` as its input (bytes sent as base64)."""
    document = (
        f"mutation($input: {operation[0].upper()}{operation[1:]}Input!) "
        f"{{ {operation}(input: $input) {{ {fields} }} }}"
    )
    given = {name: b64(v) if isinstance(v, bytes) else v for name, v in members.items()}
    data = await gql(client, document, {"input": given})
    result: dict[str, Any] = data[operation]
    return result


async def failure(operation: Awaitable[object]) -> GraphQLFailure:
    """The error an operation that must fail raises."""
    with pytest.raises(GraphQLFailure) as raised:
        await operation
    return raised.value
