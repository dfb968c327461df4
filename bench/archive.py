"""Each run's results as JSON (and the chart beside it) under ``bench/results/``, named by the
UTC time the run started, so runs can be compared over time (as ratios: see README)."""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import subprocess
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.chart import write_chart
from bench.goals import Outcome
from bench.model import Cell, Shape, row_label
from bench.plan import Options
from bench.servers import REPOSITORY
from bench.target_keygraph import KeygraphReport

FORMAT_VERSION = 1


@dataclasses.dataclass(frozen=True)
class Machine:
    cpus: int
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    python: str
    wrk: str
    commit: str
    modified: bool


def describe_machine(load_before: tuple[float, float, float]) -> Machine:
    return Machine(
        cpus=os.cpu_count() or 0,
        load_before=load_before,
        load_after=os.getloadavg(),
        python=platform.python_version(),
        wrk=_output(["wrk", "--version"]).split(" [", 1)[0],
        commit=_output(["git", "-C", str(REPOSITORY), "rev-parse", "HEAD"]),
        modified=bool(_output(["git", "-C", str(REPOSITORY), "status", "--porcelain"])),
    )


def write_results(
    started: datetime,
    options: Options,
    machine: Machine,
    cells: Sequence[Cell],
    outcomes: Sequence[Outcome],
    keygraph: KeygraphReport,
) -> tuple[Path, Path]:
    options.output.mkdir(parents=True, exist_ok=True)
    stem = started.strftime("%Y%m%dT%H%M%SZ")
    data = {
        "format": FORMAT_VERSION,
        "started": started.isoformat(),
        "machine": dataclasses.asdict(machine),
        "options": {
            "duration": options.duration,
            "warmup": options.warmup,
            "connections": options.connections,
            "workers": options.workers,
            "threads": options.threads,
            "keys": options.keys,
            "only": list(options.only),
        },
        "cells": [_cell(cell, options.shape) for cell in cells],
        "targets": [
            {**dataclasses.asdict(outcome), "verdict": outcome.verdict.value}
            for outcome in outcomes
        ],
        "memory": {
            phase: [dataclasses.asdict(worker) for worker in workers]
            for phase, workers in keygraph.memory.items()
        },
        "spread": [
            {**dataclasses.asdict(spread), "row": spread.row.value} for spread in keygraph.spread
        ],
    }
    json_path = options.output / f"{stem}.json"
    json_path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    png_path = options.output / f"{stem}.png"
    title = f"keygraph bench {stem}, {options.connections} connections, {options.duration} s/cell"
    write_chart(cells, options.shape, title, png_path)
    return json_path, png_path


def _cell(cell: Cell, shape: Shape) -> dict[str, Any]:
    measurement = dataclasses.asdict(cell.measurement) if cell.measurement else {}
    return {
        "row": cell.row.value,
        "row_label": row_label(cell.row, shape),
        "op": cell.op.value,
        "op_label": cell.op.label,
        "state": cell.state.value,
        "reason": cell.reason,
        **measurement,
    }


def _output(argv: list[str]) -> str:
    try:
        finished = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return ""
    return (finished.stdout or finished.stderr).strip()
