"""Condition operators evaluated against request values, with IAM's semantics: every operator,
the set qualifiers, IfExists, Null, absent keys, negation and values of the wrong type."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

import pytest

from api.policy import condition_holds
from api.policy.conditions import parse_conditions
from api.policy.model import Condition

KEY = "aws:Example"
ABSENT = None


def condition(operator: str, values: str | Sequence[str], key: str = KEY) -> Condition:
    """A condition as the parser reads it from ``{operator: {key: values}}``."""
    (parsed,) = parse_conditions("test", {operator: {key: values}})
    return parsed


def holds(operator: str, policy: str | Sequence[str], request: str | Sequence[str] | None) -> bool:
    """The condition against a request where ``KEY`` has ``request`` (None: it is absent)."""
    if request is None:
        return condition_holds(condition(operator, policy), {})
    given = (request,) if isinstance(request, str) else tuple(request)
    return condition_holds(condition(operator, policy), {KEY.casefold(): given})


@pytest.mark.parametrize(
    ("operator", "policy", "request_value", "expected"),
    [
        # Strings: exact and case-sensitive, several policy values ORed.
        ("StringEquals", ["IT", "HR"], "IT", True),
        ("StringEquals", ["IT", "HR"], "HR", True),
        ("StringEquals", ["IT", "HR"], "it", False),
        ("StringEquals", ["IT", "HR"], ABSENT, False),
        ("StringNotEquals", ["IT", "HR"], "IT", False),
        ("StringNotEquals", ["IT", "HR"], "Ops", True),
        ("StringNotEquals", ["IT", "HR"], ABSENT, True),
        ("StringEqualsIgnoreCase", "it", "IT", True),
        ("StringEqualsIgnoreCase", "it", "Ops", False),
        ("StringNotEqualsIgnoreCase", "it", "IT", False),
        ("StringNotEqualsIgnoreCase", "it", "Ops", True),
        ("StringNotEqualsIgnoreCase", "it", ABSENT, True),
        ("StringLike", "app-*", "app-1", True),
        ("StringLike", "app-*", "App-1", False),
        ("StringLike", "ap?-1", "app-1", True),
        ("StringLike", "ap?-1", "ap-1", False),
        ("StringLike", ["web", "app-*"], "web", True),
        ("StringLike", "app-*", ABSENT, False),
        ("StringNotLike", "app-*", "app-1", False),
        ("StringNotLike", "app-*", "web", True),
        ("StringNotLike", "app-*", ABSENT, True),
        # Numbers: compared as numbers, not text.
        ("NumericEquals", "10", "10.0", True),
        ("NumericEquals", "10", "11", False),
        ("NumericNotEquals", "10", "11", True),
        ("NumericNotEquals", "10", "1e1", False),
        ("NumericNotEquals", "10", ABSENT, True),
        ("NumericLessThan", "3600", "100", True),
        ("NumericLessThan", "3600", "3600", False),
        ("NumericLessThanEquals", "3600", "3600", True),
        ("NumericLessThanEquals", "3600", "3601", False),
        ("NumericGreaterThan", "5", "6", True),
        ("NumericGreaterThan", "5", "5", False),
        ("NumericGreaterThanEquals", "5", "5", True),
        ("NumericGreaterThanEquals", "5", "-1", False),
        ("NumericLessThan", "3600", ABSENT, False),
        # Dates: instants, whether written in ISO 8601 (without a zone: UTC) or epoch seconds.
        ("DateEquals", "2030-01-01T00:00:00Z", "1893456000", True),
        ("DateEquals", "1893456000", "2030-01-01T01:00:00+01:00", True),
        ("DateEquals", "2030-01-01T00:00:00Z", "2030-01-01T00:00:01Z", False),
        ("DateNotEquals", "2030-01-01T00:00:00Z", "2030-01-01T00:00:00", False),
        ("DateNotEquals", "2030-01-01T00:00:00Z", "2029-01-01T00:00:00Z", True),
        ("DateLessThan", "2030-01-01T00:00:00Z", "2029-12-31T23:59:59Z", True),
        ("DateLessThan", "2030-01-01T00:00:00Z", "2030-01-01T01:00:00+01:00", False),
        ("DateLessThan", "2030-01-01T00:00:00Z", "2029-12-31T23:00:00", True),
        ("DateLessThanEquals", "2030-01-01T00:00:00Z", "1893456000", True),
        ("DateGreaterThan", "2020-01-01", "2025-06-01T12:00:00Z", True),
        ("DateGreaterThan", "2020-01-01", "2019-06-01T12:00:00Z", False),
        ("DateGreaterThanEquals", "2020-01-01", "2020-01-01T00:00:00Z", True),
        ("DateGreaterThan", "2020-01-01", ABSENT, False),
        # Booleans, binary (Base64), address ranges (v4 and v6).
        ("Bool", "true", "true", True),
        ("Bool", "true", "TRUE", True),
        ("Bool", "true", "false", False),
        ("Bool", "false", "false", True),
        ("Bool", "true", ABSENT, False),
        ("BinaryEquals", "QmluYXJ5", "QmluYXJ5", True),
        ("BinaryEquals", "QmluYXJ5", "QmluYXJ6", False),
        ("IpAddress", ["10.0.0.0/8", "2001:db8::/32"], "10.1.2.3", True),
        ("IpAddress", ["10.0.0.0/8", "2001:db8::/32"], "2001:db8::1", True),
        ("IpAddress", ["10.0.0.0/8", "2001:db8::/32"], "192.0.2.1", False),
        ("IpAddress", ["10.0.0.0/8", "2001:db8::/32"], "2001:db9::1", False),
        ("IpAddress", "192.0.2.1", "192.0.2.1", True),
        ("IpAddress", "192.0.2.1", "192.0.2.2", False),
        ("IpAddress", "0.0.0.0/0", "::1", False),
        ("IpAddress", "10.0.0.0/8", ABSENT, False),
        ("NotIpAddress", "10.0.0.0/8", "10.1.2.3", False),
        ("NotIpAddress", "10.0.0.0/8", "192.0.2.1", True),
        ("NotIpAddress", "10.0.0.0/8", ABSENT, True),
        # ARNs: six parts, wildcards within a part, case-sensitive; Equals is Like.
        ("ArnLike", "arn:aws:iam::111122223333:user/*", "arn:aws:iam::111122223333:user/alice",
         True),
        ("ArnLike", "arn:aws:iam::111122223333:user/*", "arn:aws:iam::111122223333:user/a/b",
         True),
        ("ArnLike", "arn:aws:iam::111122223333:user/*", "arn:aws:iam::111122223333:role/alice",
         False),
        ("ArnLike", "arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:user/Alice",
         False),
        ("ArnLike", "arn:*:iam::111122223333:user/alice", "arn:aws:iam::111122223333:user/alice",
         True),
        # A wildcard does not reach across the colons between the first five parts.
        ("ArnLike", "arn:aws:kms:*:111122223333:key/1", "arn:aws:kms:eu:west:111122223333:key/1",
         False),
        ("ArnLike", "arn:aws:kms:*:111122223333:alias/a:b", "arn:aws:kms:eu:111122223333:alias/a:b",
         True),
        ("ArnEquals", "arn:aws:iam::*:root", "arn:aws:iam::111122223333:root", True),
        ("ArnEquals", "arn:aws:iam::*:root", "arn:aws:iam::111122223333:user/root", False),
        ("ArnLike", "arn:aws:iam::111122223333:root", ABSENT, False),
        ("ArnNotLike", "arn:aws:iam::111122223333:user/*", "arn:aws:iam::444455556666:user/x",
         True),
        ("ArnNotLike", "arn:aws:iam::111122223333:user/*", "arn:aws:iam::111122223333:user/x",
         False),
        ("ArnNotEquals", "arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:root",
         False),
        ("ArnNotEquals", "arn:aws:iam::111122223333:root", ABSENT, True),
        # Null: "true" asks for the key to be absent, "false" for it to be present.
        ("Null", "true", ABSENT, True),
        ("Null", "true", "anything", False),
        ("Null", "false", "anything", True),
        ("Null", "false", ABSENT, False),
        ("Null", ["true", "false"], ABSENT, True),
        # IfExists: an absent key passes, a present one is compared as usual.
        ("StringEqualsIfExists", "IT", ABSENT, True),
        ("StringEqualsIfExists", "IT", "IT", True),
        ("StringEqualsIfExists", "IT", "HR", False),
        ("NumericLessThanIfExists", "3600", ABSENT, True),
        ("NumericLessThanIfExists", "3600", "7200", False),
        ("StringNotEqualsIfExists", "IT", "IT", False),
        ("BoolIfExists", "true", ABSENT, True),
        ("IpAddressIfExists", "10.0.0.0/8", "192.0.2.1", False),
    ],
)  # fmt: skip
def test_operator(
    operator: str, policy: str | list[str], request_value: str | None, expected: bool
) -> None:
    assert holds(operator, policy, request_value) is expected


@pytest.mark.parametrize(
    ("operator", "policy", "request_value"),
    [
        ("NumericLessThan", "10", "ten"),
        ("NumericNotEquals", "10", "ten"),
        ("NumericEquals", "10", "NaN"),
        ("NumericGreaterThan", "10", "1_000"),
        ("DateLessThan", "2030-01-01", "soon"),
        ("DateNotEquals", "2030-01-01", "soon"),
        ("Bool", "false", "no"),
        ("BinaryEquals", "QmluYXJ5", "not base64!"),
        ("BinaryEquals", "QmluYXJ5", "é"),
        ("IpAddress", "10.0.0.0/8", "host"),
        ("NotIpAddress", "10.0.0.0/8", "10.0.0.0/8"),
        ("ArnLike", "arn:aws:iam::*:root", "root"),
        ("ArnNotLike", "arn:aws:iam::*:root", "root"),
        ("NumericNotEqualsIfExists", "10", "ten"),
        ("ForAllValues:NumericLessThan", "10", ["1", "x"]),
        ("ForAnyValue:NumericLessThan", "10", ["1", "x"]),
    ],
)
def test_a_request_value_of_the_wrong_type_makes_the_condition_false(
    operator: str, policy: str, request_value: str | list[str]
) -> None:
    """Even for negated operators: a malformed value must not satisfy "not equal"."""
    assert holds(operator, policy, request_value) is False


TAGS = ["DataClass", "Owner"]


@pytest.mark.parametrize(
    ("operator", "policy", "request_values", "expected"),
    [
        # ForAllValues: every request value must match; nothing to check passes.
        ("ForAllValues:StringEquals", TAGS, ["DataClass"], True),
        ("ForAllValues:StringEquals", TAGS, ["DataClass", "Owner"], True),
        ("ForAllValues:StringEquals", TAGS, ["DataClass", "Dept"], False),
        ("ForAllValues:StringEquals", TAGS, ABSENT, True),
        ("ForAllValues:StringLike", "app-*", ["app-1", "app-2"], True),
        ("ForAllValues:StringLike", "app-*", ["app-1", "web"], False),
        # ForAllValues with a negated operator: no request value may match.
        ("ForAllValues:StringNotEquals", TAGS, ABSENT, True),
        ("ForAllValues:StringNotEquals", TAGS, ["Dept", "SIC"], True),
        ("ForAllValues:StringNotEquals", TAGS, ["Dept", "DataClass"], False),
        # ForAnyValue: at least one request value must match; an absent key never does.
        ("ForAnyValue:StringEquals", TAGS, ["Dept", "Owner"], True),
        ("ForAnyValue:StringEquals", TAGS, ["Dept"], False),
        ("ForAnyValue:StringEquals", TAGS, ABSENT, False),
        # ForAnyValue with a negated operator: at least one request value matches none.
        ("ForAnyValue:StringNotEquals", TAGS, ABSENT, False),
        ("ForAnyValue:StringNotEquals", TAGS, ["DataClass", "Owner"], False),
        ("ForAnyValue:StringNotEquals", TAGS, ["Dept", "DataClass"], True),
        ("ForAnyValue:NumericGreaterThan", "5", ["1", "9"], True),
        ("ForAnyValue:IpAddress", "10.0.0.0/8", ["192.0.2.1", "10.9.9.9"], True),
        # IfExists wins over the qualifier for an absent key.
        ("ForAnyValue:StringEqualsIfExists", TAGS, ABSENT, True),
        # No qualifier, several request values: a positive operator holds when any value
        # matches; a negated one is its exact negation (no value matches).
        ("StringEquals", "a", ["b", "a"], True),
        ("StringEquals", "a", ["b", "c"], False),
        ("StringNotEquals", "a", ["b", "a"], False),
        ("StringNotEquals", "a", ["b", "c"], True),
        ("NotIpAddress", "10.0.0.0/8", ["192.0.2.1", "10.1.1.1"], False),
    ],
)  # fmt: skip
def test_set_qualifiers(
    operator: str, policy: str | list[str], request_values: list[str] | None, expected: bool
) -> None:
    assert holds(operator, policy, request_values) is expected


def test_an_empty_list_of_values_is_an_absent_key() -> None:
    assert condition_holds(condition("Null", "true"), {KEY.casefold(): ()}) is True
    assert condition_holds(condition("StringEquals", "x"), {KEY.casefold(): ()}) is False
    assert condition_holds(condition("ForAllValues:StringEquals", "x"), {KEY.casefold(): ()})


def test_condition_keys_ignore_case() -> None:
    written = condition("StringEquals", "111122223333", key="KMS:CallerAccount")
    assert condition_holds(written, {"kms:calleraccount": ("111122223333",)})
    assert not condition_holds(written, {"kms:calleraccount": ("444455556666",)})


def test_policy_values_compare_as_json_wrote_them() -> None:
    """JSON ``true`` and ``3600`` are the strings IAM compares."""
    (flag,) = parse_conditions("test", {"Bool": {KEY: True}})
    (age,) = parse_conditions("test", {"NumericLessThan": {KEY: 3600}})
    assert condition_holds(flag, {KEY.casefold(): ("true",)})
    assert condition_holds(age, {KEY.casefold(): ("60",)})
    assert not condition_holds(age, {KEY.casefold(): ("3600",)})


@pytest.fixture
def local_time_is_not_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A process whose local time is five hours behind UTC (a POSIX zone, no tz database)."""
    monkeypatch.setenv("TZ", "XST+5")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("local_time_is_not_utc")
def test_a_date_without_a_zone_is_utc_whatever_the_local_time() -> None:
    assert holds("DateEquals", "2030-01-01T00:00:00", "1893456000")
    assert holds("DateLessThan", "2030-01-01T00:00:00Z", "2029-12-31T23:00:00")
