"""Served keygraph processes for the tests that need real HTTP between processes: ``keygraph
serve`` on the test database and the test SoftHSM token, as replicas and the AWS clients meet it."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import httpx

from hsm import HsmConfig
from tests.app.test_dev_server import free_port, keygraph, wait_until_ready


class Replica:
    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # A file, not a pipe: the request log writes a line per request, and a pipe nobody reads
        # fills after a few hundred of them and stalls the server. stop() closes it.
        self.log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115
        self.process = subprocess.Popen(
            keygraph("serve"),
            env={**env, "KEYGRAPH_PORT": str(self.port)},
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            text=True,
        )

    def output(self) -> str:
        """What the server wrote to stderr so far: its banner, log lines and tracebacks."""
        self.log.seek(0)
        return self.log.read()

    def wait_ready(self) -> None:
        wait_until_ready(self.process, self.url, 90, "replica", self.output)

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
        self.log.close()


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
