"""KEYGRAPH_POLICY_CHECK: a policy naming what AWS stores regardless (an action the catalog does not
know, a condition key no action of its statement sees, a statement without Action or Resource)
is stored with warnings in ``warn`` mode, the default, and refused in ``strict`` mode; what AWS
refuses stays refused in both. Through GraphQL (``warnings`` on the result) and through AWS's
protocol (stored silently, the warnings in the call's audit events).

What AWS stores and refuses, from AWS's API reference (botocore's KMS model carries the same
text for PutKeyPolicy's and CreateKey's ``Policy``,
https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html#KMS-PutKeyPolicy-request-Policy):
- refused: a policy that would stop the caller from calling PutKeyPolicy again unless
  ``BypassPolicyLockoutSafetyCheck`` is set; a statement without a principal, or with principals
  that are not valid; a document that is "not syntactically or semantically correct"
  (MalformedPolicyDocumentException's description);
- stored: "If either of the required Resource or Action elements are missing from a key policy
  statement, the policy statement has no effect. [...] the PutKeyPolicy API request succeeds";
- an action no service has (``kms:unknown``) is stored: recorded against real AWS in the
  conformance run of issue 15, where keygraph alone refused it;
- a condition key that the request does not carry simply does not match ("If the key that you
  specify in a policy condition is not present in the request context, the values do not match",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
  it is part of a valid policy.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest

from api.authz.lockout import LOCKOUT_MESSAGE
from api.catalog import Catalog
from api.errors import MalformedPolicyDocumentException
from api.policy import (
    FindingCode,
    PolicyCheck,
    PolicyWarning,
    check_identity_policy,
    check_key_policy,
)
from api.settings import Settings
from tests.aws_protocol.conftest import AwsAnswer, post
from tests.graphql_client import GraphQLFailure, gql, gql_failure
from tests.policy.conftest import assert_malformed, policy, with_members

ACCOUNT = "111122223333"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
ADMIN = {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*",
         "Resource": "*"}  # fmt: skip


def statement(**members: Any) -> dict[str, Any]:
    """A statement for the account's root that allows Encrypt, with ``members`` replacing."""
    base = {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:Encrypt", "Resource": "*"}
    return with_members(base, members)


def managed(*statements: dict[str, Any]) -> str:
    """A policy whose first statement lets the root manage the key (the lockout check passes),
    then ``statements`` (their indexes start at 1)."""
    return policy(ADMIN, *statements)


def warning(code: FindingCode, index: int, sid: str | None, detail: str) -> PolicyWarning:
    label = f'Statement[{index}] (Sid "{sid}")' if sid else f"Statement[{index}]"
    return PolicyWarning(code=code, message=f"{label}: {detail}", statement_index=index, sid=sid)


UNKNOWN = warning(
    FindingCode.UNKNOWN_ACTION, 1, "Typo", "kms:unknown matches no action of the catalog's kms "
    "service."
)  # fmt: skip
ALGORITHM = {"StringEquals": {"kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}}
# Each document AWS stores, and what the checker finds in it.
FOUND = [
    (managed(statement(Sid="Typo", Action=["kms:Encrypt", "kms:unknown"])), [UNKNOWN]),
    (managed(statement(Action="kms:DescribeKey", Condition=ALGORITHM)),
     [warning(FindingCode.INAPPLICABLE_CONDITION_KEY, 1, None,
              "condition key kms:EncryptionAlgorithm is not listed in the catalog for any action "
              "of Action kms:DescribeKey.")]),
    (managed(statement(Action=None)),
     [warning(FindingCode.MISSING_ACTION, 1, None, "a statement needs an Action or a NotAction.")]),
    (managed(statement(Resource=None, Action="kms:Frobnicate")),
     [warning(FindingCode.MISSING_RESOURCE, 1, None,
              "a statement needs a Resource or a NotResource."),
      warning(FindingCode.UNKNOWN_ACTION, 1, None,
              "kms:Frobnicate matches no action of the catalog's kms service.")]),
]  # fmt: skip
# Documents AWS refuses: refused in both modes, with the message strict mode always had.
REFUSED = [
    ("{not json", "The policy document is not valid JSON."),
    (managed(statement(Principal={"AWS": "root"})),
     "Policy contains a statement with one or more invalid principals. Statement[1]: \"root\" is "
     "not a valid AWS principal."),
    (managed(statement(Principal=None)),
     "Policy contains a statement with no principal. Statement[1] has no Principal or "
     "NotPrincipal."),
]  # fmt: skip


@pytest.mark.parametrize(("document", "found"), FOUND)
def test_warn_mode_stores_what_aws_stores_and_says_what_it_found(
    document: str, found: list[PolicyWarning], catalog: Catalog
) -> None:
    checked = check_key_policy(document, catalog, PolicyCheck.WARN)
    assert list(checked.warnings) == found


@pytest.mark.parametrize(("document", "found"), FOUND)
def test_strict_mode_refuses_the_first_finding(
    document: str, found: list[PolicyWarning], catalog: Catalog
) -> None:
    with pytest.raises(MalformedPolicyDocumentException) as refused:
        check_key_policy(document, catalog, PolicyCheck.STRICT)
    assert_malformed(refused.value, found[0].message)


@pytest.mark.parametrize("check", list(PolicyCheck))
@pytest.mark.parametrize(("document", "message"), REFUSED)
def test_what_aws_refuses_is_refused_in_both_modes(
    document: str, message: str, check: PolicyCheck, catalog: Catalog
) -> None:
    with pytest.raises(MalformedPolicyDocumentException) as refused:
        check_key_policy(document, catalog, check)
    assert_malformed(refused.value, message)


def test_a_statement_without_action_or_resource_matches_nothing(catalog: Catalog) -> None:
    """AWS: "the policy statement has no effect" (PutKeyPolicy's Policy, cited above)."""
    checked = check_key_policy(
        managed(statement(Action=None), statement(Resource=None)), catalog, PolicyCheck.WARN
    )
    _, no_action, no_resource = checked.policy.statements
    assert no_action.action.values == ()
    assert no_resource.resource.values == ()


def test_an_identity_policy_still_needs_action_and_resource(catalog: Catalog) -> None:
    """IAM refuses an identity policy statement without Resource (keygraph's identity policies
    follow IAM); the unknown action in it is only a warning."""
    identity = {"Effect": "Allow", "Action": "kms:unknown", "Resource": "*"}
    checked = check_identity_policy(policy(identity), catalog, PolicyCheck.WARN)
    assert [w.code for w in checked.warnings] == [FindingCode.UNKNOWN_ACTION]
    with pytest.raises(MalformedPolicyDocumentException) as refused:
        check_identity_policy(policy(with_members(identity, {"Resource": None})), catalog,
                              PolicyCheck.WARN)  # fmt: skip
    assert_malformed(refused.value, "Statement[0]: a statement needs a Resource or a NotResource.")


# Through the doors, each mode a served keygraph of its own.


@pytest.fixture(params=list(PolicyCheck), ids=lambda check: check.value)
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    return dataclasses.replace(settings, policy_check=request.param)


CREATE = """
mutation($input: CreateKeyInput) {
  createKey(input: $input) {
    keyMetadata { keyId }
    warnings { code message statementIndex sid }
  }
}
"""
PUT = """
mutation($id: String!, $policy: String!, $bypass: Boolean) {
  putKeyPolicy(input: {keyId: $id, policy: $policy, bypassPolicyLockoutSafetyCheck: $bypass}) {
    keyMetadata { keyId }
    warnings { code message statementIndex sid }
  }
}
"""
GET = "query($id: String!) { getKeyPolicy(input: {keyId: $id}) { policy } }"
CREATE_EVENTS = """
query { auditEvents(filter: {action: "CreateKey"}, limit: 50) { events { door detail } } }
"""
EVENTS = """
query($id: String!) {
  auditEvents(filter: {keyId: $id}, limit: 50) { events { action door outcome detail } }
}
"""
TYPO = managed(statement(Sid="Typo", Action=["kms:Encrypt", "kms:unknown"]))
UNKNOWN_AS_GRAPHQL = {"code": "UNKNOWN_ACTION", "message": UNKNOWN.message, "statementIndex": 1,
                      "sid": "Typo"}  # fmt: skip


async def aws(client: httpx.AsyncClient, action: str, body: dict[str, Any]) -> AwsAnswer:
    return await post(client, action, body)


async def stored_policy(client: httpx.AsyncClient, key_id: str) -> str:
    return str((await gql(client, GET, {"id": key_id}))["getKeyPolicy"]["policy"])


async def events(client: httpx.AsyncClient, key_id: str, action: str) -> list[dict[str, Any]]:
    found = (await gql(client, EVENTS, {"id": key_id}))["auditEvents"]["events"]
    return [event for event in found if event["action"] == action]


async def new_key(client: httpx.AsyncClient) -> str:
    return str((await gql(client, CREATE, {"input": None}))["createKey"]["keyMetadata"]["keyId"])


async def test_put_key_policy_through_graphql(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    key_id = await new_key(client)
    if settings.policy_check is PolicyCheck.STRICT:
        refused = await gql_failure(client, PUT, {"id": key_id, "policy": TYPO})
        assert refused == GraphQLFailure("MalformedPolicyDocumentException", UNKNOWN.message)
        assert await stored_policy(client, key_id) != TYPO
        return
    answer = (await gql(client, PUT, {"id": key_id, "policy": TYPO}))["putKeyPolicy"]
    assert answer["warnings"] == [UNKNOWN_AS_GRAPHQL]
    assert await stored_policy(client, key_id) == TYPO
    (event,) = await events(client, key_id, "kms:PutKeyPolicy")
    assert event == {"action": "kms:PutKeyPolicy", "door": "GRAPHQL", "outcome": "ok",
                     "detail": f"UNKNOWN_ACTION: {UNKNOWN.message}"}  # fmt: skip


async def test_put_key_policy_through_aws_protocol(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    key_id = await new_key(client)
    answer = await aws(client, "PutKeyPolicy", {"KeyId": key_id, "Policy": TYPO})
    if settings.policy_check is PolicyCheck.STRICT:
        assert answer.error == ("MalformedPolicyDocumentException", UNKNOWN.message)
        return
    # AWS answers PutKeyPolicy with an empty body; the warnings are keygraph's own.
    assert (answer.status, answer.body) == (200, {})
    assert await stored_policy(client, key_id) == TYPO
    (event,) = await events(client, key_id, "kms:PutKeyPolicy")
    assert event == {"action": "kms:PutKeyPolicy", "door": "AWS", "outcome": "ok",
                     "detail": f"UNKNOWN_ACTION: {UNKNOWN.message}"}  # fmt: skip


async def test_create_key_through_both_doors(client: httpx.AsyncClient, settings: Settings) -> None:
    if settings.policy_check is PolicyCheck.STRICT:
        refused = await gql_failure(client, CREATE, {"input": {"policy": TYPO}})
        assert refused == GraphQLFailure("MalformedPolicyDocumentException", UNKNOWN.message)
        answer = await aws(client, "CreateKey", {"Policy": TYPO})
        assert answer.error == ("MalformedPolicyDocumentException", UNKNOWN.message)
        return
    created = (await gql(client, CREATE, {"input": {"policy": TYPO}}))["createKey"]
    assert created["warnings"] == [UNKNOWN_AS_GRAPHQL]
    answer = await aws(client, "CreateKey", {"Policy": TYPO})
    # AWS's CreateKey response has KeyMetadata alone.
    assert set(answer.body) == {"KeyMetadata"}
    for key_id in (created["keyMetadata"]["keyId"], answer.body["KeyMetadata"]["KeyId"]):
        assert await stored_policy(client, key_id) == TYPO
    # CreateKey is decided before there is a key: its events name none.
    found = (await gql(client, CREATE_EVENTS))["auditEvents"]["events"]
    assert [(event["door"], event["detail"]) for event in found] == [
        ("GRAPHQL", f"UNKNOWN_ACTION: {UNKNOWN.message}"),
        ("AWS", f"UNKNOWN_ACTION: {UNKNOWN.message}"),
    ]


async def test_a_clean_policy_has_no_warnings_and_no_detail(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    key_id = await new_key(client)
    answer = (await gql(client, PUT, {"id": key_id, "policy": managed()}))["putKeyPolicy"]
    assert answer["warnings"] == []
    (event,) = await events(client, key_id, "kms:PutKeyPolicy")
    assert event["detail"] is None


async def test_the_lockout_check_and_malformed_principals_stay_refused(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    """A policy whose only statement names an unknown action lets nobody call PutKeyPolicy:
    AWS refuses it with the lockout message unless the check is bypassed (PutKeyPolicy's
    BypassPolicyLockoutSafetyCheck, API reference)."""
    key_id = await new_key(client)
    locked = policy(statement(Action="kms:unknown"))
    before = await stored_policy(client, key_id)
    expected = UNKNOWN_LOCKED if settings.policy_check is PolicyCheck.STRICT else LOCKOUT
    assert await gql_failure(client, PUT, {"id": key_id, "policy": locked}) == GraphQLFailure(
        *expected
    )
    answer = await aws(client, "PutKeyPolicy", {"KeyId": key_id, "Policy": locked})
    assert answer.error == expected
    malformed = managed(statement(Principal={"AWS": "root"}))
    answer = await aws(client, "PutKeyPolicy", {"KeyId": key_id, "Policy": malformed})
    assert answer.error[0] == "MalformedPolicyDocumentException"
    assert await stored_policy(client, key_id) == before
    if settings.policy_check is PolicyCheck.WARN:
        bypassed = await gql(client, PUT, {"id": key_id, "policy": locked, "bypass": True})
        assert [w["code"] for w in bypassed["putKeyPolicy"]["warnings"]] == ["UNKNOWN_ACTION"]
        # Stored, and as AWS warns of a policy that bypasses the check, nobody may manage the
        # key now, not even read the policy back.
        assert (await gql_failure(client, GET, {"id": key_id})).code == "AccessDeniedException"


LOCKOUT = ("MalformedPolicyDocumentException", LOCKOUT_MESSAGE)
UNKNOWN_LOCKED = (
    "MalformedPolicyDocumentException",
    "Statement[0]: kms:unknown matches no action of the catalog's kms service.",
)
