"""A policy document (a key's policy or a principal's identity policy) as a typed model: parsed
once, then checked, then evaluated on every request.

The model keeps what the document says, in IAM's own terms (``NotAction`` is an ``Action`` clause
that is negated, ``"Principal": "*"`` is the AWS principal ``*``), so the enforcement code can
evaluate it without looking at JSON again.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Generic, TypeVar


class Version(enum.Enum):
    """IAM's policy language versions; a document without one is read as the older, as IAM does."""

    V2012_10_17 = "2012-10-17"
    V2008_10_17 = "2008-10-17"


class Effect(enum.Enum):
    ALLOW = "Allow"
    DENY = "Deny"


class PrincipalType(enum.Enum):
    AWS = "AWS"
    SERVICE = "Service"


@dataclass(frozen=True)
class Principal:
    """``value`` is ``*``, an account id or an IAM/STS ARN (AWS), or a service's host name."""

    type: PrincipalType
    value: str


_NOTHING = "(?!)"  # a pattern that matches no text


@lru_cache(maxsize=4096)
def wildcard(pattern: str, *, ignore_case: bool = True) -> re.Pattern[str]:
    """IAM's ``*`` and ``?`` wildcards as a regular expression, compiled once per pattern.

    Action names ignore case; ``StringLike`` values do not.
    """
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), _flags(ignore_case))


def any_wildcard(patterns: Iterable[str], *, ignore_case: bool = True) -> re.Pattern[str]:
    """Several wildcard patterns as one, so that matching any of them is a single match."""
    union = "|".join(f"(?:{wildcard(p, ignore_case=ignore_case).pattern})" for p in patterns)
    return re.compile(union or _NOTHING, _flags(ignore_case))


def _flags(ignore_case: bool) -> re.RegexFlag:
    return (re.IGNORECASE if ignore_case else re.NOFLAG) | re.DOTALL


@dataclass(frozen=True)
class ActionPattern:
    """``*`` or ``service:name`` where the name may hold wildcards; IAM ignores case in both."""

    text: str

    @property
    def service(self) -> str | None:
        """The service prefix, or None for ``*`` (every action of every service)."""
        return None if self.text == "*" else self.text.split(":", 1)[0].casefold()

    def matches(self, action: str) -> bool:
        return wildcard(self.text).fullmatch(action) is not None


class ValueType(enum.Enum):
    """What the values of a condition operator are compared as."""

    STRING = "String"
    NUMERIC = "Numeric"
    DATE = "Date"
    BOOL = "Bool"
    BINARY = "Binary"
    IP_ADDRESS = "IpAddress"
    ARN = "Arn"
    NULL = "Null"


class ConditionOperator(enum.Enum):
    STRING_EQUALS = "StringEquals"
    STRING_NOT_EQUALS = "StringNotEquals"
    STRING_EQUALS_IGNORE_CASE = "StringEqualsIgnoreCase"
    STRING_NOT_EQUALS_IGNORE_CASE = "StringNotEqualsIgnoreCase"
    STRING_LIKE = "StringLike"
    STRING_NOT_LIKE = "StringNotLike"
    NUMERIC_EQUALS = "NumericEquals"
    NUMERIC_NOT_EQUALS = "NumericNotEquals"
    NUMERIC_LESS_THAN = "NumericLessThan"
    NUMERIC_LESS_THAN_EQUALS = "NumericLessThanEquals"
    NUMERIC_GREATER_THAN = "NumericGreaterThan"
    NUMERIC_GREATER_THAN_EQUALS = "NumericGreaterThanEquals"
    DATE_EQUALS = "DateEquals"
    DATE_NOT_EQUALS = "DateNotEquals"
    DATE_LESS_THAN = "DateLessThan"
    DATE_LESS_THAN_EQUALS = "DateLessThanEquals"
    DATE_GREATER_THAN = "DateGreaterThan"
    DATE_GREATER_THAN_EQUALS = "DateGreaterThanEquals"
    BOOL = "Bool"
    BINARY_EQUALS = "BinaryEquals"
    IP_ADDRESS = "IpAddress"
    NOT_IP_ADDRESS = "NotIpAddress"
    ARN_EQUALS = "ArnEquals"
    ARN_NOT_EQUALS = "ArnNotEquals"
    ARN_LIKE = "ArnLike"
    ARN_NOT_LIKE = "ArnNotLike"
    NULL = "Null"

    @property
    def value_type(self) -> ValueType:
        if self is ConditionOperator.NOT_IP_ADDRESS:
            return ValueType.IP_ADDRESS
        return next(t for t in ValueType if self.value.startswith(t.value))

    @property
    def negated(self) -> bool:
        """True for the operators that hold when no policy value matches (``StringNotLike``)."""
        return self in _POSITIVE

    @property
    def positive(self) -> ConditionOperator:
        """The operator a negated one is the negation of; itself for the others."""
        return _POSITIVE.get(self, self)


_POSITIVE: dict[ConditionOperator, ConditionOperator] = {
    ConditionOperator.STRING_NOT_EQUALS: ConditionOperator.STRING_EQUALS,
    ConditionOperator.STRING_NOT_EQUALS_IGNORE_CASE: ConditionOperator.STRING_EQUALS_IGNORE_CASE,
    ConditionOperator.STRING_NOT_LIKE: ConditionOperator.STRING_LIKE,
    ConditionOperator.NUMERIC_NOT_EQUALS: ConditionOperator.NUMERIC_EQUALS,
    ConditionOperator.DATE_NOT_EQUALS: ConditionOperator.DATE_EQUALS,
    ConditionOperator.NOT_IP_ADDRESS: ConditionOperator.IP_ADDRESS,
    ConditionOperator.ARN_NOT_EQUALS: ConditionOperator.ARN_EQUALS,
    ConditionOperator.ARN_NOT_LIKE: ConditionOperator.ARN_LIKE,
}


class SetQualifier(enum.Enum):
    """How a multivalued key is compared: every request value, or at least one."""

    FOR_ALL_VALUES = "ForAllValues"
    FOR_ANY_VALUE = "ForAnyValue"


@dataclass(frozen=True)
class Condition:
    """One key of one operator block: ``{"StringEquals": {"kms:CallerAccount": ["1"]}}``.

    Values are kept as the strings IAM compares (JSON ``true`` is ``"true"``).
    """

    operator: ConditionOperator
    qualifier: SetQualifier | None
    if_exists: bool
    key: str
    values: tuple[str, ...]

    @property
    def written(self) -> str:
        """The operator as the document spells it, for messages."""
        prefix = f"{self.qualifier.value}:" if self.qualifier else ""
        return f"{prefix}{self.operator.value}{'IfExists' if self.if_exists else ''}"


T = TypeVar("T")


def statement_label(index: int, sid: str | None) -> str:
    """How messages name a statement: its place in the list, and its Sid when it has one."""
    return f'Statement[{index}] (Sid "{sid}")' if sid is not None else f"Statement[{index}]"


@dataclass(frozen=True)
class Clause(Generic[T]):
    """A Principal, Action or Resource element; ``negated`` for its ``Not`` form."""

    values: tuple[T, ...]
    negated: bool


@dataclass(frozen=True)
class Statement:
    """One statement; ``principal`` is None in an identity policy, which names no principal."""

    index: int
    sid: str | None
    effect: Effect
    principal: Clause[Principal] | None
    action: Clause[ActionPattern]
    resource: Clause[str]
    conditions: tuple[Condition, ...]

    @property
    def label(self) -> str:
        return statement_label(self.index, self.sid)


@dataclass(frozen=True)
class PolicyDocument:
    version: Version
    id: str | None
    statements: tuple[Statement, ...]

    def __hash__(self) -> int:
        """Hashed once: the evaluator finds its compiled form of a document by the document, on
        every authorized call."""
        return self._hash

    @cached_property
    def _hash(self) -> int:
        return hash((self.version, self.id, self.statements))
