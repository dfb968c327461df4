"""Which statements of a policy apply to a request: the policy engine's one question.

The answer is the matching statements, split by effect; combining them with grants, identity
policies and the account's delegation into an allow or a deny is the caller's (``api.authz``).
This runs on every authorized call, so a document is compiled once (per parsed document, cached)
into plans whose patterns, principal sets and condition tests are ready; a call then only looks
up and compares.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from api.policy.arns import arn_pattern
from api.policy.model import (
    Clause,
    Effect,
    PolicyDocument,
    Principal,
    PrincipalType,
    Statement,
    any_wildcard,
)
from api.policy.operators import ConditionTest, compile_condition, condition_holds

__all__ = [
    "Evaluation",
    "PrincipalMatch",
    "RequestContext",
    "StatementMatch",
    "condition_holds",
    "evaluate_identity_policy",
    "evaluate_key_policy",
    "request_context",
]

_ANY = "*"
_ROOT_ARN = "arn:aws:iam::{account}:root"
# A principal that names a whole account: its id, or its root's ARN.
_ACCOUNT_PRINCIPAL = re.compile(r"(\d{12})|arn:aws:iam::(\d{12}):root")


@dataclass(frozen=True)
class RequestContext:
    """What is asked (``kms:Encrypt`` on a key ARN, or on ``*`` for keyless actions), by whom,
    and the request's condition values.

    ``values`` maps a condition key to the request's values for it; a key that is not there is
    absent from the request. Keys are stored casefolded, since IAM ignores their case.
    """

    action: str
    resource: str
    principal_arn: str
    principal_account: str
    values: Mapping[str, tuple[str, ...]]
    is_root: bool = field(init=False)

    def __post_init__(self) -> None:
        folded = {key.casefold(): tuple(given) for key, given in self.values.items()}
        root = _ROOT_ARN.format(account=self.principal_account)
        object.__setattr__(self, "values", folded)
        object.__setattr__(self, "is_root", self.principal_arn == root)


def request_context(
    action: str,
    resource: str,
    principal_arn: str,
    principal_account: str,
    values: Mapping[str, str | Sequence[str]],
) -> RequestContext:
    """A request context; a key's value may be one string or several."""
    listed = {
        key: (given,) if isinstance(given, str) else tuple(given) for key, given in values.items()
    }
    return RequestContext(action, resource, principal_arn, principal_account, listed)


class PrincipalMatch(enum.Enum):
    """How a key policy statement names the caller.

    ``PRINCIPAL``: by its own ARN, by ``*``, by its account when the caller is that account's
    root, or by a ``NotPrincipal`` that leaves it out; the statement applies on its own.
    ``ACCOUNT``: by its account (12-digit id or the root ARN) when the caller is a user or role of
    that account; in KMS this delegates to the account's identity policies, which must allow too.
    An identity policy is the caller's own, so its statements match as ``PRINCIPAL``.
    """

    PRINCIPAL = "Principal"
    ACCOUNT = "Account"


@dataclass(frozen=True)
class StatementMatch:
    statement: Statement
    principal_match: PrincipalMatch


@dataclass(frozen=True)
class Evaluation:
    """The statements of one policy that apply to the request, in document order."""

    matches: tuple[StatementMatch, ...]

    @property
    def allows(self) -> tuple[StatementMatch, ...]:
        return tuple(m for m in self.matches if m.statement.effect is Effect.ALLOW)

    @property
    def denies(self) -> tuple[StatementMatch, ...]:
        return tuple(m for m in self.matches if m.statement.effect is Effect.DENY)


@dataclass(frozen=True, slots=True)
class _Principals:
    """A Principal element as sets: ``*``, ARNs, and accounts (12-digit ids and root ARNs).

    Service principals are left out: no keygraph caller is a service.
    """

    anyone: bool
    arns: frozenset[str]
    accounts: frozenset[str]
    negated: bool

    @classmethod
    def of(cls, clause: Clause[Principal]) -> _Principals:
        named = [p.value for p in clause.values if p.type is PrincipalType.AWS]
        accounts = (_ACCOUNT_PRINCIPAL.fullmatch(value) for value in named)
        return cls(
            anyone=_ANY in named,
            arns=frozenset(named),
            accounts=frozenset(m.group(1) or m.group(2) for m in accounts if m is not None),
            negated=clause.negated,
        )

    def match(self, request: RequestContext) -> PrincipalMatch | None:
        """The closest way the element names the caller (its own name beats its account).

        ``NotPrincipal`` applies to every caller that no listed principal covers, a listed
        account covering all of its principals, and then names the caller directly.
        """
        own = self.anyone or request.principal_arn in self.arns
        account = request.principal_account in self.accounts
        if self.negated:
            return None if own or account else PrincipalMatch.PRINCIPAL
        if own or (account and request.is_root):
            return PrincipalMatch.PRINCIPAL
        return PrincipalMatch.ACCOUNT if account else None


@dataclass(frozen=True, slots=True)
class _Plan:
    """A statement compiled for evaluation."""

    statement: Statement
    actions: re.Pattern[str]
    not_action: bool
    principals: _Principals | None
    any_resource: bool  # "*": every resource; in a key policy, the key itself
    resource_arns: re.Pattern[str] | None  # the ARN patterns, if there are any
    not_resource: bool
    conditions: tuple[ConditionTest, ...]

    @classmethod
    def of(cls, statement: Statement) -> _Plan:
        resources = statement.resource.values
        principal = statement.principal
        return cls(
            statement=statement,
            actions=any_wildcard(p.text for p in statement.action.values),
            not_action=statement.action.negated,
            principals=None if principal is None else _Principals.of(principal),
            any_resource=_ANY in resources,
            resource_arns=arn_pattern(r for r in resources if r != _ANY),
            not_resource=statement.resource.negated,
            conditions=tuple(compile_condition(c) for c in statement.conditions),
        )

    def applies(self, request: RequestContext) -> bool:
        """Action, resource and conditions: what key and identity statements share. An ARN
        pattern, having six parts, never names the ``*`` of a keyless action."""
        if (self.actions.fullmatch(request.action) is None) != self.not_action:
            return False
        arns = self.resource_arns
        named = self.any_resource or (
            arns is not None and arns.fullmatch(request.resource) is not None
        )
        if named == self.not_resource:
            return False
        values = request.values
        for holds in self.conditions:  # noqa: SIM110 - a loop costs a third of all(generator)
            if not holds(values):
                return False
        return True


@lru_cache(maxsize=1024)
def _plans(policy: PolicyDocument) -> tuple[_Plan, ...]:
    return tuple(_Plan.of(statement) for statement in policy.statements)


def evaluate_key_policy(policy: PolicyDocument, request: RequestContext) -> Evaluation:
    """The key policy's statements that apply to the request.

    A statement without a principal (one of an identity policy) names no caller here.
    """
    matches: list[StatementMatch] = []
    for plan in _plans(policy):
        if plan.principals is None:
            continue
        named = plan.principals.match(request)
        if named is not None and plan.applies(request):
            matches.append(StatementMatch(plan.statement, named))
    return Evaluation(tuple(matches))


def evaluate_identity_policy(policy: PolicyDocument, request: RequestContext) -> Evaluation:
    """The identity policy's statements that apply to the request (the policy is the caller's)."""
    return Evaluation(
        tuple(
            StatementMatch(plan.statement, PrincipalMatch.PRINCIPAL)
            for plan in _plans(policy)
            if plan.applies(request)
        )
    )
