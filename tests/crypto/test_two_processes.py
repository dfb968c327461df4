"""Two `keygraph serve` processes on one database and one HSM token, as replicas run: a key
disabled through one stops encrypting through the other within a second (its key cache is told
by NOTIFY), and enabled again it works again; a grant revoked through one stops allowing in the
other within a second, the same way."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import asyncpg
import pytest

from api.principals import PrincipalKind, create_principal, principal_for
from tests.served import Replica

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


def new_user(database_url: str, name: str) -> str:
    """A user of the account, made as `keygraph principal create` makes one; its token."""

    async def create() -> str:
        conn = await asyncpg.connect(database_url)
        try:
            issued = await create_principal(
                conn, principal_for("111122223333", name, PrincipalKind.USER)
            )
        finally:
            await conn.close()
        return issued.value

    return asyncio.run(create())


def test_a_grant_revoked_through_one_replica_stops_working_in_the_other(
    replicas: tuple[Replica, Replica], keygraph_home: Path, fresh_database: str
) -> None:
    first, second = replicas
    root = (keygraph_home / "admin-token").read_text().strip()
    alice = new_user(fresh_database, "alice")
    created = first.gql(root, "mutation { createKey { keyMetadata { keyId } } }", {})
    key_id = str(created["data"]["createKey"]["keyMetadata"]["keyId"])  # type: ignore[index]
    granted = first.gql(
        root,
        """mutation($id: String!) { createGrant(input: {keyId: $id, operations: [Encrypt],
             granteePrincipal: "arn:aws:iam::111122223333:user/alice"}) { grantId } }""",
        {"id": key_id},
    )
    grant_id = str(granted["data"]["createGrant"]["grantId"])  # type: ignore[index]
    deadline = time.monotonic() + 1.0
    while error_code(second.gql(alice, ENCRYPT, {"id": key_id})) is not None:
        assert time.monotonic() < deadline, "the other replica ignores the new grant"

    revoke = "mutation($id: String!, $g: String!) { revokeGrant(input: {keyId: $id, grantId: $g}) "
    first.gql(root, revoke + "{ grantId } }", {"id": key_id, "g": grant_id})
    deadline = time.monotonic() + 1.0
    while error_code(second.gql(alice, ENCRYPT, {"id": key_id})) != "AccessDeniedException":
        assert time.monotonic() < deadline, "the other replica still honours the revoked grant"
