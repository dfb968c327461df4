"""CreateAccessKey, ListAccessKeys, DeactivateAccessKey and DeleteAccessKey through the pipeline:
the account's root manages its principals' keys, a principal lists its own, nobody else does."""

from __future__ import annotations

import re

import pytest

from api.access_keys import AccessKeyStatus, signing_key
from api.errors import (
    AccessDeniedException,
    LimitExceededException,
    NotFoundException,
    ValidationException,
)
from api.operations.access_keys import (
    AccessKeyMetadata,
    AccessKeyRequest,
    AccessKeyResponse,
    AccessKeysRequest,
    ListAccessKeysResponse,
)
from api.principals import Principal, PrincipalKind, create_principal, principal_for
from api.services import Services
from tests.aws_messages import validation_message
from tests.operations.conftest import Invoke, refused


async def user(services: Services, name: str, account: str | None = None) -> Principal:
    principal = principal_for(account or services.settings.account_id, name, PrincipalKind.USER)
    async with services.pool.acquire() as conn:
        return (await create_principal(conn, principal)).principal


async def test_the_root_manages_a_users_keys(
    call: Invoke, services: Services, root: Principal
) -> None:
    alice = await user(services, "alice")
    created = (await call("CreateAccessKey", AccessKeysRequest(principal=alice.arn))).access_key
    assert (created.principal, created.status) == (alice.arn, AccessKeyStatus.ACTIVE)
    assert re.fullmatch(r"KGAK[A-Z2-7]{16}", created.access_key_id)
    assert re.fullmatch(r"[A-Za-z0-9+/]{40}", created.secret_access_key)
    assert created.secret_access_key not in repr(created)
    metadata = AccessKeyMetadata(
        principal=alice.arn,
        access_key_id=created.access_key_id,
        status=AccessKeyStatus.ACTIVE,
        create_date=created.create_date,
    )
    key = AccessKeyRequest(access_key_id=created.access_key_id)

    # The root and the user herself list her keys, never with the secret.
    listed = ListAccessKeysResponse(access_key_metadata=[metadata])
    assert await call("ListAccessKeys", AccessKeysRequest(principal=alice.arn)) == listed
    assert await call("ListAccessKeys", AccessKeysRequest(principal=alice.arn), alice) == listed

    signing = await signing_key(services, created.access_key_id)
    assert signing is not None and signing.secret == created.secret_access_key
    inactive = AccessKeyMetadata(**{**vars(metadata), "status": AccessKeyStatus.INACTIVE})
    assert await call("DeactivateAccessKey", key) == AccessKeyResponse(access_key_metadata=inactive)
    assert await signing_key(services, created.access_key_id) is None
    assert await call("DeleteAccessKey", key) == AccessKeyResponse(access_key_metadata=inactive)
    assert await call("ListAccessKeys", AccessKeysRequest(principal=alice.arn)) == (
        ListAccessKeysResponse(access_key_metadata=[])
    )
    gone = await refused(call("DeleteAccessKey", key))
    assert isinstance(gone, NotFoundException)
    assert gone.message == f"Access key {created.access_key_id} does not exist."


async def test_only_the_accounts_root_manages_keys(call: Invoke, services: Services) -> None:
    alice, bob = await user(services, "alice"), await user(services, "bob")
    stranger = await user(services, "eve", "444455556666")
    own = AccessKeysRequest(principal=alice.arn)
    denied = await refused(call("CreateAccessKey", own, alice))
    assert isinstance(denied, AccessDeniedException)
    assert denied.message == (
        f"User: {alice.arn} is not authorized to perform: keygraph:CreateAccessKey on resource: "
        f"{alice.arn}: only the root principal of account {services.settings.account_id} may."
    )
    assert isinstance(await refused(call("ListAccessKeys", own, bob)), AccessDeniedException)

    created = (await call("CreateAccessKey", own)).access_key
    key = AccessKeyRequest(access_key_id=created.access_key_id)
    for name in ("DeactivateAccessKey", "DeleteAccessKey"):
        for caller in (alice, bob):
            assert isinstance(await refused(call(name, key, caller)), AccessDeniedException)
    # The root of another account manages its own principals, not this one's.
    other_root = Principal.root("444455556666")
    assert isinstance(
        await refused(call("DeleteAccessKey", key, other_root)), AccessDeniedException
    )
    theirs = AccessKeysRequest(principal=stranger.arn)
    assert isinstance(await refused(call("CreateAccessKey", theirs)), AccessDeniedException)
    assert (await call("CreateAccessKey", theirs, other_root)).access_key.principal == stranger.arn
    assert await signing_key(services, created.access_key_id) is not None


async def test_two_keys_per_principal(call: Invoke, root: Principal) -> None:
    mine = AccessKeysRequest(principal=root.arn)
    first = (await call("CreateAccessKey", mine)).access_key
    await call("CreateAccessKey", mine)
    limited = await refused(call("CreateAccessKey", mine))
    assert isinstance(limited, LimitExceededException)
    assert limited.message == (
        f"Cannot exceed quota for AccessKeysPerUser: 2. {root.arn} holds 2 access keys: "
        "delete one first."
    )
    # An inactive key still counts, as in IAM; a deleted one does not.
    await call("DeactivateAccessKey", AccessKeyRequest(access_key_id=first.access_key_id))
    assert isinstance(await refused(call("CreateAccessKey", mine)), LimitExceededException)
    await call("DeleteAccessKey", AccessKeyRequest(access_key_id=first.access_key_id))
    assert (await call("CreateAccessKey", mine)).access_key.status is AccessKeyStatus.ACTIVE


async def test_bad_names_are_refused_clearly(call: Invoke) -> None:
    missing = await refused(
        call("CreateAccessKey", AccessKeysRequest(principal="arn:aws:iam::111122223333:user/x"))
    )
    assert isinstance(missing, NotFoundException)
    assert missing.message == "Principal arn:aws:iam::111122223333:user/x does not exist."
    malformed = await refused(call("DeleteAccessKey", AccessKeyRequest(access_key_id="AKIA1")))
    assert isinstance(malformed, ValidationException)
    assert malformed.message == validation_message(
        "accessKeyId", "satisfy regular expression pattern: ^KGAK[A-Z2-7]{16}$", "AKIA1"
    )
    unknown = await refused(
        call("DeactivateAccessKey", AccessKeyRequest(access_key_id="KGAK" + "A" * 16))
    )
    assert isinstance(unknown, NotFoundException)


@pytest.mark.parametrize("name", ["CreateAccessKey", "ListAccessKeys"])
async def test_a_principal_arn_is_checked(call: Invoke, name: str) -> None:
    bad = await refused(call(name, AccessKeysRequest(principal="alice")))
    assert bad.code == "InvalidArnException"
