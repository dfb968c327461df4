"""`make run` as a user meets it: `keygraph dev` in a fresh home, used over real HTTP, stopped with
Ctrl-C and started again, with its token, principals, keys, aliases and ciphertexts all kept."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from api.embedded import postgres_of

pytestmark = pytest.mark.slow
PRIVILEGES = {"query": "{ privileges { name action fromSeed } }"}
ENCRYPT_KEPT = {
    "query": 'mutation { encrypt(input: {keyId: "alias/kept", plaintext: "a2VwdA=="}) '
    "{ ciphertextBlob } }"
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def keygraph(*args: str) -> list[str]:
    return [sys.executable, "-m", "keygraph", *args]


def environment(home: Path, port: int) -> dict[str, str]:
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("KEYGRAPH_", "SOFTHSM2_"))
    }
    return {**inherited, "KEYGRAPH_HOME": str(home), "KEYGRAPH_PORT": str(port)}


def run_keygraph(
    home: Path, port: int, *args: str, check: bool = True, given: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``keygraph *args`` run to its end in ``home``, ``given`` on its standard input."""
    return subprocess.run(
        keygraph(*args),
        env=environment(home, port),
        input=given,
        capture_output=True,
        text=True,
        timeout=60,
        check=check,
    )


def wait_until_ready(
    process: subprocess.Popen[str],
    url: str,
    seconds: float,
    name: str,
    output: Callable[[], str] | None = None,
) -> None:
    """Polls ``url``/readyz until it answers 200; fails if ``process`` exits or time runs out,
    showing what it wrote (``output``, or else its stderr pipe)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            written = output() if output else process.stderr.read()  # type: ignore[union-attr]
            raise AssertionError(f"{name} exited: {written}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{name} did not become ready")


class DevServer:
    def __init__(self, home: Path, port: int) -> None:
        self.home, self.port = home, port
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            keygraph("dev"),
            env=environment(home, port),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_ready(self) -> None:
        wait_until_ready(self.process, self.url, 90, "keygraph dev")

    def interrupt(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGINT)
        _, stderr = self.process.communicate(timeout=60)
        return self.process.returncode, stderr

    def post(self, body: dict[str, object], token: str | None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.post(f"{self.url}/graphql", json=body, headers=headers, timeout=10)


@pytest.fixture
def home(keygraph_home: Path) -> Iterator[Path]:
    yield keygraph_home / "home"


def test_dev_server_lifecycle(home: Path) -> None:
    port = free_port()
    server = DevServer(home, port)
    try:
        server.wait_ready()
        token_file = home / "admin-token"
        assert token_file.stat().st_mode & 0o777 == 0o600
        token = token_file.read_text().strip()

        privileges = server.post(PRIVILEGES, token).json()["data"]["privileges"]
        seeded = [p for p in privileges if p["fromSeed"]]
        assert len(seeded) == 47
        assert {"name": "Encrypt", "action": "kms:Encrypt", "fromSeed": True} in privileges

        refused = server.post(PRIVILEGES, None)
        assert refused.status_code == 401
        assert refused.json()["errors"][0]["extensions"]["code"] == "UnrecognizedClientException"

        second = run_keygraph(home, free_port(), "dev", check=False)
        assert second.returncode != 0
        assert f"already running with KEYGRAPH_HOME={home}" in second.stderr

        created = run_keygraph(home, port, "principal", "create", "bob")
        bob = created.stdout.strip()
        whoami = server.post({"query": "{ whoami { arn } }"}, bob).json()
        assert whoami == {"data": {"whoami": {"arn": "arn:aws:iam::111122223333:user/bob"}}}
        assert bob not in created.stderr
        refused_listing = server.post({"query": "{ listKeys { keys { keyId } } }"}, bob).json()
        assert refused_listing["errors"][0]["extensions"]["code"] == "AccessDeniedException"
        may_list = (
            '{"Version": "2012-10-17", "Statement": '
            '{"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*"}}'
        )
        attached = run_keygraph(
            home, port, "principal", "attach-policy", "bob", "-", given=may_list
        )
        assert (
            attached.stdout.strip() == "attached the policy to arn:aws:iam::111122223333:user/bob"
        )
        listing = server.post({"query": "{ listKeys { keys { keyId } } }"}, bob).json()
        assert listing == {"data": {"listKeys": {"keys": []}}}

        # Sealed under the running server's token: the home's SoftHSM token, shared.
        access_key = run_keygraph(home, port, "principal", "create-access-key", "bob")
        key_id = access_key.stdout.splitlines()[0].removeprefix("AWS_ACCESS_KEY_ID=")
        bobs_keys = server.post(
            {"query": '{ listAccessKeys(input: {principal: "arn:aws:iam::111122223333:user/bob"})'
                      " { accessKeyMetadata { accessKeyId status } } }"},
            bob,
        ).json()  # fmt: skip
        assert bobs_keys["data"]["listAccessKeys"]["accessKeyMetadata"] == [
            {"accessKeyId": key_id, "status": "Active"}
        ]

        made = server.post(
            {"query": "mutation { createKey(input: {description: \"kept\"}) "
                      "{ keyMetadata { keyId } } }"},
            token,
        ).json()["data"]["createKey"]["keyMetadata"]["keyId"]  # fmt: skip
        server.post(
            {"query": f'mutation {{ createAlias(input: {{aliasName: "alias/kept", '
                      f'targetKeyId: "{made}"}}) {{ keyMetadata {{ keyId }} }} }}'},
            token,
        )  # fmt: skip
        sealed = server.post(ENCRYPT_KEPT, token).json()["data"]["encrypt"]["ciphertextBlob"]

        listed = run_keygraph(home, port, "principal", "list")
        assert listed.stdout.split() == [
            "arn:aws:iam::111122223333:root",
            "arn:aws:iam::111122223333:user/bob",
        ]
    finally:
        code, stderr = server.interrupt()
    assert code == 0, stderr
    assert not postgres_of(home).is_running()
    assert token not in stderr

    offline = run_keygraph(home, port, "principal", "list")
    assert "arn:aws:iam::111122223333:user/bob" in offline.stdout.split()
    assert not postgres_of(home).is_running()

    restarted = DevServer(home, port)
    try:
        restarted.wait_ready()
        assert (home / "admin-token").read_text().strip() == token
        again = restarted.post({"query": "{ whoami { arn } }"}, token)
        assert again.json() == {"data": {"whoami": {"arn": "arn:aws:iam::111122223333:root"}}}
        assert restarted.post({"query": "{ whoami { arn } }"}, bob).status_code == 200
        kept = restarted.post(
            {"query": 'query { describeKey(input: {keyId: "alias/kept"}) '
                      "{ keyMetadata { keyId description keyState } } }"},
            token,
        ).json()["data"]["describeKey"]["keyMetadata"]  # fmt: skip
        assert kept == {"keyId": made, "description": "kept", "keyState": "Enabled"}
        opened = restarted.post(
            {"query": "mutation($b: Base64!) { decrypt(input: {ciphertextBlob: $b}) "
                      "{ plaintext } }", "variables": {"b": sealed}},
            token,
        ).json()  # fmt: skip
        assert opened == {"data": {"decrypt": {"plaintext": "a2VwdA=="}}}
        run_keygraph(home, port, "principal", "revoke", "bob")
        assert restarted.post({"query": "{ whoami { arn } }"}, bob).status_code == 401
    finally:
        code, stderr = restarted.interrupt()
    assert code == 0, stderr


def test_missing_settings_stop_serve_with_one_line(keygraph_home: Path) -> None:
    result = run_keygraph(keygraph_home, free_port(), "serve", check=False)
    assert result.returncode != 0
    assert result.stderr.strip() == "keygraph: KEYGRAPH_DATABASE_URL: is not set"


def test_help_lists_the_commands() -> None:
    result = subprocess.run(
        keygraph("--help"),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    for command in ("dev", "serve", "migrate", "principal", "catalog", "schema"):
        assert command in result.stdout
