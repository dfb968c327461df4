"""auditEvents over GraphQL: the audit trail, filtered and paged, for an account's root."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.audit.event import RecordedEvent
from api.audit.query import AuditFilter, audit_events
from schema.enums import AccessDecision
from schema.keys import GraphQLInfo


@strawberry.input(description="Each field set narrows the events; the time bounds are inclusive.")
class AuditEventFilter:
    key_id: str | None = strawberry.field(default=None, description="A key id or key ARN.")
    principal: str | None = strawberry.field(default=None, description="A principal's ARN.")
    action: str | None = strawberry.field(
        default=None, description='An action: "kms:Encrypt" or "Encrypt".'
    )
    decision: AccessDecision | None = None
    from_: datetime | None = strawberry.field(default=None, name="from")
    to: datetime | None = None


@strawberry.type(description="One authorization decision of a call, or a call refused before any.")
class AuditEvent:
    seq: strawberry.ID = strawberry.field(description="The event's place in the trail.")
    time: datetime
    request_id: str
    principal: str
    source_ip: str | None
    action: str
    key_arn: str | None
    decision: AccessDecision | None = strawberry.field(
        description="Null when the call failed before it was authorized."
    )
    decided_by: str | None = strawberry.field(
        description='The statement or grant that decided: KeyPolicy Statement[0] (Sid "x").'
    )
    outcome: str = strawberry.field(description='The AWS error code of the call, or "ok".')

    @classmethod
    def of(cls, recorded: RecordedEvent) -> AuditEvent:
        event = recorded.event
        return cls(
            seq=strawberry.ID(str(recorded.seq)),
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


@strawberry.type
class AuditEventsResult:
    events: list[AuditEvent]
    truncated: bool
    next_marker: str | None


async def audit_events_resolver(
    info: GraphQLInfo,
    filter: AuditEventFilter | None = None,
    limit: int | None = None,
    marker: str | None = None,
) -> AuditEventsResult:
    context = info.context
    given = filter or AuditEventFilter()
    page = await audit_events(
        context.services,
        context.call(info),
        AuditFilter(
            key_id=given.key_id,
            principal=given.principal,
            action=given.action,
            decision=given.decision,
            time_from=given.from_,
            time_to=given.to,
        ),
        limit,
        marker,
    )
    return AuditEventsResult(
        events=[AuditEvent.of(recorded) for recorded in page.items],
        truncated=page.truncated,
        next_marker=page.next_marker,
    )


@strawberry.type
class AuditQuery:
    audit_events: AuditEventsResult = strawberry.field(
        resolver=audit_events_resolver,
        description="The audit trail in the order it was written: the account root's only.",
    )
