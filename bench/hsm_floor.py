"""The HSM floor: ops/s of each operation straight through hsm's engine, for 1, 2 and 4 threads.

Run by hand: ``python bench/hsm_floor.py [--seconds 1] [--rounds 3]``. It provisions a throwaway
SoftHSM token in a temporary directory, so it touches nothing else. The figures are what keygraph
can never beat on this machine; the 2-thread column next to the 1-thread one shows that hsm adds
no serialising lock (on 2 cores, RSA-2048 signing should roughly double). Each cell is the best
of ``rounds`` runs, the thread counts interleaved, so that load from other processes on a shared
machine skews the columns alike instead of whichever ran during a burst.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hsm import (
    HsmEngine,
    KeySpec,
    SigningAlgorithm,
    mac_algorithm,
    provision_softhsm,
)

THREADS = (1, 2, 4)


@dataclass(frozen=True)
class Rate:
    """Ops/s over all threads, and the latency of one call."""

    ops_per_second: float
    p50_ms: float
    p99_ms: float
    calls: int
    seconds: float


def measure(op: Callable[[], object], threads: int, seconds: float) -> Rate:
    """``op`` run back to back in ``threads`` threads for ``seconds``, each call timed."""
    latencies: list[list[float]] = [[] for _ in range(threads)]
    ready = threading.Barrier(threads + 1)
    stop = threading.Event()

    def worker(index: int) -> None:
        for _ in range(3):  # warm: a session per thread, handles cached
            op()
        record = latencies[index].append
        clock = time.perf_counter
        ready.wait()
        while not stop.is_set():
            begun = clock()
            op()
            record(clock() - begun)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    calls = sorted(chain.from_iterable(latencies))
    return Rate(
        ops_per_second=len(calls) / elapsed,
        p50_ms=_percentile(calls, 50) * 1e3,
        p99_ms=_percentile(calls, 99) * 1e3,
        calls=len(calls),
        seconds=elapsed,
    )


def _percentile(ordered: list[float], percent: int) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, len(ordered) * percent // 100)]


def operations(engine: HsmEngine) -> dict[str, Callable[[], object]]:
    aes = engine.generate_key(KeySpec.SYMMETRIC_DEFAULT)
    sealed = engine.encrypt(aes, os.urandom(32), b"context")
    rsa = engine.generate_key(KeySpec.RSA_2048)
    p256 = engine.generate_key(KeySpec.ECC_NIST_P256)
    hmac_key = engine.generate_key(KeySpec.HMAC_256)
    hmac_algorithm = mac_algorithm(KeySpec.HMAC_256)
    payload = os.urandom(32)
    return {
        "AES-256-GCM encrypt 32 B": lambda: engine.encrypt(aes, payload, b"context"),
        "AES-256-GCM decrypt 32 B": lambda: engine.decrypt(aes, sealed, b"context"),
        "RSA-2048 sign PKCS#1 v1.5": lambda: engine.sign(
            rsa, payload, SigningAlgorithm.RSASSA_PKCS1_V1_5_SHA_256
        ),
        "ECDSA P-256 sign": lambda: engine.sign(p256, payload, SigningAlgorithm.ECDSA_SHA_256),
        "HMAC-SHA-256 32 B": lambda: engine.generate_mac(hmac_key, payload, hmac_algorithm),
        "GenerateRandom 32 B": lambda: engine.generate_random(32),
        "generate + wrap AES-256": lambda: engine.generate_key(KeySpec.SYMMETRIC_DEFAULT),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="per run (default 1)")
    parser.add_argument("--rounds", type=int, default=3, help="runs per cell (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hsm-floor-") as directory:
        config = provision_softhsm(Path(directory), "bench")
        engine = HsmEngine(config)  # session_pool_size 4: one session per thread
        try:
            engine.ensure_domain_key()
            ops = operations(engine)
            cpus = os.cpu_count()
            print(
                f"# hsm floor: SoftHSM, {cpus} CPUs, ops/s, best of {args.rounds} runs "
                f"of {args.seconds:g} s"
            )
            header = "| operation | " + " | ".join(f"{n} thread{'s' * (n > 1)}" for n in THREADS)
            print(header + " | 2 threads / 1 |")
            print("|---" * (len(THREADS) + 2) + "|")
            for name, op in ops.items():
                rates = [0.0] * len(THREADS)
                for _ in range(args.rounds):
                    for column, threads in enumerate(THREADS):
                        rate = measure(op, threads, args.seconds).ops_per_second
                        rates[column] = max(rates[column], rate)
                cells = " | ".join(f"{rate:,.0f}" for rate in rates)
                print(f"| {name} | {cells} | {rates[1] / rates[0]:.2f}x |", flush=True)
        finally:
            engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
