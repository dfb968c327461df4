"""GraphQL helpers shared by the encryption, data key and random tests."""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from api.services import Services
from tests.crypto.asymmetric import call, unb64
from tests.graphql_client import GraphQLFailure

ARN = re.compile(r"^arn:aws:kms:us-east-1:111122223333:key/[0-9a-f-]{36}$")
ENCRYPTED = "ciphertextBlob keyId encryptionAlgorithm"
DECRYPTED = "keyId plaintext encryptionAlgorithm keyMaterialId"
RE_ENCRYPTED = """
  ciphertextBlob sourceKeyId keyId sourceEncryptionAlgorithm destinationEncryptionAlgorithm
  sourceKeyMaterialId destinationKeyMaterialId
"""
INVALID_CIPHERTEXT = GraphQLFailure("InvalidCiphertextException", "")


async def failure(pending: Awaitable[Any]) -> GraphQLFailure:
    with pytest.raises(GraphQLFailure) as raised:
        await pending
    return raised.value


async def encrypt(
    client: httpx.AsyncClient, key_id: str, plaintext: bytes, **members: Any
) -> bytes:
    """The ciphertext blob, after checking the members every Encrypt result has."""
    result = await call(client, "encrypt", ENCRYPTED, keyId=key_id, plaintext=plaintext, **members)
    assert ARN.match(result["keyId"])
    return unb64(result["ciphertextBlob"])


async def decrypt(client: httpx.AsyncClient, blob: bytes, **members: Any) -> dict[str, Any]:
    """Decrypt's result with ``plaintext`` decoded."""
    result = await call(client, "decrypt", DECRYPTED, ciphertextBlob=blob, **members)
    return {**result, "plaintext": unb64(result["plaintext"])}


async def re_encrypt(
    client: httpx.AsyncClient, blob: bytes, destination: str, **members: Any
) -> dict[str, Any]:
    result = await call(
        client,
        "reEncrypt",
        RE_ENCRYPTED,
        ciphertextBlob=blob,
        destinationKeyId=destination,
        **members,
    )
    return {**result, "ciphertextBlob": unb64(result["ciphertextBlob"])}


def count_hsm_calls(services: Services, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the HSM operations called from now on (the real HSM still does the work)."""
    calls: list[str] = []
    for name, method in inspect.getmembers(services.hsm, inspect.iscoroutinefunction):
        if name.startswith("_"):
            continue

        def counted(
            original: Callable[..., Awaitable[Any]], label: str
        ) -> Callable[..., Awaitable[Any]]:
            async def run(*args: Any, **kwargs: Any) -> Any:
                calls.append(label)
                return await original(*args, **kwargs)

            return run

        monkeypatch.setattr(services.hsm, name, counted(method, name))
    return calls
