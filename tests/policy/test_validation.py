"""Key policy documents checked against the shipped catalog: what is accepted, what is refused
and the message that names the offending entry. No database is needed: the catalog is data."""

from __future__ import annotations

import json
from typing import Any

import pytest

from api import limits
from api.catalog import Catalog
from api.errors import KeygraphError, ValidationException
from api.policy import default_key_policy, parse_key_policy, validate_key_policy
from api.policy.model import (
    ConditionOperator,
    Effect,
    Principal,
    PrincipalType,
    SetQualifier,
    Version,
)
from tests.policy.conftest import assert_malformed, policy, refusal_by, with_members

ROOT = "arn:aws:iam::111122223333:root"


def statement(**members: Any) -> dict[str, Any]:
    """An allow-all statement for the account's root, with ``members`` replacing or adding."""
    base: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": ROOT},
        "Action": "kms:*",
        "Resource": "*",
    }
    return with_members(base, members)


def refusal(document: str, catalog: Catalog) -> KeygraphError:
    return refusal_by(validate_key_policy, document, catalog)


def test_default_policy_is_valid_and_kept_verbatim(catalog: Catalog) -> None:
    document = default_key_policy("111122223333")
    assert validate_key_policy(document, catalog) == document
    parsed = parse_key_policy(document, catalog)
    assert parsed.version is Version.V2012_10_17
    assert parsed.id == "key-default-1"
    (only,) = parsed.statements
    assert only.effect is Effect.ALLOW
    assert only.principal is not None
    assert only.principal.values == (Principal(PrincipalType.AWS, ROOT),)
    assert [p.text for p in only.action.values] == ["kms:*"]


def test_a_realistic_policy_parses_into_the_model(catalog: Catalog) -> None:
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Id": "app-key",
            "Statement": [
                statement(Sid="Root"),
                statement(
                    Sid="Use via S3 from the account",
                    Principal={"AWS": ["111122223333", "arn:aws:iam::111122223333:role/app"]},
                    Action=["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
                    Condition={
                        "StringEquals": {
                            "kms:CallerAccount": "111122223333",
                            "kms:EncryptionContext:Department": ["IT", "HR"],
                        },
                        "ForAnyValue:StringLike": {"kms:EncryptionContextKeys": "app-*"},
                        "StringLikeIfExists": {"kms:ViaService": "s3.*.amazonaws.com"},
                        "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.1"]},
                        "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
                        "Bool": {"aws:SecureTransport": True},
                    },
                ),
                statement(
                    Sid="Logs",
                    Effect="Deny",
                    Principal={"Service": "logs.us-east-1.amazonaws.com"},
                    NotAction="kms:Encrypt",
                    Action=None,
                    Condition={"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}},
                ),
                statement(
                    Sid="MAC with tags",
                    Principal="*",
                    Action="kms:GenerateMac",
                    Condition={"StringEquals": {"aws:ResourceTag/Project": "alpha"}},
                ),
            ],
        }
    )
    parsed = parse_key_policy(document, catalog)
    assert parsed.id == "app-key"
    use = parsed.statements[1]
    assert use.label == 'Statement[1] (Sid "Use via S3 from the account")'
    assert [(c.written, c.key, c.values) for c in use.conditions] == [
        ("StringEquals", "kms:CallerAccount", ("111122223333",)),
        ("StringEquals", "kms:EncryptionContext:Department", ("IT", "HR")),
        ("ForAnyValue:StringLike", "kms:EncryptionContextKeys", ("app-*",)),
        ("StringLikeIfExists", "kms:ViaService", ("s3.*.amazonaws.com",)),
        ("IpAddress", "aws:SourceIp", ("10.0.0.0/8", "192.0.2.1")),
        ("DateLessThan", "aws:CurrentTime", ("2030-01-01T00:00:00Z",)),
        ("Bool", "aws:SecureTransport", ("true",)),
    ]
    like = use.conditions[2]
    assert (like.operator, like.qualifier, like.if_exists) == (
        ConditionOperator.STRING_LIKE,
        SetQualifier.FOR_ANY_VALUE,
        False,
    )
    assert use.conditions[3].if_exists is True
    assert any(p.matches("kms:ReEncryptFrom") for p in use.action.values)
    assert not any(p.matches("kms:Sign") for p in use.action.values)
    logs = parsed.statements[2]
    assert logs.effect is Effect.DENY and logs.action.negated
    assert logs.principal is not None
    assert logs.principal.values == (
        Principal(PrincipalType.SERVICE, "logs.us-east-1.amazonaws.com"),
    )
    mac = parsed.statements[3].principal
    assert mac is not None
    assert mac.values == (Principal(PrincipalType.AWS, "*"),)


@pytest.mark.parametrize(
    "document",
    [
        # A single statement object instead of a list, and no Version (IAM reads 2008-10-17).
        json.dumps({"Statement": statement()}),
        # IAM ignores case in action names and condition keys.
        policy(statement(Action="KMS:encrypt",
                         Condition={"StringEquals": {"KMS:CALLERACCOUNT": "1"}})),
        # Services the catalog does not hold are not checked, nor are their condition keys.
        policy(statement(Action=["s3:GetObject", "*"],
                         Condition={"StringLike": {"s3:prefix": "a/"}})),
        # NotAction kms:Encrypt still covers Decrypt, which lists kms:EncryptionAlgorithm.
        policy(statement(NotAction="kms:Encrypt", Action=None,
                         Condition={"StringEquals": {"kms:EncryptionAlgorithm": "SHA_1"}})),
        # Newer actions that the catalog holds as additions, with their own condition keys.
        policy(statement(Action="kms:DeriveSharedSecret",
                         Condition={"StringEquals": {"kms:KeyAgreementAlgorithm": "ECDH"}})),
        policy(statement(NotResource="arn:aws:kms:*:111122223333:key/*", Resource=None)),
    ],
)  # fmt: skip
def test_accepted(document: str, catalog: Catalog) -> None:
    assert validate_key_policy(document, catalog) == document


S0 = "Statement[0]"
SID = 'Statement[0] (Sid "Admins")'
NO_PRINCIPAL = "Policy contains a statement with no principal."
INVALID = "Policy contains a statement with one or more invalid principals."


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{", "The policy document is not valid JSON."),
        ("[]", "The policy document must be a JSON object."),
        ('{"Version": "2012-10-17", "Version": "2012-10-17", "Statement": []}',
         'The policy document repeats the element "Version".'),
        (json.dumps({"Statement": [statement()], "Owner": "me"}),
         '"Owner" is not an element of a policy document.'),
        (json.dumps({"Version": "2020-01-01", "Statement": [statement()]}),
         'Version "2020-01-01" is not a policy language version: use "2012-10-17" or '
         '"2008-10-17".'),
        (json.dumps({"Version": "2012-10-17"}), "The policy document has no Statement."),
        (json.dumps({"Version": "2012-10-17", "Statement": []}),
         "The policy document has no Statement."),
        (json.dumps({"Statement": [statement(), statement(Sid=7)]}),
         "Statement[1]: Sid must be a string."),
        (json.dumps({"Statement": ["Allow"]}), f"{S0}: a statement must be a JSON object."),
        (policy(statement(Sid="Admins", Actions="kms:*")),
         f'{SID}: "Actions" is not an element of a policy statement.'),
        (policy(statement(Effect="allow")), f'{S0}: Effect must be "Allow" or "Deny".'),
        (policy(statement(Sid="Admins", Principal=None)),
         f"{NO_PRINCIPAL} {SID} has no Principal or NotPrincipal."),
        (policy(statement(NotPrincipal={"AWS": ROOT})),
         f"{S0}: a statement takes Principal or NotPrincipal, not both."),
        (policy(statement(Principal={"AWS": "bob"})),
         f'{INVALID} {S0}: "bob" is not a valid AWS principal.'),
        (policy(statement(Principal={"AWS": "arn:aws:iam::111122223333:role/*"})),
         f'{INVALID} {S0}: "arn:aws:iam::111122223333:role/*" is not a valid AWS principal.'),
        (policy(statement(Principal={"Federated": "cognito-identity.amazonaws.com"})),
         f'{INVALID} {S0}: principal type "Federated" is not supported; use "AWS" or "Service".'),
        (policy(statement(Principal="bob")),
         f'{INVALID} {S0}: a principal is "*" or an object such as {{"AWS": [...]}}.'),
        (policy(statement(Principal={"AWS": []})),
         f"{S0}: the AWS principal must be a string or a non-empty list of strings."),
        (policy(statement(Action=None)), f"{S0}: a statement needs an Action or a NotAction."),
        (policy(statement(Action="kms")),
         f'{S0}: action "kms" is not "*" or of the form service:action.'),
        (policy(statement(Sid="Admins", Action=["kms:Encrypt", "kms:Encrpyt"])),
         f"{SID}: kms:Encrpyt matches no action of the catalog's kms service."),
        (policy(statement(NotAction="kms:Frobnicate*", Action=None)),
         f"{S0}: kms:Frobnicate* matches no action of the catalog's kms service."),
        (policy(statement(Resource=None)), f"{S0}: a statement needs a Resource or a NotResource."),
        (policy(statement(Resource="arn:aws:kms:us-east-1:111122223333:key/1")),
         f'{S0}: Resource in a key policy must be "*" (the key itself), not '
         '"arn:aws:kms:us-east-1:111122223333:key/1".'),
        (policy(statement(Condition=[])),
         f"{S0}: Condition must be an object of condition operators."),
        (policy(statement(Condition={"StringEqualz": {"kms:CallerAccount": "1"}})),
         f'{S0}: condition operator "StringEqualz" is not an IAM condition operator.'),
        (policy(statement(Condition={"NullIfExists": {"kms:CallerAccount": "true"}})),
         f'{S0}: condition operator "NullIfExists" is not an IAM condition operator.'),
        (policy(statement(Condition={"StringEquals": "kms:CallerAccount"})),
         f"{S0}: StringEquals must be an object of condition keys and values."),
        (policy(statement(Condition={"StringEquals": {"CallerAccount": "1"}})),
         f'{S0}: condition key "CallerAccount" is not of the form service:key.'),
        (policy(statement(Condition={"StringEquals": {"kms:CallerAccount": {"a": 1}}})),
         f"{S0}: the value of kms:CallerAccount under StringEquals must be a string, number or "
         "boolean, or a list of them."),
        (policy(statement(Condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "soon"}})),
         f'{S0}: NumericLessThan value "soon" of aws:MultiFactorAuthAge is not a number.'),
        (policy(statement(Condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "NaN"}})),
         f'{S0}: NumericLessThan value "NaN" of aws:MultiFactorAuthAge is not a number.'),
        (policy(statement(Condition={"BinaryEquals": {"aws:userid": "é"}})),
         f'{S0}: BinaryEquals value "é" of aws:userid is not Base64.'),
        (policy(statement(Condition={"DateGreaterThan": {"aws:CurrentTime": "tomorrow"}})),
         f'{S0}: DateGreaterThan value "tomorrow" of aws:CurrentTime is not an ISO 8601 date '
         "or epoch seconds."),
        (policy(statement(Condition={"NotIpAddress": {"aws:SourceIp": "10.0.0.300"}})),
         f'{S0}: NotIpAddress value "10.0.0.300" of aws:SourceIp is not an IP address or CIDR '
         "range."),
        (policy(statement(Condition={"Bool": {"aws:SecureTransport": "yes"}})),
         f'{S0}: Bool value "yes" of aws:SecureTransport is not true or false.'),
        (policy(statement(Sid="Admins", Action="kms:DescribeKey",
                          Condition={"StringEquals": {"kms:EncryptionAlgorithm": "SHA_1"}})),
         f"{SID}: condition key kms:EncryptionAlgorithm is not listed in the catalog for any "
         "action of Action kms:DescribeKey."),
        (policy(statement(Action=["kms:Sign", "kms:Verify"],
                          Condition={"StringEquals": {"kms:EncryptionContext:Dept": "IT"}})),
         f"{S0}: condition key kms:EncryptionContext:Dept is not listed in the catalog for any "
         "action of Action kms:Sign, kms:Verify."),
        (policy(statement(NotAction="kms:*", Action=None,
                          Condition={"StringEquals": {"kms:CallerAccount": "111122223333"}})),
         f"{S0}: condition key kms:CallerAccount is not listed in the catalog for any action of "
         "NotAction kms:*."),
        (policy(statement(Condition={"StringEquals": {"aws:PrincipalColour": "blue"}})),
         f"{S0}: condition key aws:PrincipalColour is not a global condition key and is not "
         "listed in the catalog for any action of Action kms:*."),
        (policy(statement(Sid="Admins"), statement(Sid="Admins")),
         "Statement[1] (Sid \"Admins\"): its Sid is also the Sid of Statement[0]."),
    ],
)  # fmt: skip
def test_refused(document: str, message: str, catalog: Catalog) -> None:
    assert_malformed(refusal(document, catalog), message)


def test_condition_keys_the_catalog_lists_for_the_action_are_accepted(catalog: Catalog) -> None:
    """Every key the catalog lists for an action, written in a statement about that action."""
    for privilege in catalog.privileges(service="kms"):
        for key in privilege.condition_keys:
            written = key.replace("${TagKey}", "Project")
            document = policy(
                statement(Action=privilege.action, Condition={"StringLike": {written: "*"}})
            )
            assert validate_key_policy(document, catalog) == document


def test_the_32_kb_limit(catalog: Catalog) -> None:
    at_limit = policy(statement(Sid="x"))
    padding = limits.POLICY_MAX_BYTES - len(at_limit.encode())
    exactly = policy(statement(Sid="x" * (1 + padding)))
    assert len(exactly.encode()) == limits.POLICY_MAX_BYTES
    assert validate_key_policy(exactly, catalog) == exactly
    over = policy(statement(Sid="x" * (2 + padding)))
    assert_malformed(
        refusal(over, catalog), "The policy document exceeds the maximum size of 32768 bytes."
    )


def test_characters_outside_aws_pattern_are_a_validation_error(catalog: Catalog) -> None:
    latin1 = json.dumps({"Statement": [statement(Sid="Café")]}, ensure_ascii=False)
    assert validate_key_policy(latin1, catalog) == latin1
    error = refusal(
        json.dumps({"Statement": [statement(Sid="\u0100")]}, ensure_ascii=False), catalog
    )
    assert isinstance(error, ValidationException)
    assert error.message == (
        "1 validation error detected: Value at 'policy' failed to satisfy constraint: Member "
        "must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"
    )
