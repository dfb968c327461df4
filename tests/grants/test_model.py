"""``Grant.permits`` and the narrowing rule, without a database: the rules authorization asks."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime

import pytest

from api.errors import InvalidGrantTokenException, ValidationException
from api.grants.model import Grant, GrantConstraints
from api.grants.tokens import parse_grant_tokens

ALICE = "arn:aws:iam::111122223333:user/alice"


def grant(*operations: str, constraints: GrantConstraints | None = None) -> Grant:
    return Grant(
        grant_id="0" * 64,
        key_uuid=uuid.uuid4(),
        key_arn="arn:aws:kms:us-east-1:111122223333:key/x",
        name=None,
        grantee_principal=ALICE,
        retiring_principal=None,
        operations=frozenset(operations),
        constraints=constraints,
        issuing_account="arn:aws:iam::111122223333:root",
        created_at=datetime.now(UTC),
    )


def test_only_the_grantee_and_only_the_operations() -> None:
    plain = grant("Encrypt", "ReEncryptFrom")
    assert plain.permits(ALICE, "Encrypt", None)
    assert plain.permits(ALICE, "ReEncryptFrom", {"any": "context"})
    assert not plain.permits(ALICE, "ReEncryptTo", None)
    assert not plain.permits(ALICE, "Decrypt", None)
    assert not plain.permits("arn:aws:iam::111122223333:user/bob", "Encrypt", None)
    assert not plain.permits("arn:aws:iam::111122223333:root", "Encrypt", None)


def test_equals_wants_exactly_the_map() -> None:
    equals = grant("Decrypt", constraints=GrantConstraints.of(equals={"a": "1", "b": "2"}))
    assert equals.permits(ALICE, "Decrypt", {"b": "2", "a": "1"})
    assert equals.permits(ALICE, "Decrypt", {"A": "1", "B": "2"})
    assert not equals.permits(ALICE, "Decrypt", {"a": "1"})
    assert not equals.permits(ALICE, "Decrypt", {"a": "1", "b": "2", "c": "3"})
    assert not equals.permits(ALICE, "Decrypt", {"a": "1", "b": "X"})
    assert not equals.permits(ALICE, "Decrypt", {"a": "1", "A": "1", "b": "2"})
    assert not equals.permits(ALICE, "Decrypt", None)


def test_subset_wants_the_map_inside_the_context() -> None:
    subset = grant("Encrypt", constraints=GrantConstraints.of(subset={"dept": "it"}))
    assert subset.permits(ALICE, "Encrypt", {"dept": "it"})
    assert subset.permits(ALICE, "Encrypt", {"Dept": "it", "team": "a"})
    assert not subset.permits(ALICE, "Encrypt", {"dept": "IT"})
    assert not subset.permits(ALICE, "Encrypt", {})
    assert not subset.permits(ALICE, "Encrypt", None)


def test_both_constraints_must_hold() -> None:
    both = GrantConstraints.of(equals={"a": "1", "b": "2"}, subset={"a": "1"})
    assert grant("Encrypt", constraints=both).permits(ALICE, "Encrypt", {"a": "1", "b": "2"})
    contradicting = GrantConstraints.of(equals={"a": "1"}, subset={"b": "2"})
    for context in ({"a": "1"}, {"a": "1", "b": "2"}, {"b": "2"}):
        assert not grant("Encrypt", constraints=contradicting).permits(ALICE, "Encrypt", context)


def test_constraints_do_not_restrict_operations_without_a_context() -> None:
    constrained = grant(
        "Encrypt", "DescribeKey", "RetireGrant", "CreateGrant",
        constraints=GrantConstraints.of(equals={"a": "1"}),
    )  # fmt: skip
    for action in ("DescribeKey", "RetireGrant", "CreateGrant"):
        assert constrained.permits(ALICE, action, None)
    assert not constrained.permits(ALICE, "Encrypt", None)


@pytest.mark.parametrize(
    ("parent", "child", "covered"),
    [
        (None, None, True),
        (None, GrantConstraints.of(subset={"a": "1"}), True),
        (GrantConstraints.of(subset={"a": "1"}), None, False),
        (
            GrantConstraints.of(subset={"a": "1"}),
            GrantConstraints.of(subset={"A": "1", "b": "2"}),
            True,
        ),
        (
            GrantConstraints.of(subset={"a": "1"}),
            GrantConstraints.of(equals={"a": "1", "b": "2"}),
            True,
        ),
        (GrantConstraints.of(subset={"a": "1"}), GrantConstraints.of(subset={"b": "2"}), False),
        (
            GrantConstraints.of(subset={"a": "1", "b": "2"}),
            GrantConstraints.of(subset={"a": "1"}),
            False,
        ),
        (GrantConstraints.of(equals={"a": "1"}), GrantConstraints.of(equals={"A": "1"}), True),
        (
            GrantConstraints.of(equals={"a": "1"}),
            GrantConstraints.of(equals={"a": "1", "b": "2"}),
            False,
        ),
        (GrantConstraints.of(equals={"a": "1"}), GrantConstraints.of(subset={"a": "1"}), False),
        (
            GrantConstraints.of(equals={"a": "1"}),
            GrantConstraints.of(equals={"a": "1"}, subset={"a": "1"}),
            True,
        ),
    ],
)
def test_a_child_grant_is_as_strict_as_its_parent(
    parent: GrantConstraints | None, child: GrantConstraints | None, covered: bool
) -> None:
    assert (
        grant("CreateGrant", "Encrypt", constraints=parent).covers(frozenset({"Encrypt"}), child)
        is covered
    )


def test_a_child_grant_has_a_subset_of_the_operations() -> None:
    parent = grant("CreateGrant", "Encrypt", "Decrypt")
    assert parent.covers(frozenset({"Encrypt", "Decrypt", "CreateGrant"}), None)
    assert not parent.covers(frozenset({"Encrypt", "GenerateDataKey"}), None)


def test_grants_are_values() -> None:
    constraints = GrantConstraints.of(equals={"b": "2", "a": "1"})
    same = GrantConstraints.of(equals={"a": "1", "b": "2"})
    assert constraints == same and hash(constraints) == hash(same)
    granted = grant("Encrypt", constraints=constraints)
    assert len({granted, dataclasses.replace(granted, constraints=same)}) == 1
    assert constraints is not None and constraints.types == ("EncryptionContextEquals",)
    assert GrantConstraints.of() is None


def test_grant_tokens_are_checked_before_any_lookup() -> None:
    assert parse_grant_tokens(None) == ()
    with pytest.raises(ValidationException):
        parse_grant_tokens(["x"] * 11)
    with pytest.raises(InvalidGrantTokenException) as raised:
        parse_grant_tokens(["kg1.aaaaaaaaaaaaaaaa." + "b" * 43])
    assert "b" * 43 not in raised.value.message
    parsed = parse_grant_tokens(["kgt1.aaaaaaaaaaaaaaaa." + "b" * 43])
    assert [token.token_id for token in parsed] == ["a" * 16]
    assert "b" * 43 not in repr(parsed)
