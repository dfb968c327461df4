"""``AuditEvents``: the audit trail as an account's root reads it, filtered and paged.

An account's root sees the events whose principal or key belongs to its account: its own calls,
and other accounts' calls on its keys. Nobody else reads the trail; in IAM terms the root is the
account's owner, and the trail is the owner's record of what was done with its keys.

keygraph's own read, audited itself as ``keygraph:ListAuditEvents``. It is flat, as the contract
has always had it: the filter, limit and marker are the field's arguments.
"""

from __future__ import annotations

import enum
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from api import members, messages
from api.audit import verify_chain
from api.audit.event import RecordedEvent, from_entry, qualified
from api.audit.feed import AuditFeed, follow
from api.calls import Call, Door
from api.decisions import Outcome
from api.keys.ids import AliasRef, parse_key_ref
from api.keys.model import key_arn
from api.operation import read
from api.pages import fetch_size, invalid_marker, page_of, page_size
from api.principals import PrincipalKind
from api.services import Services
from api.shapes import member, name_shapes, project
from db import audit as rows
from db.audit import AuditRow

# A marker is the seq of the last event of the page before, as bigint allows.
_MARKER = re.compile(r"^(0|[1-9][0-9]{0,18})$")
_SEQ_MAX = 2**63 - 1


@dataclass(frozen=True, kw_only=True)
class AuditEventFilter:
    """Each field set narrows the events; the time bounds are inclusive."""

    key_id: str | None = member(None, doc="A key id or key ARN.")
    principal: str | None = member(None, doc="A principal's ARN.")
    action: str | None = member(None, doc='An action: "kms:Encrypt" or "Encrypt".')
    decision: Outcome | None = None
    door: Door | None = None
    outcome: str | None = member(None, doc='"ok", or the AWS error code of a failed call.')
    from_: datetime | None = None  # ``from`` to callers: a Python keyword
    to: datetime | None = None


class AuditOrder(enum.Enum):
    """Which end of the trail a listing starts from."""

    OLDEST_FIRST = "OLDEST_FIRST"
    NEWEST_FIRST = "NEWEST_FIRST"


@dataclass(frozen=True, kw_only=True)
class AuditEventsRequest:
    filter: AuditEventFilter | None = None
    limit: int | None = members.limit()
    marker: str | None = members.marker()
    order: AuditOrder = member(
        AuditOrder.OLDEST_FIRST, doc="A marker resumes in the order that handed it out."
    )


@dataclass(frozen=True, kw_only=True)
class AuditEvent:
    """One authorization decision of a call, or a call refused before any."""

    seq: str = member(doc="The event's place in the trail.")
    time: datetime
    request_id: str
    principal: str
    source_ip: str | None
    door: Door | None = member(doc="Null in events recorded before keygraph recorded doors.")
    action: str
    key_arn: str | None
    decision: Outcome | None = member(doc="Null when the call failed before it was authorized.")
    decided_by: str | None = member(
        doc='The statement or grant that decided: KeyPolicy Statement[0] (Sid "x").'
    )
    outcome: str = member(doc='The AWS error code of the call, or "ok".')
    detail: str | None = member(
        None,
        doc="What the call noted besides, one line each: the warnings of a policy stored "
        "although the checker found something in it (KEYGRAPH_POLICY_CHECK=warn).",
    )

    @classmethod
    def of(cls, recorded: RecordedEvent) -> AuditEvent:
        event = recorded.event
        return project(cls, event, seq=str(recorded.seq), principal=event.principal_arn)


@dataclass(frozen=True, kw_only=True)
class AuditEventsPage:
    events: list[AuditEvent]
    truncated: bool
    next_marker: str | None


name_shapes({AuditEventsPage: "AuditEventsResult"})


def _reader_account(call: Call) -> str:
    principal = call.principal
    if principal.kind is not PrincipalKind.ROOT:
        raise messages.AUDIT_ROOT_ONLY(arn=principal.arn)
    return principal.account_id


def _after(marker: str | None) -> int | None:
    if marker is None:
        return None
    if not _MARKER.match(marker) or int(marker) > _SEQ_MAX:
        raise invalid_marker()
    return int(marker)


def _key_arn(call: Call, key_id: str) -> str:
    """The ARN of the key ``key_id`` names, read without the database: a deleted key's events
    stay readable. An alias is refused: its target changes, its events would not be the key's."""
    ref = parse_key_ref(call.scope, key_id)
    if isinstance(ref, AliasRef):
        raise messages.AUDIT_BY_ALIAS(key_id=key_id)
    return key_arn(call.scope.region, call.scope.account_id, str(ref))


def _event_of(row: AuditRow) -> AuditEvent:
    """A stored event as callers read it."""
    return AuditEvent.of(RecordedEvent(row.seq, from_entry(row.link.entry)))


def _event_filter(call: Call, where: AuditEventFilter | None) -> rows.EventFilter:
    """The events of ``where`` that the caller may read: those of its account's (only a root
    reads the trail). The subscription to new events narrows them the same way."""
    where = where or AuditEventFilter()
    return rows.EventFilter(
        account=_reader_account(call),
        key_arn=None if where.key_id is None else _key_arn(call, where.key_id),
        principal_arn=where.principal,
        action=None if where.action is None else qualified(where.action),
        decision=None if where.decision is None else where.decision.value,
        door=None if where.door is None else where.door.value,
        outcome=where.outcome,
        time_from=where.from_,
        time_to=where.to,
    )


async def appended_events(
    services: Services,
    feed: AuditFeed,
    call: Call,
    where: AuditEventFilter | None,
    after: int,
) -> AsyncIterator[AuditEvent]:
    """The events matching ``where`` appended after seq ``after``, each as it comes, for as
    long as the caller iterates (the subscription's stream; the caller has authorized it).
    From its first step until it is closed the process's LISTEN connection wakes it; an
    unstarted stream holds nothing, and nothing appended before the LISTEN is in place is
    missed, for ``follow`` reads by seq from ``after`` on before it first waits."""
    query = _event_filter(call, where)
    async with feed.woken() as wake:
        found = follow(services.pool, wake, query, after)
        try:
            async for row in found:
                yield _event_of(row)
        finally:
            await found.aclose()


async def list_audit_events(
    services: Services, call: Call, request: AuditEventsRequest
) -> AuditEventsPage:
    """Matching events in the order they were written, or newest first; ``marker`` (the seq of
    a page's last event) resumes after a page, in the same order."""
    query = _event_filter(call, request.filter)
    size = page_size(request.limit)
    after = _after(request.marker)
    newest_first = request.order is AuditOrder.NEWEST_FIRST
    async with services.pool.acquire() as conn:
        found = await rows.find_events(
            conn, query, after, fetch_size(size), newest_first=newest_first
        )
    page = page_of([_event_of(row) for row in found], size, lambda event: event.seq)
    return project(AuditEventsPage, page, events=page.items)


@dataclass(frozen=True, kw_only=True)
class AuditChainRequest:
    pass


@dataclass(frozen=True, kw_only=True)
class AuditChainState:
    """Whether the trail's hash chain verifies, as ``keygraph audit verify`` says it."""

    verified: bool
    events: int = member(doc="Events verified, in chain order (up to the first broken one).")
    broken_at: str | None = member(doc="The seq of the first event that fails, if one does.")
    broken_why: str | None = member(doc="What its failure says happened.")


async def audit_chain(
    services: Services, call: Call, request: AuditChainRequest
) -> AuditChainState:
    """Verify the whole chain now (``api.audit.verify_chain``, the CLI's ``audit verify``): it
    reads every event, so it costs what the trail's size costs. The chain is the deployment's,
    every account's events in one, so only the deployment account's root may ask."""
    if _reader_account(call) != call.scope.account_id:
        raise messages.AUDIT_CHAIN_OPERATOR_ONLY(arn=call.principal.arn)
    async with services.pool.acquire() as conn:
        report = await verify_chain(conn)
    broken = report.broken
    return AuditChainState(
        verified=report.verified,
        events=report.checked,
        broken_at=None if broken is None else str(broken.seq),
        broken_why=None if broken is None else broken.why.value,
    )


OPERATIONS = (
    read(
        "AuditChain",
        audit_chain,
        actions=("keygraph:VerifyAuditChain",),
        flat=True,
        description="Whether the audit trail's hash chain verifies: the deployment account "
        "root's only.",
    ),
    read(
        "AuditEvents",
        list_audit_events,
        actions=("keygraph:ListAuditEvents",),
        flat=True,
        description="The audit trail, oldest or newest first: the account root's only.",
    ),
)
