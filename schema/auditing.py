"""Every root field leaves its events in the audit trail once it has run.

The events come from the field's ``Call`` (its authorization decisions) and its outcome. Events of
management calls are written before the response leaves (``record_durably``); those of crypto
and read calls are buffered and written in batches, which is what keeps the audit trail off the
hot path (see ``api.audit.trail`` for what a crash can lose). A root field that failed before it
made a call (bad arguments) is audited with its action and no decision.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from api.audit import AuditBacklogFull, AuditEvent, events_for_call
from api.calls import Call
from api.keys.ids import Scope
from api.throttling import Family, rate_classes_of
from schema.actions import field_action
from schema.context import Context
from schema.observe import FieldOutcome, outcomes

_BUFFERED_FAMILIES = frozenset({Family.CRYPTOGRAPHIC, Family.DATA_KEY_PAIR})


def _buffered(action: str, operation: OperationType) -> bool:
    """Reads and cryptographic operations are buffered; changes are written before answering."""
    if operation is not OperationType.MUTATION:
        return True
    classes = rate_classes_of(action.removeprefix("kms:"))  # none for keygraph's own actions
    return any(rate_class.family in _BUFFERED_FAMILIES for rate_class in classes)


def _call_of(context: Context, row: FieldOutcome) -> Call:
    """The field's call; a field that failed before it made one gets a call that says who asked."""
    made = context.calls.get(row.key)
    if made is not None:
        return made
    settings = context.services.settings
    client = context.request.client
    return Call(
        principal=context.principal,
        scope=Scope(settings.account_id, settings.region),
        now=context.services.clock(),
        request_id=str(context.request.scope.get("state", {}).get("request_id", "")),
        source_ip=client.host if client else None,
    )


class AuditCalls(SchemaExtension):
    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        if not isinstance(context, Context):
            return
        durable: list[AuditEvent] = []
        buffered: list[AuditEvent] = []
        operation = self._operation_type()
        for row in outcomes(self.execution_context):
            action = field_action(context.catalog, row.field)
            if action is None:
                continue
            events = events_for_call(_call_of(context, row), action, None, row.outcome)
            (buffered if _buffered(action, operation) else durable).extend(events)
        trail = context.services.audit
        if buffered:
            try:
                trail.record(buffered)
            except AuditBacklogFull:
                durable.extend(buffered)
        if durable:
            await trail.record_durably(durable)

    def _operation_type(self) -> OperationType:
        try:
            return self.execution_context.operation_type
        except RuntimeError:  # the document did not parse
            return OperationType.QUERY
