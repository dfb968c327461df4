"""CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey, UpdateKeyDescription,
ScheduleKeyDeletion and CancelKeyDeletion through the pipeline, and the statements a page of
ListKeys costs when the graph runs ListAliases, ListResourceTags and GetKeyPolicy on each key."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from api.errors import (
    AccessDeniedException,
    InvalidMarkerException,
    KMSInvalidStateException,
    NotFoundException,
    ValidationException,
)
from api.invoke import Caller, new_call, run
from api.keys.model import CustomerMasterKeySpec, KeyState, KeyUsage, Origin
from api.keys.tags import Tag
from api.operations import BY_NAME
from api.operations.aliases import AliasTargetRequest, ListAliasesRequest
from api.operations.audit import AuditEventFilter, AuditEventsRequest
from api.operations.keys import (
    CreateKeyRequest,
    KeyListEntry,
    ListKeysRequest,
    ScheduleKeyDeletionRequest,
    UpdateKeyDescriptionRequest,
)
from api.operations.policies import GetKeyPolicyRequest
from api.operations.structures import KeyMetadata, KeyPageRequest, KeyRequest, KeyTokensRequest
from api.principals import Principal, PrincipalKind, create_principal, principal_for
from api.services import Services
from hsm import KeySpec, SigningAlgorithm
from tests.aws_messages import validation_message
from tests.operations.conftest import Invoke, refused
from tests.statements import pool_logging_statements

SCOPE = "arn:aws:kms:us-east-1:111122223333"
ARN = re.compile(rf"^{SCOPE}:key/[0-9a-f-]{{36}}$")
MISSING = "1234abcd-12ab-34cd-56ef-1234567890ab"


async def new_key(call: Invoke, **members: Any) -> KeyMetadata:
    created = await call("CreateKey", CreateKeyRequest(**members))
    metadata: KeyMetadata = created.key_metadata
    return metadata


async def test_a_symmetric_key_by_default_described_by_every_name(call: Invoke) -> None:
    key = await new_key(call, description="payments")
    assert ARN.match(key.arn)
    assert (key.key_state, key.enabled, key.key_spec, key.key_usage, key.origin) == (
        KeyState.ENABLED,
        True,
        KeySpec.SYMMETRIC_DEFAULT,
        KeyUsage.ENCRYPT_DECRYPT,
        Origin.AWS_KMS,
    )
    assert key.description == "payments"
    assert re.fullmatch(r"[0-9a-f]{64}", key.current_key_material_id or "")
    await call(
        "CreateAlias", AliasTargetRequest(alias_name="alias/payments", target_key_id=key.arn)
    )
    for name in (key.key_id, key.arn, "alias/payments", f"{SCOPE}:alias/payments"):
        described = await call("DescribeKey", KeyTokensRequest(key_id=name))
        assert described.key_metadata == key, name


async def test_the_deprecated_customer_master_key_spec_is_the_key_spec(call: Invoke) -> None:
    key = await new_key(
        call,
        customer_master_key_spec=CustomerMasterKeySpec.ECC_NIST_P256,
        key_usage=KeyUsage.SIGN_VERIFY,
    )
    assert key.key_spec == KeySpec.ECC_NIST_P256
    assert key.customer_master_key_spec == CustomerMasterKeySpec.ECC_NIST_P256
    assert key.signing_algorithms == [SigningAlgorithm.ECDSA_SHA_256]


async def test_create_key_refusals(call: Invoke) -> None:
    description = "d" * 8193
    too_long = await refused(new_key(call, description=description))
    assert isinstance(too_long, ValidationException)
    assert too_long.message == validation_message(
        "description", "have length less than or equal to 8192", description
    )
    no_usage = await refused(new_key(call, key_spec=KeySpec.RSA_2048))
    assert (no_usage.code, no_usage.message) == (
        "ValidationException",
        "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.",
    )
    reserved = await refused(new_key(call, tags=[Tag(tag_key="aws:team", tag_value="x")]))
    assert (reserved.code, reserved.message) == (
        "TagException",
        "Tags beginning with aws: are reserved",
    )
    # Nothing was created by the refused calls.
    assert (await call("ListKeys", ListKeysRequest())).keys == []


async def test_disable_enable_and_update_description(call: Invoke) -> None:
    key = await new_key(call, description="before")
    disabled = await call("DisableKey", KeyRequest(key_id=key.key_id))
    assert (disabled.key_metadata.key_state, disabled.key_metadata.enabled) == (
        KeyState.DISABLED,
        False,
    )
    enabled = await call("EnableKey", KeyRequest(key_id=key.arn))
    assert (enabled.key_metadata.key_state, enabled.key_metadata.enabled) == (
        KeyState.ENABLED,
        True,
    )
    updated = await call(
        "UpdateKeyDescription", UpdateKeyDescriptionRequest(key_id=key.key_id, description="")
    )
    assert updated.key_metadata.description == ""
    described = await call("DescribeKey", KeyTokensRequest(key_id=key.key_id))
    assert described.key_metadata == updated.key_metadata


async def test_members_are_checked_against_aws_model_first(call: Invoke) -> None:
    long_id = "k" * 3000
    got = await refused(call("DescribeKey", KeyTokensRequest(key_id=long_id)))
    assert isinstance(got, ValidationException)
    assert got.message == validation_message(
        "keyId", "have length less than or equal to 2048", long_id
    )
    description = "d" * 8193
    both = await refused(
        call(
            "UpdateKeyDescription",
            UpdateKeyDescriptionRequest(key_id="", description=description),
        )
    )
    assert both.message == (
        "2 validation errors detected: Value '' at 'keyId' failed to satisfy constraint: Member "
        f"must have length greater than or equal to 1; Value '{description}' at 'description' "
        "failed to satisfy constraint: Member must have length less than or equal to 8192"
    )
    eleven = ["t"] * 11
    tokens = await refused(
        call("DescribeKey", KeyTokensRequest(key_id=MISSING, grant_tokens=eleven))
    )
    assert tokens.message == validation_message(
        "grantTokens", "have length less than or equal to 10", f"[{', '.join(eleven)}]"
    )
    absent = await refused(call("EnableKey", KeyRequest(key_id=MISSING)))
    assert isinstance(absent, NotFoundException)
    assert absent.message == f"Key '{SCOPE}:key/{MISSING}' does not exist"


async def test_list_keys_pages(call: Invoke) -> None:
    created = {(await new_key(call)).key_id for _ in range(3)}
    first = await call("ListKeys", ListKeysRequest(limit=2))
    assert (len(first.keys), first.truncated) == (2, True)
    assert first.next_marker == first.keys[-1].key_id
    rest = await call("ListKeys", ListKeysRequest(limit=2, marker=first.next_marker))
    assert (len(rest.keys), rest.truncated, rest.next_marker) == (1, False, None)
    listed = first.keys + rest.keys
    assert {entry.key_id for entry in listed} == created
    assert all(entry == KeyListEntry(key_id=entry.key_id, key_arn=f"{SCOPE}:key/{entry.key_id}")
               for entry in listed)  # fmt: skip
    bad = await refused(call("ListKeys", ListKeysRequest(marker="not-a-key-id")))
    assert isinstance(bad, InvalidMarkerException)
    assert bad.message == "The marker is not valid."
    for limit, bound in ((0, "greater than or equal to 1"), (1001, "less than or equal to 1000")):
        got = await refused(call("ListKeys", ListKeysRequest(limit=limit)))
        assert got.message == (
            f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
            f"constraint: Member must have value {bound}"
        )


async def test_schedule_and_cancel_deletion(call: Invoke, services: Services) -> None:
    key = await new_key(call)
    scheduled = await call("ScheduleKeyDeletion", ScheduleKeyDeletionRequest(key_id=key.key_id))
    assert (scheduled.key_id, scheduled.key_state, scheduled.pending_window_in_days) == (
        key.arn,
        KeyState.PENDING_DELETION,
        30,
    )
    waited = scheduled.deletion_date - services.clock()
    assert timedelta(days=29, hours=23) < waited <= timedelta(days=30)
    pending = await refused(call("EnableKey", KeyRequest(key_id=key.key_id)))
    assert isinstance(pending, KMSInvalidStateException)
    assert pending.message == f"{key.arn} is pending deletion."
    cancelled = await call("CancelKeyDeletion", KeyRequest(key_id=key.key_id))
    assert cancelled.key_id == key.arn
    described = (await call("DescribeKey", KeyTokensRequest(key_id=key.key_id))).key_metadata
    assert (described.key_state, described.deletion_date) == (KeyState.DISABLED, None)
    again = await refused(call("CancelKeyDeletion", KeyRequest(key_id=key.arn)))
    assert again.message == f"{key.arn} is not pending deletion."


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (0, "1 validation error detected: Value '0' at 'pendingWindowInDays' failed to satisfy "
            "constraint: Member must have value greater than or equal to 1"),
        (366, "1 validation error detected: Value '366' at 'pendingWindowInDays' failed to "
              "satisfy constraint: Member must have value less than or equal to 365"),
        (6, "PendingWindowInDays must be between 7 and 30"),
        (31, "PendingWindowInDays must be between 7 and 30"),
    ],
)  # fmt: skip
async def test_pending_window_bounds(call: Invoke, days: int, message: str) -> None:
    key = await new_key(call)
    request = ScheduleKeyDeletionRequest(key_id=key.key_id, pending_window_in_days=days)
    got = await refused(call("ScheduleKeyDeletion", request))
    assert (got.code, got.message) == ("ValidationException", message)
    described = await call("DescribeKey", KeyTokensRequest(key_id=key.key_id))
    assert described.key_metadata.key_state is KeyState.ENABLED


async def test_changes_are_in_the_trail_when_they_answer(call: Invoke, services: Services) -> None:
    async with services.pool.acquire() as conn:
        issued = await create_principal(
            conn, principal_for(services.settings.account_id, "mallory", PrincipalKind.USER)
        )
    mallory: Principal = issued.principal
    key = await new_key(call)
    await call("DisableKey", KeyRequest(key_id=key.key_id))
    denied = await refused(call("EnableKey", KeyRequest(key_id=key.key_id), mallory))
    assert isinstance(denied, AccessDeniedException)
    root = f"arn:aws:iam::{services.settings.account_id}:root"
    trail = await call("AuditEvents", AuditEventsRequest(filter=AuditEventFilter(key_id=key.arn)))
    assert [(event.action, event.principal, event.outcome) for event in trail.events] == [
        ("kms:DisableKey", root, "ok"),
        ("kms:EnableKey", mallory.arn, "AccessDeniedException"),
    ]
    # CreateKey is decided before the key exists: its event names no key.
    created = AuditEventFilter(action="kms:CreateKey")
    trail = await call("AuditEvents", AuditEventsRequest(filter=created))
    assert [(event.principal, event.key_arn, event.outcome) for event in trail.events] == [
        (root, None, "ok")
    ]


@pytest.fixture
async def statements(services: Services) -> AsyncIterator[list[str]]:
    """Every statement sent through the services' pool from now on (the audit trail and the
    key cache have connections of their own)."""
    sent: list[str] = []
    async with pool_logging_statements(services, lambda record: sent.append(record.query)):
        yield sent


async def read_page(services: Services, root: Principal, sent: list[str]) -> dict[str, Any]:
    """ListKeys, then ListAliases, ListResourceTags and GetKeyPolicy on every key listed, all
    within the listing's call, as the graph runs them; the statements the nested ones cost."""
    listing = new_call(services, Caller(root))
    page = await run(services, listing, BY_NAME["ListKeys"], ListKeysRequest())
    sent.clear()
    nested = [
        (name, request_type(key_id=entry.key_arn))
        for entry in page.keys
        for name, request_type in (
            ("ListAliases", ListAliasesRequest),
            ("ListResourceTags", KeyPageRequest),
            ("GetKeyPolicy", GetKeyPolicyRequest),
        )
    ]
    answers = await asyncio.gather(
        *(run(services, listing, BY_NAME[name], request) for name, request in nested)
    )
    await asyncio.sleep(0)  # asyncpg calls query loggers with call_soon
    return {
        "statements": [query for query in sent if not query.startswith("SELECT pg_advisory")],
        "answers": answers,
    }


async def test_a_page_of_keys_costs_one_statement_per_nested_operation(
    call: Invoke, services: Services, root: Principal, statements: list[str]
) -> None:
    for index in range(4):
        key = await new_key(call, tags=[Tag(tag_key="team", tag_value=f"t{index}")])
        await call(
            "CreateAlias", AliasTargetRequest(alias_name=f"alias/k{index}", target_key_id=key.arn)
        )
    await read_page(services, root, statements)  # fills the key cache and prepares statements
    read = await read_page(services, root, statements)
    assert len(read["statements"]) == 3, read["statements"]
    for table in ("aliases", "key_tags", "FROM keys"):
        assert sum(table in query for query in read["statements"]) == 1, table
    aliases, tags, policies = read["answers"][0::3], read["answers"][1::3], read["answers"][2::3]
    assert sorted(alias.aliases[0].alias_name for alias in aliases) == [
        f"alias/k{index}" for index in range(4)
    ]
    assert sorted(found.tags[0].tag_value for found in tags) == [f"t{n}" for n in range(4)]
    assert all('"kms:*"' in found.policy for found in policies)
