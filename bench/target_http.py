"""The HTTP floor's cells: start ``bench/http_floor.py`` under uvicorn and load each endpoint."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import httpx

from bench.errors import BenchError, SetupFailed
from bench.http_floor import HOME_VARIABLE
from bench.model import Cell, Op, Row
from bench.payloads import CONTEXT, PLAINTEXT, b64
from bench.plan import Plan
from bench.progress import show
from bench.servers import REPOSITORY, Server
from bench.wrk import HttpLoad, Pace, measure_cell
from db.embedded import free_port

START_SECONDS = 60
JSON_HEADERS = {"Content-Type": "application/json"}


def measure_http_floor(plan: Plan, pace: Pace) -> list[Cell]:
    ops = plan.ops(Row.HTTP_FLOOR)
    if not ops:
        return []
    with tempfile.TemporaryDirectory(prefix="bench-http-floor-") as directory:
        home = Path(directory)
        port = free_port()
        argv = [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.http_floor:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        env = {**os.environ, HOME_VARIABLE: str(home)}
        base = f"http://127.0.0.1:{port}"
        try:
            with Server("HTTP floor", argv, home / "server.log", env=env, cwd=REPOSITORY) as server:
                server.wait_for_http(f"{base}/readyz", START_SECONDS)
                bodies = _bodies(base)
                return [
                    measure_cell(
                        Row.HTTP_FLOOR,
                        op,
                        HttpLoad(f"{base}/{op.value}", (bodies[op],), JSON_HEADERS),
                        pace,
                    )
                    for op in ops
                ]
        except BenchError as exc:
            return [show(Cell.failed(Row.HTTP_FLOOR, op, str(exc))) for op in ops]


def _bodies(base: str) -> dict[Op, str]:
    encrypt = {"plaintext": b64(PLAINTEXT), "encryptionContext": CONTEXT}
    response = httpx.post(f"{base}/encrypt", json=encrypt, timeout=30)
    if response.status_code != 200:
        raise SetupFailed(f"HTTP floor encrypt answered {response.status_code}")
    blob = response.json()["ciphertextBlob"]
    return {
        Op.ENCRYPT: json.dumps(encrypt),
        Op.DECRYPT: json.dumps({"ciphertextBlob": blob, "encryptionContext": CONTEXT}),
        Op.GENERATE_DATA_KEY: json.dumps({"encryptionContext": CONTEXT}),
        Op.SIGN: json.dumps({"message": b64(PLAINTEXT)}),
        Op.DESCRIBE_KEY: json.dumps({"keyId": "00000000-0000-4000-8000-000000000000"}),
    }
