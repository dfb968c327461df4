"""One line on stderr per finished cell, so a run of several minutes shows where it is."""

from __future__ import annotations

import sys

from bench.model import Cell, CellState


def show(cell: Cell) -> Cell:
    name = f"{cell.row.value}/{cell.op.value}"
    measured = cell.measurement
    if cell.state is CellState.MEASURED and measured is not None:
        line = (
            f"{name}: {measured.ops_per_second:,.0f} ops/s, p50 {measured.p50_ms:.2f} ms, "
            f"p99 {measured.p99_ms:.2f} ms"
        )
    else:
        line = f"{name}: {cell.state.value}: {cell.reason}"
    print(f"bench: {line}", file=sys.stderr, flush=True)
    return cell
