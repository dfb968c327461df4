"""`make run` as a user meets it: `keygraph dev` in a fresh home, used over real HTTP, stopped with
Ctrl-C and started again, with its token, principals, keys, aliases and ciphertexts all kept."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from api.embedded import exclusive_home, postgres_of
from db.embedded import EmbeddedPostgres
from hsm import HsmConfig
from keygraph.cli import Exit
from tests.fixtures.postgres import cluster_directory

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


def stderr_lines_besides_the_log(stderr: str) -> list[str]:
    """What a command wrote to stderr other than JSON log lines: the lines a person reads."""
    return [line for line in stderr.splitlines() if line and not line.startswith("{")]


def test_dev_killed_outright_starts_again_with_its_data_and_token(home: Path) -> None:
    """SIGKILL leaves the home's Postgres running; the next `keygraph dev` (the home's lock is
    free again) stops it and serves, as `make run` after a crash must."""
    port = free_port()
    killed = DevServer(home, port)
    try:
        killed.wait_ready()
        token = (home / "admin-token").read_text().strip()
        made = killed.post(
            {"query": 'mutation { createKey(input: {description: "survivor"}) '
                      "{ keyMetadata { keyId } } }"},
            token,
        ).json()["data"]["createKey"]["keyMetadata"]["keyId"]  # fmt: skip
    finally:
        killed.process.kill()
        killed.process.communicate(timeout=60)
    assert postgres_of(home).is_running(), "SIGKILL should leave the home's Postgres running"

    restarted = DevServer(home, port)
    try:
        restarted.wait_ready()
        assert (home / "admin-token").read_text().strip() == token
        described = restarted.post(
            {"query": f'{{ describeKey(input: {{keyId: "{made}"}}) '
                      "{ keyMetadata { description } } }"},
            token,
        ).json()  # fmt: skip
        assert described == {"data": {"describeKey": {"keyMetadata": {"description": "survivor"}}}}
    finally:
        code, stderr = restarted.interrupt()
    assert code == 0, stderr
    assert "left running by a keygraph that died" in stderr
    assert "Traceback" not in stderr
    assert not postgres_of(home).is_running()


def serve_failure(env: dict[str, str]) -> tuple[int, list[str], str]:
    """`keygraph serve` run until it gives up: its exit code, its lines besides the log, and
    all of its stderr."""
    result = subprocess.run(
        keygraph("serve"),
        env={"KEYGRAPH_PORT": str(free_port()), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.returncode, stderr_lines_besides_the_log(result.stderr), result.stderr


@pytest.fixture
def serve_env(fresh_database: str, hsm_config: HsmConfig, keygraph_home: Path) -> dict[str, str]:
    from tests.served import serve_environment  # tests.served imports this module

    return serve_environment(fresh_database, hsm_config, keygraph_home)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_wrong_pin_stops_serve_with_one_line_and_its_code(
    serve_env: dict[str, str], workers: str
) -> None:
    """With several workers too: they would each fail and be restarted forever."""
    wrong = {**serve_env, "KEYGRAPH_PIN": "not-the-pin-4321", "KEYGRAPH_WORKERS": workers}

    code, lines, stderr = serve_failure(wrong)

    assert code == Exit.HSM_LOGIN
    assert len(lines) == 1
    assert lines[0].startswith("keygraph: ")
    assert "PIN" in lines[0] or "login" in lines[0].lower()
    assert "Traceback" not in stderr
    assert "not-the-pin-4321" not in stderr


def test_a_bad_setting_stops_serve_with_one_line_naming_it(serve_env: dict[str, str]) -> None:
    code, lines, _ = serve_failure({**serve_env, "KEYGRAPH_PORT": "eighty"})

    assert code == Exit.CONFIGURATION
    assert lines == ["keygraph: KEYGRAPH_PORT: 'eighty' is not a port number"]


def test_serve_gives_up_on_a_database_that_never_answers(serve_env: dict[str, str]) -> None:
    nobody = f"postgresql://keygraph:secret-password@127.0.0.1:{free_port()}/keygraph"
    env = {**serve_env, "KEYGRAPH_DATABASE_URL": nobody, "KEYGRAPH_DATABASE_WAIT_SECONDS": "1.5"}

    code, lines, stderr = serve_failure(env)

    assert code == Exit.DATABASE_UNREACHABLE
    assert len(lines) == 1
    assert lines[0].startswith("keygraph: KEYGRAPH_DATABASE_URL: no database answered in 1.5 s")
    attempts = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    assert len(attempts) >= 2
    assert all(attempt["msg"].startswith("database not reachable") for attempt in attempts)
    assert [attempt["attempt"] for attempt in attempts] == list(range(1, len(attempts) + 1))
    assert "secret-password" not in stderr
    assert "Traceback" not in stderr


def test_serve_waits_for_a_database_that_starts_later(
    hsm_config: HsmConfig, keygraph_home: Path
) -> None:
    """A pod started before its Postgres: serve retries, logging each attempt, and serves once
    the database is up."""
    from tests.served import Replica, serve_environment  # tests.served imports this module

    with cluster_directory() as directory:
        late = EmbeddedPostgres(directory, throwaway=True)
        late.start()  # initialised, then down until the server is waiting for it
        late.stop()
        replica = Replica(serve_environment(late.dsn, hsm_config, keygraph_home))
        try:
            deadline = time.monotonic() + 60
            while "database not reachable" not in replica.output():
                assert replica.process.poll() is None, replica.output()
                assert time.monotonic() < deadline, "serve logged no attempt"
                time.sleep(0.1)
            late.start()
            replica.wait_ready()
            assert httpx.get(f"{replica.url}/healthz", timeout=10).status_code == 200
        finally:
            replica.stop()
            late.stop()


def test_a_command_given_a_home_without_state_says_so(tmp_path: Path) -> None:
    typo = tmp_path / "typo"

    listed = run_keygraph(typo, free_port(), "principal", "list", check=False)

    assert listed.returncode == Exit.NO_HOME
    assert listed.stderr.strip() == (
        f"keygraph: KEYGRAPH_HOME={typo} holds no keygraph state (no database cluster): start "
        "`keygraph dev` there first, or set KEYGRAPH_DATABASE_URL"
    )
    assert listed.stdout == ""
    assert not typo.exists()


def test_an_access_key_command_given_a_home_without_a_token_says_so(
    fresh_database: str, tmp_path: Path
) -> None:
    typo = tmp_path / "typo"
    env = {**environment(typo, free_port()), "KEYGRAPH_DATABASE_URL": fresh_database}

    created = subprocess.run(
        keygraph("principal", "create-access-key", "--root"),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert created.returncode == Exit.NO_HOME
    assert "holds no keygraph state (no SoftHSM token)" in created.stderr
    assert not typo.exists()


def test_a_database_that_refuses_the_login_stops_serve_at_once(
    serve_env: dict[str, str], database_url: str
) -> None:
    """Waiting cannot fix a wrong password: no retries, its own code."""
    server = urlsplit(database_url)
    refused = f"postgresql://postgres:wrong-password-77@{server.hostname}:{server.port}/keygraph"

    code, lines, stderr = serve_failure({**serve_env, "KEYGRAPH_DATABASE_URL": refused})

    assert code == Exit.DATABASE_REFUSED
    assert len(lines) == 1
    assert lines[0].startswith("keygraph: KEYGRAPH_DATABASE_URL: the database refused")
    assert "database not reachable" not in stderr
    assert "wrong-password-77" not in stderr


def test_dev_on_a_home_in_use_stops_with_one_line_and_its_code(home: Path) -> None:
    with exclusive_home(home):
        second = run_keygraph(home, free_port(), "dev", check=False)

    assert second.returncode == Exit.HOME_IN_USE
    assert stderr_lines_besides_the_log(second.stderr) == [
        f"keygraph: keygraph is already running with KEYGRAPH_HOME={home} (pid {os.getpid()})"
    ]
