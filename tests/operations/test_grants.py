"""CreateGrant, ListGrants, ListRetirableGrants, RetireGrant and RevokeGrant through the pipeline:
a grant that lets its grantee encrypt under its constraints, pages of grants, retirement by token
and revocation, AWS's errors, and a page of keys' grants loaded in one statement (the graph's
``Key.grants``)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import pytest

import api.grants.store
import api.operations.grants
from api.crypto.encryption import EncryptRequest
from api.grants.model import GrantConstraints, GrantOperation
from api.invoke import Caller, new_call
from api.operations import BY_NAME
from api.operations.grants import (
    CreateGrantRequest,
    ListGrantsRequest,
    ListRetirableGrantsRequest,
    RetireGrantRequest,
    RevokeGrantRequest,
)
from api.principals import Principal, PrincipalKind, principal_for
from api.services import Services
from tests.aws_messages import validation_message
from tests.operations.conftest import Invoke, created_key, refused

ENCRYPT, DECRYPT = GrantOperation.ENCRYPT, GrantOperation.DECRYPT


def user(services: Services, name: str) -> Principal:
    return principal_for(services.settings.account_id, name, PrincipalKind.USER)


async def new_key(services: Services, root: Principal) -> str:
    return (await created_key(services, root)).key_id


async def grant(call: Invoke, key_id: str, grantee: Principal, **members: Any) -> Any:
    members.setdefault("operations", [ENCRYPT, DECRYPT])
    request = CreateGrantRequest(key_id=key_id, grantee_principal=grantee.arn, **members)
    return await call("CreateGrant", request)


async def test_a_grant_lets_its_grantee_encrypt_under_its_constraints(
    call: Invoke, services: Services, root: Principal
) -> None:
    key_id = await new_key(services, root)
    alice = user(services, "alice")
    denied = await refused(call("Encrypt", EncryptRequest(key_id=key_id, plaintext=b"x"), alice))
    assert denied.code == "AccessDeniedException"

    constraints = GrantConstraints(encryption_context_subset={"dept": "it"})
    created = await grant(call, key_id, alice, constraints=constraints, name="alice-it")
    assert len(created.grant_id) == 64
    assert created.grant_token and "grant_token" not in repr(created)

    sealed = await call(
        "Encrypt",
        EncryptRequest(key_id=key_id, plaintext=b"x", encryption_context={"dept": "it"}),
        alice,
    )
    assert sealed.key_id.endswith(f":key/{key_id}")
    denied = await refused(call("Encrypt", EncryptRequest(key_id=key_id, plaintext=b"x"), alice))
    assert denied.code == "AccessDeniedException"

    listed = await call("ListGrants", ListGrantsRequest(key_id=key_id))
    (entry,) = listed.grants
    assert entry.grant_id == created.grant_id and entry.key_id == sealed.key_id
    assert (entry.name, entry.grantee_principal, entry.retiring_principal) == (
        "alice-it",
        alice.arn,
        None,
    )
    assert entry.operations == [DECRYPT, ENCRYPT]  # in AWS's order of the enum
    assert entry.constraints == constraints
    assert entry.issuing_account == root.arn
    assert created.grant_token not in repr(listed)


async def test_empty_constraints_are_none(
    call: Invoke, services: Services, root: Principal
) -> None:
    key_id = await new_key(services, root)
    await grant(call, key_id, user(services, "alice"), constraints=GrantConstraints())
    (entry,) = (await call("ListGrants", ListGrantsRequest(key_id=key_id))).grants
    assert entry.constraints is None


async def test_grants_list_in_pages_and_by_grantee_and_id(
    call: Invoke, services: Services, root: Principal
) -> None:
    key_id = await new_key(services, root)
    alice, bob = user(services, "alice"), user(services, "bob")
    ids = sorted([(await grant(call, key_id, who)).grant_id for who in (alice, alice, bob)])

    first = await call("ListGrants", ListGrantsRequest(key_id=key_id, limit=2))
    assert [entry.grant_id for entry in first.grants] == ids[:2]
    assert first.truncated is True and first.next_marker == ids[1]
    rest = await call("ListGrants", ListGrantsRequest(key_id=key_id, marker=first.next_marker))
    assert [entry.grant_id for entry in rest.grants] == ids[2:]
    assert (rest.truncated, rest.next_marker) == (False, None)

    bobs = await call("ListGrants", ListGrantsRequest(key_id=key_id, grantee_principal=bob.arn))
    assert [entry.grantee_principal for entry in bobs.grants] == [bob.arn]
    one = await call("ListGrants", ListGrantsRequest(key_id=key_id, grant_id=ids[1]))
    assert [entry.grant_id for entry in one.grants] == [ids[1]]

    error = await refused(call("ListGrants", ListGrantsRequest(key_id=key_id, marker="zz")))
    assert (error.code, error.message) == ("InvalidMarkerException", "The marker is not valid.")


async def test_retire_by_token_and_list_retirable(
    call: Invoke, services: Services, root: Principal
) -> None:
    key_id = await new_key(services, root)
    alice, bob = user(services, "alice"), user(services, "bob")
    created = await grant(call, key_id, alice, retiring_principal=bob.arn)

    retirable = await call(
        "ListRetirableGrants", ListRetirableGrantsRequest(retiring_principal=bob.arn)
    )
    assert [entry.grant_id for entry in retirable.grants] == [created.grant_id]
    assert retirable.truncated is False

    dry = await refused(
        call("RetireGrant", RetireGrantRequest(grant_token=created.grant_token, dry_run=True), bob)
    )
    assert dry.code == "DryRunOperationException"
    retired = await call("RetireGrant", RetireGrantRequest(grant_token=created.grant_token), bob)
    assert retired.grant_id == created.grant_id and retired.key_id.endswith(f":key/{key_id}")
    assert (await call("ListGrants", ListGrantsRequest(key_id=key_id))).grants == []

    nothing = await refused(call("RetireGrant", RetireGrantRequest()))
    assert (nothing.code, nothing.message) == (
        "ValidationException",
        "Either GrantToken, or both KeyId and GrantId, must be specified.",
    )


async def test_revoke_and_a_grant_that_is_gone(
    call: Invoke, services: Services, root: Principal
) -> None:
    key_id = await new_key(services, root)
    created = await grant(call, key_id, user(services, "alice"))
    revoke = RevokeGrantRequest(key_id=key_id, grant_id=created.grant_id)
    revoked = await call("RevokeGrant", revoke)
    assert (revoked.grant_id, revoked.key_id.endswith(f":key/{key_id}")) == (
        created.grant_id,
        True,
    )
    error = await refused(call("RevokeGrant", revoke))
    assert (error.code, error.message) == (
        "NotFoundException",
        f"Grant {created.grant_id} is not found for {revoked.key_id}.",
    )


async def test_members_out_of_the_model_are_refused_in_aws_words(
    call: Invoke, services: Services, root: Principal
) -> None:
    key_id = await new_key(services, root)
    alice = user(services, "alice")
    error = await refused(grant(call, key_id, alice, name="not a name"))
    assert (error.code, error.message) == (
        "ValidationException",
        validation_message(
            "name", "satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$", "not a name"
        ),
    )
    long_id = "k" * 3000
    error = await refused(call("ListGrants", ListGrantsRequest(key_id=long_id)))
    assert (error.code, error.message) == (
        "ValidationException",
        validation_message("keyId", "have length less than or equal to 2048", long_id),
    )
    error = await refused(grant(call, "alias/some-alias", alice))
    assert (error.code, error.message) == (
        "InvalidArnException",
        "Key Aliases are not supported for this operation.",
    )
    error = await refused(grant(call, key_id, alice, operations=[GrantOperation.CREATE_GRANT]))
    assert (error.code, error.message) == (
        "ValidationException",
        "Grants must not contain only the CreateGrant operation.",
    )


async def test_a_page_of_keys_loads_its_grants_in_one_statement(
    call: Invoke, services: Services, root: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the graph's ``listKeys { keys { grants } }`` costs: ListGrants's handler for each
    key, sharing the listing's call (and so its loaders), and one read of their grants."""
    key_ids = [await new_key(services, root) for _ in range(3)]
    await grant(call, key_ids[0], user(services, "alice"))
    for key_id in key_ids:  # key and policy now in the key cache, as for a page seen before
        await call("ListGrants", ListGrantsRequest(key_id=key_id))
    batches: list[list[uuid.UUID]] = []
    grants_for_keys = api.grants.store.grants_for_keys

    async def counted(conn: asyncpg.Connection, ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
        batches.append(ids)
        return await grants_for_keys(conn, ids)

    monkeypatch.setattr(api.operations.grants, "grants_for_keys", counted)
    page = new_call(services, Caller(root))
    handler = BY_NAME["ListGrants"].handler
    found = await asyncio.gather(
        *(handler(services, page, ListGrantsRequest(key_id=key_id)) for key_id in key_ids)
    )
    assert batches == [[uuid.UUID(key_id) for key_id in key_ids]]
    assert [len(listed.grants) for listed in found] == [1, 0, 0]
    assert [decision.action for decision in page.decisions] == ["kms:ListGrants"] * 3
