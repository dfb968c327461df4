"""The options of one run and which cells it measures (``--only``)."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.model import ROW_OPS, Op, Row, Shape


@dataclass(frozen=True)
class Options:
    duration: int
    warmup: int
    connections: int
    workers: int
    threads: int
    keys: int
    only: tuple[str, ...]
    output: Path

    @property
    def shape(self) -> Shape:
        return Shape(threads=self.threads, workers=self.workers, keys=self.keys)


@dataclass(frozen=True)
class Plan:
    """The (row, operation) cells to measure, in the order the report lists them."""

    cells: tuple[tuple[Row, Op], ...]

    def ops(self, row: Row) -> tuple[Op, ...]:
        return tuple(op for cell_row, op in self.cells if cell_row is row)

    def wants(self, *rows: Row) -> bool:
        return any(self.ops(row) for row in rows)


def make_plan(options: Options) -> Plan:
    """Every cell of every row, narrowed by ``--only`` patterns (``ROW``, ``ROW/OP``, globs)."""
    cells = [
        (row, op)
        for row, ops in ROW_OPS.items()
        for op in ops
        if _selected(row, op, options.only) and _applies(row, options)
    ]
    return Plan(tuple(cells))


def _applies(row: Row, options: Options) -> bool:
    """The scaling rows compare with 1; asked for 1 worker or thread, they would repeat a row."""
    if row in (Row.KEYGRAPH_WORKERS, Row.KEYGRAPH_WORKERS_BATCH):
        return options.workers > 1
    if row is Row.HSM_FLOOR_THREADS:
        return options.threads > 1
    return True


def _selected(row: Row, op: Op, patterns: Sequence[str]) -> bool:
    if not patterns:
        return True
    name = f"{row.value}/{op.value}"
    return any(
        fnmatch.fnmatchcase(name, pattern if "/" in pattern else f"{pattern}/*")
        for pattern in patterns
    )


def unknown_patterns(patterns: Sequence[str]) -> list[str]:
    """Patterns that select no cell at all: most likely a typo, worth refusing."""
    names = [f"{row.value}/{op.value}" for row, ops in ROW_OPS.items() for op in ops]
    return [
        pattern
        for pattern in patterns
        if not fnmatch.filter(names, pattern if "/" in pattern else f"{pattern}/*")
    ]
