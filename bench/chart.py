"""The PNG beside each JSON result: throughput and p99 of every row, per operation.

Both axes are logarithmic: the HSM floor and moto_server are two orders of magnitude apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from bench.model import Cell, CellState, Op, Shape, row_label


def write_chart(cells: Sequence[Cell], shape: Shape, title: str, path: Path) -> None:
    measured = [cell for cell in cells if cell.state is CellState.MEASURED and cell.measurement]
    ops = [op for op in Op if any(cell.op is op for cell in measured)]
    rows = list(dict.fromkeys(cell.row for cell in measured))
    figure, (throughput, latency) = plt.subplots(2, 1, figsize=(13, 9), sharex=True)
    width = 0.8 / max(1, len(rows))
    for index, row in enumerate(rows):
        positions, rates, p99s = [], [], []
        for position, op in enumerate(ops):
            cell = next((c for c in measured if c.row is row and c.op is op), None)
            if cell is None or cell.measurement is None:
                continue
            positions.append(position + (index - (len(rows) - 1) / 2) * width)
            rates.append(cell.measurement.ops_per_second)
            p99s.append(cell.measurement.p99_ms)
        label = row_label(row, shape)
        throughput.bar(positions, rates, width, label=label)
        latency.bar(positions, p99s, width, label=label)
    throughput.set_yscale("log")
    throughput.set_ylabel("operations/s")
    throughput.set_title(title)
    throughput.grid(axis="y", which="both", alpha=0.3)
    latency.set_yscale("log")
    latency.set_ylabel("p99 latency of a request, ms")
    latency.grid(axis="y", which="both", alpha=0.3)
    latency.set_xticks(range(len(ops)), [op.label for op in ops])
    throughput.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
