"""Identity policies (attached to a principal): no Principal, Resource names keys and aliases by
ARN; the same size, character and catalog checks as key policies."""

from __future__ import annotations

import json
from typing import Any

import pytest

from api import limits
from api.catalog import Catalog
from api.errors import KeygraphError, MalformedPolicyDocumentException, ValidationException
from api.policy import PolicyKind, parse_identity_policy, parse_policy
from tests.policy.conftest import assert_malformed, policy, refusal_by, with_members

ACCOUNT = "111122223333"
SHOULD_NOT = "Policy document should not specify a principal."


def statement(**members: Any) -> dict[str, Any]:
    return with_members({"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}, members)


def refusal(document: str, catalog: Catalog) -> KeygraphError:
    return refusal_by(parse_identity_policy, document, catalog)


def test_an_identity_policy_parses_without_principals(catalog: Catalog) -> None:
    resources = [
        f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        f"arn:aws:kms:*:{ACCOUNT}:key/*",
        f"arn:aws:kms:us-east-?:{ACCOUNT}:alias/app/*",
        "arn:aws:kms:*:*:*",
        "arn:aws:kms:eu-west-1:1111222233*:key/mrk-*",
    ]
    document = policy(
        statement(Sid="Use", Action=["kms:Encrypt", "kms:Decrypt"], Resource=resources,
                  Condition={"StringEquals": {"kms:EncryptionContext:Dept": "IT"}}),
        statement(Sid="Keyless", Action=["kms:CreateKey", "kms:ListKeys"]),
        statement(Sid="Not", Effect="Deny", Resource=None,
                  NotResource=f"arn:aws:kms:us-east-1:{ACCOUNT}:key/*"),
    )  # fmt: skip
    parsed = parse_identity_policy(document, catalog)
    assert [s.sid for s in parsed.statements] == ["Use", "Keyless", "Not"]
    assert all(s.principal is None for s in parsed.statements)
    assert parsed.statements[0].resource.values == tuple(resources)
    assert parsed.statements[2].resource.negated


@pytest.mark.parametrize("element", ["Principal", "NotPrincipal"])
def test_a_principal_is_refused(element: str, catalog: Catalog) -> None:
    document = policy(statement(Sid="Admins", **{element: {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}))
    assert_malformed(
        refusal(document, catalog), f'{SHOULD_NOT} Statement[0] (Sid "Admins") has a {element}.'
    )


FORMS = "arn:aws:kms:<region>:<account>:key/<key id> or arn:aws:kms:<region>:<account>:alias/<name>"


@pytest.mark.parametrize(
    ("element", "resource"),
    [
        ("Resource", "arn:aws:s3:::bucket/*"),
        ("Resource", f"arn:aws:kms:us-east-1:{ACCOUNT}:grant/abc"),
        ("Resource", "arn:aws:kms:us-east-1:1234:key/abc"),
        ("Resource", f"arn:aws:kms:US-EAST-1:{ACCOUNT}:key/abc"),
        ("Resource", f"arn:aws:kms::{ACCOUNT}:key/abc"),
        ("Resource", "key/1234abcd-12ab-34cd-56ef-1234567890ab"),
        ("Resource", "alias/app"),
        ("Resource", "**"),
        ("NotResource", f"arn:aws:iam::{ACCOUNT}:user/alice"),
    ],
)
def test_a_resource_that_is_not_a_key_or_alias_is_refused_by_name(
    element: str, resource: str, catalog: Catalog
) -> None:
    members = {"Resource": None, element: ["*", resource]}
    error = refusal(policy(statement(**members)), catalog)
    assert isinstance(error, MalformedPolicyDocumentException)
    assert error.message == (
        f'Statement[0]: {element} "{resource}" is not "*" or a KMS ARN: {FORMS}.'
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (policy(statement(Action="kms:Encrpyt")),
         "Statement[0]: kms:Encrpyt matches no action of the catalog's kms service."),
        (policy(statement(Action="kms:CreateKey",
                          Condition={"StringEquals": {"kms:EncryptionAlgorithm": "X"}})),
         "Statement[0]: condition key kms:EncryptionAlgorithm is not listed in the catalog for "
         "any action of Action kms:CreateKey."),
        (policy(statement(Resource=None)),
         "Statement[0]: a statement needs a Resource or a NotResource."),
        ("[]", "The policy document must be a JSON object."),
    ],
)  # fmt: skip
def test_the_key_policy_checks_apply(document: str, message: str, catalog: Catalog) -> None:
    assert_malformed(refusal(document, catalog), message)


def test_the_size_and_character_limits_apply(catalog: Catalog) -> None:
    over = policy(statement(Sid="x" * limits.POLICY_MAX_BYTES))
    assert_malformed(
        refusal(over, catalog), "The policy document exceeds the maximum size of 32768 bytes."
    )
    wide = json.dumps({"Statement": [statement(Sid="\u0100")]}, ensure_ascii=False)
    assert isinstance(refusal(wide, catalog), ValidationException)


def test_a_key_policy_is_still_the_default_kind() -> None:
    """The same document is a valid identity policy and an invalid key policy, and back."""
    identity = policy(statement(Resource=f"arn:aws:kms:*:{ACCOUNT}:key/*"))
    assert parse_policy(identity, PolicyKind.IDENTITY).statements[0].principal is None
    with pytest.raises(MalformedPolicyDocumentException) as raised:
        parse_policy(identity)
    assert raised.value.message == (
        "Policy contains a statement with no principal. Statement[0] has no Principal or "
        "NotPrincipal."
    )
    key = policy(statement(Principal="*"))
    assert parse_policy(key).statements[0].principal is not None
    with pytest.raises(MalformedPolicyDocumentException):
        parse_policy(key, PolicyKind.IDENTITY)
