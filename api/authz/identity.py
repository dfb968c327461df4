"""Identity policies: the one policy document attached to a user or role.

They decide the actions without a key (CreateKey, ListKeys...) and, where a key policy delegates
to the account (as AWS's default key policy does), the key operations too. Only the root principal
of the principal's own account manages them, as in IAM only the account's administrators attach
policies; a principal may read its own. An account's root has none: it is allowed by default.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import asyncpg

from api.authz.authorize import enforce
from api.authz.decision import Decision, Outcome, Reason, Source
from api.calls import Call
from api.catalog import Catalog
from api.errors import NotFoundException, ValidationException
from api.policy.validation import parse_identity_policy
from api.principals import Principal, PrincipalKind, find_principal, parse_principal_arn
from db import principal_policies as rows

if TYPE_CHECKING:
    from api.services import Services

PUT = "keygraph:PutPrincipalPolicy"
GET = "keygraph:GetPrincipalPolicy"
DELETE = "keygraph:DeletePrincipalPolicy"


def _allowed(call: Call, action: str, target: Principal, *, self_allowed: bool) -> None:
    """Root of the target's account (or the target itself, for reading); recorded on the call."""
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


async def attach_policy(
    conn: asyncpg.Connection, catalog: Catalog, target: Principal, document: str
) -> None:
    """Check ``document`` (like a key policy, without Principal) and attach it to a live user or
    role; what both the API and ``keygraph principal attach-policy`` do."""
    if target.kind is PrincipalKind.ROOT:
        raise ValidationException(
            "An account's root principal has no identity policy: it is allowed every action "
            "without a key, and what key policies grant its account."
        )
    if await find_principal(conn, target) is None:
        raise NotFoundException(f"Principal {target.arn} does not exist.")
    parse_identity_policy(document, catalog)
    await rows.put_policy(conn, target.arn, document)


async def put_principal_policy(
    services: Services, call: Call, principal_arn: str, document: str
) -> Principal:
    """Attach ``document`` to the principal, replacing its policy; checked like key policies."""
    target = parse_principal_arn(principal_arn)
    _allowed(call, PUT, target, self_allowed=False)
    async with services.pool.acquire() as conn:
        await attach_policy(conn, services.catalog, target, document)
    services.key_cache.forget_principal(target.arn)
    return target


async def get_principal_policy(services: Services, call: Call, principal_arn: str) -> str | None:
    target = parse_principal_arn(principal_arn)
    _allowed(call, GET, target, self_allowed=True)
    async with services.pool.acquire() as conn:
        return await rows.find_policy(conn, target.arn)


async def delete_principal_policy(services: Services, call: Call, principal_arn: str) -> bool:
    """Remove the principal's policy; false when it had none."""
    target = parse_principal_arn(principal_arn)
    _allowed(call, DELETE, target, self_allowed=False)
    async with services.pool.acquire() as conn:
        deleted = await rows.delete_policy(conn, target.arn)
    services.key_cache.forget_principal(target.arn)
    return deleted
