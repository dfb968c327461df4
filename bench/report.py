"""The printed report: the table of cells, keygraph's rows as ratios of the floors and the peer,
the targets with PASS/MISS, memory, and why any cell is missing. Markdown tables, so a run can
be pasted into a document as it is."""

from __future__ import annotations

from collections.abc import Sequence

from bench.goals import Outcome
from bench.model import Cell, CellState, Measurement, Op, Row, Shape, row_label
from bench.target_keygraph import KeygraphReport

KEYGRAPH_ROWS = (
    Row.KEYGRAPH_SINGLE,
    Row.KEYGRAPH_PERSISTED,
    Row.KEYGRAPH_UNAUTHORIZED,
    Row.KEYGRAPH_BATCH,
    Row.AWS_SINGLE,
    Row.AWS_BEARER,
    Row.KEYGRAPH_LARGE,
    Row.KEYGRAPH_SPREAD_A,
    Row.KEYGRAPH_SPREAD_B,
    Row.KEYGRAPH_WORKERS,
    Row.KEYGRAPH_WORKERS_BATCH,
)
REFERENCES = (Row.HSM_FLOOR, Row.HTTP_FLOOR, Row.MOTO)


def render(
    cells: Sequence[Cell], shape: Shape, outcomes: Sequence[Outcome], keygraph: KeygraphReport
) -> str:
    sections = [
        _cells(cells, shape),
        _ratios(cells, shape),
        _outcomes(outcomes),
        _memory(keygraph),
        _missing(cells, shape),
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _figure(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.2f}" if value < 10 else f"{value:,.1f}"


def _cells(cells: Sequence[Cell], shape: Shape) -> str:
    rows = []
    for cell in cells:
        measured = cell.measurement
        if cell.state is CellState.MEASURED and measured is not None:
            figures = [
                _figure(measured.ops_per_second),
                _figure(measured.p50_ms),
                _figure(measured.p99_ms),
                f"{measured.requests:,}",
            ]
        else:
            figures = [cell.state.value, "-", "-", "-"]
        rows.append([row_label(cell.row, shape), cell.op.label, *figures])
    return "## Cells (ops/s; latency of one request)\n\n" + _table(
        ["row", "operation", "ops/s", "p50 ms", "p99 ms", "requests"], rows
    )


def _ratios(cells: Sequence[Cell], shape: Shape) -> str:
    measured = {
        (cell.row, cell.op): cell.measurement
        for cell in cells
        if cell.state is CellState.MEASURED and cell.measurement is not None
    }
    rows = []
    for row in KEYGRAPH_ROWS:
        for op in Op:
            top = measured.get((row, op))
            if top is None:
                continue
            ratios = [_ratio(top, measured.get((reference, op))) for reference in REFERENCES]
            if any(ratio != "-" for ratio in ratios):
                rows.append([row_label(row, shape), op.label, *ratios])
    if not rows:
        return ""
    header = ["keygraph row", "operation", *(f"/ {row_label(row, shape)}" for row in REFERENCES)]
    return "## keygraph as a ratio of the floors and the peer (ops/s)\n\n" + _table(header, rows)


def _ratio(top: Measurement, bottom: Measurement | None) -> str:
    if bottom is None or bottom.ops_per_second <= 0:
        return "-"
    return f"{top.ops_per_second / bottom.ops_per_second:.2f}"


def _outcomes(outcomes: Sequence[Outcome]) -> str:
    rows = [
        [outcome.name, outcome.value, outcome.goal, outcome.verdict.value + _note(outcome.note)]
        for outcome in outcomes
    ]
    return "## Targets\n\n" + _table(["target", "measured", "goal", "verdict"], rows)


def _note(note: str) -> str:
    return f" ({note})" if note else ""


def _memory(keygraph: KeygraphReport) -> str:
    rows = [
        [phase, str(worker.pid), f"{worker.rss_mb:.0f}"]
        for phase, workers in keygraph.memory.items()
        for worker in workers
    ]
    rows += [
        [
            f"spread {spread.row.value}: {spread.keys_touched:,} keys",
            "largest",
            f"{spread.rss_before_mb:.0f} -> {spread.rss_after_mb:.0f}",
        ]
        for spread in keygraph.spread
    ]
    if not rows:
        return ""
    return "## keygraph worker memory\n\n" + _table(["phase", "pid", "RSS MB"], rows)


def _missing(cells: Sequence[Cell], shape: Shape) -> str:
    lines = [
        f"- {row_label(cell.row, shape)} / {cell.op.label}: {cell.state.value}: {cell.reason}"
        for cell in cells
        if cell.state is not CellState.MEASURED
    ]
    return "## Not measured\n\n" + "\n".join(lines) if lines else ""
