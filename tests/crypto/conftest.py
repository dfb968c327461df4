"""Served keygraph processes for the tests that need real HTTP between processes."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hsm import HsmConfig
from tests.app.test_dev_server import free_port, keygraph, wait_until_ready


class Replica:
    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            keygraph("serve"),
            env={**env, "KEYGRAPH_PORT": str(self.port)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_ready(self) -> None:
        wait_until_ready(self.process, self.url, 90, "replica")

    def gql(self, token: str, query: str, variables: dict[str, str]) -> dict[str, object]:
        response = httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        body: dict[str, object] = response.json()
        return body

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def serve_environment(
    database_url: str, hsm_config: HsmConfig, keygraph_home: Path
) -> dict[str, str]:
    """What `keygraph serve` needs: the test database and the test SoftHSM token."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("KEYGRAPH_")},
        "KEYGRAPH_DATABASE_URL": database_url,
        "KEYGRAPH_PKCS11_MODULE": hsm_config.module_path,
        "KEYGRAPH_TOKEN_LABEL": hsm_config.token_label,
        "KEYGRAPH_PIN": hsm_config.pin,
        "KEYGRAPH_HOME": str(keygraph_home),
    }


@pytest.fixture
def replicas(
    fresh_database: str, hsm_config: HsmConfig, keygraph_home: Path
) -> Iterator[tuple[Replica, Replica]]:
    """Two replicas on one database and one token."""
    env = serve_environment(fresh_database, hsm_config, keygraph_home)
    first = Replica(env)
    first.wait_ready()  # creates the root principal and its token before the second starts
    second = Replica(env)
    try:
        second.wait_ready()
        yield first, second
    finally:
        first.stop()
        second.stop()


@pytest.fixture
def replica(fresh_database: str, hsm_config: HsmConfig, keygraph_home: Path) -> Iterator[Replica]:
    served = Replica(serve_environment(fresh_database, hsm_config, keygraph_home))
    try:
        served.wait_ready()
        yield served
    finally:
        served.stop()
