"""keygraph's own operations on access: who the caller is (``Whoami``), what authorization would
decide for a principal (``SimulateAccess``), and the identity policies of users and roles.

They are not AWS KMS actions: they authorize and are audited as ``keygraph:`` actions, and
``Whoami``, which only tells callers who they are, is not audited at all.

simulateAccess makes the decision ``authorize`` makes (same code, ``assess``), with nothing
recorded, nothing throttled and no state checked. A caller may simulate principals of its own
account; the root principal of the deployment's account may simulate anyone, since it operates
the service.

Identity policies are managed by the root principal of the principal's own account only, as in
IAM only the account's administrators attach policies; a principal may read its own
(``api.authz.identity`` checks and stores a document).
"""

from __future__ import annotations

from dataclasses import dataclass

from api import messages
from api.authz import matrix
from api.authz.access import cached_key, readable_key
from api.authz.authorize import AccessRequest, assess, authorize, enforce
from api.authz.decide import denial_message
from api.authz.facts import Origin
from api.authz.identity import attach_policy
from api.authz.matrix import AccessEntry
from api.calls import Call
from api.crypto.contexts import encryption_context
from api.decisions import Decision, Outcome, Reason, Source
from api.keys.ids import ANY_FORM
from api.members import grant_tokens, key_id, optional_key_id
from api.operation import Audit, change, read
from api.policy import PolicyWarning
from api.principals import Principal, PrincipalKind, parse_principal_arn
from api.services import Services
from api.shapes import member, name_shapes, project
from db import principal_policies as rows

# The decision's reasons are the authorizer's own ``Reason``s; the contract calls them so.
name_shapes({Reason: "AccessReason"})

SIMULATE = "keygraph:SimulateAccess"
PUT = "keygraph:PutPrincipalPolicy"
GET = "keygraph:GetPrincipalPolicy"
DELETE = "keygraph:DeletePrincipalPolicy"


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
    key_id: str | None = optional_key_id(ANY_FORM)
    encryption_context: dict[str, str] | None = None
    grant_tokens: list[str] | None = grant_tokens()
    source_ip: str | None = None
    via_service: str | None = None
    condition_values: list[ConditionValue] | None = member(
        None, doc="Further values the request would carry (kms:SigningAlgorithm...)."
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
class PutPrincipalPolicyResponse(PrincipalPolicyResponse):
    warnings: list[PolicyWarning] = member(
        doc="What keygraph's checker found in the policy attached anyway, empty when nothing "
        "(KEYGRAPH_POLICY_CHECK=warn)."
    )


@dataclass(frozen=True, kw_only=True)
class PutPrincipalPolicyRequest:
    principal: str = member(doc="The user's or role's ARN.")
    policy: str = member(doc="An identity policy document (no Principal).")


@dataclass(frozen=True, kw_only=True)
class DeletePrincipalPolicyResponse:
    principal: str
    deleted: bool


async def whoami(services: Services, call: Call, request: WhoamiRequest) -> Caller:
    principal = call.principal
    return project(Caller, principal, type=principal.kind)


async def simulate(
    services: Services, call: Call, request: SimulateAccessRequest
) -> SimulateAccessResponse:
    principal = parse_principal_arn(request.principal)
    caller = call.principal
    operator = caller.kind is PrincipalKind.ROOT and caller.account_id == call.scope.account_id
    if principal.account_id != caller.account_id and not operator:
        raise messages.SIMULATE_OTHER_ACCOUNT(
            caller=caller.arn, action=SIMULATE, account=principal.account_id
        )
    prefix = request.action.rpartition(":")[0]
    privilege = services.catalog.privilege(request.action)
    if privilege is None or prefix not in ("", privilege.prefix):
        raise messages.UNKNOWN_ACTION(action=request.action)
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
    return SimulateAccessResponse(
        decision=decision.outcome,
        allowed=decision.allowed,
        principal=decision.principal_arn,
        action=decision.action,
        resource=decision.resource,
        message=None if decision.allowed else denial_message(decision),
        reasons=list(decision.reasons),
        condition_values=[
            ConditionValue(key=key, values=list(values))
            for key, values in sorted(assessment.values.items())
        ],
    )


@dataclass(frozen=True, kw_only=True)
class KeyAccessRequest:
    key_id: str = key_id(ANY_FORM)


@dataclass(frozen=True, kw_only=True)
class KeyAccessResponse:
    entries: list[AccessEntry] = member(
        doc="Each principal (the key's account's, and those its policy and grants name) and "
        "catalog action on keys, by principal ARN then action."
    )


async def key_access(
    services: Services, call: Call, request: KeyAccessRequest
) -> KeyAccessResponse:
    """Who may do what to the key (``api.authz.matrix``). It shows what the key's policy and
    grants say, so the caller must be allowed to read both: GetKeyPolicy and ListGrants on the
    key."""
    key = await readable_key(services, call, request.key_id, "GetKeyPolicy")
    await authorize(services, call, "ListGrants", key)
    async with services.pool.acquire() as conn:
        entries = await matrix.key_access(conn, services.catalog, key)
    return KeyAccessResponse(entries=entries)


def managed_principal(call: Call, action: str, principal: str, *, self_allowed: bool) -> Principal:
    """The principal ``principal`` names, once the caller may perform ``action`` on it: the root
    of its account may (and the principal itself, for reading); recorded on the call."""
    target = parse_principal_arn(principal)
    caller = call.principal
    root = caller.kind is PrincipalKind.ROOT and caller.account_id == target.account_id
    itself = self_allowed and caller.arn == target.arn
    allowed = root or itself
    decision = Decision(
        caller.arn,
        action,
        target.arn,
        Outcome.ALLOWED if allowed else Outcome.IMPLICIT_DENY,
        (Reason(Source.ROOT, "Allow"),) if allowed else (),
    )
    enforce(
        call,
        decision,
        f"User: {caller.arn} is not authorized to perform: {action} on resource: "
        f"{target.arn}: only the root principal of account {target.account_id} may.",
    )
    return target


async def principal_policy(
    services: Services, call: Call, request: PrincipalPolicyRequest
) -> PrincipalPolicyResponse:
    target = managed_principal(call, GET, request.principal, self_allowed=True)
    async with services.pool.acquire() as conn:
        document = await rows.find_policy(conn, target.arn)
    return PrincipalPolicyResponse(principal=request.principal, policy=document)


async def put_principal_policy(
    services: Services, call: Call, request: PutPrincipalPolicyRequest
) -> PutPrincipalPolicyResponse:
    """Attach the document to the principal, replacing its policy; checked like key policies,
    the checker's warnings answered and noted in the call's audit events."""
    target = managed_principal(call, PUT, request.principal, self_allowed=False)
    check = services.settings.policy_check
    async with services.pool.acquire() as conn:
        warnings = await attach_policy(conn, services.catalog, target, request.policy, check)
    services.key_cache.forget_principal(target.arn)
    for warning in warnings:
        call.note(warning.text)
    return PutPrincipalPolicyResponse(
        principal=target.arn, policy=request.policy, warnings=list(warnings)
    )


async def delete_principal_policy(
    services: Services, call: Call, request: PrincipalPolicyRequest
) -> DeletePrincipalPolicyResponse:
    """Remove the principal's policy; ``deleted`` is false when it had none."""
    target = managed_principal(call, DELETE, request.principal, self_allowed=False)
    async with services.pool.acquire() as conn:
        deleted = await rows.delete_policy(conn, target.arn)
    services.key_cache.forget_principal(target.arn)
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
        actions=(GET,),
        description="The identity policy attached to a user or role (null when none).",
    ),
    change(
        "PutPrincipalPolicy",
        put_principal_policy,
        actions=(PUT,),
        description="Attach an identity policy to a user or role (root of its account only).",
    ),
    change("DeletePrincipalPolicy", delete_principal_policy, actions=(DELETE,)),
    read(
        "KeyAccess",
        key_access,
        actions=("kms:GetKeyPolicy", "kms:ListGrants"),
        description="Who may do what to a key: every principal of its account and those its "
        "policy and grants name, times every catalog action on keys, as authorization decides "
        "(needs GetKeyPolicy and ListGrants on the key).",
    ),
)
