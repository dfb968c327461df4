"""Which statements of a key policy or an identity policy apply to a request: principals
(own ARN, "*", account, root, NotPrincipal, other accounts, services), actions and resources with
their Not forms and wildcards, and conditions ANDed across keys and operators."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from api.policy import (
    Evaluation,
    PolicyKind,
    PrincipalMatch,
    RequestContext,
    default_key_policy,
    evaluate_identity_policy,
    evaluate_key_policy,
    parse_policy,
    request_context,
)
from api.policy.model import PolicyDocument

ACCOUNT = "111122223333"
OTHER = "444455556666"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
BOB = f"arn:aws:iam::{ACCOUNT}:user/bob"
APP = f"arn:aws:iam::{ACCOUNT}:role/app"
STRANGER = f"arn:aws:iam::{OTHER}:user/carol"
OTHER_ROOT = f"arn:aws:iam::{OTHER}:root"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_KEY = f"arn:aws:kms:us-east-1:{OTHER}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def caller(arn: str) -> str:
    return arn.split(":")[4]


def request(
    principal: str = ALICE,
    action: str = "kms:Encrypt",
    resource: str = KEY,
    values: Mapping[str, str | Sequence[str]] | None = None,
) -> RequestContext:
    return request_context(action, resource, principal, caller(principal), values or {})


def key_policy(*statements: dict[str, Any]) -> PolicyDocument:
    return parse_policy(json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))


def identity_policy(*statements: dict[str, Any]) -> PolicyDocument:
    document = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return parse_policy(document, PolicyKind.IDENTITY)


def allow(sid: str = "s", **members: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Action": "kms:*", "Resource": "*"}
    statement.update(members)
    return {name: value for name, value in statement.items() if value is not None}


def deny(sid: str = "s", **members: Any) -> dict[str, Any]:
    return {**allow(sid, **members), "Effect": "Deny"}


def named(evaluation: Evaluation) -> list[tuple[str | None, PrincipalMatch]]:
    return [(m.statement.sid, m.principal_match) for m in evaluation.matches]


def principal_match(
    principal_element: Any, who: str, negated: bool = False
) -> PrincipalMatch | None:
    element = "NotPrincipal" if negated else "Principal"
    evaluation = evaluate_key_policy(
        key_policy(allow(**{element: principal_element})), request(who)
    )
    return evaluation.matches[0].principal_match if evaluation.matches else None


P, A = PrincipalMatch.PRINCIPAL, PrincipalMatch.ACCOUNT


@pytest.mark.parametrize(
    ("principal_element", "who", "expected"),
    [
        ({"AWS": ALICE}, ALICE, P),
        ({"AWS": ALICE}, BOB, None),
        ({"AWS": [BOB, ALICE]}, ALICE, P),
        ({"AWS": APP}, APP, P),
        ("*", ALICE, P),
        ("*", STRANGER, P),
        ({"AWS": "*"}, ROOT, P),
        # The account, by id or root ARN: its root directly, its users and roles by delegation.
        ({"AWS": ACCOUNT}, ROOT, P),
        ({"AWS": ROOT}, ROOT, P),
        ({"AWS": ACCOUNT}, ALICE, A),
        ({"AWS": ROOT}, ALICE, A),
        ({"AWS": ROOT}, APP, A),
        # Its own name beats its account's.
        ({"AWS": [ROOT, ALICE]}, ALICE, P),
        # Other accounts.
        ({"AWS": ACCOUNT}, STRANGER, None),
        ({"AWS": ROOT}, OTHER_ROOT, None),
        ({"AWS": OTHER}, ALICE, None),
        ({"AWS": [OTHER, STRANGER]}, STRANGER, P),
        ({"AWS": OTHER_ROOT}, STRANGER, A),
        # Service principals name no keygraph caller.
        ({"Service": "logs.us-east-1.amazonaws.com"}, ALICE, None),
        ({"Service": "logs.us-east-1.amazonaws.com"}, ROOT, None),
    ],
)
def test_principal(principal_element: Any, who: str, expected: PrincipalMatch | None) -> None:
    assert principal_match(principal_element, who) is expected


@pytest.mark.parametrize(
    ("principal_element", "who", "expected"),
    [
        ({"AWS": ALICE}, ALICE, None),
        ({"AWS": ALICE}, BOB, P),
        ({"AWS": ALICE}, STRANGER, P),
        # A listed account covers all of its principals.
        ({"AWS": ACCOUNT}, ALICE, None),
        ({"AWS": ROOT}, ALICE, None),
        ({"AWS": ROOT}, ROOT, None),
        ({"AWS": ROOT}, STRANGER, P),
        ({"AWS": "*"}, STRANGER, None),
        ({"Service": "logs.us-east-1.amazonaws.com"}, ALICE, P),
    ],
)
def test_not_principal(principal_element: Any, who: str, expected: PrincipalMatch | None) -> None:
    assert principal_match(principal_element, who, negated=True) is expected


def test_the_default_key_policy() -> None:
    policy = parse_policy(default_key_policy(ACCOUNT))
    label = "Enable IAM User Permissions"
    assert named(evaluate_key_policy(policy, request(ROOT))) == [(label, P)]
    assert named(evaluate_key_policy(policy, request(ALICE, "kms:ScheduleKeyDeletion"))) == [
        (label, A)
    ]
    assert named(evaluate_key_policy(policy, request(STRANGER))) == []


@pytest.mark.parametrize(
    ("action_element", "action", "expected"),
    [
        ({"Action": "kms:Encrypt"}, "kms:Encrypt", True),
        ({"Action": "KMS:encrypt"}, "kms:Encrypt", True),
        ({"Action": "kms:Encrypt"}, "kms:Decrypt", False),
        ({"Action": "kms:Encrypt"}, "kms:EncryptMore", False),
        ({"Action": "kms:*"}, "kms:CreateGrant", True),
        ({"Action": "*"}, "kms:CreateGrant", True),
        ({"Action": "s3:*"}, "kms:Encrypt", False),
        ({"Action": "kms:Generate*"}, "kms:GenerateDataKeyWithoutPlaintext", True),
        ({"Action": "kms:Generate*"}, "kms:Encrypt", False),
        ({"Action": "kms:?ncrypt"}, "kms:Encrypt", True),
        ({"Action": ["kms:Decrypt", "kms:ReEncrypt*"]}, "kms:ReEncryptFrom", True),
        ({"NotAction": "kms:Encrypt"}, "kms:Decrypt", True),
        ({"NotAction": "kms:Encrypt"}, "kms:Encrypt", False),
        ({"NotAction": ["kms:Encrypt*", "kms:Decrypt"]}, "kms:Decrypt", False),
        ({"NotAction": ["kms:Encrypt*", "kms:Decrypt"]}, "kms:Sign", True),
        ({"NotAction": "kms:*"}, "kms:Sign", False),
    ],
)
def test_action(action_element: dict[str, Any], action: str, expected: bool) -> None:
    members = {"Action": None, **action_element}
    policy = key_policy(allow(Principal="*", **members))
    assert bool(evaluate_key_policy(policy, request(action=action)).matches) is expected
    identity = identity_policy(allow(**members))
    assert bool(evaluate_identity_policy(identity, request(action=action)).matches) is expected


@pytest.mark.parametrize(
    ("resource_element", "resource", "expected"),
    [
        ({"Resource": "*"}, KEY, True),
        ({"NotResource": "*"}, KEY, False),
        ({"NotResource": f"arn:aws:kms:*:{ACCOUNT}:key/*"}, KEY, False),
        ({"NotResource": f"arn:aws:kms:*:{OTHER}:key/*"}, KEY, True),
    ],
)
def test_key_policy_resource(
    resource_element: dict[str, Any], resource: str, expected: bool
) -> None:
    policy = key_policy(allow(Principal="*", **{"Resource": None, **resource_element}))
    assert bool(evaluate_key_policy(policy, request(resource=resource)).matches) is expected


KEYS_HERE = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/*"


@pytest.mark.parametrize(
    ("resource_element", "resource", "expected"),
    [
        ({"Resource": "*"}, KEY, True),
        ({"Resource": "*"}, "*", True),
        ({"Resource": KEY}, KEY, True),
        ({"Resource": KEYS_HERE}, KEY, True),
        ({"Resource": KEYS_HERE}, OTHER_KEY, False),
        # An ARN pattern never names the "*" of an action without a key.
        ({"Resource": KEYS_HERE}, "*", False),
        ({"Resource": f"arn:aws:kms:*:{ACCOUNT}:*"}, "*", False),
        ({"Resource": f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/*"}, KEY, False),
        ({"Resource": f"arn:aws:kms:us-east-?:{ACCOUNT}:key/1234abcd-*"}, KEY, True),
        ({"Resource": f"arn:aws:kms:*:{ACCOUNT}:key/1234ABCD-*"}, KEY, False),
        ({"Resource": "arn:aws:kms:*:*:key/*"}, OTHER_KEY, True),
        ({"Resource": f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/*"}, KEY, False),
        ({"Resource": [f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/*", KEYS_HERE]}, KEY, True),
        ({"NotResource": KEYS_HERE}, KEY, False),
        ({"NotResource": KEYS_HERE}, OTHER_KEY, True),
        ({"NotResource": KEYS_HERE}, "*", True),
        ({"NotResource": "*"}, "*", False),
    ],
)
def test_identity_policy_resource(
    resource_element: dict[str, Any], resource: str, expected: bool
) -> None:
    policy = identity_policy(allow(**{"Resource": None, **resource_element}))
    evaluation = evaluate_identity_policy(policy, request(resource=resource))
    assert bool(evaluation.matches) is expected


def test_identity_statements_match_as_the_callers_own() -> None:
    policy = identity_policy(allow("use", Action=["kms:Encrypt", "kms:Decrypt"]), deny("no"))
    evaluation = evaluate_identity_policy(policy, request(ALICE))
    assert named(evaluation) == [("use", P), ("no", P)]
    assert [m.statement.sid for m in evaluation.allows] == ["use"]
    assert [m.statement.sid for m in evaluation.denies] == ["no"]


def test_an_identity_policy_names_no_principal_for_a_key_policy_evaluation() -> None:
    assert evaluate_key_policy(identity_policy(allow()), request(ROOT)).matches == ()


def test_allows_and_denies_keep_document_order() -> None:
    policy = key_policy(
        allow("root", Principal={"AWS": ROOT}),
        deny("everyone-decrypt", Principal="*", Action="kms:Decrypt"),
        allow("alice", Principal={"AWS": ALICE}, Action="kms:Decrypt"),
        deny("alice-any", Principal={"AWS": ALICE}),
        allow("bob", Principal={"AWS": BOB}),
    )
    evaluation = evaluate_key_policy(policy, request(ALICE, "kms:Decrypt"))
    assert named(evaluation) == [
        ("root", A), ("everyone-decrypt", P), ("alice", P), ("alice-any", P)
    ]  # fmt: skip
    assert [m.statement.sid for m in evaluation.allows] == ["root", "alice"]
    assert [m.statement.sid for m in evaluation.denies] == ["everyone-decrypt", "alice-any"]


CONDITIONS = {
    "StringEquals": {"kms:CallerAccount": ACCOUNT, "kms:EncryptionContext:Dept": ["IT", "HR"]},
    "ForAllValues:StringLike": {"kms:EncryptionContextKeys": ["Dept", "App*"]},
    "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
}
MET: dict[str, str | Sequence[str]] = {
    "kms:CallerAccount": ACCOUNT,
    "kms:EncryptionContext:Dept": "HR",
    "kms:EncryptionContextKeys": ["Dept", "AppName"],
    "aws:SourceIp": "10.20.30.40",
}


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        ({}, True),
        ({"kms:CallerAccount": OTHER}, False),
        ({"kms:EncryptionContext:Dept": "Ops"}, False),
        ({"kms:EncryptionContextKeys": ["Dept", "Owner"]}, False),
        ({"aws:SourceIp": "192.0.2.1"}, False),
    ],
)
def test_conditions_are_anded_across_keys_and_operators(
    changed: dict[str, str | Sequence[str]], expected: bool
) -> None:
    policy = key_policy(allow(Principal="*", Condition=CONDITIONS))
    evaluation = evaluate_key_policy(policy, request(values={**MET, **changed}))
    assert bool(evaluation.matches) is expected


def test_a_condition_on_an_absent_key_fails_unless_it_allows_absence() -> None:
    policy = key_policy(
        allow("alg", Principal="*", Condition={"StringEquals": {"kms:EncryptionAlgorithm": "X"}}),
        allow("alg-if", Principal="*",
              Condition={"StringEqualsIfExists": {"kms:EncryptionAlgorithm": "X"}}),
        deny("not-via", Principal="*", Condition={"StringNotLike": {"kms:ViaService": "s3.*"}}),
    )  # fmt: skip
    absent = evaluate_key_policy(policy, request())
    assert [m.statement.sid for m in absent.matches] == ["alg-if", "not-via"]
    present = request(
        values={"kms:EncryptionAlgorithm": "X", "kms:ViaService": "s3.us-east-1.amazonaws.com"}
    )
    assert [m.statement.sid for m in evaluate_key_policy(policy, present).matches] == [
        "alg", "alg-if"
    ]  # fmt: skip


def test_request_context_keys_ignore_case_and_take_one_value_or_several() -> None:
    context = request_context(
        "kms:Encrypt",
        KEY,
        ALICE,
        ACCOUNT,
        {"KMS:CallerAccount": ACCOUNT, "aws:TagKeys": ["a", "b"]},
    )
    assert context.values == {"kms:calleraccount": (ACCOUNT,), "aws:tagkeys": ("a", "b")}
    assert not context.is_root
    built = RequestContext("kms:Encrypt", KEY, ROOT, ACCOUNT, {"AWS:SourceIp": ("10.0.0.1",)})
    assert built.values == {"aws:sourceip": ("10.0.0.1",)}
    assert built.is_root


def test_equal_documents_evaluate_alike() -> None:
    """Compiled forms are cached by document: an equal document parsed again must match the
    same, and a different one differently."""
    first = key_policy(allow(Principal={"AWS": ALICE}))
    again = key_policy(allow(Principal={"AWS": ALICE}))
    other = key_policy(allow(Principal={"AWS": BOB}))
    assert first == again and first is not again and hash(first) == hash(again)
    assert named(evaluate_key_policy(first, request(ALICE))) == [("s", P)]
    assert named(evaluate_key_policy(again, request(ALICE))) == [("s", P)]
    assert named(evaluate_key_policy(other, request(ALICE))) == []
