"""Authorization over GraphQL: ``simulateAccess`` (why a principal may or may not do something)
and the identity policies attached to principals. keygraph's own fields, beside the catalog's."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from api.authz import identity
from api.authz.decision import Reason
from api.authz.simulate import SimulationRequest, simulate_access
from schema.enums import AccessDecision, AccessSource
from schema.keys import GraphQLInfo

if TYPE_CHECKING:
    StringMap = dict[str, str]
else:
    from schema.scalars import StringMap


@strawberry.input
class ConditionValueInput:
    key: str
    values: list[str]


@strawberry.input
class SimulateAccessInput:
    principal: str = strawberry.field(description="The principal's ARN.")
    action: str = strawberry.field(description='A catalog action: "kms:Encrypt" or "Encrypt".')
    key_id: str | None = None
    encryption_context: StringMap | None = None
    grant_tokens: list[str] | None = None
    source_ip: str | None = None
    via_service: str | None = None
    condition_values: list[ConditionValueInput] | None = strawberry.field(
        default=None,
        description="Further values the request would carry (kms:SigningAlgorithm...).",
    )


@strawberry.type(description="A statement or grant that decided.")
class AccessReason:
    source: AccessSource
    effect: str
    statement: str | None
    sid: str | None
    grant_id: str | None

    @classmethod
    def of(cls, reason: Reason) -> AccessReason:
        return cls(
            source=reason.source,
            effect=reason.effect,
            statement=reason.statement,
            sid=reason.sid,
            grant_id=reason.grant_id,
        )


@strawberry.type
class ConditionValue:
    key: str
    values: list[str]


@strawberry.type
class SimulateAccessResult:
    decision: AccessDecision
    allowed: bool
    principal: str
    action: str
    resource: str
    message: str | None = strawberry.field(
        description="AccessDeniedException's message, if denied."
    )
    reasons: list[AccessReason]
    condition_values: list[ConditionValue] = strawberry.field(
        description="The condition values the policies saw (keys as IAM compares them, lower case)."
    )


async def simulate_access_resolver(
    info: GraphQLInfo, input: SimulateAccessInput
) -> SimulateAccessResult:
    context = info.context
    request = SimulationRequest(
        principal_arn=input.principal,
        action=input.action,
        key_id=input.key_id,
        encryption_context=input.encryption_context,
        grant_tokens=input.grant_tokens,
        source_ip=input.source_ip,
        via_service=input.via_service,
        condition_values={v.key: v.values for v in input.condition_values or []},
    )
    simulation = await simulate_access(context.services, context.call(info), request)
    decision = simulation.assessment.decision
    return SimulateAccessResult(
        decision=decision.outcome,
        allowed=decision.allowed,
        principal=decision.principal_arn,
        action=decision.action,
        resource=decision.resource,
        message=simulation.message,
        reasons=[AccessReason.of(reason) for reason in decision.reasons],
        condition_values=[
            ConditionValue(key=key, values=list(values))
            for key, values in sorted(simulation.assessment.values.items())
        ],
    )


@strawberry.input
class PutPrincipalPolicyInput:
    principal: str = strawberry.field(description="The user's or role's ARN.")
    policy: str = strawberry.field(description="An identity policy document (no Principal).")


@strawberry.type
class PrincipalPolicyResult:
    principal: str
    policy: str | None


@strawberry.input
class PrincipalPolicyInput:
    principal: str


@strawberry.type
class DeletePrincipalPolicyResult:
    principal: str
    deleted: bool


async def put_principal_policy_resolver(
    info: GraphQLInfo, input: PutPrincipalPolicyInput
) -> PrincipalPolicyResult:
    context = info.context
    principal = await identity.put_principal_policy(
        context.services, context.call(info), input.principal, input.policy
    )
    return PrincipalPolicyResult(principal=principal.arn, policy=input.policy)


async def principal_policy_resolver(
    info: GraphQLInfo, input: PrincipalPolicyInput
) -> PrincipalPolicyResult:
    context = info.context
    document = await identity.get_principal_policy(
        context.services, context.call(info), input.principal
    )
    return PrincipalPolicyResult(principal=input.principal, policy=document)


async def delete_principal_policy_resolver(
    info: GraphQLInfo, input: PrincipalPolicyInput
) -> DeletePrincipalPolicyResult:
    context = info.context
    deleted = await identity.delete_principal_policy(
        context.services, context.call(info), input.principal
    )
    return DeletePrincipalPolicyResult(principal=input.principal, deleted=deleted)


@strawberry.type
class AccessQuery:
    simulate_access: SimulateAccessResult = strawberry.field(
        resolver=simulate_access_resolver,
        description="What authorization would decide for a principal, and the statements and "
        "grants that decide it.",
    )
    principal_policy: PrincipalPolicyResult = strawberry.field(
        resolver=principal_policy_resolver,
        description="The identity policy attached to a user or role (null when none).",
    )


@strawberry.type
class AccessMutation:
    put_principal_policy: PrincipalPolicyResult = strawberry.field(
        resolver=put_principal_policy_resolver,
        description="Attach an identity policy to a user or role (root of its account only).",
    )
    delete_principal_policy: DeletePrincipalPolicyResult = strawberry.field(
        resolver=delete_principal_policy_resolver
    )
