"""Load generation with wrk: one C process, one thread, so it costs little of the 2 cores.

Every HTTP row (floor, keygraph, peer) goes through ``run``, with the same connections and
duration, so their cells compare. Latency percentiles come from wrk's own histogram through the
``done()`` hook of ``load.lua``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from bench.errors import BenchError, LoadFailed, SetupFailed, ToolMissing
from bench.model import Cell, Measurement, Op, Row
from bench.progress import show

SCRIPT = Path(__file__).with_name("load.lua")
RESULT_PREFIX = "BENCH-RESULT "
# More failed requests than this share and the cell is not a measurement of the operation.
FAILED_SHARE_LIMIT = 0.01
REQUEST_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class HttpLoad:
    """The requests of one cell: bodies sent round robin to ``url``."""

    url: str
    bodies: tuple[str, ...]
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    ops_per_request: int = 1
    method: str = "POST"


@dataclass(frozen=True)
class Pace:
    connections: int
    duration: int
    warmup: int


@dataclass(frozen=True)
class _WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    failed: int


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise ToolMissing("wrk is not installed: apt-get install wrk (make bench installs it)")
    return path


def check(load: HttpLoad) -> None:
    """Send the first request once, so a refused request shows its answer rather than a count."""
    try:
        response = httpx.request(
            load.method, load.url, headers=dict(load.headers), content=load.bodies[0], timeout=60
        )
    except httpx.HTTPError as exc:
        raise SetupFailed(f"{load.url}: {exc}") from exc
    if response.status_code != 200 or '"errors"' in response.text:
        raise SetupFailed(f"{load.url} answered {response.status_code}: {response.text[:400]}")
    entries = _batch_entries(response)
    if entries is None:
        return
    refused = [entry["error"] for entry in entries if entry.get("error")]
    if refused:
        raise SetupFailed(
            f"{load.url} answered {len(refused)} of {len(entries)} batch entries with an error, "
            f"the first: {json.dumps(refused[0])[:400]}"
        )
    if len(entries) != load.ops_per_request:
        raise SetupFailed(
            f"{load.url} answered {len(entries)} batch entries for {load.ops_per_request} requests"
        )


def _batch_entries(response: httpx.Response) -> list[dict[str, Any]] | None:
    """The entries of a list-form batch (``{"data": {"encryptBatch": {"entries": [...]}}}``),
    or None when the answer is not one."""
    try:
        body = response.json()
    except ValueError:
        return None
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        return None
    batches = [
        value["entries"]
        for value in data.values()
        if isinstance(value, dict) and isinstance(value.get("entries"), list)
    ]
    return [entry for entries in batches for entry in entries] if batches else None


def run(load: HttpLoad, pace: Pace, *, warm: bool = True) -> Measurement:
    """Warm up (discarded), then measure for ``pace.duration`` seconds."""
    wrk = require_wrk()
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as directory:
        spec = Path(directory) / "spec"
        spec.write_text(_spec(load), encoding="utf-8")
        if warm and pace.warmup > 0:
            _run_wrk(wrk, load.url, spec, pace.connections, pace.warmup)
        result = _run_wrk(wrk, load.url, spec, pace.connections, pace.duration)
    if result.requests == 0:
        raise LoadFailed(f"no request to {load.url} completed in {pace.duration} s")
    if result.failed > result.requests * FAILED_SHARE_LIMIT:
        raise LoadFailed(f"{result.failed} of {result.requests} requests to {load.url} failed")
    succeeded = result.requests - result.failed
    return Measurement(
        ops_per_second=succeeded * load.ops_per_request / result.seconds,
        p50_ms=result.p50_ms,
        p99_ms=result.p99_ms,
        requests=result.requests,
        seconds=result.seconds,
    )


def measure_cell(row: Row, op: Op, load: HttpLoad, pace: Pace, *, warm: bool = True) -> Cell:
    """Check, then load: the cell, or why it could not be measured."""
    try:
        check(load)
        return show(Cell.measured(row, op, run(load, pace, warm=warm)))
    except BenchError as exc:
        return show(Cell.failed(row, op, str(exc)))


def _spec(load: HttpLoad) -> str:
    target = urlsplit(load.url)
    path = target.path or "/"
    lines = [load.method, path]
    lines += [f"H {name}: {value}" for name, value in load.headers.items()]
    for body in load.bodies:
        if "\n" in body:
            raise ValueError("a request body for wrk must be one line")
        lines.append(f"B {body}")
    return "\n".join(lines) + "\n"


def _run_wrk(wrk: str, url: str, spec: Path, connections: int, seconds: int) -> _WrkResult:
    command = [
        wrk,
        "--threads",
        "1",
        "--connections",
        str(connections),
        "--duration",
        f"{seconds}s",
        "--timeout",
        f"{REQUEST_TIMEOUT_SECONDS}s",
        "--script",
        str(SCRIPT),
        url,
        "--",
        str(spec),
    ]
    finished = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=seconds + REQUEST_TIMEOUT_SECONDS + 30,
        check=False,
    )
    line = next(
        (line for line in finished.stdout.splitlines() if line.startswith(RESULT_PREFIX)), None
    )
    if finished.returncode != 0 or line is None:
        detail = (finished.stderr or finished.stdout).strip()[-400:]
        raise LoadFailed(f"wrk exited with {finished.returncode}: {detail}")
    raw = json.loads(line.removeprefix(RESULT_PREFIX))
    transport_errors = sum(
        raw[name] for name in ("connect_errors", "read_errors", "write_errors", "timeouts")
    )
    return _WrkResult(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        p50_ms=raw["p50_us"] / 1e3,
        p99_ms=raw["p99_us"] / 1e3,
        failed=raw["failed"] + transport_errors,
    )
