"""Authorization of one operation: gather what decides it, decide, and record the decision.

Every operation calls ``authorize`` once per key it touches (``ReEncrypt`` twice), after it has
resolved the key and before the key state table, so a caller without permission learns nothing
about the key's state. Key policies, grants, tags and identity policies come from the process's
``KeyCache`` (evicted across processes by NOTIFY, see ``api.cache``): on the hot path an
authorization costs no database round trip. Grant tokens are honoured at once: when the cached
grants do not allow, the grants the tokens name are read from the database.

``assess`` is the same decision without the side effects (no throttling, nothing recorded, nothing
raised): ``simulateAccess`` shows it to a person.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import TYPE_CHECKING, TypeVar

import asyncpg

from api.authz.decide import Evidence, decide, denial_message
from api.authz.facts import (
    Origin,
    Values,
    applicable,
    context_values,
    key_values,
    origin_values,
    principal_values,
)
from api.cache import IdentityPolicy
from api.calls import Call, SharedDecisions
from api.decisions import Decision, Outcome, Reason, Source
from api.errors import AccessDeniedException
from api.grants.model import Grant
from api.grants.store import load_grants
from api.grants.tokens import grants_for_tokens
from api.keys.model import Key
from api.policy.evaluate import (
    RequestContext,
    evaluate_identity_policy,
    evaluate_key_policy,
    request_context,
)
from api.policy.model import PolicyDocument
from api.policy.parse import PolicyKind, parse_policy
from api.principals import Principal, PrincipalKind
from db import principal_policies
from db.policies import policies_for_keys
from db.tags import tags_of_keys

if TYPE_CHECKING:
    from api.services import Services

_KEY_RESOURCE = "key"
T = TypeVar("T")

_RESOURCE_TAG = "aws:resourcetag/"
_PAIR_SPEC = "kms:DataKeyPairSpec"


@dataclass(frozen=True)
class AccessRequest:
    """Who wants to do what to which key, with the request's own condition values."""

    principal: Principal
    action: str  # a catalog action without its prefix: "Encrypt"
    key: Key | None
    origin: Origin
    context: Mapping[str, str] | None = None
    facts: Values | None = None
    grant_tokens: Sequence[str] | None = None
    # A key policy to decide with instead of the key's own: the lockout check asks what a
    # policy about to be stored would decide.
    proposed_policy: PolicyDocument | None = None
    # Gather every condition value, not only those the policies read (simulateAccess shows them).
    every_value: bool = False


@dataclass(frozen=True)
class Assessment:
    decision: Decision
    # The condition values the policies were evaluated against (lower-cased keys).
    values: Mapping[str, tuple[str, ...]]


async def authorize(
    services: Services,
    call: Call,
    action: str,
    key: Key | None,
    *,
    context: Mapping[str, str] | None = None,
    facts: Values | None = None,
    grant_tokens: Sequence[str] | None = None,
    conn: asyncpg.Connection | None = None,
) -> Decision:
    """Allow the call to go on, or raise ``AccessDeniedException``; either way recorded on
    ``call`` for the audit trail. Throttling is checked first, as AWS does.

    ``conn``: the caller's connection, when it holds one (a transaction with the key locked), so
    that a cache miss does not wait for a second connection from the pool.
    """
    pair_spec = facts.get(_PAIR_SPEC) if facts else None
    services.throttle.take(
        call.principal.arn,
        action,
        key.spec.value if key else None,
        pair_spec if isinstance(pair_spec, str) else None,
    )
    if not services.settings.authorization:
        unchecked = Reason(Source.UNCHECKED, "Allow")
        resource = key.arn if key else "*"
        allowed = Decision(
            call.principal.arn, f"kms:{action}", resource, Outcome.ALLOWED, (unchecked,)
        )
        return enforce(call, allowed)
    request = AccessRequest(
        call.principal, action, key, Origin.of(call), context, facts, grant_tokens
    )
    shared = call.shared_decisions
    if shared is not None:
        return enforce(call, await _shared_decision(services, request, conn, shared))
    return enforce(call, (await assess(services, request, conn)).decision)


async def _shared_decision(
    services: Services,
    request: AccessRequest,
    conn: asyncpg.Connection | None,
    shared: SharedDecisions,
) -> Decision:
    """The decision for ``request`` within a batch: made by the first item that needs it and
    reused by every item alike (same principal, action, key, origin and condition values, all
    of which a decision depends on), so a batch of fifty on one key decides once."""
    alike = _alike(request)
    pending = shared.get(alike)
    if pending is not None:
        decided = await pending
        if decided is not None:
            return decided
    making = shared[alike] = asyncio.get_running_loop().create_future()
    try:
        decision = (await assess(services, request, conn)).decision
    except BaseException:
        # Items waiting for this one decide for themselves, as they would outside a batch.
        if shared.get(alike) is making:
            del shared[alike]
        making.set_result(None)
        raise
    making.set_result(decision)
    return decision


def _alike(request: AccessRequest) -> Hashable:
    """Everything of ``request`` that decides it, as a dictionary key."""
    return (
        request.principal,
        request.action,
        request.key,
        request.origin,
        _frozen(request.context),
        _frozen(request.facts),
        tuple(request.grant_tokens or ()),
    )


def _frozen(values: Values | None) -> frozenset[tuple[str, str | tuple[str, ...]]] | None:
    if values is None:
        return None
    return frozenset(
        (name, value if isinstance(value, str) else tuple(value)) for name, value in values.items()
    )


def enforce(call: Call, decision: Decision, message: str | None = None) -> Decision:
    """Record ``decision`` on the call (the audit trail reads it) and let the call go on only if
    it allows; otherwise ``AccessDeniedException`` with AWS's message, or ``message``."""
    call.record(decision)
    if not decision.allowed:
        raise AccessDeniedException(message or denial_message(decision))
    return decision


async def assess(
    services: Services, request: AccessRequest, conn: asyncpg.Connection | None = None
) -> Assessment:
    privilege = services.catalog.privilege(request.action)
    if privilege is None:
        raise LookupError(f"{request.action} is not an action of the catalog")
    key = request.key if _keyed(privilege.resource_type_names, request.key) else None
    principal = request.principal
    reader = _Reader(services, conn)
    key_policy = (request.proposed_policy or await _key_policy(reader, key)) if key else None
    identity = await _identity_policy(reader, principal)
    # Only the values a policy reads are gathered: with AWS's default key policy, none.
    wanted = None if request.every_value else _read_by(key_policy) | _read_by(identity)
    values: Values = {}
    if wanted is None or wanted:
        tags = await _tags(reader, key) if key and _reads_tags(wanted) else {}
        values = applicable(
            privilege,
            wanted,
            principal_values(principal),
            origin_values(request.origin, services.settings.region),
            key_values(key, tags) if key else {},
            context_values(request.context) if request.context else {},
            request.facts or {},
        )
    context = request_context(
        privilege.action, key.arn if key else "*", principal.arn, principal.account_id, values
    )

    async def decision_with(grants: Sequence[Grant]) -> Decision:
        permitting = [
            g.grant_id for g in grants if g.permits(principal.arn, request.action, request.context)
        ]
        return decide(
            Evidence(
                principal=principal,
                action=privilege.action,
                resource=context.resource,
                resource_account=key.account_id if key else services.settings.account_id,
                key_policy=evaluate_key_policy(key_policy, context) if key_policy else None,
                identity=evaluate_identity_policy(identity, context) if identity else None,
                grants=permitting,
            )
        )

    decision = await decision_with(await _grants(reader, key) if key else ())
    if key and not decision.allowed and request.grant_tokens:
        decision = await decision_with(await _token_grants(reader, key, request.grant_tokens))
    return Assessment(decision, context.values)


def _keyed(resource_types: tuple[str, ...], key: Key | None) -> bool:
    """Whether the action is decided against the key: the catalog says the action is on keys."""
    return key is not None and _KEY_RESOURCE in resource_types


@lru_cache(maxsize=4096)
def _condition_keys(policy: PolicyDocument) -> frozenset[str]:
    return frozenset(
        condition.key.casefold()
        for statement in policy.statements
        for condition in statement.conditions
    )


def _read_by(policy: PolicyDocument | None) -> frozenset[str]:
    """The condition keys (lower case) a policy's conditions read."""
    return _condition_keys(policy) if policy is not None else frozenset()


def _reads_tags(wanted: frozenset[str] | None) -> bool:
    """Whether ``aws:ResourceTag/...`` is read: only then are the key's tags loaded."""
    return wanted is None or any(key.startswith(_RESOURCE_TAG) for key in wanted)


@dataclass(frozen=True)
class _Reader:
    """Where cache misses are read: the caller's connection, or one from the pool."""

    services: Services
    conn: asyncpg.Connection | None

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        if self.conn is not None:
            yield self.conn
            return
        async with self.services.pool.acquire() as conn:
            yield conn

    async def through(
        self,
        found: T | None,
        read: Callable[[asyncpg.Connection], Awaitable[T]],
        keep: Callable[[T, int], None],
    ) -> T:
        """The cache's read-through, reading on this reader's connection."""

        async def load() -> T:
            async with self.connection() as conn:
                return await read(conn)

        value = await self.services.key_cache.read_through(found, load, keep)
        assert value is not None  # these reads always answer (an empty answer is a value)
        return value


async def _key_policy(reader: _Reader, key: Key) -> PolicyDocument:
    async def load(conn: asyncpg.Connection) -> PolicyDocument:
        return parse_policy((await policies_for_keys(conn, [key.uuid]))[key.uuid])

    cache = reader.services.key_cache
    return await reader.through(cache.policy(key.uuid), load, partial(cache.put_policy, key.uuid))


async def _identity_policy(reader: _Reader, principal: Principal) -> PolicyDocument | None:
    """The principal's identity policy; an account's root has none (it is allowed by default)."""
    if principal.kind is PrincipalKind.ROOT:
        return None

    async def load(conn: asyncpg.Connection) -> IdentityPolicy:
        document = await principal_policies.find_policy(conn, principal.arn)
        return IdentityPolicy(
            None if document is None else parse_policy(document, PolicyKind.IDENTITY)
        )

    cache = reader.services.key_cache
    keep = partial(cache.put_identity, principal.arn)
    return (await reader.through(cache.identity(principal.arn), load, keep)).document


async def _tags(reader: _Reader, key: Key) -> Mapping[str, str]:
    async def load(conn: asyncpg.Connection) -> Mapping[str, str]:
        return {row.tag_key: row.tag_value for row in await tags_of_keys(conn, [key.uuid])}

    cache = reader.services.key_cache
    return await reader.through(cache.tags(key.uuid), load, partial(cache.put_tags, key.uuid))


async def _grants(reader: _Reader, key: Key) -> tuple[Grant, ...]:
    async def load(conn: asyncpg.Connection) -> tuple[Grant, ...]:
        return await load_grants(conn, key.uuid)

    cache = reader.services.key_cache
    return await reader.through(cache.grants(key.uuid), load, partial(cache.put_grants, key.uuid))


async def _token_grants(reader: _Reader, key: Key, tokens: Sequence[str]) -> tuple[Grant, ...]:
    async with reader.connection() as conn:
        return await grants_for_tokens(conn, key.uuid, tokens)


__all__ = ["AccessRequest", "Assessment", "RequestContext", "assess", "authorize"]
