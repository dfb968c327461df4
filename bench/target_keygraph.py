"""keygraph's cells, in the order one deployment allows.

First a ``keygraph dev`` with authorization off (own home, 10 keys) serves the row that measures
what authorization costs; it runs just before the single row it is compared with, so little time
(and little change in the machine's load) separates the two. Then one ``keygraph dev`` (1 worker)
serves a deployment of 10 keys for the single row, the AWS door's rows (``bench.target_aws``),
the persisted-query and batch rows; then it grows to ``--keys`` keys for the large-deployment row
(one copied key, warm) and the two spread passes (batches of 50 different keys, cold, no
warm-up: they exercise the caches' eviction). Last, a ``keygraph dev --workers N`` with its own
home serves the scaling rows (single and batch Encrypt). Resident memory of each worker is read
after each phase.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bench import documents
from bench.documents import Values
from bench.errors import BenchError
from bench.keygraph_server import Keygraph
from bench.memory import WorkerMemory
from bench.model import BATCH_SIZE, Cell, CellState, Op, Row
from bench.payloads import CONTEXT, PLAINTEXT, b64
from bench.plan import Options, Plan
from bench.population import grow
from bench.progress import show
from bench.target_aws import measure_aws
from bench.wrk import HttpLoad, Pace, measure_cell

SMALL_DEPLOYMENT = 10
ONE_WORKER_ROWS = (
    Row.KEYGRAPH_SINGLE,
    Row.AWS_SINGLE,
    Row.AWS_BEARER,
    Row.KEYGRAPH_PERSISTED,
    Row.KEYGRAPH_BATCH,
    Row.KEYGRAPH_LARGE,
    Row.KEYGRAPH_SPREAD_A,
    Row.KEYGRAPH_SPREAD_B,
)
LARGE_ROWS = (Row.KEYGRAPH_LARGE, Row.KEYGRAPH_SPREAD_A, Row.KEYGRAPH_SPREAD_B)
MANY_WORKER_ROWS = (Row.KEYGRAPH_WORKERS, Row.KEYGRAPH_WORKERS_BATCH)


@dataclass(frozen=True)
class SpreadPass:
    """One pass of batches over keys not touched before, and the worker's memory around it."""

    row: Row
    keys_touched: int
    rss_before_mb: float
    rss_after_mb: float


@dataclass
class KeygraphReport:
    cells: list[Cell] = field(default_factory=list)
    # Phase ("1 worker, 10 keys", ...) -> resident memory of each worker at its end.
    memory: dict[str, list[WorkerMemory]] = field(default_factory=dict)
    spread: list[SpreadPass] = field(default_factory=list)


def measure_keygraph(plan: Plan, options: Options, pace: Pace) -> KeygraphReport:
    report = KeygraphReport()
    if plan.wants(Row.KEYGRAPH_UNAUTHORIZED):
        wanted = [(Row.KEYGRAPH_UNAUTHORIZED, Op.ENCRYPT)]
        _guarded(report, wanted, lambda: _unauthorized(pace, report))
    if plan.wants(*ONE_WORKER_ROWS):
        wanted = [(row, op) for row in ONE_WORKER_ROWS for op in plan.ops(row)]
        _guarded(report, wanted, lambda: _one_worker(plan, options, pace, report))
    if plan.wants(*MANY_WORKER_ROWS):
        wanted = [(row, op) for row in MANY_WORKER_ROWS for op in plan.ops(row)]
        _guarded(report, wanted, lambda: _many_workers(plan, options, pace, report))
    return report


def _guarded(
    report: KeygraphReport, wanted: list[tuple[Row, Op]], work: Callable[[], None]
) -> None:
    """Run a phase; if it breaks off, the cells it did not reach fail with its reason."""
    try:
        work()
    except BenchError as exc:
        done = {(cell.row, cell.op) for cell in report.cells}
        report.cells += [
            show(Cell.failed(row, op, str(exc))) for row, op in wanted if (row, op) not in done
        ]


def _one_worker(plan: Plan, options: Options, pace: Pace, report: KeygraphReport) -> None:
    with Keygraph(workers=1) as keygraph:
        values = _small_deployment(keygraph)
        for op in plan.ops(Row.KEYGRAPH_SINGLE):
            report.cells.append(_single(keygraph, Row.KEYGRAPH_SINGLE, op, values, pace))
        report.cells += measure_aws(keygraph, plan, values, pace)
        for op in plan.ops(Row.KEYGRAPH_PERSISTED):
            report.cells.append(_persisted(keygraph, op, values, pace))
        for op in plan.ops(Row.KEYGRAPH_BATCH):
            report.cells.append(_batch(keygraph, Row.KEYGRAPH_BATCH, op, values, pace))
        report.memory[f"1 worker, {SMALL_DEPLOYMENT} keys"] = keygraph.memory()
        if plan.wants(*LARGE_ROWS):
            _large_deployment(keygraph, plan, options, pace, values, report)
            report.memory[f"1 worker, {options.keys:,} keys, at the end"] = keygraph.memory()


def _large_deployment(
    keygraph: Keygraph,
    plan: Plan,
    options: Options,
    pace: Pace,
    values: Values,
    report: KeygraphReport,
) -> None:
    population = grow(keygraph.dsn, values.aes_key, options.keys - SMALL_DEPLOYMENT)
    measured_key, others = population[0], population[1:]
    large = replace(values, aes_key=measured_key)
    for op in plan.ops(Row.KEYGRAPH_LARGE):
        report.cells.append(_single(keygraph, Row.KEYGRAPH_LARGE, op, large, pace))
    half = len(others) // 2
    for row, keys in (
        (Row.KEYGRAPH_SPREAD_A, others[:half]),
        (Row.KEYGRAPH_SPREAD_B, others[half:]),
    ):
        if plan.ops(row):
            _spread(keygraph, row, keys, values, pace, report)


def _spread(
    keygraph: Keygraph,
    row: Row,
    keys: list[str],
    values: Values,
    pace: Pace,
    report: KeygraphReport,
) -> None:
    bodies = tuple(
        documents.spread(Op.ENCRYPT, values, keys[start : start + BATCH_SIZE])
        for start in range(0, len(keys) - BATCH_SIZE + 1, BATCH_SIZE)
    )
    before = _largest_rss(keygraph)
    load = HttpLoad(keygraph.graphql_url, bodies, keygraph.headers, BATCH_SIZE)
    cell = measure_cell(row, Op.ENCRYPT, load, pace, warm=False)
    report.cells.append(cell)
    if cell.state is CellState.MEASURED and cell.measurement is not None:
        touched = min(len(bodies) * BATCH_SIZE, cell.measurement.requests * BATCH_SIZE)
        report.spread.append(SpreadPass(row, touched, before, _largest_rss(keygraph)))


def _unauthorized(pace: Pace, report: KeygraphReport) -> None:
    with Keygraph(workers=1, authorization=False) as keygraph:
        values = _small_deployment(keygraph)
        row = Row.KEYGRAPH_UNAUTHORIZED
        report.cells.append(_single(keygraph, row, Op.ENCRYPT, values, pace))
        report.memory[f"1 worker, authorization off, {SMALL_DEPLOYMENT} keys"] = keygraph.memory()


def _many_workers(plan: Plan, options: Options, pace: Pace, report: KeygraphReport) -> None:
    with Keygraph(workers=options.workers) as keygraph:
        values = _small_deployment(keygraph)
        for op in plan.ops(Row.KEYGRAPH_WORKERS):
            report.cells.append(_single(keygraph, Row.KEYGRAPH_WORKERS, op, values, pace))
        for op in plan.ops(Row.KEYGRAPH_WORKERS_BATCH):
            report.cells.append(_batch(keygraph, Row.KEYGRAPH_WORKERS_BATCH, op, values, pace))
        report.memory[f"{options.workers} workers, {SMALL_DEPLOYMENT} keys"] = keygraph.memory()


def _single(keygraph: Keygraph, row: Row, op: Op, values: Values, pace: Pace) -> Cell:
    load = HttpLoad(keygraph.graphql_url, (documents.single(op, values),), keygraph.headers)
    return measure_cell(row, op, load, pace)


def _batch(keygraph: Keygraph, row: Row, op: Op, values: Values, pace: Pace) -> Cell:
    body = documents.batch(op, values, BATCH_SIZE)
    load = HttpLoad(keygraph.graphql_url, (body,), keygraph.headers, BATCH_SIZE)
    return measure_cell(row, op, load, pace)


def _persisted(keygraph: Keygraph, op: Op, values: Values, pace: Pace) -> Cell:
    """The document's text is sent once, as a persisted-query client does after the server
    answered PersistedQueryNotFound; from then on only its hash travels."""
    try:
        keygraph.graphql(documents.query(op), values.of(op))
    except BenchError as exc:
        return show(Cell.failed(Row.KEYGRAPH_PERSISTED, op, str(exc)))
    load = HttpLoad(keygraph.graphql_url, (documents.persisted(op, values),), keygraph.headers)
    return measure_cell(Row.KEYGRAPH_PERSISTED, op, load, pace)


def _largest_rss(keygraph: Keygraph) -> float:
    return max((worker.rss_mb for worker in keygraph.memory()), default=0.0)


def _small_deployment(keygraph: Keygraph) -> Values:
    """Ten keys made through the API: nine symmetric, one P-256 for signing."""

    def create(spec: str, usage: str) -> str:
        created = keygraph.graphql(documents.CREATE_KEY, {"s": spec, "u": usage})
        key_id: str = created["createKey"]["keyMetadata"]["keyId"]
        return key_id

    symmetric = [
        create("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT") for _ in range(SMALL_DEPLOYMENT - 1)
    ]
    p256 = create("ECC_NIST_P256", "SIGN_VERIFY")
    plaintext = b64(PLAINTEXT)
    variables = {"k": symmetric[0], "p": plaintext, "c": CONTEXT}
    encrypted = keygraph.graphql(documents.query(Op.ENCRYPT), variables)
    return Values(
        aes_key=symmetric[0],
        p256_key=p256,
        plaintext=plaintext,
        context=CONTEXT,
        ciphertext=encrypted["encrypt"]["ciphertextBlob"],
    )
