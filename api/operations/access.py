"""keygraph's own operations on access: who the caller is (``Whoami``), what authorization would
decide for a principal (``SimulateAccess``), and the identity policies of users and roles.

They are not AWS KMS actions: they authorize and are audited as ``keygraph:`` actions, and
``Whoami``, which only tells callers who they are, is not audited at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.authz import identity
from api.authz.decision import Outcome, Reason
from api.authz.simulate import SIMULATE, ConditionValue, SimulateAccessRequest, simulate_access
from api.calls import Call
from api.operation import Audit, change, read
from api.principals import Principal, PrincipalKind
from api.services import Services
from api.shapes import member, name_shapes

# The decision's reasons are the authorizer's own ``Reason``s; the contract calls them so.
name_shapes({Reason: "AccessReason"})


@dataclass(frozen=True, kw_only=True)
class WhoamiRequest:
    pass


@dataclass(frozen=True, kw_only=True)
class Caller:
    """The principal that made this request."""

    arn: str
    account_id: str
    name: str
    type: PrincipalKind

    @classmethod
    def of(cls, principal: Principal) -> Caller:
        return cls(
            arn=principal.arn,
            account_id=principal.account_id,
            name=principal.name,
            type=principal.kind,
        )


@dataclass(frozen=True, kw_only=True)
class SimulateAccessResponse:
    decision: Outcome
    allowed: bool
    principal: str
    action: str
    resource: str
    message: str | None = member(doc="AccessDeniedException's message, if denied.")
    reasons: list[Reason]
    condition_values: list[ConditionValue] = member(
        doc="The condition values the policies saw (keys as IAM compares them, lower case)."
    )


# One request and one response serve two operations each, as the contract has always had it:
# ``PrincipalPolicyInput`` names the principal to read or detach, ``PrincipalPolicyResult`` is
# the policy a principal has once read or attached.
@dataclass(frozen=True, kw_only=True)
class PrincipalPolicyRequest:
    principal: str


@dataclass(frozen=True, kw_only=True)
class PrincipalPolicyResponse:
    principal: str
    policy: str | None


@dataclass(frozen=True, kw_only=True)
class PutPrincipalPolicyRequest:
    principal: str = member(doc="The user's or role's ARN.")
    policy: str = member(doc="An identity policy document (no Principal).")


@dataclass(frozen=True, kw_only=True)
class DeletePrincipalPolicyResponse:
    principal: str
    deleted: bool


async def whoami(services: Services, call: Call, request: WhoamiRequest) -> Caller:
    return Caller.of(call.principal)


async def simulate(
    services: Services, call: Call, request: SimulateAccessRequest
) -> SimulateAccessResponse:
    simulation = await simulate_access(services, call, request)
    decision = simulation.assessment.decision
    return SimulateAccessResponse(
        decision=decision.outcome,
        allowed=decision.allowed,
        principal=decision.principal_arn,
        action=decision.action,
        resource=decision.resource,
        message=simulation.message,
        reasons=list(decision.reasons),
        condition_values=[
            ConditionValue(key=key, values=list(values))
            for key, values in sorted(simulation.assessment.values.items())
        ],
    )


async def principal_policy(
    services: Services, call: Call, request: PrincipalPolicyRequest
) -> PrincipalPolicyResponse:
    document = await identity.get_principal_policy(services, call, request.principal)
    return PrincipalPolicyResponse(principal=request.principal, policy=document)


async def put_principal_policy(
    services: Services, call: Call, request: PutPrincipalPolicyRequest
) -> PrincipalPolicyResponse:
    target = await identity.put_principal_policy(services, call, request.principal, request.policy)
    return PrincipalPolicyResponse(principal=target.arn, policy=request.policy)


async def delete_principal_policy(
    services: Services, call: Call, request: PrincipalPolicyRequest
) -> DeletePrincipalPolicyResponse:
    deleted = await identity.delete_principal_policy(services, call, request.principal)
    return DeletePrincipalPolicyResponse(principal=request.principal, deleted=deleted)


OPERATIONS = (
    read(
        "Whoami",
        whoami,
        actions=("keygraph:Whoami",),
        flat=True,
        description="The caller's principal ARN and account.",
        audit=Audit.NONE,
    ),
    read(
        "SimulateAccess",
        simulate,
        actions=(SIMULATE,),
        description="What authorization would decide for a principal, and the statements and "
        "grants that decide it.",
    ),
    read(
        "PrincipalPolicy",
        principal_policy,
        actions=(identity.GET,),
        description="The identity policy attached to a user or role (null when none).",
    ),
    change(
        "PutPrincipalPolicy",
        put_principal_policy,
        actions=(identity.PUT,),
        description="Attach an identity policy to a user or role (root of its account only).",
    ),
    change("DeletePrincipalPolicy", delete_principal_policy, actions=(identity.DELETE,)),
)
