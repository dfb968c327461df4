"""``python -m bench`` (``make bench``): measure every row, print the report, keep the results.

Rows run one after another, never side by side, each target started for its rows and stopped
after them: the HSM floor, the HTTP floor, moto_server, then keygraph (authorization off;
1 worker; then N workers).
Exit status: 0 when every selected cell was measured (or deliberately skipped), 1 when some
could not be measured, 2 when nothing could run (bad options, wrk missing).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.archive import describe_machine, write_results
from bench.errors import ToolMissing
from bench.goals import evaluate
from bench.model import Cell, CellState, Row
from bench.plan import Options, make_plan, unknown_patterns
from bench.report import render
from bench.servers import REPOSITORY
from bench.target_hsm import measure_hsm_floor
from bench.target_http import measure_http_floor
from bench.target_keygraph import measure_keygraph
from bench.target_moto import measure_moto
from bench.wrk import Pace, require_wrk

BUSY_LOAD = 1.0
# The large deployment must hold the measured key and two spread passes of whole batches.
MIN_KEYS = 1_000


def main(argv: list[str] | None = None) -> int:
    options = _options(argv)
    bad = unknown_patterns(options.only)
    if bad:
        print(f"bench: --only {', '.join(bad)} selects no cell (see --help)", file=sys.stderr)
        return 2
    try:
        require_wrk()
    except ToolMissing as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    # Killed politely, unwind like Ctrl-C does, so every server started so far is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    plan = make_plan(options)
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    if load_before[0] > BUSY_LOAD:
        print(
            f"bench: load average {load_before[0]:.1f}: other processes share the 2 cores, "
            "expect lower and noisier figures (ratios within this run still compare)",
            file=sys.stderr,
        )
    pace = Pace(options.connections, options.duration, options.warmup)
    cells: list[Cell] = []
    cells += measure_hsm_floor(plan, options)
    cells += measure_http_floor(plan, pace)
    cells += measure_moto(plan, pace)
    keygraph = measure_keygraph(plan, options, pace)
    cells += keygraph.cells
    order = {cell: index for index, cell in enumerate(plan.cells)}
    cells.sort(key=lambda cell: order[(cell.row, cell.op)])
    outcomes = evaluate(cells, keygraph, options)
    print(render(cells, options.shape, outcomes, keygraph))
    machine = describe_machine(load_before)
    json_path, png_path = write_results(started, options, machine, cells, outcomes, keygraph)
    print(f"results: {json_path}\nchart:   {png_path}")
    return 1 if any(cell.state is CellState.FAILED for cell in cells) else 0


def _options(argv: list[str] | None) -> Options:
    rows = ", ".join(row.value for row in Row)
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark keygraph against its floors and a peer; see bench/README.md.",
        epilog=f"rows: {rows}; operations: encrypt, decrypt, generate-data-key, sign, "
        "describe-key. --only 'keygraph-*/encrypt' --only hsm-floor",
    )
    parser.add_argument(
        "--duration", type=_positive, default=10, help="seconds measured per cell (default 10)"
    )
    parser.add_argument(
        "--warmup", type=_not_negative, default=2, help="seconds of load before each (default 2)"
    )
    parser.add_argument(
        "--connections", type=_positive, default=16, help="concurrent connections (default 16)"
    )
    parser.add_argument(
        "--workers",
        type=_positive,
        default=2,
        help="keygraph worker processes of the scaling row, compared with 1 (default 2)",
    )
    parser.add_argument(
        "--threads",
        type=_positive,
        default=os.cpu_count() or 2,
        help="threads of the extra HSM floor row (default: the number of CPUs)",
    )
    parser.add_argument(
        "--keys",
        type=_key_count,
        default=100_000,
        help=f"keys in the large deployment, at least {MIN_KEYS:,} (default 100,000)",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="ROW/OP",
        help="measure only matching cells; repeatable; globs allowed",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=REPOSITORY / "bench" / "results",
        help="directory for the JSON and PNG results (default bench/results)",
    )
    args = parser.parse_args(argv)
    return Options(**{**vars(args), "only": tuple(args.only)})


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive whole number")
    return value


def _key_count(text: str) -> int:
    value = int(text)
    if value < MIN_KEYS:
        raise argparse.ArgumentTypeError(f"{text} is fewer than {MIN_KEYS:,} keys")
    return value


def _not_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


if __name__ == "__main__":
    sys.exit(main())
