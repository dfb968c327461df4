"""simulateAccess: what the authorizer would decide for a principal, and why.

The decision is the one ``authorize`` makes (same code, ``assess``), with nothing recorded,
nothing throttled and no state checked. A caller may simulate principals of its own account; the
root principal of the deployment's account may simulate anyone, since it operates the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from api.authz.authorize import AccessRequest, Assessment, assess
from api.authz.decide import denial_message
from api.authz.facts import Origin
from api.calls import Call
from api.crypto.contexts import encryption_context
from api.crypto.keyring import cached_key
from api.errors import AccessDeniedException, ValidationException
from api.members import grant_tokens, optional_key_id
from api.principals import PrincipalKind, parse_principal_arn
from api.shapes import member

if TYPE_CHECKING:
    from api.services import Services

SIMULATE = "keygraph:SimulateAccess"


@dataclass(frozen=True, kw_only=True)
class ConditionValue:
    # A condition key and its values: what a simulated request carries beyond its members, and
    # what the policies saw (GraphQL: ``ConditionValueInput`` and ``ConditionValue``).
    key: str
    values: list[str]


@dataclass(frozen=True, kw_only=True)
class SimulateAccessRequest:
    # The request a principal would make: the members of the real action that conditions read
    # (its key, encryption context, grant tokens, origin) and any other condition value.
    principal: str = member(doc="The principal's ARN.")
    action: str = member(doc='A catalog action: "kms:Encrypt" or "Encrypt".')
    key_id: str | None = optional_key_id()
    encryption_context: dict[str, str] | None = None
    grant_tokens: list[str] | None = grant_tokens()
    source_ip: str | None = None
    via_service: str | None = None
    condition_values: list[ConditionValue] | None = member(
        None, doc="Further values the request would carry (kms:SigningAlgorithm...)."
    )


@dataclass(frozen=True)
class Simulation:
    assessment: Assessment
    message: str | None  # AccessDeniedException's message when not allowed


async def simulate_access(
    services: Services, call: Call, request: SimulateAccessRequest
) -> Simulation:
    principal = parse_principal_arn(request.principal)
    caller = call.principal
    operator = caller.kind is PrincipalKind.ROOT and caller.account_id == call.scope.account_id
    if principal.account_id != caller.account_id and not operator:
        raise AccessDeniedException(
            f"User: {caller.arn} is not authorized to perform: {SIMULATE} for principals of "
            f"account {principal.account_id}"
        )
    prefix = request.action.rpartition(":")[0]
    privilege = services.catalog.privilege(request.action)
    if privilege is None or prefix not in ("", privilege.prefix):
        raise ValidationException(f"{request.action} is not an action of the catalog.")
    context = (
        encryption_context("encryptionContext", request.encryption_context)
        if request.encryption_context is not None
        else None
    )
    key = await cached_key(services, call, request.key_id) if request.key_id else None
    assessment = await assess(
        services,
        AccessRequest(
            principal=principal,
            action=privilege.name,
            key=key,
            origin=Origin(call.now, request.source_ip, request.via_service),
            context=context,
            facts={value.key: tuple(value.values) for value in request.condition_values or ()},
            grant_tokens=request.grant_tokens,
            every_value=True,
        ),
    )
    decision = assessment.decision
    return Simulation(assessment, None if decision.allowed else denial_message(decision))
