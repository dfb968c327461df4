"""What one GraphQL request may cost a worker, against a served replica (real HTTP, its own
process): fragment fan-outs refused without expanding them, oversized query texts refused before
parsing, a document cache bounded by bytes, and hostile bodies answered ValidationException
instead of a 500."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from graphql import GraphQLError

from api.settings import Limits
from hsm import HsmConfig
from schema.build import build_schema
from schema.documents import DocumentCache, sha256_of
from tests.app.test_http import fan_out_document
from tests.fixtures.postgres import new_database
from tests.served import Replica, serve_environment

WHOAMI = "{ whoami { arn } }"
# The memory target of a worker (bench/README.md).
WORKER_RSS_TARGET_BYTES = 250 * 1024 * 1024


@pytest.fixture(scope="module")
async def limits_database(database_url: str) -> AsyncIterator[str]:
    async with new_database(database_url) as url:
        yield url


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("limits-home")


@pytest.fixture(scope="module")
def replica(limits_database: str, hsm_config: HsmConfig, home: Path) -> Iterator[Replica]:
    """One served worker for the module: starting one costs seconds."""
    served = Replica(serve_environment(limits_database, hsm_config, home))
    try:
        served.wait_ready()
        yield served
    finally:
        served.stop()


@pytest.fixture
async def http(replica: Replica, home: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The root's client of the replica. The timeout is a liveness bound, not a speed claim: a
    worker stuck in one request would otherwise hold the suite."""
    token = (home / "admin-token").read_text(encoding="ascii").strip()
    async with httpx.AsyncClient(
        base_url=replica.url, headers={"Authorization": f"Bearer {token}"}, timeout=20
    ) as client:
        yield client


def error_of(response: httpx.Response) -> dict[str, object]:
    """The one error of a refused request; a refusal is never a 500."""
    assert response.status_code in (200, 400), response.text
    body = response.json()
    assert body["data"] is None, body
    [error] = body["errors"]
    assert isinstance(error, dict)
    return error


def validation_error(response: httpx.Response) -> str:
    error = error_of(response)
    assert error["extensions"] == {"code": "ValidationException"}, error
    message = error["message"]
    assert isinstance(message, str)
    return message


@pytest.mark.parametrize("levels", [16, 20, 40, 60])
async def test_a_fragment_fan_out_is_refused_while_healthz_answers(
    http: httpx.AsyncClient, levels: int
) -> None:
    """Each fragment spreads the next twice: 2^levels fields once expanded. Before each
    fragment's cost was remembered, n=18 held the worker (and /healthz) for seconds and n=40
    for minutes; now the refusal counts each fragment once."""
    hostile = http.post("/graphql", json={"query": fan_out_document(levels)})
    health = http.get("/healthz")
    refused, healthy = await asyncio.gather(hostile, health)
    assert healthy.status_code == 200
    assert "fragment spreads" in validation_error(refused)


async def test_repeated_fields_are_refused_within_the_validation_budget(
    http: httpx.AsyncClient,
) -> None:
    """Fields sharing a response name are compared in pairs: 499 copies of one field (7 KB,
    under every other limit) held the worker 0.45 s under graphql-core's default budget."""
    document = "{" + " whoami { arn }" * 499 + " }"
    hostile = http.post("/graphql", json={"query": document})
    refused, healthy = await asyncio.gather(hostile, http.get("/healthz"))
    assert healthy.status_code == 200
    assert "too costly to validate" in validation_error(refused)


async def test_a_small_fan_out_runs(http: httpx.AsyncClient) -> None:
    """Under the caps, fragments spread several times are an ordinary document."""
    response = await http.post("/graphql", json={"query": fan_out_document(4)})
    assert response.json() == {"data": {"whoami": {"arn": "arn:aws:iam::111122223333:root"}}}


async def test_total_fields_are_capped_across_fragments(http: httpx.AsyncClient) -> None:
    """Fields count as often as their fragment is spread, not once per definition."""
    limit = Limits().max_fields
    fields = " ".join(f"f{i}: __typename" for i in range(50))
    spreads = " ".join("...F" for _ in range(limit // 50 + 1))
    document = f"fragment F on Query {{ {fields} }} {{ {spreads} }}"
    message = validation_error(await http.post("/graphql", json={"query": document}))
    assert f"more than {limit} fields" in message


async def test_aliases_are_counted_through_fragments(http: httpx.AsyncClient) -> None:
    limit = Limits().max_aliases
    aliases = " ".join(f"a{i}: whoami {{ arn }}" for i in range(limit // 2 + 1))
    document = f"fragment F on Query {{ {aliases} }} {{ ...F ...F }}"
    message = validation_error(await http.post("/graphql", json={"query": document}))
    assert f"more than {limit} aliases" in message


async def test_a_query_text_over_the_limit_is_refused_before_parsing(
    http: httpx.AsyncClient,
) -> None:
    limit = Limits().max_query_bytes
    padded = WHOAMI + " #" + "x" * limit
    message = validation_error(await http.post("/graphql", json={"query": padded}))
    assert f"{limit} bytes" in message
    at_limit = WHOAMI + " #" + "x" * (limit - len(WHOAMI) - 2)
    response = await http.post("/graphql", json={"query": at_limit})
    assert response.json()["data"] == {"whoami": {"arn": "arn:aws:iam::111122223333:root"}}


async def test_a_lone_surrogate_in_the_query_is_a_validation_exception(
    http: httpx.AsyncClient,
) -> None:
    """JSON's escape of half a UTF-16 pair is valid JSON but no Unicode text: it could not be
    hashed (UnicodeEncodeError, a 500) before it was refused."""
    body = '{"query": "{ whoami { arn } } #\\ud800"}'
    response = await http.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "surrogate" in validation_error(response)


async def test_a_lone_surrogate_in_a_variable_is_a_validation_exception(
    http: httpx.AsyncClient,
) -> None:
    body = (
        '{"query": "query($k: String!) { describeKey(input: {keyId: $k}) { keyMetadata '
        '{ keyId } } }", "variables": {"k": "alias/\\udc00"}}'
    )
    response = await http.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "surrogate" in validation_error(response)


@pytest.mark.parametrize("depth", [100_000, 500])
async def test_deeply_nested_json_is_a_validation_exception(
    http: httpx.AsyncClient, depth: int
) -> None:
    """100,000 levels overflowed the JSON decoder's recursion (a 500). Fewer levels decode;
    the door refuses any nesting past ``Limits.max_json_depth`` (no input of the schema nests
    that deep), so nothing after it recurses on a client's value."""
    nested = "[" * depth + "]" * depth
    body = f'{{"query": "{{ whoami {{ arn }} }}", "variables": {{"v": {nested}}}}}'
    response = await http.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "nests deeper" in validation_error(response)


async def test_a_deeply_nested_selection_is_a_validation_exception(
    http: httpx.AsyncClient,
) -> None:
    """Within the token and size limits, selections nested 1,500 deep would overflow a
    recursive parser or cost count: graphql-core's parser refuses them, and so does the door."""
    levels = 1_500
    document = "{" + " whoami {" * levels + " arn" + " }" * (levels + 1)
    message = validation_error(await http.post("/graphql", json={"query": document}))
    assert "nested too deeply" in message


def test_the_cache_is_keyed_by_hash_and_bounded_by_bytes() -> None:
    limits = Limits(document_cache_size=1_000, document_cache_bytes=256 * 1024)
    cache = DocumentCache(limits)
    schema = build_schema(limits).graphql
    texts = [f"{WHOAMI} # {i} " + "x" * 8_000 for i in range(100)]
    for text in texts:
        assert not cache.prepared(schema, text).errors
        assert cache.bytes <= limits.document_cache_bytes
    assert 0 < len(cache) < len(texts)
    newest = texts[-1]
    assert cache.by_hash(sha256_of(newest)) is cache.prepared(schema, newest)
    assert cache.by_hash(sha256_of(texts[0])) is None


def test_a_text_over_the_limit_is_never_cached() -> None:
    limits = Limits()
    cache = DocumentCache(limits)
    oversized = WHOAMI + " #" + "x" * limits.max_query_bytes
    [error] = cache.prepared(build_schema(limits).graphql, oversized).errors
    assert isinstance(error, GraphQLError)
    assert (len(cache), cache.bytes) == (0, 0)


def resident_bytes(pid: int) -> int:
    """VmRSS of ``pid`` from /proc, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")


async def test_padded_documents_leave_the_worker_under_its_memory_target(
    http: httpx.AsyncClient, replica: Replica
) -> None:
    """A comment costs no tokens: 200 documents padded with ~1 MiB comments left the worker at
    535 MiB of RSS when the cache kept up to 1,024 full texts. Now they are refused before
    parsing, and documents padded up to the query limit fill the cache only up to its byte
    budget."""
    below_body_limit = Limits().max_body_bytes - 1_024
    limit = Limits().max_query_bytes
    for i in range(200):
        huge = f"{WHOAMI} # {i} " + "x" * below_body_limit
        validation_error(await http.post("/graphql", json={"query": huge}))
    for i in range(600):
        padded = f"{WHOAMI} # {i} " + "x" * (limit - 64)
        response = await http.post("/graphql", json={"query": padded})
        assert response.json()["data"] is not None
    rss = resident_bytes(replica.process.pid)
    print(f"worker VmRSS after the padded documents: {rss / 1024 / 1024:.1f} MiB")
    assert rss < WORKER_RSS_TARGET_BYTES
