"""Evaluating one ``Condition`` against the request's values, with IAM's semantics.

- The policy's values for a key are ORed: a request value matches when it matches any of them.
  A negated operator (``StringNotEquals``, ``NotIpAddress``, ``ArnNotLike``...) holds when the
  request value matches none of them.
- A key absent from the request (or present with no values): the condition is false, except that
  it is true for a negated operator, for ``...IfExists`` and for ``ForAllValues``, and always
  false for ``ForAnyValue`` (IfExists wins over both qualifiers).
- ``ForAllValues``: every request value must pass (match some policy value; for a negated
  operator, match none). ``ForAnyValue``: at least one request value must pass.
- Without a qualifier a key with several request values is read as a set: a positive operator
  holds when any request value matches any policy value, and a negated operator is its exact
  negation (no request value matches any policy value). For a single value this is plain IAM.
- A request value that cannot be read as the operator's type (``"soon"`` for ``NumericLessThan``,
  ``"host"`` for ``IpAddress``) makes the condition false, whatever the operator or qualifier,
  so that a malformed value can never satisfy a negated operator.
- ``Null``: ``"true"`` holds when the key is absent, ``"false"`` when it is present.
- ``ArnEquals`` and ``ArnLike`` are the same operator in IAM: both take wildcards per ARN part.
- Policy variables (``${aws:username}``) are compared as written, not substituted.

A condition is compiled once (``compile_condition``) into a test of the request's values: policy
values read, patterns compiled, the operator's rules decided; the hot path then reads request
values and compares.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import TypeVar

from api.policy.arns import arn_pattern, is_arn
from api.policy.model import Condition, ConditionOperator, SetQualifier, any_wildcard
from api.policy.values import (
    read_address,
    read_binary,
    read_bool,
    read_date,
    read_network,
    read_number,
)

ValueTest = Callable[[str], bool | None]
"""Whether one request value matches any policy value; None when it cannot be read."""
Builder = Callable[[tuple[str, ...]], ValueTest]
ConditionTest = Callable[[Mapping[str, tuple[str, ...]]], bool]
"""A compiled condition: whether it holds for the request's values."""

V = TypeVar("V")
Op = ConditionOperator


def _compared(read: Callable[[str], V | None], holds: Callable[[V, V], bool]) -> Builder:
    """A builder for operators that read both sides as one type and compare them."""

    def build(policy_values: tuple[str, ...]) -> ValueTest:
        # Policy values were checked when the document was parsed; one that does not read
        # (only possible in a Condition built by hand) matches nothing.
        wanted = tuple(p for p in map(read, policy_values) if p is not None)

        def test(value: str) -> bool | None:
            got = read(value)
            if got is None:
                return None
            for policy_value in wanted:  # noqa: SIM110 - a loop costs a third of any(generator)
                if holds(got, policy_value):
                    return True
            return False

        return test

    return build


def _equals(policy_values: tuple[str, ...]) -> ValueTest:
    wanted = frozenset(policy_values)
    return wanted.__contains__


def _equals_ignoring_case(policy_values: tuple[str, ...]) -> ValueTest:
    wanted = frozenset(value.casefold() for value in policy_values)
    return lambda value: value.casefold() in wanted


def _like(policy_values: tuple[str, ...]) -> ValueTest:
    pattern = any_wildcard(policy_values, ignore_case=False)
    return lambda value: pattern.fullmatch(value) is not None


def _arn(policy_values: tuple[str, ...]) -> ValueTest:
    pattern = arn_pattern(policy_values)

    def test(value: str) -> bool | None:
        if not is_arn(value):
            return None
        return pattern is not None and pattern.fullmatch(value) is not None

    return test


@lru_cache(maxsize=4096)
def _address(value: str) -> tuple[int, int] | None:
    """A request's address as (IP version, integer): what a range test needs, read once."""
    address = read_address(value)
    return None if address is None else (address.version, int(address))


def _in_network(policy_values: tuple[str, ...]) -> ValueTest:
    """The request holds an address and the policy ranges, so the sides read differently."""
    networks = tuple(
        (n.version, int(n.network_address), int(n.netmask))
        for n in map(read_network, policy_values)
        if n is not None
    )

    def test(value: str) -> bool | None:
        address = _address(value)
        if address is None:
            return None
        version, bits = address
        for network_version, network, mask in networks:
            if version == network_version and bits & mask == network:
                return True
        return False

    return test


_BUILDERS: dict[ConditionOperator, Builder] = {
    Op.STRING_EQUALS: _equals,
    Op.STRING_EQUALS_IGNORE_CASE: _equals_ignoring_case,
    Op.STRING_LIKE: _like,
    Op.NUMERIC_EQUALS: _compared(read_number, operator.eq),
    Op.NUMERIC_LESS_THAN: _compared(read_number, operator.lt),
    Op.NUMERIC_LESS_THAN_EQUALS: _compared(read_number, operator.le),
    Op.NUMERIC_GREATER_THAN: _compared(read_number, operator.gt),
    Op.NUMERIC_GREATER_THAN_EQUALS: _compared(read_number, operator.ge),
    Op.DATE_EQUALS: _compared(read_date, operator.eq),
    Op.DATE_LESS_THAN: _compared(read_date, operator.lt),
    Op.DATE_LESS_THAN_EQUALS: _compared(read_date, operator.le),
    Op.DATE_GREATER_THAN: _compared(read_date, operator.gt),
    Op.DATE_GREATER_THAN_EQUALS: _compared(read_date, operator.ge),
    Op.BOOL: _compared(read_bool, operator.eq),
    Op.BINARY_EQUALS: _compared(read_binary, operator.eq),
    Op.IP_ADDRESS: _in_network,
    Op.ARN_EQUALS: _arn,
    Op.ARN_LIKE: _arn,
}


def _when_absent(condition: Condition) -> bool:
    if condition.if_exists or condition.qualifier is SetQualifier.FOR_ALL_VALUES:
        return True
    if condition.qualifier is SetQualifier.FOR_ANY_VALUE:
        return False
    return condition.operator.negated


def _null(key: str, policy_values: tuple[str, ...]) -> ConditionTest:
    # Each policy value says whether the key should be absent ("true") or present ("false").
    wanted = frozenset(read_bool(value) is True for value in policy_values)
    return lambda values: (not values.get(key)) in wanted


def _combined(matched: list[bool], qualifier: SetQualifier | None, negated: bool) -> bool:
    if qualifier is SetQualifier.FOR_ALL_VALUES:
        return all(m != negated for m in matched)
    if qualifier is SetQualifier.FOR_ANY_VALUE:
        return any(m != negated for m in matched)
    return any(matched) != negated


def compile_condition(condition: Condition) -> ConditionTest:
    """``condition`` as a test of the request's values (keys casefolded), decided once."""
    key = condition.key.casefold()
    operator_ = condition.operator
    if operator_ is Op.NULL:
        return _null(key, condition.values)
    test = _BUILDERS[operator_.positive](condition.values)
    when_absent = _when_absent(condition)
    qualifier = condition.qualifier
    negated = operator_.negated

    def holds(values: Mapping[str, tuple[str, ...]]) -> bool:
        present = values.get(key)
        if not present:
            return when_absent
        if len(present) == 1:  # every qualifier agrees on a single value
            single = test(present[0])
            return single is not None and single != negated
        matched: list[bool] = []
        for value in present:
            result = test(value)
            if result is None:
                return False
            matched.append(result)
        return _combined(matched, qualifier, negated)

    return holds


@lru_cache(maxsize=1024)
def _compiled(condition: Condition) -> ConditionTest:
    return compile_condition(condition)


def condition_holds(condition: Condition, values: Mapping[str, tuple[str, ...]]) -> bool:
    """Whether ``condition`` holds for the request's ``values`` (keys casefolded)."""
    return _compiled(condition)(values)
