"""``python -m bench.scale_out``: what one PostgreSQL sustains for keygraph's write pattern (an
audit event appended to one hash chain per call), with 1, 2 and 3 replicas on one database.

Not a row of ``python -m bench``: it starts a deployment of its own (one PostgreSQL cluster with
fsync on, one SoftHSM token, ``keygraph serve`` replicas of one worker each, as the Kubernetes
manifests run them) and measures two things (docs/scale-out.md reads them):

- **served**: for N = 1, 2, 3 replicas, each loaded by its own wrk at the same time, single
  Encrypt (its event buffered and written with others in one COPY per 50 ms, one transaction under
  the chain's advisory lock per batch) and single UpdateKeyDescription (a management call: its event
  committed before the answer, one transaction under that lock per call). Per replica: calls/s,
  p99, audit events/s written (``max(seq)`` before and after the window), and the CPU that
  PostgreSQL and the replicas used (seconds per second, from ``/proc``);
- **chain**: the append alone, no HTTP and no keygraph process: K connections (one per replica,
  as each replica has one audit writer) each appending batches of B events through
  ``api.audit.chain.append`` as fast as the chain's lock lets them. Batch 1 is the pattern of
  management calls; 20 a replica's 50 ms batch at ~400 crypto calls/s; 500 the largest batch a
  replica writes.

Everything shares this machine's cores with wrk: on a small machine the served figures are what
the CPU allows, and the chain figures say how far PostgreSQL is from being the limit.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import functools
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from api.audit import chain
from api.audit.event import AuditEvent
from api.calls import Door
from api.decisions import Outcome
from api.principals import Principal, issue_token
from api.settings import DEFAULT_ACCOUNT_ID
from bench.errors import BenchError, SetupFailed
from bench.keygraph_server import START_SECONDS, keygraph_program
from bench.servers import REPOSITORY, Server
from bench.wrk import HttpLoad, Pace, check, require_wrk, run
from db.embedded import EmbeddedPostgres, free_port
from hsm import HsmConfig, provision_softhsm

KEYS = 10
CHAIN_BATCHES = (1, 20, 500)
ENCRYPT = (
    "mutation($id: String!, $p: Base64!) { encrypt(input: {keyId: $id, plaintext: $p, "
    'encryptionContext: {tenant: "acme", purpose: "bench"}}) { ciphertextBlob } }'
)
DESCRIBE = (
    "mutation($id: String!, $d: String!) { updateKeyDescription(input: {keyId: $id, "
    "description: $d}) { keyMetadata { keyId } } }"
)
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Served:
    """One operation with N replicas loaded at once."""

    operation: str
    replicas: int
    calls_per_second: list[float]
    p99_ms: list[float]
    events_per_second: float
    postgres_cpu: float
    replicas_cpu: float

    @property
    def events_per_replica(self) -> float:
        return self.events_per_second / self.replicas


@dataclass(frozen=True)
class Replica:
    server: Server
    url: str


@dataclass(frozen=True)
class Appended:
    """The chain append alone: ``writers`` connections, batches of ``batch`` events."""

    writers: int
    batch: int
    events_per_second: float
    postgres_cpu: float


def _options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.scale_out", description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="seconds measured per cell")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before each cell")
    parser.add_argument("--connections", type=int, default=16, help="per replica")
    parser.add_argument("--replicas", type=int, default=3, help="the most replicas measured")
    parser.add_argument("--output", type=Path, default=REPOSITORY / "bench" / "results")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = _options(argv)
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    try:
        require_wrk()
        with _deployment() as (postgres, hsm_config, directory):
            served = _served(options, postgres, hsm_config, directory)
            appended = asyncio.run(_chain(options, postgres))
            stored = _bytes_per_event(postgres.dsn)
    except BenchError as exc:
        print(f"bench.scale_out: {exc}", file=sys.stderr)
        return 1
    machine = {
        "cpus": os.cpu_count(),
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "started": started.isoformat(),
    }
    print(_report(machine, served, appended, stored))
    options.output.mkdir(parents=True, exist_ok=True)
    path = options.output / f"scale-out-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    document = {
        "machine": machine,
        "options": {k: str(v) for k, v in vars(options).items()},
        "served": [{**asdict(s), "events_per_replica": s.events_per_replica} for s in served],
        "chain": [asdict(a) for a in appended],
        "audit_bytes_per_event": stored,
    }
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"\nresults: {path}", file=sys.stderr)
    return 0


@contextmanager
def _deployment() -> Iterator[tuple[EmbeddedPostgres, HsmConfig, Path]]:
    """A PostgreSQL cluster (fsync on, as a real database) and a SoftHSM token, in a temporary
    directory removed afterwards. The postgres system user must traverse the directory."""
    directory = Path(tempfile.mkdtemp(prefix="bench-scale-out-"))
    directory.chmod(0o755)
    try:
        hsm_config = provision_softhsm(directory / "softhsm", "bench")
        with EmbeddedPostgres(directory / "postgres") as postgres:
            yield postgres, hsm_config, directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _replica(postgres: EmbeddedPostgres, hsm_config: HsmConfig, directory: Path) -> Replica:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KEYGRAPH_")},
        "KEYGRAPH_DATABASE_URL": postgres.dsn,
        "KEYGRAPH_PKCS11_MODULE": hsm_config.module_path,
        "KEYGRAPH_TOKEN_LABEL": hsm_config.token_label,
        "KEYGRAPH_PIN_FILE": str(directory / "softhsm" / f"{hsm_config.token_label}.pin"),
        "KEYGRAPH_HOME": str(directory / "home"),
        "KEYGRAPH_PORT": str(port),
        # AWS's quotas (UpdateKeyDescription: 5/s) would cap what is measured.
        "KEYGRAPH_RATES": "off",
    }
    log = directory / f"replica-{port}.log"
    server = Server("keygraph serve", [str(keygraph_program()), "serve"], log, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        server.wait_for_http(f"{url}/readyz", START_SECONDS)
    except BaseException:
        server.stop()
        raise
    return Replica(server, url)


def _root_token(dsn: str) -> str:
    """A bearer token of the account's root, which the first replica created."""

    async def issue() -> str:
        conn = await asyncpg.connect(dsn)
        try:
            return (await issue_token(conn, Principal.root(DEFAULT_ACCOUNT_ID))).value
        finally:
            await conn.close()

    return asyncio.run(issue())


def _graphql(url: str, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(
        f"{url}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise SetupFailed(f"keygraph answered {response.status_code}: {response.text[:400]}")
    data: dict[str, Any] = body["data"]
    return data


def _served(
    options: argparse.Namespace, postgres: EmbeddedPostgres, hsm_config: HsmConfig, directory: Path
) -> list[Served]:
    replicas: list[Replica] = []
    try:
        replicas.append(_replica(postgres, hsm_config, directory))
        token = _root_token(postgres.dsn)
        create = "mutation { createKey { keyMetadata { keyId } } }"
        keys = [
            _graphql(replicas[0].url, token, create, {})["createKey"]["keyMetadata"]["keyId"]
            for _ in range(KEYS)
        ]
        plaintext = base64.b64encode(b"x" * 32).decode()
        bodies = {
            "Encrypt 32 B": [
                {"query": ENCRYPT, "variables": {"id": k, "p": plaintext}} for k in keys
            ],
            "UpdateKeyDescription": [
                {"query": DESCRIBE, "variables": {"id": k, "d": "bench"}} for k in keys
            ],
        }
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        results = []
        for count in range(1, options.replicas + 1):
            while len(replicas) < count:
                replicas.append(_replica(postgres, hsm_config, directory))
            for operation, documents in bodies.items():
                loads = [
                    HttpLoad(
                        f"{replica.url}/graphql",
                        tuple(json.dumps(d, separators=(",", ":")) for d in documents),
                        headers,
                    )
                    for replica in replicas
                ]
                results.append(_served_cell(options, operation, loads, postgres, replicas))
                print(_served_line(results[-1]), file=sys.stderr)
        return results
    finally:
        for replica in replicas:
            replica.server.stop()


def _served_cell(
    options: argparse.Namespace,
    operation: str,
    loads: list[HttpLoad],
    postgres: EmbeddedPostgres,
    replicas: list[Replica],
) -> Served:
    for load in loads:
        check(load)
    warm = Pace(options.connections, options.warmup, 0)
    _together([functools.partial(run, load, warm, warm=False) for load in loads])
    pace = Pace(options.connections, options.duration, 0)
    pids = [replica.server.pid for replica in replicas]
    head, cpu, began = _last_seq(postgres.dsn), _cpu(postgres, pids), time.monotonic()
    measured = _together([functools.partial(run, load, pace, warm=False) for load in loads])
    seconds = time.monotonic() - began
    events = _last_seq(postgres.dsn) - head
    postgres_cpu, replicas_cpu = (b - a for a, b in zip(cpu, _cpu(postgres, pids), strict=True))
    return Served(
        operation=operation,
        replicas=len(loads),
        calls_per_second=[m.ops_per_second for m in measured],
        p99_ms=[m.p99_ms for m in measured],
        events_per_second=events / seconds,
        postgres_cpu=postgres_cpu / seconds,
        replicas_cpu=replicas_cpu / seconds,
    )


def _together(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run the jobs in threads at once (each a wrk process); their results in order."""
    results: list[Any] = [None] * len(jobs)
    failures: list[BaseException] = []

    def one(index: int) -> None:
        try:
            results[index] = jobs[index]()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return results


def _last_seq(dsn: str) -> int:
    async def read() -> int:
        conn = await asyncpg.connect(dsn)
        try:
            return int(await conn.fetchval("SELECT coalesce(max(seq), 0) FROM audit_events"))
        finally:
            await conn.close()

    return asyncio.run(read())


def _bytes_per_event(dsn: str) -> float:
    """What an audit event takes on disk, its indexes included, averaged over the trail."""

    async def read() -> float:
        conn = await asyncpg.connect(dsn)
        try:
            return float(
                await conn.fetchval(
                    "SELECT pg_total_relation_size('audit_events')::float8 "
                    "/ greatest(count(*), 1) FROM audit_events"
                )
            )
        finally:
            await conn.close()

    return asyncio.run(read())


def _cpu(postgres: EmbeddedPostgres, pids: list[int]) -> tuple[float, float]:
    """CPU seconds used so far by the PostgreSQL server's processes and by ``pids`` (with their
    children): user and system time from ``/proc/<pid>/stat``."""
    postmaster = int((postgres.data_dir / "postmaster.pid").read_text().split()[0])
    return _tree_cpu([postmaster]), _tree_cpu(pids)


def _tree_cpu(roots: list[int]) -> float:
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    tree, frontier = set(roots), list(roots)
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(times.get(pid, 0.0) for pid in tree)


async def _chain(options: argparse.Namespace, postgres: EmbeddedPostgres) -> list[Appended]:
    results = []
    for writers in range(1, options.replicas + 1):
        for batch in CHAIN_BATCHES:
            results.append(await _append_cell(options.duration, postgres, writers, batch))
            print(_chain_line(results[-1]), file=sys.stderr)
    return results


async def _append_cell(
    duration: int, postgres: EmbeddedPostgres, writers: int, batch: int
) -> Appended:
    connections = [await asyncpg.connect(postgres.dsn) for _ in range(writers)]
    try:
        stop = time.monotonic() + duration
        before, _ = _cpu(postgres, [])
        began = time.monotonic()
        counts = await asyncio.gather(*(_append(conn, batch, stop) for conn in connections))
        seconds = time.monotonic() - began
        after, _ = _cpu(postgres, [])
    finally:
        for conn in connections:
            await conn.close()
    return Appended(writers, batch, sum(counts) / seconds, (after - before) / seconds)


async def _append(conn: asyncpg.Connection, batch: int, stop: float) -> int:
    """Append batches of ``batch`` events like a replica's writer until ``stop``; events written."""
    written = 0
    while time.monotonic() < stop:
        now = datetime.now(UTC)
        events = [
            AuditEvent(
                time=now,
                request_id=f"bench-{written + i}",
                principal_arn=f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:root",
                source_ip="127.0.0.1",
                door=Door.GRAPHQL,
                action="kms:Encrypt",
                key_arn=f"arn:aws:kms:us-east-1:{DEFAULT_ACCOUNT_ID}:key/bench",
                decision=Outcome.ALLOWED,
                decided_by='KeyPolicy Statement[0] (Sid "Enable IAM User Permissions")',
                outcome="ok",
            )
            for i in range(batch)
        ]
        await chain.append(conn, events)
        written += batch
    return written


def _served_line(cell: Served) -> str:
    calls = ", ".join(f"{c:,.0f}" for c in cell.calls_per_second)
    return (
        f"served {cell.operation}, {cell.replicas} replicas: calls/s {calls}; "
        f"events/s {cell.events_per_second:,.0f}; postgres CPU {cell.postgres_cpu:.2f}"
    )


def _chain_line(cell: Appended) -> str:
    return (
        f"chain {cell.writers} writers x batch {cell.batch}: "
        f"{cell.events_per_second:,.0f} events/s; postgres CPU {cell.postgres_cpu:.2f}"
    )


def _report(
    machine: dict[str, Any], served: list[Served], appended: list[Appended], stored: float
) -> str:
    lines = [
        f"{machine['cpus']} CPUs, load average {machine['load_before'][0]:.2f} before, "
        f"{machine['load_after'][0]:.2f} after",
        "",
        "| operation | replicas | calls/s per replica | p99 ms | audit events/s | "
        "events/s per replica | PostgreSQL CPU | replicas' CPU |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for cell in served:
        calls = " / ".join(f"{c:,.0f}" for c in cell.calls_per_second)
        p99 = " / ".join(f"{p:.0f}" for p in cell.p99_ms)
        lines.append(
            f"| {cell.operation} | {cell.replicas} | {calls} | {p99} | "
            f"{cell.events_per_second:,.0f} | {cell.events_per_replica:,.0f} | "
            f"{cell.postgres_cpu:.2f} | {cell.replicas_cpu:.2f} |"
        )
    lines += [
        "",
        "| writers | events per batch | events/s | PostgreSQL CPU |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {a.writers} | {a.batch} | {a.events_per_second:,.0f} | {a.postgres_cpu:.2f} |"
        for a in appended
    ]
    lines += ["", f"audit_events on disk, indexes included: {stored:,.0f} bytes per event"]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
