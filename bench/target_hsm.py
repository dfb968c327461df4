"""The HSM floor: each operation straight through ``hsm``'s engine, in-process, no HTTP.

Measured in a child process (``python -m bench.target_hsm``), so the runner never loads the
PKCS#11 module (SoftHSM allows one configuration per process) and the floor runs on a fresh
interpreter like every other target. The child prints its cells as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.hsm_floor import Rate, measure
from bench.model import Cell, Measurement, Op, Row
from bench.payloads import CONTEXT, PLAINTEXT, aad_of
from bench.plan import Options, Plan
from bench.progress import show
from bench.servers import REPOSITORY
from hsm import HsmConfig, HsmEngine, KeySpec, SigningAlgorithm, provision_softhsm


def measure_hsm_floor(plan: Plan, options: Options) -> list[Cell]:
    wanted = [(row, op) for row in (Row.HSM_FLOOR, Row.HSM_FLOOR_THREADS) for op in plan.ops(row)]
    if not wanted:
        return []
    command = [
        sys.executable,
        "-m",
        "bench.target_hsm",
        "--duration",
        str(options.duration),
        "--threads",
        str(options.threads),
        *(f"{row.value}/{op.value}" for row, op in wanted),
    ]
    try:
        finished = subprocess.run(
            command,
            capture_output=True,
            text=True,
            cwd=REPOSITORY,
            timeout=len(wanted) * (options.duration + 30) + 60,
            check=False,
        )
    except subprocess.TimeoutExpired:
        reason = "the HSM floor did not finish in time"
        return [show(Cell.failed(row, op, reason)) for row, op in wanted]
    if finished.returncode != 0:
        reason = f"the HSM floor failed: {finished.stderr.strip()[-400:]}"
        return [show(Cell.failed(row, op, reason)) for row, op in wanted]
    return [show(_cell(raw)) for raw in json.loads(finished.stdout.strip().splitlines()[-1])]


def _cell(raw: dict[str, object]) -> Cell:
    measurement = Measurement(
        ops_per_second=float(str(raw["ops_per_second"])),
        p50_ms=float(str(raw["p50_ms"])),
        p99_ms=float(str(raw["p99_ms"])),
        requests=int(str(raw["requests"])),
        seconds=float(str(raw["seconds"])),
    )
    return Cell.measured(Row(raw["row"]), Op(raw["op"]), measurement)


def _operations(engine: HsmEngine) -> dict[Op, Callable[[], object]]:
    aad = aad_of(CONTEXT)
    aes = engine.generate_key(KeySpec.SYMMETRIC_DEFAULT)
    p256 = engine.generate_key(KeySpec.ECC_NIST_P256)
    sealed = engine.encrypt(aes, PLAINTEXT, aad)
    return {
        Op.ENCRYPT: lambda: engine.encrypt(aes, PLAINTEXT, aad),
        Op.DECRYPT: lambda: engine.decrypt(aes, sealed, aad),
        # What GenerateDataKey does in the HSM: 32 random bytes, then encrypt them.
        Op.GENERATE_DATA_KEY: lambda: engine.encrypt(aes, engine.generate_random(32), aad),
        Op.SIGN: lambda: engine.sign(p256, PLAINTEXT, SigningAlgorithm.ECDSA_SHA_256),
    }


def _row_json(row: Row, op: Op, rate: Rate) -> dict[str, object]:
    return {
        "row": row.value,
        "op": op.value,
        "ops_per_second": rate.ops_per_second,
        "p50_ms": rate.p50_ms,
        "p99_ms": rate.p99_ms,
        "requests": rate.calls,
        "seconds": rate.seconds,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="HSM floor cells as JSON (used by bench)")
    parser.add_argument("--duration", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("cells", nargs="+", help="ROW/OP")
    args = parser.parse_args()
    cells = [(Row(row), Op(op)) for row, op in (cell.split("/") for cell in args.cells)]
    with tempfile.TemporaryDirectory(prefix="bench-hsm-floor-") as directory:
        provisioned = provision_softhsm(Path(directory), "bench")
        pool = max(provisioned.session_pool_size, args.threads)
        engine = HsmEngine(
            HsmConfig(provisioned.module_path, provisioned.token_label, provisioned.pin, pool)
        )
        try:
            engine.ensure_domain_key()
            ops = _operations(engine)
            results = []
            for row, op in cells:
                threads = args.threads if row is Row.HSM_FLOOR_THREADS else 1
                results.append(_row_json(row, op, measure(ops[op], threads, args.duration)))
        finally:
            engine.close()
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
