"""`keygraph serve --workers 2`: two processes on one port, each with its own HSM sessions."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx
import pytest

from hsm import HsmConfig
from tests.app.test_dev_server import free_port, keygraph
from tests.served import serve_environment

pytestmark = pytest.mark.slow


def children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


def maps_the_hsm(pid: int, module: str) -> bool:
    """Whether the process has the PKCS#11 module mapped (by file name: the path may be a link)."""
    try:
        return Path(module).name in Path(f"/proc/{pid}/maps").read_text()
    except FileNotFoundError:
        return False


def ready(url: str) -> bool:
    """The port answers /readyz (a worker may still be starting: refused until then)."""
    try:
        return httpx.get(f"{url}/readyz", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def test_two_workers_serve_one_port_each_with_the_hsm(
    fresh_database: str, hsm_config: HsmConfig, keygraph_home: Path
) -> None:
    port = free_port()
    env = {
        **serve_environment(fresh_database, hsm_config, keygraph_home),
        "KEYGRAPH_PORT": str(port),
    }
    server = subprocess.Popen(
        keygraph("serve", "--workers", "2"),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        workers: list[int] = []
        while len(workers) < 2 or not all(maps_the_hsm(w, hsm_config.module_path) for w in workers):
            assert server.poll() is None, server.stderr.read()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.2)
            workers = [c for c in children(server.pid) if maps_the_hsm(c, hsm_config.module_path)]
        # The supervisor itself never initialises the HSM.
        assert not maps_the_hsm(server.pid, hsm_config.module_path)
        while not ready(url):
            assert server.poll() is None, server.stderr.read()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.2)
        token = (keygraph_home / "admin-token").read_text().strip()
        headers = {"Authorization": f"Bearer {token}"}
        created = httpx.post(
            f"{url}/graphql",
            json={"query": "mutation { createKey { keyMetadata { keyId } } }"},
            headers=headers,
        ).json()
        key_id = created["data"]["createKey"]["keyMetadata"]["keyId"]
        for _ in range(10):  # spread over both workers by the kernel's accept queue
            encrypted = httpx.post(
                f"{url}/graphql",
                json={
                    "query": "mutation($k: String!) { encrypt(input: "
                    '{keyId: $k, plaintext: "AA=="}) { keyId } }',
                    "variables": {"k": key_id},
                },
                headers=headers,
            ).json()
            assert encrypted["data"]["encrypt"]["keyId"].endswith(key_id)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert server.returncode == 0
