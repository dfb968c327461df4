"""``AuditEvents``: the audit trail as an account's root reads it, filtered and paged.

keygraph's own read, audited itself as ``keygraph:ListAuditEvents``. It is flat, as the contract
has always had it: the filter, limit and marker are the field's arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from api import members
from api.audit.event import RecordedEvent
from api.audit.query import AuditEventFilter, audit_events
from api.authz.decision import Outcome
from api.calls import Call
from api.operation import read
from api.services import Services
from api.shapes import member, name_shapes


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
    action: str
    key_arn: str | None
    decision: Outcome | None = member(doc="Null when the call failed before it was authorized.")
    decided_by: str | None = member(
        doc='The statement or grant that decided: KeyPolicy Statement[0] (Sid "x").'
    )
    outcome: str = member(doc='The AWS error code of the call, or "ok".')

    @classmethod
    def of(cls, recorded: RecordedEvent) -> AuditEvent:
        event = recorded.event
        return cls(
            seq=str(recorded.seq),
            time=event.time,
            request_id=event.request_id,
            principal=event.principal_arn,
            source_ip=event.source_ip,
            action=event.action,
            key_arn=event.key_arn,
            decision=event.decision,
            decided_by=event.decided_by,
            outcome=event.outcome,
        )


@dataclass(frozen=True, kw_only=True)
class AuditEventsPage:
    events: list[AuditEvent]
    truncated: bool
    next_marker: str | None


name_shapes({AuditEventsPage: "AuditEventsResult"})


async def list_audit_events(
    services: Services, call: Call, request: AuditEventsRequest
) -> AuditEventsPage:
    page = await audit_events(
        services, call, request.filter or AuditEventFilter(), request.limit, request.marker
    )
    return AuditEventsPage(
        events=[AuditEvent.of(recorded) for recorded in page.items],
        truncated=page.truncated,
        next_marker=page.next_marker,
    )


OPERATIONS = (
    read(
        "AuditEvents",
        list_audit_events,
        actions=("keygraph:ListAuditEvents",),
        flat=True,
        description="The audit trail in the order it was written: the account root's only.",
    ),
)
