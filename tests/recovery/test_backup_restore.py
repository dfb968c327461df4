"""Disaster recovery as an operator lives it: a `keygraph dev` home with 20 keys (some rotated) and
100 ciphertexts is backed up while it serves, stopped and destroyed (`rm -rf`); `keygraph restore`
brings it back into a new home from the backup and the PIN kept elsewhere, and the server started
there decrypts every ciphertext and extends an audit chain that verifies, with every event of
before the backup still in it."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from hsm import HsmConfig
from tests.app.test_dev_server import DevServer, environment, free_port, keygraph
from tests.fixtures.postgres import new_database
from tests.served import Replica, serve_environment

pytestmark = pytest.mark.slow

KEYS = 20
CIPHERTEXTS = 100
ROTATED = 5
CREATE_KEY = (
    "mutation($d: String!) { createKey(input: {description: $d}) { keyMetadata { keyId } } }"
)
ROTATE = "mutation($id: String!) { rotateKeyOnDemand(input: {keyId: $id}) { keyId } }"
ENCRYPT = """mutation($id: String!, $p: Base64!, $c: StringMap) {
  encrypt(input: {keyId: $id, plaintext: $p, encryptionContext: $c}) { ciphertextBlob } }"""
DECRYPT = """mutation($b: Base64!, $c: StringMap) {
  decrypt(input: {ciphertextBlob: $b, encryptionContext: $c}) { plaintext keyId } }"""


def run(home: Path, *args: str, env: dict[str, str] | None = None, fails: bool = False) -> str:
    """``keygraph *args`` on ``home``: its standard output, or with ``fails`` its one-line
    refusal; the test fails if it exits otherwise."""
    done = subprocess.run(
        keygraph(*args),
        env={**environment(home, free_port()), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode != 0) == fails, f"keygraph {' '.join(args)}: {done.stderr}"
    return done.stderr.strip() if fails else done.stdout


def audited(home: Path) -> int:
    """`keygraph audit verify`: the chain must verify; the number of events in it."""
    found = re.fullmatch(r"audit chain verified: (\d+) events\n", run(home, "audit", "verify"))
    assert found is not None
    return int(found.group(1))


def wait_for_events(home: Path, expected: int) -> None:
    """Crypto events are written in batches (README, "Audit trail"): wait, within a generous
    bound, until every answered call's event is in the chain."""
    deadline = time.monotonic() + 30
    while (count := audited(home)) < expected:
        assert time.monotonic() < deadline, f"{count} of {expected} events after 30 s"
    assert count == expected


class Caller:
    """GraphQL calls as the root, counting every answer: each, throttled ones too, leaves one
    audit event. AWS's CreateKey quota (5 per second) applies: a throttled call is tried again."""

    def __init__(self, url: str, token: str) -> None:
        self.http = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        self.answers = 0

    def __call__(self, query: str, variables: dict[str, object]) -> Any:
        while True:
            body = self.http.post("/graphql", json={"query": query, "variables": variables}).json()
            self.answers += 1
            codes = [error["extensions"]["code"] for error in body.get("errors", [])]
            if codes != ["ThrottlingException"]:
                break
            time.sleep(0.2)
        assert not codes, body
        return next(iter(body["data"].values()))


def test_backup_destroy_restore_decrypts_every_ciphertext(keygraph_home: Path) -> None:
    home, restored = keygraph_home / "home", keygraph_home / "restored"
    backup, vault = keygraph_home / "backup", keygraph_home / "vault"
    server = DevServer(home, free_port())
    sealed: list[tuple[str, str, dict[str, str]]] = []
    try:
        server.wait_ready()
        token = (home / "admin-token").read_text().strip()
        call = Caller(server.url, token)
        keys = [call(CREATE_KEY, {"d": f"key {n}"})["keyMetadata"]["keyId"] for n in range(KEYS)]
        for n in range(CIPHERTEXTS):
            if n == CIPHERTEXTS // 2:  # half the ciphertexts under the keys' second material
                for key_id in keys[:ROTATED]:
                    call(ROTATE, {"id": key_id})
            plaintext = base64.b64encode(os.urandom(1 + n)).decode()
            context = {"tenant": f"t{n % 7}"} if n % 2 else {}
            variables = {"id": keys[n % KEYS], "p": plaintext, "c": context or None}
            sealed.append((call(ENCRYPT, variables)["ciphertextBlob"], plaintext, context))
        # One event per answered call: every CreateKey, RotateKeyOnDemand and Encrypt.
        before = call.answers
        wait_for_events(home, before)
        written = run(home, "backup", str(backup))
        assert "keep it as safe as the HSM" in written
    finally:
        code, stderr = server.interrupt()
    assert code == 0, stderr

    assert not any(path.name.endswith(".pin") for path in backup.rglob("*"))
    assert token not in "".join(p.read_text(errors="replace") for p in backup.rglob("*.json"))
    vault.mkdir()
    shutil.copy(home / "softhsm" / "keygraph.pin", vault / "pin")  # the operator's secret store
    shutil.rmtree(home)

    pin = {"KEYGRAPH_PIN_FILE": str(vault / "pin")}
    damaged = keygraph_home / "damaged"
    shutil.copytree(backup, damaged)
    dump = bytearray((damaged / "database.dump").read_bytes())
    dump[len(dump) // 2] ^= 0xFF
    (damaged / "database.dump").write_bytes(dump)
    assert run(restored, "restore", str(damaged), env=pin, fails=True) == (
        f"keygraph: the backup in {damaged} is damaged: database.dump differ"
    )
    assert run(restored, "restore", str(backup), env={}, fails=True) == (
        "keygraph: KEYGRAPH_PIN: is not set (nor KEYGRAPH_PIN_FILE)"
    )
    result = run(restored, "restore", str(backup), env=pin)
    assert "a key of the restored database unwraps in the restored HSM" in result
    assert run(restored, "restore", str(backup), env=pin, fails=True) == (
        f"keygraph: {restored / 'softhsm'} exists; restore into a new KEYGRAPH_HOME"
    )
    assert audited(restored) == before

    server = DevServer(restored, free_port())
    try:
        server.wait_ready()
        # The old root token still authenticates: the database kept its hash.
        call = Caller(server.url, token)
        for blob, plaintext, context in sealed:
            assert call(DECRYPT, {"b": blob, "c": context or None})["plaintext"] == plaintext
    finally:
        code, stderr = server.interrupt()
    assert code == 0, stderr
    assert audited(restored) == before + call.answers


async def test_restore_into_the_database_and_token_directory_the_environment_names(
    fresh_database: str, database_url: str, hsm_config: HsmConfig, keygraph_home: Path
) -> None:
    """`keygraph serve`'s way: the backup of a served replica (its database by URL, the SoftHSM
    token directory by SOFTHSM2_CONF) restored into an empty database and token directory that
    the environment names, and served from there."""
    env = serve_environment(fresh_database, hsm_config, keygraph_home)
    source = Replica(env)
    try:
        source.wait_ready()
        token = (keygraph_home / "admin-token").read_text().strip()
        call = Caller(source.url, token)
        key_id = call(CREATE_KEY, {"d": "kept"})["keyMetadata"]["keyId"]
        blob = call(ENCRYPT, {"id": key_id, "p": "a2VwdA==", "c": None})["ciphertextBlob"]
        backup = keygraph_home / "backup"
        assert "SoftHSM token directory" in run(keygraph_home, "backup", str(backup), env=env)
    finally:
        source.stop()

    tokens = keygraph_home / "restored-tokens"
    conf = keygraph_home / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n")
    target_env = {**env, "SOFTHSM2_CONF": str(conf)}
    # Refused over a database that holds tables, and the token files it had placed are removed.
    assert run(keygraph_home, "restore", str(backup), env=target_env, fails=True).endswith(
        "tables; restore into an empty one"
    )
    assert list(tokens.iterdir()) == []
    async with new_database(database_url) as target:
        target_env["KEYGRAPH_DATABASE_URL"] = target
        assert "unwraps in the restored HSM" in run(
            keygraph_home, "restore", str(backup), env=target_env
        )
        restored = Replica(target_env)
        try:
            restored.wait_ready()
            opened = Caller(restored.url, token)(DECRYPT, {"b": blob, "c": None})
            assert opened["plaintext"] == "a2VwdA=="
        finally:
            restored.stop()
