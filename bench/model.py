"""What the benchmark measures (rows x operations) and what one measurement holds.

A row is one way of doing the operations (a floor, keygraph in some configuration, the peer); a
cell is one row doing one operation under load. Labels that depend on the options (thread,
worker and key counts) are made by ``row_label``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Row(enum.Enum):
    HSM_FLOOR = "hsm-floor"
    HSM_FLOOR_THREADS = "hsm-floor-threads"
    HTTP_FLOOR = "http-floor"
    KEYGRAPH_SINGLE = "keygraph-single"
    KEYGRAPH_PERSISTED = "keygraph-persisted"
    KEYGRAPH_UNAUTHORIZED = "keygraph-unauthorized"
    KEYGRAPH_BATCH = "keygraph-batch"
    AWS_SINGLE = "aws-single"
    AWS_BEARER = "aws-bearer"
    MOTO = "moto"
    KEYGRAPH_LARGE = "keygraph-large"
    KEYGRAPH_SPREAD_A = "keygraph-spread-a"
    KEYGRAPH_SPREAD_B = "keygraph-spread-b"
    KEYGRAPH_WORKERS = "keygraph-workers"
    KEYGRAPH_WORKERS_BATCH = "keygraph-workers-batch"


class Op(enum.Enum):
    ENCRYPT = "encrypt"
    DECRYPT = "decrypt"
    GENERATE_DATA_KEY = "generate-data-key"
    SIGN = "sign"
    DESCRIBE_KEY = "describe-key"

    @property
    def label(self) -> str:
        return _OP_LABELS[self]


_OP_LABELS = {
    Op.ENCRYPT: "Encrypt 32 B",
    Op.DECRYPT: "Decrypt",
    Op.GENERATE_DATA_KEY: "GenerateDataKey",
    Op.SIGN: "Sign P-256",
    Op.DESCRIBE_KEY: "DescribeKey",
}

ALL_OPS = tuple(Op)
# Ops that involve the HSM; DescribeKey reads metadata only, so an HSM floor has no such cell.
HSM_OPS = (Op.ENCRYPT, Op.DECRYPT, Op.GENERATE_DATA_KEY, Op.SIGN)
# Operations per request in the batch rows (keygraph takes up to 100 in one list).
BATCH_SIZE = 50

# Which operations each row measures. DescribeKey has no list form, and 50 aliased copies
# select 1,200 fields: over the 1,000 fields a document may select (``Limits``), so the batch
# row leaves it out rather than measure a refusal.
ROW_OPS: dict[Row, tuple[Op, ...]] = {
    Row.HSM_FLOOR: HSM_OPS,
    Row.HSM_FLOOR_THREADS: (Op.ENCRYPT,),
    Row.HTTP_FLOOR: ALL_OPS,
    Row.KEYGRAPH_SINGLE: ALL_OPS,
    Row.KEYGRAPH_PERSISTED: (Op.ENCRYPT,),
    Row.KEYGRAPH_UNAUTHORIZED: (Op.ENCRYPT,),
    Row.KEYGRAPH_BATCH: HSM_OPS,
    Row.AWS_SINGLE: ALL_OPS,
    Row.AWS_BEARER: (Op.ENCRYPT,),
    Row.MOTO: ALL_OPS,
    Row.KEYGRAPH_LARGE: (Op.ENCRYPT, Op.DESCRIBE_KEY),
    Row.KEYGRAPH_SPREAD_A: (Op.ENCRYPT,),
    Row.KEYGRAPH_SPREAD_B: (Op.ENCRYPT,),
    Row.KEYGRAPH_WORKERS: (Op.ENCRYPT,),
    Row.KEYGRAPH_WORKERS_BATCH: (Op.ENCRYPT,),
}


@dataclass(frozen=True)
class Shape:
    """The counts that row labels mention."""

    threads: int
    workers: int
    keys: int


def row_label(row: Row, shape: Shape) -> str:
    labels = {
        Row.HSM_FLOOR: "HSM floor, 1 thread",
        Row.HSM_FLOOR_THREADS: f"HSM floor, {shape.threads} threads",
        Row.HTTP_FLOOR: "HTTP floor",
        Row.KEYGRAPH_SINGLE: "keygraph single",
        Row.KEYGRAPH_PERSISTED: "keygraph single, persisted query",
        Row.KEYGRAPH_UNAUTHORIZED: "keygraph single, authorization off",
        Row.KEYGRAPH_BATCH: f"keygraph batch ({BATCH_SIZE}/request)",
        Row.AWS_SINGLE: "keygraph AWS door, SigV4",
        Row.AWS_BEARER: "keygraph AWS door, bearer token",
        Row.MOTO: "moto_server peer",
        Row.KEYGRAPH_LARGE: f"keygraph single, 1 key of {shape.keys:,}",
        Row.KEYGRAPH_SPREAD_A: f"keygraph batch, {BATCH_SIZE} keys/request, pass A",
        Row.KEYGRAPH_SPREAD_B: f"keygraph batch, {BATCH_SIZE} keys/request, pass B",
        Row.KEYGRAPH_WORKERS: f"keygraph single, {shape.workers} workers",
        Row.KEYGRAPH_WORKERS_BATCH: f"keygraph batch ({BATCH_SIZE}/request), "
        f"{shape.workers} workers",
    }
    return labels[row]


class CellState(enum.Enum):
    MEASURED = "measured"
    SKIPPED = "skipped"  # deliberately not measured (a peer that cannot be installed)
    FAILED = "failed"  # should have been measured and could not be


@dataclass(frozen=True)
class Measurement:
    """Throughput in operations/s (a batch request counts as its operations) and latency of a
    request (a whole batch for the batch rows)."""

    ops_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    seconds: float


@dataclass(frozen=True)
class Cell:
    row: Row
    op: Op
    state: CellState
    measurement: Measurement | None = None
    reason: str = ""

    @classmethod
    def measured(cls, row: Row, op: Op, measurement: Measurement) -> Cell:
        return cls(row, op, CellState.MEASURED, measurement)

    @classmethod
    def failed(cls, row: Row, op: Op, reason: str) -> Cell:
        return cls(row, op, CellState.FAILED, reason=reason)

    @classmethod
    def skipped(cls, row: Row, op: Op, reason: str) -> Cell:
        return cls(row, op, CellState.SKIPPED, reason=reason)
