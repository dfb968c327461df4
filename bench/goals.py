"""The targets of issues 7 (keygraph against its floors and moto), 12 (the AWS door) and 14 (the
GraphQL path against its floors), judged on the figures of one run (ratios within a run only:
the machine is shared and noisy, absolute figures from different runs do not compare; the one
absolute goal, batch Encrypt with two workers, is AWS's quota)."""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.memory import WorkerMemory
from bench.model import Cell, CellState, Measurement, Op, Row
from bench.plan import Options
from bench.target_keygraph import KeygraphReport, SpreadPass

RSS_LIMIT_MB = 250.0
P99_LIMIT_MS = 25.0
P99_CONNECTIONS = 16
# What verifying a SigV4 signature may cost the AWS door, as a share of its requests/s.
SIGV4_COST_LIMIT = 0.10
# AWS's default request quota for symmetric cryptographic operations, per account and Region:
# what two workers of batch Encrypt must reach.
SYMMETRIC_QUOTA = 5_500.0
# The handle cache and the key cache hold 10,000 entries each (hsm.HsmConfig, api.cache).
CACHE_ENTRIES = 10_000
# A pass over keys never touched before may grow a worker by this much even with full caches
# (allocator slack, asyncpg statement caches).
BOUNDED_SLACK_MB = 4.0


class Verdict(enum.Enum):
    PASS = "PASS"  # noqa: S105 - a verdict, not a password
    MISS = "MISS"
    NOT_MEASURED = "n/a"


@dataclass(frozen=True)
class Outcome:
    name: str
    value: str
    goal: str
    verdict: Verdict
    note: str = ""


@dataclass(frozen=True)
class _Figures:
    cells: dict[tuple[Row, Op], Measurement]

    def get(self, row: Row, op: Op) -> Measurement | None:
        return self.cells.get((row, op))


def evaluate(cells: Sequence[Cell], keygraph: KeygraphReport, options: Options) -> list[Outcome]:
    figures = _Figures(
        {
            (cell.row, cell.op): cell.measurement
            for cell in cells
            if cell.state is CellState.MEASURED and cell.measurement is not None
        }
    )
    single = figures.get(Row.KEYGRAPH_SINGLE, Op.ENCRYPT)
    signed = figures.get(Row.AWS_SINGLE, Op.ENCRYPT)
    http_floor = figures.get(Row.HTTP_FLOOR, Op.ENCRYPT)
    moto = figures.get(Row.MOTO, Op.ENCRYPT)
    outcomes = [
        _ratio("keygraph single Encrypt / HTTP floor Encrypt", single, http_floor, 0.5),
        _ratio(
            "keygraph single Encrypt, persisted query / HTTP floor Encrypt",
            figures.get(Row.KEYGRAPH_PERSISTED, Op.ENCRYPT),
            http_floor,
            0.6,
        ),
        _ratio(
            "keygraph single DescribeKey / HTTP floor's fixed DescribeKey document",
            figures.get(Row.KEYGRAPH_SINGLE, Op.DESCRIBE_KEY),
            figures.get(Row.HTTP_FLOOR, Op.DESCRIBE_KEY),
            0.6,
        ),
        *(
            _ratio(
                f"keygraph batch {op.label} / HSM floor {op.label} (1 thread)",
                figures.get(Row.KEYGRAPH_BATCH, op),
                figures.get(Row.HSM_FLOOR, op),
                goal,
            )
            for op, goal in ((Op.ENCRYPT, 0.5), (Op.SIGN, 0.6))
        ),
        _quota(figures.get(Row.KEYGRAPH_WORKERS_BATCH, Op.ENCRYPT), options.workers),
        _ratio("keygraph single Encrypt / moto_server Encrypt", single, moto, 10.0),
        _ratio(
            "keygraph single Encrypt, authorization on / off",
            single,
            figures.get(Row.KEYGRAPH_UNAUTHORIZED, Op.ENCRYPT),
            0.85,
        ),
        _p99("keygraph single Encrypt", single, options.connections),
        _ratio("AWS door (SigV4) single Encrypt / HTTP floor Encrypt", signed, http_floor, 0.6),
        _ratio("AWS door (SigV4) single Encrypt / moto_server Encrypt", signed, moto, 10.0),
        _p99("AWS door (SigV4) single Encrypt", signed, options.connections),
        _sigv4_cost(signed, figures.get(Row.AWS_BEARER, Op.ENCRYPT)),
        *(
            _ratio(
                f"{op.label}: 1 key of {options.keys:,} / 1 of 10 (slowdown)",
                figures.get(Row.KEYGRAPH_SINGLE, op),
                figures.get(Row.KEYGRAPH_LARGE, op),
                1.2,
                at_most=True,
            )
            for op in (Op.ENCRYPT, Op.DESCRIBE_KEY)
        ),
        _scaling(figures.get(Row.KEYGRAPH_WORKERS, Op.ENCRYPT), single, options.workers),
        _memory(keygraph.memory),
        _bounded(keygraph.spread),
    ]
    return outcomes


def _judged(
    name: str, value: float, text: str, goal: str, passes: Callable[[float], bool]
) -> Outcome:
    return Outcome(name, text, goal, Verdict.PASS if passes(value) else Verdict.MISS)


def _unmeasured(name: str, goal: str, note: str = "a cell it needs was not measured") -> Outcome:
    return Outcome(name, "-", goal, Verdict.NOT_MEASURED, note)


def _ratio(
    name: str,
    top: Measurement | None,
    bottom: Measurement | None,
    goal: float,
    *,
    at_most: bool = False,
) -> Outcome:
    """``top`` / ``bottom`` in operations per second, which must reach ``goal`` or, for a
    slowdown (``at_most``), stay within it."""
    text = f"{'<=' if at_most else '>='} {goal:g}"
    if top is None or bottom is None or bottom.ops_per_second <= 0:
        return _unmeasured(name, text)
    ratio = top.ops_per_second / bottom.ops_per_second
    passes = operator.le if at_most else operator.ge
    return _judged(name, ratio, f"{ratio:.2f}", text, lambda value: passes(value, goal))


def _scaling(many: Measurement | None, one: Measurement | None, workers: int) -> Outcome:
    if workers < 2:
        return _unmeasured("keygraph Encrypt, N workers / 1 worker", ">= 1.4", "--workers 1")
    return _ratio(f"keygraph Encrypt, {workers} workers / 1 worker", many, one, 1.4)


def _quota(measured: Measurement | None, workers: int) -> Outcome:
    """Batch Encrypt with two workers against AWS's default quota: the rate a service used to
    AWS KMS may ask of one deployment without asking AWS for more."""
    name = f"keygraph batch Encrypt, {workers} workers (ops/s)"
    text = f">= {SYMMETRIC_QUOTA:,.0f}"
    if workers != 2:
        return _unmeasured(name, text, "the goal is set at --workers 2")
    if measured is None:
        return _unmeasured(name, text)
    rate = measured.ops_per_second
    return _judged(name, rate, f"{rate:,.0f}", text, lambda value: value >= SYMMETRIC_QUOTA)


def _p99(subject: str, measured: Measurement | None, connections: int) -> Outcome:
    name = f"{subject} p99 at {connections} connections"
    text = f"<= {P99_LIMIT_MS:g} ms"
    if measured is None:
        return _unmeasured(name, text)
    outcome = _judged(
        name,
        measured.p99_ms,
        f"{measured.p99_ms:.1f} ms",
        text,
        lambda value: value <= P99_LIMIT_MS,
    )
    if connections != P99_CONNECTIONS:
        return Outcome(
            name,
            outcome.value,
            text,
            Verdict.NOT_MEASURED,
            f"the goal is set at {P99_CONNECTIONS} connections",
        )
    return outcome


def _sigv4_cost(signed: Measurement | None, bearer: Measurement | None) -> Outcome:
    """The share of the door's throughput that signature verification takes: the same request
    on the same server, named by SigV4 rather than by a bearer token (a cache lookup). Negative
    when the signed cell happened to measure faster: noise between two cells."""
    name = "SigV4 cost on the AWS door: 1 - SigV4 Encrypt / bearer-token Encrypt"
    text = f"<= {SIGV4_COST_LIMIT:.0%}"
    if signed is None or bearer is None or bearer.ops_per_second <= 0:
        return _unmeasured(name, text)
    cost = 1 - signed.ops_per_second / bearer.ops_per_second
    return _judged(name, cost, f"{cost:.1%}", text, lambda value: value <= SIGV4_COST_LIMIT)


def _memory(phases: dict[str, list[WorkerMemory]]) -> Outcome:
    name = "resident memory per keygraph worker, after its phase"
    text = f"<= {RSS_LIMIT_MB:g} MB"
    readings = [worker.rss_mb for workers in phases.values() for worker in workers]
    if not readings:
        return _unmeasured(name, text)
    largest = max(readings)
    return _judged(name, largest, f"{largest:.0f} MB (largest)", text, lambda v: v <= RSS_LIMIT_MB)


def _bounded(passes: list[SpreadPass]) -> Outcome:
    """Pass A fills the caches with keys never seen; if they are bounded, pass B (other keys
    again) evicts instead of growing, so B grows the worker far less per key than A did."""
    name = "caches bounded: growth per key, spread pass B / pass A"
    text = "B <= A / 4"
    if len(passes) < 2:
        return _unmeasured(name, text, "needs both spread passes")
    first, second = passes[0], passes[1]
    if first.keys_touched < CACHE_ENTRIES:
        return _unmeasured(
            name,
            text,
            f"pass A touched {first.keys_touched:,} keys, fewer than the caches hold "
            f"({CACHE_ENTRIES:,}): a faster keygraph or a longer --duration will reach it",
        )
    grew_a = first.rss_after_mb - first.rss_before_mb
    grew_b = second.rss_after_mb - second.rss_before_mb
    per_key_a = grew_a / first.keys_touched
    per_key_b = max(0.0, grew_b - BOUNDED_SLACK_MB) / max(1, second.keys_touched)
    value = (
        f"A +{grew_a:.1f} MB / {first.keys_touched:,} keys, "
        f"B +{grew_b:.1f} MB / {second.keys_touched:,}"
    )
    verdict = Verdict.PASS if per_key_b <= max(per_key_a, 0.0) / 4 else Verdict.MISS
    return Outcome(name, value, text, verdict)
