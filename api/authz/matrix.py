"""Who may do what to a key: every principal the key's account has, and those its policy and
grants name, times every catalog action on keys, each decided by the rules authorization
applies (``api.authz.decide``, the policy evaluator of ``api.policy.evaluate``).

A request's condition values (its encryption context, the caller's address...) are unknown
here, so conditions are not evaluated but read: a decision is

- ``ALLOWED`` when statements or grants without conditions allow it and nothing could deny it;
- ``CONDITIONAL`` when it is allowed only through statements or grants with conditions, or a
  deny with conditions could apply; ``conditions`` says which, as text
  (``StringEquals kms:EncryptionContext:app = "x"``, ``Deny if Bool aws:SecureTransport =
  "false"``, ``EncryptionContextSubset app = "x"``);
- ``DENIED`` otherwise: by a deny without conditions (``source`` POLICY and the statement), or
  by default (no source).

Everything is read at once, whatever the number of principals: the key's policy and grants,
the account's principals and their identity policies, one statement each.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import asyncpg

from api.authz.decide import Evidence, decide
from api.catalog import Catalog
from api.decisions import Decision, Outcome, Reason, Source
from api.errors import KeygraphError
from api.grants.model import Grant, is_service_principal
from api.grants.store import load_grants
from api.keys.model import Key
from api.policy.evaluate import (
    RequestContext,
    evaluate_identity_policy,
    evaluate_key_policy,
    request_context,
)
from api.policy.model import Condition, Effect, PolicyDocument, PrincipalType, Statement
from api.policy.parse import PolicyKind, parse_policy
from api.principals import Principal, PrincipalKind, parse_principal_arn, principal_of
from db import principal_policies
from db import principals as principal_rows
from db.policies import policies_for_keys

_KEY_RESOURCE = "key"
_ACCOUNT = 12  # digits of an account id


class AccessVerdict(enum.Enum):
    ALLOWED = "ALLOWED"
    CONDITIONAL = "CONDITIONAL"
    DENIED = "DENIED"


class AccessEntrySource(enum.Enum):
    """What decided an entry: a policy (the key's or the principal's) or a grant. (Not
    ``AccessSource``: that is the name of simulateAccess's reasons' source.)"""

    POLICY = "POLICY"
    GRANT = "GRANT"


@dataclass(frozen=True, kw_only=True)
class AccessEntry:
    principal: str
    action: str
    verdict: AccessVerdict
    source: AccessEntrySource | None
    decided_by: str | None
    conditions: list[str]


@dataclass(frozen=True)
class _Policies:
    """A policy split by what its conditions allow us to say: ``strict`` keeps the statements
    that hold whatever the request (no conditions), ``loose`` also those that hold for some
    request (conditions dropped), ``conditional_denies`` the denies that hold for some."""

    strict: PolicyDocument
    loose: PolicyDocument
    conditional_denies: PolicyDocument
    conditions: Mapping[int, tuple[Condition, ...]]  # by statement index

    @classmethod
    def of(cls, policy: PolicyDocument) -> _Policies:
        def keep(statements: Iterable[Statement]) -> PolicyDocument:
            return replace(policy, statements=tuple(statements))

        unconditioned = [replace(s, conditions=()) for s in policy.statements]
        return cls(
            strict=keep(s for s in policy.statements if not s.conditions),
            loose=keep(
                u
                for s, u in zip(policy.statements, unconditioned, strict=True)
                if not s.conditions or s.effect is Effect.ALLOW
            ),
            conditional_denies=keep(
                u
                for s, u in zip(policy.statements, unconditioned, strict=True)
                if s.conditions and s.effect is Effect.DENY
            ),
            conditions={s.index: s.conditions for s in policy.statements},
        )


async def key_access(conn: asyncpg.Connection, catalog: Catalog, key: Key) -> list[AccessEntry]:
    """The key's access view, by principal ARN then action."""
    policy = parse_policy((await policies_for_keys(conn, [key.uuid]))[key.uuid])
    grants = await load_grants(conn, key.uuid)
    principals = await _principals(conn, key, policy, grants)
    documents = await principal_policies.find_policies(conn, [p.arn for p in principals])
    key_policy = _Policies.of(policy)
    actions = [
        privilege.action
        for privilege in catalog.privileges(resource_type=_KEY_RESOURCE)
        if privilege.prefix == "kms"
    ]
    entries = []
    for principal in principals:
        identity = (
            documents.get(principal.arn) if principal.kind is not PrincipalKind.ROOT else None
        )
        identity_policy = (
            _Policies.of(parse_policy(identity, PolicyKind.IDENTITY)) if identity else None
        )
        for action in actions:
            entries.append(_entry(key, principal, action, key_policy, identity_policy, grants))
    return entries


async def _principals(
    conn: asyncpg.Connection, key: Key, policy: PolicyDocument, grants: Sequence[Grant]
) -> list[Principal]:
    """The account's live principals (its root first among them), and those the policy's
    statements and the grants name, of any account."""
    known = {
        principal.arn: principal
        for principal in [Principal.root(key.account_id)]
        + [
            principal_of(row)
            for row in await principal_rows.list_live_principals(conn)
            if row.account_id == key.account_id
        ]
    }
    named = [
        value.value
        for statement in policy.statements
        if statement.principal is not None
        for value in statement.principal.values
        if value.type is PrincipalType.AWS
    ] + [
        grant.grantee_principal
        for grant in grants
        if not is_service_principal(grant.grantee_principal)
    ]
    for name in named:
        principal = _principal_named(name)
        if principal is not None:
            known.setdefault(principal.arn, principal)
    return sorted(known.values(), key=lambda principal: principal.arn)


def _principal_named(name: str) -> Principal | None:
    """The principal a policy or grant names: an account (its root) or a user's or role's ARN;
    None for ``*`` and what names no one principal."""
    if name.isdigit() and len(name) == _ACCOUNT:
        return Principal.root(name)
    try:
        return parse_principal_arn(name)
    except KeygraphError:
        return None


def _entry(
    key: Key,
    principal: Principal,
    action: str,
    key_policy: _Policies,
    identity: _Policies | None,
    grants: Sequence[Grant],
) -> AccessEntry:
    name = action.split(":", 1)[1]
    context = request_context(action, key.arn, principal.arn, principal.account_id, {})
    granting = [
        grant
        for grant in grants
        if grant.grantee_principal == principal.arn and name in grant.operations
    ]

    def decided(policies: str, with_constrained_grants: bool) -> Decision:
        chosen_key: PolicyDocument = getattr(key_policy, policies)
        chosen_identity = getattr(identity, policies) if identity else None
        allowed_by = [
            grant.grant_id
            for grant in granting
            if with_constrained_grants or grant.constraints is None
        ]
        return decide(
            Evidence(
                principal=principal,
                action=action,
                resource=key.arn,
                resource_account=key.account_id,
                key_policy=evaluate_key_policy(chosen_key, context),
                identity=(
                    evaluate_identity_policy(chosen_identity, context) if chosen_identity else None
                ),
                grants=allowed_by,
            )
        )

    def entry(
        verdict: AccessVerdict, decision: Decision | None, conditions: list[str]
    ) -> AccessEntry:
        reasons = decision.reasons if decision else ()
        source = None
        if reasons:
            by_grant = reasons[0].source is Source.GRANT
            source = AccessEntrySource.GRANT if by_grant else AccessEntrySource.POLICY
        return AccessEntry(
            principal=principal.arn,
            action=action,
            verdict=verdict,
            source=source,
            decided_by=decision.decided_by if decision else None,
            conditions=conditions,
        )

    strict = decided("strict", with_constrained_grants=False)
    if strict.outcome is Outcome.EXPLICIT_DENY:
        return entry(AccessVerdict.DENIED, strict, [])
    possible_denies = _possible_denies(key_policy, identity, context)
    if strict.allowed:
        verdict = AccessVerdict.CONDITIONAL if possible_denies else AccessVerdict.ALLOWED
        return entry(verdict, strict, possible_denies)
    loose = decided("loose", with_constrained_grants=True)
    if loose.allowed:
        conditions = _conditions_of(loose.reasons, key_policy, identity, granting)
        return entry(AccessVerdict.CONDITIONAL, loose, conditions + possible_denies)
    return entry(AccessVerdict.DENIED, None, [])


def _possible_denies(
    key_policy: _Policies, identity: _Policies | None, context: RequestContext
) -> list[str]:
    """The conditions of the denies with conditions that would apply to this request."""
    found = [
        (key_policy, match.statement.index)
        for match in evaluate_key_policy(key_policy.conditional_denies, context).denies
    ]
    if identity is not None:
        found += [
            (identity, match.statement.index)
            for match in evaluate_identity_policy(identity.conditional_denies, context).denies
        ]
    return [
        f"Deny if {condition_text(condition)}"
        for policies, index in found
        for condition in policies.conditions[index]
    ]


def _conditions_of(
    reasons: Sequence[Reason],
    key_policy: _Policies,
    identity: _Policies | None,
    granting: Sequence[Grant],
) -> list[str]:
    """The conditions of the statements and grants that allowed, as text."""
    texts: list[str] = []
    by_id = {grant.grant_id: grant for grant in granting}
    for reason in reasons:
        if reason.grant_id is not None:
            texts += _constraint_texts(by_id[reason.grant_id])
            continue
        policies = identity if reason.source is Source.IDENTITY_POLICY else key_policy
        if policies is None or reason.statement is None:
            continue
        index = _statement_index(policies.loose, reason.statement)
        texts += [condition_text(c) for c in policies.conditions.get(index, ())]
    return list(dict.fromkeys(texts))


def _statement_index(policy: PolicyDocument, label: str) -> int:
    return next(s.index for s in policy.statements if s.label == label)


def condition_text(condition: Condition) -> str:
    """``StringEquals kms:EncryptionContext:app = "x"`` (several values: ``= "x" | "y"``)."""
    values = " | ".join(f'"{value}"' for value in condition.values)
    return f"{condition.written} {condition.key} = {values}"


def _constraint_texts(grant: Grant) -> list[str]:
    constraints = grant.constraints
    if constraints is None:
        return []
    texts = [
        f'{kind} {name} = "{value}"'
        for kind, pairs in (
            ("EncryptionContextEquals", constraints.encryption_context_equals),
            ("EncryptionContextSubset", constraints.encryption_context_subset),
        )
        for name, value in sorted((pairs or {}).items())
    ]
    if constraints.source_arn is not None:
        texts.append(f'SourceArn = "{constraints.source_arn}"')
    return texts
