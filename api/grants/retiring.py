"""Who may retire a grant: AWS decides RetireGrant by the grant itself, not by policies.

Allowed are the grant's retiring principal, its grantee when the grant's operations include
RetireGrant, and the root of the account that owns the key. The decision is recorded on the call
like every other, so the audit trail names what allowed or refused it.
"""

from __future__ import annotations

from api.authz.authorize import enforce
from api.authz.decision import Decision, Outcome, Reason, Source
from api.calls import Call
from api.grants.model import Grant, GrantOperation
from api.keys.model import Key
from api.principals import PrincipalKind

ACTION = "kms:RetireGrant"


def retire_decision(call: Call, key: Key, grant: Grant) -> Decision:
    principal = call.principal
    by_grant = principal.arn == grant.retiring_principal or (
        principal.arn == grant.grantee_principal
        and GrantOperation.RETIRE_GRANT.value in grant.operations
    )
    reasons: tuple[Reason, ...] = ()
    if by_grant:
        reasons = (Reason(Source.GRANT, "Allow", grant_id=grant.grant_id),)
    elif principal.kind is PrincipalKind.ROOT and principal.account_id == key.account_id:
        reasons = (Reason(Source.ROOT, "Allow"),)
    outcome = Outcome.ALLOWED if reasons else Outcome.IMPLICIT_DENY
    return Decision(principal.arn, ACTION, key.arn, outcome, reasons)


def authorize_retirement(call: Call, key: Key, grant: Grant) -> Decision:
    """Record the decision on ``call``; ``AccessDeniedException`` in AWS's words if refused."""
    return enforce(call, retire_decision(call, key, grant))
