"""CreateGrant, ListGrants, ListRetirableGrants, RetireGrant and RevokeGrant, with AWS's rules;
what a grant is and how it is stored and named by tokens is ``api.grants``'s.

Each operation checks its members first, then resolves the key (a key id or key ARN: AWS refuses
aliases here), authorizes, consults the key state table, and only then reads or writes grants.
Every change runs in one transaction with the key's row locked, which serialises a key's grant
changes: the 50,000-grants count and the retry-by-name lookup are exact under concurrent calls.

CreateGrant with a ``Name`` is idempotent as in AWS: the name and every other parameter of an
existing grant on the key return that grant (with a new token); the same name with other
parameters makes a new grant. A grantee who may create grants only because a grant allows
CreateGrant may create grants no wider than that grant: a subset of its operations, constraints at
least as strict.

Who may retire a grant is decided by the grant itself, not by policies (``retire_decision``):
its retiring principal, its grantee when the grant's operations include RetireGrant, and the root
of the account that owns the key. That decision is recorded on the call like every other, so the
audit trail names what allowed or refused it.

The requests are AWS's shapes, with the API model's constraints (``api.shapes``). The checks
below repeat the model's for callers that do not come through the registry's validation (the old
GraphQL layer). A grant token appears only in CreateGrant's answer, never in a listed grant.
A grantee or retiring principal may be an AWS service principal instead (AWS's pairs of members,
``GranteePrincipal`` or ``GranteeServicePrincipal``...): what such a grant means in keygraph is
``api.grants.model``'s.
Where AWS answers RetireGrant and RevokeGrant with nothing, keygraph answers with the grant's id
and its key's ARN (not the key's metadata, which a retiring principal may have no right to read).
ListGrants is also the graph's ``Key.grants``; a page's grants load in one batch.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import MISSING, dataclass
from datetime import datetime
from typing import Any, Self

import asyncpg

from api import limits, messages
from api import members as aws
from api.authz.access import cached_key
from api.authz.authorize import authorize, enforce
from api.authz.facts import Values
from api.calls import Call
from api.crypto.checks import stop_if_dry_run
from api.decisions import Decision, Outcome, Reason, Source
from api.errors import (
    NotFoundException,
)
from api.grants import validation as members
from api.grants.model import (
    SERVICE_PRINCIPAL_LENGTH,
    SERVICE_PRINCIPAL_PATTERN,
    Grant,
    GrantConstraints,
    GrantOperation,
    is_service_principal,
)
from api.grants.store import grants_for_keys, to_grant, to_row
from api.grants.tokens import grant_for_token, issue_token, parse_grant_tokens
from api.keys.ids import GRANT_KEY
from api.keys.model import Key
from api.keys.states import require_state
from api.keys.store import load_key
from api.operation import change, read
from api.operations.structures import KeyPageRequest
from api.pages import Page, fetch_size, page_of, page_size
from api.principals import Principal, PrincipalKind
from api.services import Services
from api.shapes import member, project
from api.validation import member_length
from db import grants as rows

# The principal members and their service principal twins.
_GRANTEE = ("GranteePrincipal", "GranteeServicePrincipal")
_RETIRING = ("RetiringPrincipal", "RetiringServicePrincipal")

# kms:GrantIsForAWSResource: keygraph has no AWS services that create grants on a caller's behalf.
_NOT_FOR_AWS_RESOURCE: Values = {"kms:GrantIsForAWSResource": "false"}


def _principal(default: Any = MISSING) -> Any:
    """A ``PrincipalIdType`` member."""
    allowed = members.PRINCIPAL_LENGTH
    return member(default, length=(allowed.low, allowed.high), pattern=members.PRINCIPAL_PATTERN)


def _service_principal() -> Any:
    """An optional ``ServicePrincipalType`` member."""
    return member(None, length=SERVICE_PRINCIPAL_LENGTH, pattern=SERVICE_PRINCIPAL_PATTERN)


def _grant_id(default: Any = MISSING) -> Any:
    return member(default, length=(members.GRANT_ID_LENGTH.low, members.GRANT_ID_LENGTH.high))


@dataclass(frozen=True, kw_only=True)
class CreateGrantRequest:
    key_id: str = aws.key_id(GRANT_KEY)
    # Exactly one of the two grantees (``members.either``).
    grantee_principal: str | None = _principal(None)
    operations: list[GrantOperation]
    retiring_principal: str | None = _principal(None)
    constraints: GrantConstraints | None = None
    grant_tokens: list[str] | None = aws.grant_tokens()
    name: str | None = member(
        None,
        length=(members.GRANT_NAME_LENGTH.low, members.GRANT_NAME_LENGTH.high),
        pattern=members.GRANT_NAME_PATTERN,
    )
    dry_run: bool | None = aws.dry_run()
    grantee_service_principal: str | None = _service_principal()
    retiring_service_principal: str | None = _service_principal()


@dataclass(frozen=True, kw_only=True)
class ListGrantsRequest(KeyPageRequest):
    key_id: str = aws.key_id(GRANT_KEY)
    grant_id: str | None = _grant_id(None)
    grantee_principal: str | None = _principal(None)
    grantee_service_principal: str | None = _service_principal()


@dataclass(frozen=True, kw_only=True)
class ListRetirableGrantsRequest:
    # Exactly one of the two (``members.either``).
    retiring_principal: str | None = _principal(None)
    limit: int | None = aws.limit()
    marker: str | None = aws.marker()
    retiring_service_principal: str | None = _service_principal()


@dataclass(frozen=True, kw_only=True)
class RetireGrantRequest:
    grant_token: str | None = member(
        None,
        length=(limits.GRANT_TOKEN_LENGTH.low, limits.GRANT_TOKEN_LENGTH.high),
        sensitive=True,
    )
    key_id: str | None = aws.optional_key_id(GRANT_KEY)
    grant_id: str | None = _grant_id(None)
    dry_run: bool | None = aws.dry_run()


@dataclass(frozen=True, kw_only=True)
class RevokeGrantRequest:
    key_id: str = aws.key_id(GRANT_KEY)
    grant_id: str = _grant_id()
    dry_run: bool | None = aws.dry_run()


@dataclass(frozen=True, kw_only=True)
class CreateGrantResponse:
    grant_token: str = member(sensitive=True)
    grant_id: str


@dataclass(frozen=True, kw_only=True)
class GrantListEntry:
    """A grant as AWS's ListGrants returns it (never with a token)."""

    key_id: str = member(doc="The key ARN.")
    grant_id: str
    name: str | None
    creation_date: datetime
    grantee_principal: str
    retiring_principal: str | None
    issuing_account: str
    operations: list[GrantOperation]
    constraints: GrantConstraints | None
    grantee_service_principal: str | None
    retiring_service_principal: str | None

    @classmethod
    def of(cls, grant: Grant) -> Self:
        return project(
            cls,
            grant,
            key_id=grant.key_arn,
            creation_date=grant.created_at,
            # In the enum's order, as the old layer listed them.
            operations=[op for op in GrantOperation if op.value in grant.operations],
        )


@dataclass(frozen=True, kw_only=True)
class ListGrantsResponse:
    """ListGrants's and ListRetirableGrants's answer, as in AWS's model."""

    grants: list[GrantListEntry]
    next_marker: str | None
    truncated: bool

    @classmethod
    def of(cls, page: Page[Grant]) -> Self:
        return project(cls, page, grants=[GrantListEntry.of(grant) for grant in page.items])


@dataclass(frozen=True, kw_only=True)
class DeletedGrantResponse:
    """The grant that is gone: RetireGrant's and RevokeGrant's answer."""

    key_id: str = member(doc="The key ARN.")
    grant_id: str

    @classmethod
    def of(cls, grant: Grant) -> Self:
        return cls(key_id=grant.key_arn, grant_id=grant.grant_id)


RETIRE_GRANT = "kms:RetireGrant"


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
    return Decision(principal.arn, RETIRE_GRANT, key.arn, outcome, reasons)


def authorize_retirement(call: Call, key: Key, grant: Grant) -> Decision:
    """Record the decision on ``call``; ``AccessDeniedException`` in AWS's words if refused."""
    return enforce(call, retire_decision(call, key, grant))


async def _locked_key(
    services: Services,
    conn: asyncpg.Connection,
    call: Call,
    key_id: str,
    action: str,
    facts: Values,
    grant_tokens: Sequence[str] | None = None,
) -> tuple[Key, Decision]:
    """The key locked for this transaction, once the caller may perform ``action`` on it and its
    state allows it; with the decision, which CreateGrant reads."""
    key = await load_key(conn, call, key_id, for_update=True)
    decision = await authorize(
        services, call, action, key, facts=facts, grant_tokens=grant_tokens, conn=conn
    )
    require_state(action, key)
    return key, decision


def _absent(key: Key, grant_id: str) -> NotFoundException:
    return messages.GRANT_NOT_FOUND(grant_id=grant_id, arn=key.arn)


async def _grant_of(conn: asyncpg.Connection, key: Key, grant_id: str) -> Grant:
    row = await rows.find_grant(conn, key.uuid, grant_id)
    if row is None:
        raise _absent(key, grant_id)
    return to_grant(row)


def _creation_facts(
    operations: frozenset[str],
    grantee: str,
    retiring: str | None,
    constraints: GrantConstraints | None,
) -> Values:
    """CreateGrant's condition values; a service principal is ``kms:GranteeServicePrincipal``
    (``kms:RetiringServicePrincipal``) rather than ``kms:GranteePrincipal``."""
    facts: dict[str, str | Sequence[str]] = {
        **_NOT_FOR_AWS_RESOURCE,
        "kms:GrantOperations": sorted(operations),
    }
    for name, value in (("Grantee", grantee), ("Retiring", retiring)):
        if value is not None:
            kind = "ServicePrincipal" if is_service_principal(value) else "Principal"
            facts[f"kms:{name}{kind}"] = value
    if constraints is not None:
        types = constraints.types
        if types:
            facts["kms:GrantConstraintType"] = types[0] if len(types) == 1 else types
        if constraints.source_arn is not None:
            facts["kms:GrantConstraintSourceArn"] = constraints.source_arn
    return facts


def _only_by_grants(decision: Decision) -> bool:
    return bool(decision.reasons) and all(r.source is Source.GRANT for r in decision.reasons)


async def _within_delegation(
    conn: asyncpg.Connection,
    call: Call,
    key: Key,
    decision: Decision,
    operations: frozenset[str],
    constraints: GrantConstraints | None,
) -> None:
    """A CreateGrant allowed only by grants may create no grant wider than one of them."""
    if not _only_by_grants(decision):
        return
    parents = await rows.grants_by_ids(conn, key.uuid, list(decision.grant_ids))
    if any(to_grant(row).covers(operations, constraints) for row in parents):
        return
    refused = Decision(call.principal.arn, decision.action, key.arn, Outcome.IMPLICIT_DENY)
    enforce(
        call,
        refused,
        f"User: {call.principal.arn} is not authorized to perform: {decision.action} on "
        f"resource: {key.arn} because no grant that allows it allows a grant of these "
        "operations and constraints",
    )


async def _retried(
    conn: asyncpg.Connection, key: Key, name: str | None, candidate: Grant
) -> Grant | None:
    """The grant that a named CreateGrant with ``candidate``'s parameters repeats, if any."""
    if name is None:
        return None
    for row in await rows.grants_named(conn, key.uuid, name):
        existing = to_grant(row)
        if existing.repeats(candidate):
            return existing
    return None


async def _store_new(conn: asyncpg.Connection, key: Key, grant: Grant) -> None:
    """Checked inside the transaction with the key locked, so the count is exact."""
    if await rows.count_grants(conn, key.uuid) >= members.GRANTS_PER_KEY:
        raise messages.GRANTS_PER_KEY(arn=key.arn, limit=members.GRANTS_PER_KEY)
    await rows.insert_grant(conn, to_row(grant))


def _new_grant_id() -> str:
    """AWS's form: 64 hexadecimal characters."""
    return secrets.token_hex(32)


async def create_grant(
    services: Services, call: Call, request: CreateGrantRequest
) -> CreateGrantResponse:
    key_id = request.key_id
    service = request.grantee_service_principal
    grantee = members.required_principal_or_service(_GRANTEE, request.grantee_principal, service)
    retiring = members.principal_or_service(
        _RETIRING, request.retiring_principal, request.retiring_service_principal
    )
    allowed = members.grant_operations(request.operations)
    constraints = members.grant_constraints(request.constraints)
    if service is not None:
        members.service_grant(
            request.retiring_principal, request.retiring_service_principal, constraints
        )
    name = None if request.name is None else members.grant_name(request.name)
    parse_grant_tokens(request.grant_tokens)
    operations = frozenset(operation.value for operation in allowed)

    async with services.pool.acquire() as conn, conn.transaction():
        facts = _creation_facts(operations, grantee, retiring, constraints)
        key, decision = await _locked_key(
            services, conn, call, key_id, "CreateGrant", facts, request.grant_tokens
        )
        members.require_suitable(key, allowed, constraints)
        await _within_delegation(conn, call, key, decision, operations, constraints)
        stop_if_dry_run(bool(request.dry_run))
        candidate = Grant(
            grant_id=_new_grant_id(),
            key_uuid=key.uuid,
            key_arn=key.arn,
            name=name,
            grantee_principal=grantee,
            retiring_principal=retiring,
            operations=operations,
            constraints=constraints,
            issuing_account=Principal.root(call.principal.account_id).arn,
            created_at=call.now,
        )
        grant = await _retried(conn, key, name, candidate)
        if grant is None:
            await _store_new(conn, key, candidate)
            grant = candidate
        token = await issue_token(conn, grant.grant_id, call.now)
    services.key_cache.forget_key(grant.key_uuid)
    return CreateGrantResponse(grant_token=token, grant_id=grant.grant_id)


def _page_size(limit: int | None) -> int:
    return page_size(limit, members.GRANTS_PAGE_DEFAULT, members.GRANTS_PAGE_MAX)


async def list_grants(
    services: Services, call: Call, request: ListGrantsRequest
) -> ListGrantsResponse:
    """A key's grants in grant id order; ``marker`` is the last grant id seen. Tokens are never
    part of a grant as listed.

    The graph's ``Key.grants`` runs ListGrants for every key of a ``listKeys`` page within the
    listing's call. So that the page's loads go out as one statement, the key comes from the key
    cache (where ``listKeys`` put it) and the grants from the call's batched loader; the filters
    and the page apply to what was loaded."""
    key_id = request.key_id
    size = _page_size(request.limit)
    marker = members.grant_marker(request.marker)
    grant_id = None if request.grant_id is None else members.grant_id(request.grant_id)
    if request.grantee_principal is not None and request.grantee_service_principal is not None:
        raise members.one_of(_GRANTEE, needed=False)
    grantee = (
        request.grantee_service_principal
        if request.grantee_principal is None
        else members.principal_shape("granteePrincipal", request.grantee_principal)
    )
    key = await cached_key(services, call, key_id)
    await authorize(services, call, "ListGrants", key, facts=_NOT_FOR_AWS_RESOURCE)
    require_state("ListGrants", key)
    loaded = await call.loader(services.pool, grants_for_keys).load(key.uuid) or []
    found = [
        grant
        for grant in loaded
        if (grant_id is None or grant.grant_id == grant_id)
        and (grantee is None or grant.grantee_principal == grantee)
        and (marker is None or grant.grant_id > marker)
    ]
    return ListGrantsResponse.of(page_of(found, size, lambda grant: grant.grant_id))


async def list_retirable_grants(
    services: Services, call: Call, request: ListRetirableGrantsRequest
) -> ListGrantsResponse:
    """The grants on the scope's keys whose retiring principal is ``retiring_principal`` (or
    ``retiring_service_principal``)."""
    retiring = members.required_principal_or_service(
        _RETIRING, request.retiring_principal, request.retiring_service_principal
    )
    size = _page_size(request.limit)
    marker = members.grant_marker(request.marker)
    await authorize(services, call, "ListRetirableGrants", None)
    scope = call.scope
    async with services.pool.acquire() as conn:
        found = await rows.list_retirable_grants(
            conn, scope.account_id, scope.region, retiring, marker, fetch_size(size)
        )
    page = page_of([to_grant(row) for row in found], size, lambda grant: grant.grant_id)
    return ListGrantsResponse.of(page)


@dataclass(frozen=True)
class _Named:
    """The grant a RetireGrant names: its key (as a keyId) and its id."""

    key_id: str
    grant_id: str


async def _named_for_retirement(
    conn: asyncpg.Connection, call: Call, request: RetireGrantRequest
) -> _Named:
    """Members first: a token, or a KeyId with a GrantId; given together, they must agree."""
    key_id = request.key_id
    grant_id = None if request.grant_id is None else members.grant_id(request.grant_id)
    if request.grant_token is None:
        if key_id is None or grant_id is None:
            raise messages.RETIRE_NAMES_NO_GRANT()
        return _Named(key_id, grant_id)
    allowed = limits.GRANT_TOKEN_LENGTH
    member_length("grantToken", request.grant_token, allowed.high, allowed.low)
    grant = await grant_for_token(conn, request.grant_token)
    if grant is None:
        raise messages.TOKEN_GRANT_NOT_FOUND()
    if grant_id is not None and grant_id != grant.grant_id:
        raise messages.TOKEN_GRANT_ID_MISMATCH()
    if key_id is not None and (await load_key(conn, call, key_id)).uuid != grant.key_uuid:
        raise messages.TOKEN_KEY_MISMATCH()
    return _Named(str(grant.key_uuid), grant.grant_id)


async def retire_grant(
    services: Services, call: Call, request: RetireGrantRequest
) -> DeletedGrantResponse:
    """Delete the grant; allowed by the grant itself (``authorize_retirement``)."""
    async with services.pool.acquire() as conn:
        named = await _named_for_retirement(conn, call, request)
        async with conn.transaction():
            key = await load_key(conn, call, named.key_id, for_update=True)
            grant = await _grant_of(conn, key, named.grant_id)
            authorize_retirement(call, key, grant)
            require_state("RetireGrant", key)
            stop_if_dry_run(bool(request.dry_run))
            await rows.delete_grant(conn, grant.grant_id)
    services.key_cache.forget_key(grant.key_uuid)
    return DeletedGrantResponse.of(grant)


async def revoke_grant(
    services: Services, call: Call, request: RevokeGrantRequest
) -> DeletedGrantResponse:
    """Delete the grant; allowed by policy (``kms:RevokeGrant``), as AWS does."""
    key_id = request.key_id
    grant_id = members.grant_id(request.grant_id)
    async with services.pool.acquire() as conn, conn.transaction():
        key, _ = await _locked_key(
            services, conn, call, key_id, "RevokeGrant", _NOT_FOR_AWS_RESOURCE
        )
        grant = await _grant_of(conn, key, grant_id)
        stop_if_dry_run(bool(request.dry_run))
        await rows.delete_grant(conn, grant.grant_id)
    services.key_cache.forget_key(grant.key_uuid)
    return DeletedGrantResponse.of(grant)


# CreateGrant, RetireGrant and RevokeGrant are Permissions management in AWS's catalog (changes:
# mutations); ListRetirableGrants names no key, so it authorizes without one.
OPERATIONS = (
    change("CreateGrant", create_grant),
    read("ListGrants", list_grants),
    read("ListRetirableGrants", list_retirable_grants),
    change("RetireGrant", retire_grant),
    change("RevokeGrant", revoke_grant),
)
