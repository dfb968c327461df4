"""GetKeyPolicy, ListKeyPolicies and PutKeyPolicy (and CreateKey's policy) through the pipeline."""

from __future__ import annotations

import json

import pytest

from api.errors import (
    MalformedPolicyDocumentException,
    NotFoundException,
    ValidationException,
)
from api.operations.keys import ListKeysRequest
from api.operations.policies import GetKeyPolicyRequest, PutKeyPolicyRequest
from api.operations.structures import KeyPageRequest, KeyRequest
from api.principals import Principal
from tests.aws_messages import validation_message
from tests.operations.conftest import Invoke
from tests.operations.test_keys import new_key, refused

ROOT = "arn:aws:iam::111122223333:root"
POLICY_PATTERN = "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"


def document(sid: str, principal: str = ROOT) -> str:
    statement = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "kms:*",
        "Resource": "*",
    }
    body = {"Version": "2012-10-17", "Statement": [statement]}
    return json.dumps(body, indent=1, ensure_ascii=False)


NOT_LATIN_1 = document("\u0100")
TOO_LONG = "x" * 131_073


async def policy_of(call: Invoke, key_id: str) -> str:
    found = await call("GetKeyPolicy", GetKeyPolicyRequest(key_id=key_id))
    assert found.policy_name == "default"
    policy: str = found.policy
    return policy


async def test_put_then_get_round_trip(call: Invoke) -> None:
    key = await new_key(call, policy=document("Created"))
    assert await policy_of(call, key.arn) == document("Created")
    put = await call(
        "PutKeyPolicy", PutKeyPolicyRequest(key_id=key.key_id, policy=document("Replaced"))
    )
    assert put.key_metadata == key
    named = await call(
        "GetKeyPolicy", GetKeyPolicyRequest(key_id=key.key_id, policy_name="default")
    )
    assert (named.policy, named.policy_name) == (document("Replaced"), "default")


async def test_the_default_policy_lets_the_account_in(call: Invoke) -> None:
    key = await new_key(call)
    statements = json.loads(await policy_of(call, key.key_id))["Statement"]
    assert statements[0]["Principal"] == {"AWS": ROOT}
    assert statements[0]["Action"] == "kms:*"


@pytest.mark.parametrize(
    ("policy", "error", "message"),
    [
        ("{not json", MalformedPolicyDocumentException, "The policy document is not valid JSON."),
        (document("x" * 33_000), MalformedPolicyDocumentException,
         "The policy document exceeds the maximum size of 32768 bytes."),
        (NOT_LATIN_1, ValidationException,
         validation_message(
             "policy", f"satisfy regular expression pattern: {POLICY_PATTERN}", NOT_LATIN_1
         )),
        (TOO_LONG, ValidationException,
         validation_message("policy", "have length less than or equal to 131072", TOO_LONG)),
    ],
)  # fmt: skip
async def test_put_refuses_and_keeps_the_old_policy(
    call: Invoke, policy: str, error: type[Exception], message: str
) -> None:
    key = await new_key(call)
    before = await policy_of(call, key.key_id)
    got = await refused(call("PutKeyPolicy", PutKeyPolicyRequest(key_id=key.key_id, policy=policy)))
    assert (type(got), got.message) == (error, message)
    assert await policy_of(call, key.key_id) == before


async def test_the_lockout_check(call: Invoke, root: Principal) -> None:
    key = await new_key(call)
    elsewhere = document("Elsewhere", principal="arn:aws:iam::444455556666:root")
    locked_out = await refused(
        call("PutKeyPolicy", PutKeyPolicyRequest(key_id=key.key_id, policy=elsewhere))
    )
    assert isinstance(locked_out, MalformedPolicyDocumentException)
    bypassed = PutKeyPolicyRequest(
        key_id=key.key_id, policy=elsewhere, bypass_policy_lockout_safety_check=True
    )
    await call("PutKeyPolicy", bypassed)
    # The account's root keeps no implicit access: the key is locked out now.
    denied = await refused(call("DisableKey", KeyRequest(key_id=key.key_id), root))
    assert denied.code == "AccessDeniedException"


async def test_default_is_the_only_policy_name(call: Invoke) -> None:
    key = await new_key(call)
    absent = await refused(
        call("GetKeyPolicy", GetKeyPolicyRequest(key_id=key.key_id, policy_name="other"))
    )
    assert (type(absent), absent.message) == (NotFoundException, "No such policy exists")
    refused_put = await refused(
        call(
            "PutKeyPolicy",
            PutKeyPolicyRequest(key_id=key.key_id, policy=document("A"), policy_name="other"),
        )
    )
    assert refused_put.message == "No such policy exists"
    pattern = await refused(
        call("GetKeyPolicy", GetKeyPolicyRequest(key_id=key.key_id, policy_name="bad-name"))
    )
    assert pattern.message == (
        "1 validation error detected: Value 'bad-name' at 'policyName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\w]+"
    )
    long_name = "p" * 129
    length = await refused(
        call("GetKeyPolicy", GetKeyPolicyRequest(key_id=key.key_id, policy_name=long_name))
    )
    assert length.message == validation_message(
        "policyName", "have length less than or equal to 128", long_name
    )


async def test_list_key_policies(call: Invoke) -> None:
    key = await new_key(call)
    listed = await call("ListKeyPolicies", KeyPageRequest(key_id=key.key_id))
    assert (listed.policy_names, listed.truncated, listed.next_marker) == (
        ["default"],
        False,
        None,
    )
    after = await call("ListKeyPolicies", KeyPageRequest(key_id=key.arn, marker="default", limit=1))
    assert (after.policy_names, after.truncated) == ([], False)
    empty = await refused(call("ListKeyPolicies", KeyPageRequest(key_id=key.key_id, marker="")))
    assert isinstance(empty, ValidationException)


async def test_create_key_checks_its_policy_and_creates_nothing(call: Invoke) -> None:
    got = await refused(new_key(call, policy="{not json"))
    assert isinstance(got, MalformedPolicyDocumentException)
    empty = await refused(new_key(call, policy=""))
    assert empty.message == (
        "2 validation errors detected: Value '' at 'policy' failed to satisfy constraint: Member "
        "must have length greater than or equal to 1; Value '' at 'policy' failed to satisfy "
        f"constraint: Member must satisfy regular expression pattern: {POLICY_PATTERN}"
    )
    assert (await call("ListKeys", ListKeysRequest())).keys == []
