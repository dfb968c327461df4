"""The HTTP floor: a minimal Starlette app doing the HSM operation of each endpoint and nothing
else (no GraphQL, no authentication, no database), served by uvicorn as keygraph is.

The HSM calls go through ``hsm``'s async facade, i.e. through the same thread pool keygraph
uses, on a SoftHSM token provisioned in ``$BENCH_HTTP_FLOOR_HOME``. Bodies are JSON with base64
fields, like keygraph's variables. DescribeKey has no HSM operation: its endpoint returns a
fixed metadata document, the cost of HTTP and JSON alone.

Served with ``python -m uvicorn bench.http_floor:app`` from the repository root.
"""

from __future__ import annotations

import base64
import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bench.payloads import aad_of, b64
from hsm import Hsm, KeySpec, Sealed, SigningAlgorithm, WrappedKey, open_hsm, provision_softhsm

HOME_VARIABLE = "BENCH_HTTP_FLOOR_HOME"
IV_BYTES = 12
DATA_KEY_BYTES = 32
METADATA = {
    "keyId": "00000000-0000-4000-8000-000000000000",
    "arn": "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000000",
    "keyState": "Enabled",
    "keyUsage": "ENCRYPT_DECRYPT",
    "keySpec": "SYMMETRIC_DEFAULT",
    "enabled": True,
    "encryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
}


@dataclass(frozen=True)
class _Keys:
    hsm: Hsm
    aes: WrappedKey
    p256: WrappedKey


def _aad(body: dict[str, Any]) -> bytes:
    return aad_of(body.get("encryptionContext") or {})


def _keys(request: Request) -> _Keys:
    keys: _Keys = request.app.state.keys
    return keys


async def encrypt(request: Request) -> JSONResponse:
    body = await request.json()
    keys = _keys(request)
    sealed = await keys.hsm.encrypt(keys.aes, base64.b64decode(body["plaintext"]), _aad(body))
    return JSONResponse({"ciphertextBlob": b64(sealed.iv + sealed.ciphertext)})


async def decrypt(request: Request) -> JSONResponse:
    body = await request.json()
    keys = _keys(request)
    blob = base64.b64decode(body["ciphertextBlob"])
    sealed = Sealed(blob[:IV_BYTES], blob[IV_BYTES:])
    plaintext = await keys.hsm.decrypt(keys.aes, sealed, _aad(body))
    return JSONResponse({"plaintext": b64(plaintext)})


async def generate_data_key(request: Request) -> JSONResponse:
    body = await request.json()
    keys = _keys(request)
    plaintext = await keys.hsm.generate_random(DATA_KEY_BYTES)
    sealed = await keys.hsm.encrypt(keys.aes, plaintext, _aad(body))
    return JSONResponse(
        {"ciphertextBlob": b64(sealed.iv + sealed.ciphertext), "plaintext": b64(plaintext)}
    )


async def sign(request: Request) -> JSONResponse:
    body = await request.json()
    keys = _keys(request)
    message = base64.b64decode(body["message"])
    signature = await keys.hsm.sign(keys.p256, message, SigningAlgorithm.ECDSA_SHA_256)
    return JSONResponse({"signature": b64(signature)})


async def describe_key(request: Request) -> JSONResponse:
    await request.json()
    return JSONResponse({"keyMetadata": METADATA})


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    config = provision_softhsm(Path(os.environ[HOME_VARIABLE]), "http-floor")
    hsm = await open_hsm(config)
    try:
        await hsm.ensure_domain_key()
        app.state.keys = _Keys(
            hsm=hsm,
            aes=await hsm.generate_key(KeySpec.SYMMETRIC_DEFAULT),
            p256=await hsm.generate_key(KeySpec.ECC_NIST_P256),
        )
        yield
    finally:
        await hsm.aclose()


async def ready(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ready"})


app = Starlette(
    routes=[
        Route("/readyz", ready, methods=["GET"]),
        Route("/encrypt", encrypt, methods=["POST"]),
        Route("/decrypt", decrypt, methods=["POST"]),
        Route("/generate-data-key", generate_data_key, methods=["POST"]),
        Route("/sign", sign, methods=["POST"]),
        Route("/describe-key", describe_key, methods=["POST"]),
    ],
    lifespan=lifespan,
)
