"""Principals besides the account's root, each with its own authenticated client."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from api.principals import PrincipalKind, create_principal, principal_for
from api.services import Services
from keygraph.app import keygraph_app
from tests.crypto.asymmetric import call
from tests.graphql_client import app_client, gql

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"

Clients = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def principal_client(services: Services) -> AsyncIterator[Clients]:
    """``await principal_client("alice")``: a new user (or role, or another account's user)
    with a client that sends its token."""
    app = keygraph_app(services.settings, services)
    async with contextlib.AsyncExitStack() as stack:

        async def make(
            name: str, kind: PrincipalKind = PrincipalKind.USER, account: str = ACCOUNT
        ) -> httpx.AsyncClient:
            async with services.pool.acquire() as conn:
                issued = await create_principal(conn, principal_for(account, name, kind))
            return await stack.enter_async_context(app_client(app, issued.value))

        yield make


def user_arn(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:iam::{account}:user/{name}"


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(principal: str, *actions: str, **extra: Any) -> dict[str, Any]:
    """A key policy statement allowing ``principal`` the actions."""
    return {
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": list(actions),
        "Resource": "*",
        **extra,
    }


def deny(principal: str, *actions: str, **extra: Any) -> dict[str, Any]:
    """A key policy statement denying ``principal`` the actions."""
    return {**allow(principal, *actions, **extra), "Effect": "Deny"}


ROOT_ADMIN = allow(f"arn:aws:iam::{ACCOUNT}:root", "kms:*")


async def create_key(client: httpx.AsyncClient, key_policy: str | None = None, **more: Any) -> str:
    given: dict[str, Any] = {"policy": key_policy, **more} if key_policy else dict(more)
    data = await gql(
        client,
        "mutation($i: CreateKeyInput) { createKey(input: $i) { keyMetadata { keyId arn } } }",
        {"i": given},
    )
    key_id: str = data["createKey"]["keyMetadata"]["keyId"]
    return key_id


async def encrypt(
    client: httpx.AsyncClient, key_id: str, context: dict[str, str] | None = None, **more: Any
) -> str:
    """The ciphertext blob of "secret" (base64) under ``key_id``."""
    made = await call(
        client, "encrypt", "ciphertextBlob", keyId=key_id, plaintext="c2VjcmV0",
        encryptionContext=context, **more,
    )  # fmt: skip
    return str(made["ciphertextBlob"])


async def decrypt(
    client: httpx.AsyncClient, blob: str, context: dict[str, str] | None = None, **more: Any
) -> str:
    """The plaintext (base64) of ``blob``."""
    opened = await call(
        client, "decrypt", "plaintext", ciphertextBlob=blob, encryptionContext=context, **more
    )
    return str(opened["plaintext"])


async def attach(client: httpx.AsyncClient, principal_arn: str, document: str) -> None:
    """Attach an identity policy, as the account's root (``client``)."""
    await gql(
        client,
        "mutation($i: PutPrincipalPolicyInput!) { putPrincipalPolicy(input: $i) { principal } }",
        {"i": {"principal": principal_arn, "policy": document}},
    )


def identity(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def grants_identity(*actions: str, resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": list(actions), "Resource": resource, **extra}
