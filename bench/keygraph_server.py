"""keygraph started as a user starts it: ``keygraph dev`` with a temporary ``KEYGRAPH_HOME``.

``keygraph dev`` makes a private Postgres cluster and SoftHSM token under the home and writes
the root principal's token to ``$KEYGRAPH_HOME/admin-token``. Throttling is switched off
(``KEYGRAPH_RATES=off``) because the AWS default rates would cap the very throughput measured;
authentication, authorization and audit stay on, except for the one row that measures what
authorization costs (``KEYGRAPH_AUTHORIZATION=off``, which development mode allows).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Self

import httpx

from api.embedded import postgres_of
from bench.errors import SetupFailed, ToolMissing
from bench.memory import WorkerMemory, worker_memory, workers
from bench.servers import Server
from db.embedded import free_port

START_SECONDS = 180
# Settings of the caller's environment that would point keygraph dev elsewhere.
_FOREIGN_SETTINGS = ("KEYGRAPH_", "SOFTHSM2_CONF")


def keygraph_program() -> Path:
    return Path(sys.executable).with_name("keygraph")


class Keygraph:
    """A running ``keygraph dev``; leaving the ``with`` block stops it and deletes its home.
    ``authorization=False`` starts it with every call allowed, policies and grants unread."""

    def __init__(self, workers: int, *, authorization: bool = True) -> None:
        program = keygraph_program()
        if not program.exists():
            raise ToolMissing(f"{program} is missing: run make install")
        if workers > 1 and not _has_workers_option(program):
            raise ToolMissing(
                f"keygraph dev has no --workers option yet, so {workers} workers cannot be measured"
            )
        self.workers = workers
        self.home = Path(tempfile.mkdtemp(prefix="bench-keygraph-"))
        # The postgres system user runs the cluster inside the home and must reach it.
        self.home.chmod(0o755)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **{
                name: value
                for name, value in os.environ.items()
                if not name.startswith(_FOREIGN_SETTINGS)
            },
            "KEYGRAPH_HOME": str(self.home),
            "KEYGRAPH_PORT": str(self.port),
            "KEYGRAPH_RATES": "off",
            **({} if authorization else {"KEYGRAPH_AUTHORIZATION": "off"}),
        }
        argv = [str(program), "dev", *(["--workers", str(workers)] if workers > 1 else [])]
        self._server = Server("keygraph dev", argv, self.home / "keygraph.log", env=env)
        self._token = ""

    def __enter__(self) -> Self:
        try:
            self._server.wait_for_http(f"{self.url}/readyz", START_SECONDS)
            self._server.wait_until(
                lambda: len(workers(self._server.pid)) >= self.workers, START_SECONDS
            )
            self._token = (self.home / "admin-token").read_text(encoding="ascii").strip()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._server.stop()
        cluster = postgres_of(self.home)
        if cluster.is_initialized() and cluster.is_running():
            cluster.stop()
        shutil.rmtree(self.home, ignore_errors=True)

    @property
    def graphql_url(self) -> str:
        return f"{self.url}/graphql"

    @property
    def authorization(self) -> str:
        """The root principal's ``Authorization`` header value, for either door."""
        return f"Bearer {self._token}"

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json", "Authorization": self.authorization}

    @property
    def dsn(self) -> str:
        return postgres_of(self.home).dsn

    def memory(self) -> list[WorkerMemory]:
        return worker_memory(self._server.pid)

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """``data`` of one request as the admin; GraphQL errors raise ``SetupFailed``."""
        response = httpx.post(
            self.graphql_url,
            headers=self.headers,
            json={"query": query, "variables": variables or {}},
            timeout=60,
        )
        body = response.json() if response.status_code == 200 else {}
        if response.status_code != 200 or body.get("errors"):
            raise SetupFailed(f"keygraph answered {response.status_code}: {response.text[:400]}")
        data: dict[str, Any] = body["data"]
        return data


def _has_workers_option(program: Path) -> bool:
    shown = subprocess.run(
        [str(program), "dev", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    return "--workers" in shown.stdout
