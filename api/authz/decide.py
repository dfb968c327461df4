"""IAM's decision for KMS, from what the key policy, the identity policy and the grants say.

The rules, as AWS KMS applies them:

- An explicit ``Deny`` in the key policy or the caller's identity policy wins over everything.
- A key policy statement that names the caller (its ARN, ``*``, or for the account's root its
  account) allows on its own.
- A key policy statement that names the caller's *account* (``"AWS": "111122223333"`` or the
  account's root ARN — the default key policy) delegates: it allows a user or role of that account
  only together with an ``Allow`` in the caller's identity policy. The account's root needs no
  identity policy.
- A principal of another account needs both: the key policy must name it (or its account), and its
  own identity policy must allow.
- A grant whose grantee is the caller, whose operations include the action and whose constraints
  hold allows on its own; grants are consulted only when the policies do not allow, so a decision
  allowed "by grants" really rests on them (CreateGrant's narrowing rule reads that).
- Actions without a key (CreateKey, ListKeys...) are decided by the identity policy alone; the
  account's root is allowed them. They act on the deployment's account, so principals of other
  accounts are never allowed them.

The messages are AWS's: "User: <arn> is not authorized to perform: kms:<Action> on resource:
<arn> because no resource-based policy allows the kms:<Action> action", and "... with an explicit
deny in a resource-based policy" for a deny.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from api.decisions import Decision, Outcome, Reason, Source
from api.policy.evaluate import Evaluation, PrincipalMatch, StatementMatch
from api.principals import Principal, PrincipalKind

RESOURCE_BASED = "resource-based"
IDENTITY_BASED = "identity-based"


@dataclass(frozen=True)
class Evidence:
    """What each authority said about one request.

    ``resource_account`` owns what is acted on: the key's account, or for an action without a
    key the deployment's. ``key_policy`` is None for an action without a key; ``identity`` is
    None when the caller has
    no identity policy (or is a root, whose identity is implicitly allowed everything in its own
    account); ``grants`` are the ids of the grants that permit this request.
    """

    principal: Principal
    action: str
    resource: str
    resource_account: str
    key_policy: Evaluation | None
    identity: Evaluation | None
    grants: Sequence[str] = ()


def _reasons(source: Source, matches: Sequence[StatementMatch]) -> tuple[Reason, ...]:
    return tuple(
        Reason(
            source=source,
            effect=m.statement.effect.value,
            statement=m.statement.label,
            sid=m.statement.sid,
        )
        for m in matches
    )


def decide(evidence: Evidence) -> Decision:
    principal = evidence.principal
    key_policy, identity = evidence.key_policy, evidence.identity

    def decision(outcome: Outcome, reasons: tuple[Reason, ...] = ()) -> Decision:
        return Decision(principal.arn, evidence.action, evidence.resource, outcome, reasons)

    denies = _reasons(Source.KEY_POLICY, key_policy.denies if key_policy else ())
    denies += _reasons(Source.IDENTITY_POLICY, identity.denies if identity else ())
    if denies:
        return decision(Outcome.EXPLICIT_DENY, denies)

    identity_allows: tuple[Reason, ...] = (
        _reasons(Source.IDENTITY_POLICY, identity.allows) if identity else ()
    )
    if principal.kind is PrincipalKind.ROOT and not identity_allows:
        identity_allows = (Reason(Source.ROOT, "Allow"),)

    same_account = principal.account_id == evidence.resource_account
    if key_policy is None:
        # No policy of another account reaches this account's keyless actions.
        allowed = same_account and identity_allows
        return (
            decision(Outcome.ALLOWED, identity_allows)
            if allowed
            else decision(Outcome.IMPLICIT_DENY)
        )

    direct = [m for m in key_policy.allows if m.principal_match is PrincipalMatch.PRINCIPAL]
    delegated = [m for m in key_policy.allows if m.principal_match is PrincipalMatch.ACCOUNT]
    if direct and (same_account or identity_allows):
        return decision(Outcome.ALLOWED, _reasons(Source.KEY_POLICY, direct))
    if delegated and identity_allows:
        return decision(Outcome.ALLOWED, _reasons(Source.KEY_POLICY, delegated) + identity_allows)
    if evidence.grants:
        grants = tuple(Reason(Source.GRANT, "Allow", grant_id=g) for g in evidence.grants)
        return decision(Outcome.ALLOWED, grants)
    return decision(Outcome.IMPLICIT_DENY)


def denial_message(decision: Decision) -> str:
    """AWS's AccessDeniedException message for a decision that did not allow."""
    head = (
        f"User: {decision.principal_arn} is not authorized to perform: {decision.action} "
        f"on resource: {decision.resource}"
    )
    if decision.outcome is Outcome.EXPLICIT_DENY:
        source = decision.reasons[0].source
        kind = IDENTITY_BASED if source is Source.IDENTITY_POLICY else RESOURCE_BASED
        return f"{head} with an explicit deny in a {kind} policy"
    kind = IDENTITY_BASED if decision.resource == "*" else RESOURCE_BASED
    return f"{head} because no {kind} policy allows the {decision.action} action"
