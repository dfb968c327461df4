"""``AuditEvents``: the audit trail as an account's root reads it, filtered and paged.

An account's root sees the events whose principal or key belongs to its account: its own calls,
and other accounts' calls on its keys. Nobody else reads the trail; in IAM terms the root is the
account's owner, and the trail is the owner's record of what was done with its keys.

keygraph's own read, audited itself as ``keygraph:ListAuditEvents``. It is flat, as the contract
has always had it: the filter, limit and marker are the field's arguments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from api import members, messages
from api.audit.event import RecordedEvent, from_entry, qualified
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
    from_: datetime | None = None  # ``from`` to callers: a Python keyword
    to: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class AuditEventsRequest:
    filter: AuditEventFilter | None = None
    limit: int | None = members.limit()
    marker: str | None = members.marker()


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


def _after(marker: str | None) -> int:
    if marker is None:
        return 0
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


def _recorded(row: AuditRow) -> RecordedEvent:
    return RecordedEvent(row.seq, from_entry(row.link.entry))


async def list_audit_events(
    services: Services, call: Call, request: AuditEventsRequest
) -> AuditEventsPage:
    """Matching events in the order they were written; ``marker`` resumes after a page."""
    where = request.filter or AuditEventFilter()
    account = _reader_account(call)
    size = page_size(request.limit)
    after = _after(request.marker)
    query = rows.EventFilter(
        account=account,
        key_arn=None if where.key_id is None else _key_arn(call, where.key_id),
        principal_arn=where.principal,
        action=None if where.action is None else qualified(where.action),
        decision=None if where.decision is None else where.decision.value,
        door=None if where.door is None else where.door.value,
        time_from=where.from_,
        time_to=where.to,
    )
    async with services.pool.acquire() as conn:
        found = await rows.find_events(conn, query, after, fetch_size(size))
    page = page_of([_recorded(row) for row in found], size, lambda event: str(event.seq))
    events = [AuditEvent.of(recorded) for recorded in page.items]
    return project(AuditEventsPage, page, events=events)


OPERATIONS = (
    read(
        "AuditEvents",
        list_audit_events,
        actions=("keygraph:ListAuditEvents",),
        flat=True,
        description="The audit trail in the order it was written: the account root's only.",
    ),
)
