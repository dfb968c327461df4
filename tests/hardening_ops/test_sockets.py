"""Slow and silent sockets against a served replica (``keygraph serve``, real TCP): each is
closed by the server once the deadline it missed has passed (``keygraph.sockets``), the server
answers ``/healthz`` all the while, a worker's connections are capped, and ``/metrics`` is
scraped with its own token.

The deadlines are short here (KEYGRAPH_HEADER_TIMEOUT and the rest); the bounds the test waits
for are liveness bounds, several times the deadlines, not claims about speed."""

from __future__ import annotations

import contextlib
import os
import selectors
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from hsm import HsmConfig
from tests.fixtures.postgres import new_database
from tests.served import Replica, serve_environment

HEADER_TIMEOUT = 2
BODY_TIMEOUT = 2
KEEP_ALIVE_TIMEOUT = 1
MAX_CONNECTIONS = 600
# Several times every deadline: past it, a socket still open was never going to be closed.
CLOSED_WITHIN = 30.0
METRICS_TOKEN = "scrape-" + "m" * 32

HALF_HEADERS = b"POST /graphql HTTP/1.1\r\nHost: keygraph\r\nContent-"
HALF_BODY = (
    b"POST /graphql HTTP/1.1\r\nHost: keygraph\r\nContent-Type: application/json\r\n"
    b"Content-Length: 1000\r\n\r\n" + b'{"query": "'
)
HEALTHZ = b"GET /healthz HTTP/1.1\r\nHost: keygraph\r\n\r\n"


@pytest.fixture(scope="module")
async def sockets_database(database_url: str) -> AsyncIterator[str]:
    async with new_database(database_url) as url:
        yield url


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sockets-home")


@pytest.fixture(scope="module")
def replica(sockets_database: str, hsm_config: HsmConfig, home: Path) -> Iterator[Replica]:
    env = {
        **serve_environment(sockets_database, hsm_config, home),
        "KEYGRAPH_HEADER_TIMEOUT": str(HEADER_TIMEOUT),
        "KEYGRAPH_BODY_TIMEOUT": str(BODY_TIMEOUT),
        "KEYGRAPH_KEEP_ALIVE_TIMEOUT": str(KEEP_ALIVE_TIMEOUT),
        "KEYGRAPH_MAX_CONNECTIONS": str(MAX_CONNECTIONS),
        "KEYGRAPH_METRICS_TOKEN": METRICS_TOKEN,
    }
    served = Replica(env)
    try:
        served.wait_ready()
        yield served
    finally:
        served.stop()


def _connect(port: int, sent: bytes = b"") -> socket.socket:
    held = socket.create_connection(("127.0.0.1", port), timeout=10)
    if sent:
        held.sendall(sent)
    return held


def _answered_then_kept(port: int, then: bytes = b"") -> socket.socket:
    """A connection that made one whole request, read its answer, and stays open (then sends
    ``then``, the start of another request)."""
    held = _connect(port, HEALTHZ)
    answer = b""
    while b"\r\n\r\n" not in answer or not answer.endswith(b"}"):
        answer += held.recv(4096)
    assert answer.startswith(b"HTTP/1.1 200"), answer
    if then:
        held.sendall(then)
    return held


def _open_descriptors(replica: Replica) -> int:
    return len(os.listdir(f"/proc/{replica.process.pid}/fd"))


def _wait_closed(held: list[socket.socket], meanwhile: Callable[[], None]) -> float:
    """Seconds until the server has closed every socket of ``held`` (end of stream or reset),
    calling ``meanwhile`` between polls; fails past ``CLOSED_WITHIN``."""
    started = time.monotonic()
    with selectors.DefaultSelector() as selector:
        for each in held:
            each.setblocking(False)
            selector.register(each, selectors.EVENT_READ)
        open_ones = len(held)
        while open_ones:
            waited = time.monotonic() - started
            assert waited < CLOSED_WITHIN, f"{open_ones} of {len(held)} sockets still open"
            for ready, _ in selector.select(timeout=0.2):
                readable = ready.fileobj
                assert isinstance(readable, socket.socket)
                try:
                    closed = readable.recv(65_536) == b""
                except ConnectionResetError:
                    closed = True
                if closed:
                    selector.unregister(readable)
                    open_ones -= 1
            meanwhile()
    return time.monotonic() - started


@contextlib.contextmanager
def _holding(sockets: list[socket.socket]) -> Iterator[list[socket.socket]]:
    try:
        yield sockets
    finally:
        for each in sockets:
            each.close()


def test_slow_and_idle_sockets_are_closed_while_the_server_answers(replica: Replica) -> None:
    """500 sockets: silent from the start, stopped inside the headers or inside the body, idle
    after an answer, stopped inside a second request. Before the deadlines all 500 stayed open
    (and with them 500 of the server's file descriptors) for as long as the clients wanted."""
    port = replica.port
    before = _open_descriptors(replica)
    healthy: list[int] = []

    def healthz() -> None:
        healthy.append(httpx.get(f"{replica.url}/healthz", timeout=10).status_code)

    kinds = [
        *(_connect(port) for _ in range(200)),
        *(_connect(port, HALF_HEADERS) for _ in range(100)),
        *(_connect(port, HALF_BODY) for _ in range(100)),
        *(_answered_then_kept(port) for _ in range(50)),
        *(_answered_then_kept(port, b"GET /healthz HTTP/1.1\r\nHo") for _ in range(50)),
    ]
    with _holding(kinds) as held:
        assert len(held) == 500
        peak = _open_descriptors(replica)
        seconds = _wait_closed(held, healthz)
    after = _open_descriptors(replica)
    print(
        f"500 sockets closed by the server in {seconds:.1f} s; server descriptors "
        f"{before} -> {peak} -> {after}; /healthz answered {len(healthy)} times meanwhile"
    )
    assert after <= before + 10
    assert healthy
    assert set(healthy) == {200}


def test_a_worker_serves_at_most_its_connections(replica: Replica) -> None:
    """Past KEYGRAPH_MAX_CONNECTIONS a request is answered 503; once the silent sockets are
    closed by the header deadline, the worker serves again."""
    statuses: list[int] = []

    def healthz() -> None:
        statuses.append(httpx.get(f"{replica.url}/healthz", timeout=10).status_code)

    with _holding([_connect(replica.port) for _ in range(MAX_CONNECTIONS)]) as held:
        _wait_closed(held, healthz)
    healthz()
    assert statuses[0] == 503
    assert statuses[-1] == 200


def test_oversized_headers_are_not_taken(replica: Replica) -> None:
    """A whole request with 100 KB of headers (past the 64 KiB a request may carry) is aborted
    unanswered; uvicorn alone answered it, having taken even 5 MB of one header line."""
    oversized = b"GET /healthz HTTP/1.1\r\nHost: keygraph\r\nX-Pad: " + b"a" * 100_000
    with _holding([_connect(replica.port)]) as [held]:
        with contextlib.suppress(ConnectionError):
            held.sendall(oversized + b"\r\n\r\n")
        answer = b""
        with contextlib.suppress(ConnectionError):
            answer = held.recv(4096)
    assert answer == b""
    assert httpx.get(f"{replica.url}/healthz", timeout=10).status_code == 200


def test_metrics_are_scraped_with_the_metrics_token_only(replica: Replica, home: Path) -> None:
    url = f"{replica.url}/metrics"
    anonymous = httpx.get(url, timeout=10)
    assert anonymous.status_code == 401
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UnrecognizedClientException"
    for wrong in (f"Bearer {METRICS_TOKEN}x", f"Basic {METRICS_TOKEN}", METRICS_TOKEN):
        assert httpx.get(url, headers={"Authorization": wrong}, timeout=10).status_code == 401
    token = (home / "admin-token").read_text(encoding="ascii").strip()
    principal = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert principal.status_code == 401
    scraped = httpx.get(url, headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10)
    assert scraped.status_code == 200
    families = {family.name for family in text_string_to_metric_families(scraped.text)}
    assert {"keygraph_http_requests", "keygraph_operations"} <= families
