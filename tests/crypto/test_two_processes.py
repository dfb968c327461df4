"""Two `keygraph serve` processes on one database and one HSM token, as replicas run: a key
disabled through one stops encrypting through the other within a second (its key cache is told
by NOTIFY), and enabled again it works again."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hsm import HsmConfig
from tests.app.test_dev_server import free_port, keygraph

pytestmark = pytest.mark.slow

ENCRYPT = """mutation($id: String!) {
  encrypt(input: {keyId: $id, plaintext: "aGVsbG8="}) { keyId } }"""


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
        for _ in range(300):
            if self.process.poll() is not None:
                raise AssertionError(self.process.stderr.read())  # type: ignore[union-attr]
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError("replica did not become ready")

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


@pytest.fixture
def replicas(
    fresh_database: str, hsm_config: HsmConfig, keygraph_home: Path
) -> Iterator[tuple[Replica, Replica]]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KEYGRAPH_")},
        "KEYGRAPH_DATABASE_URL": fresh_database,
        "KEYGRAPH_PKCS11_MODULE": hsm_config.module_path,
        "KEYGRAPH_TOKEN_LABEL": hsm_config.token_label,
        "KEYGRAPH_PIN": hsm_config.pin,
        "KEYGRAPH_HOME": str(keygraph_home),
    }
    first = Replica(env)
    first.wait_ready()  # creates the root principal and its token before the second starts
    second = Replica(env)
    try:
        second.wait_ready()
        yield first, second
    finally:
        first.stop()
        second.stop()


def error_code(body: dict[str, object]) -> str | None:
    errors = body.get("errors")
    if not errors:
        return None
    return str(errors[0]["extensions"]["code"])  # type: ignore[index]


def test_disable_in_one_replica_stops_encryption_in_the_other(
    replicas: tuple[Replica, Replica], keygraph_home: Path
) -> None:
    first, second = replicas
    token = (keygraph_home / "admin-token").read_text().strip()
    created = first.gql(token, "mutation { createKey { keyMetadata { keyId } } }", {})
    key_id = str(created["data"]["createKey"]["keyMetadata"]["keyId"])  # type: ignore[index]
    assert error_code(second.gql(token, ENCRYPT, {"id": key_id})) is None  # now cached there

    first.gql(token, "mutation($id: String!) { disableKey(input: {keyId: $id}) "
              "{ keyMetadata { keyState } } }", {"id": key_id})  # fmt: skip
    deadline = time.monotonic() + 1.0
    while error_code(second.gql(token, ENCRYPT, {"id": key_id})) != "DisabledException":
        assert time.monotonic() < deadline, "the other replica still encrypts after a second"

    first.gql(token, "mutation($id: String!) { enableKey(input: {keyId: $id}) "
              "{ keyMetadata { keyState } } }", {"id": key_id})  # fmt: skip
    deadline = time.monotonic() + 1.0
    while (body := second.gql(token, ENCRYPT, {"id": key_id})) and error_code(body):
        assert time.monotonic() < deadline, "the other replica still refuses after a second"
    encrypted = body["data"]["encrypt"]  # type: ignore[index]
    assert encrypted["keyId"].endswith(key_id)
