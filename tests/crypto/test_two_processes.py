"""Two `keygraph serve` processes on one database and one HSM token, as replicas run: a key
disabled through one stops encrypting through the other within a second (its key cache is told
by NOTIFY), and enabled again it works again."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.crypto.conftest import Replica

pytestmark = pytest.mark.slow

ENCRYPT = """mutation($id: String!) {
  encrypt(input: {keyId: $id, plaintext: "aGVsbG8="}) { keyId } }"""


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
