"""The peer: moto_server (the Python AWS emulator) answering the same KMS operations.

Its KMS endpoint speaks AWS's JSON protocol; moto does not check signatures, so any
AWS4-HMAC-SHA256 Authorization header will do (it reads the region from it). The row is skipped,
with the reason printed, only when moto is not installed.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

from bench.aws_json import ACTIONS, action_headers, bodies
from bench.documents import Values
from bench.errors import BenchError, SetupFailed
from bench.model import Cell, Row
from bench.payloads import CONTEXT, PLAINTEXT, b64
from bench.plan import Plan
from bench.progress import show
from bench.servers import Server
from bench.wrk import HttpLoad, Pace, measure_cell
from db.embedded import free_port

START_SECONDS = 60
AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/kms/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64
)


def moto_server_path() -> Path:
    return Path(sys.executable).with_name("moto_server")


def measure_moto(plan: Plan, pace: Pace) -> list[Cell]:
    ops = plan.ops(Row.MOTO)
    if not ops:
        return []
    program = moto_server_path()
    if not program.exists():
        reason = f"moto is not installed ({program} missing; pip install 'moto[server]')"
        return [show(Cell.skipped(Row.MOTO, op, reason)) for op in ops]
    with tempfile.TemporaryDirectory(prefix="bench-moto-") as directory:
        port = free_port()
        url = f"http://127.0.0.1:{port}/"
        argv = [str(program), "-H", "127.0.0.1", "-p", str(port)]
        try:
            with Server("moto_server", argv, Path(directory) / "moto.log") as server:
                server.wait_until(lambda: _answers(url), START_SECONDS)
                requests = bodies(_values(url))
                return [
                    measure_cell(
                        Row.MOTO, op, HttpLoad(url, (requests[op],), _headers(ACTIONS[op])), pace
                    )
                    for op in ops
                ]
        except BenchError as exc:
            return [show(Cell.failed(Row.MOTO, op, str(exc))) for op in ops]


def _headers(operation: str) -> dict[str, str]:
    return {**action_headers(operation), "Authorization": AUTHORIZATION}


def _call(url: str, operation: str, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(url, headers=_headers(operation), json=body, timeout=30)
    if response.status_code != 200:
        raise SetupFailed(f"moto {operation} answered {response.status_code}: {response.text}")
    answer: dict[str, Any] = response.json()
    return answer


def _answers(url: str) -> bool:
    try:
        _call(url, "ListKeys", {})
    except (httpx.HTTPError, SetupFailed):
        return False
    return True


def _values(url: str) -> Values:
    """Moto's own keys (one symmetric, one P-256) and a ciphertext it made."""
    aes = _call(url, "CreateKey", {})["KeyMetadata"]["KeyId"]
    p256 = _call(url, "CreateKey", {"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"})
    plaintext = b64(PLAINTEXT)
    encrypt = {"KeyId": aes, "Plaintext": plaintext, "EncryptionContext": CONTEXT}
    return Values(
        aes_key=aes,
        p256_key=p256["KeyMetadata"]["KeyId"],
        plaintext=plaintext,
        context=CONTEXT,
        ciphertext=_call(url, "Encrypt", encrypt)["CiphertextBlob"],
    )
