"""Every root field leaves its events in the audit trail once it has run.

The events come from the field's ``Call`` (its authorization decisions) and its outcome. Events of
management calls are written before the response leaves (``record_durably``); those of crypto
and read calls are buffered and written in batches, which is what keeps the audit trail off the
hot path (see ``api.audit.trail`` for what a crash can lose). A root field that failed before it
made a call (bad arguments) is audited with its action and no decision; each item of a batch field
is audited as the call it is.
"""

from __future__ import annotations

from collections.abc import Sequence

from graphql import OperationType

from api.audit import AuditBacklogFull, AuditEvent, events_for_call
from api.calls import Call
from api.throttling import Family, rate_classes_of
from schema.actions import field_action
from schema.context import Context
from schema.observe import FieldOutcome

_BUFFERED_FAMILIES = frozenset({Family.CRYPTOGRAPHIC, Family.DATA_KEY_PAIR})


def _buffered(action: str, operation: OperationType | None) -> bool:
    """Reads and cryptographic operations are buffered; changes are written before answering."""
    if operation is not OperationType.MUTATION:
        return True
    classes = rate_classes_of(action.removeprefix("kms:"))  # none for keygraph's own actions
    return any(rate_class.family in _BUFFERED_FAMILIES for rate_class in classes)


def _calls_of(context: Context, row: FieldOutcome) -> list[tuple[Call, str]]:
    """The field's calls with their outcomes: a batch field's items, or the field's one call (a
    field that failed before it made one gets a call that says who asked)."""
    items = context.items.get(row.key)
    if items:
        return items
    return [(context.calls.get(row.key) or context.new_call(), row.outcome)]


async def audit(
    context: Context, rows: Sequence[FieldOutcome], operation: OperationType | None
) -> None:
    """Hand each root field's events to the trail; wait for management calls' to be written."""
    durable: list[AuditEvent] = []
    buffered: list[AuditEvent] = []
    for row in rows:
        action = field_action(context.catalog, row.field)
        if action is None:
            continue
        target = buffered if _buffered(action, operation) else durable
        for call, outcome in _calls_of(context, row):
            target.extend(events_for_call(call, action, None, outcome))
    trail = context.services.audit
    if buffered:
        try:
            trail.record(buffered)
        except AuditBacklogFull:
            durable.extend(buffered)
    if durable:
        await trail.record_durably(durable)
