"""The Subscription type: ``auditEvents(filter:)``, each new event of the trail as it is appended.

Subscribing is the ``auditEvents`` query run once through the pipeline (``api.invoke.run``) for
the newest matching event: so the same reader rule holds (an account's root, its account's
events), the filter is validated as the query validates it, and the subscription is audited as
``keygraph:ListAuditEvents``. From there the stream follows the trail (``api.audit.feed``):
every matching event appended after that one, in any replica, in the order of the chain. It
ends when the client completes it or the WebSocket closes (``schema.subscriptions``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import GraphQLArgument, GraphQLField, GraphQLNonNull, GraphQLResolveInfo

from api.invoke import run
from api.operations import BY_NAME
from api.operations.audit import (
    AuditEvent,
    AuditEventFilter,
    AuditEventsPage,
    AuditEventsRequest,
    AuditOrder,
    appended_events,
)
from schema.context import Context
from schema.types import TypeBuilder

_LIST = BY_NAME["AuditEvents"]


async def _subscribe(
    _root: object, info: GraphQLResolveInfo[Context], filter: AuditEventFilter | None = None
) -> AsyncIterator[AuditEvent]:
    context = info.context
    feed = context.feed
    assert feed is not None, "subscriptions run over the WebSocket only"
    call = context.call(info)
    newest_first = AuditEventsRequest(filter=filter, limit=1, order=AuditOrder.NEWEST_FIRST)
    newest: AuditEventsPage = await run(context.services, call, _LIST, newest_first)
    after = int(newest.events[0].seq) if newest.events else 0
    return appended_events(context.services, feed, call, filter, after)


def _event(
    event: AuditEvent, _info: GraphQLResolveInfo[Context], **_arguments: object
) -> AuditEvent:
    """The event the stream gave (the field's arguments served the subscription)."""
    return event


def subscription_fields(types: TypeBuilder) -> dict[str, GraphQLField]:
    """The Subscription type's fields."""
    return {
        "auditEvents": GraphQLField(
            GraphQLNonNull(types.object(AuditEvent)),
            {
                "filter": GraphQLArgument(
                    types.input_object(AuditEventFilter), default_value=None, out_name="filter"
                )
            },
            subscribe=_subscribe,
            resolve=_event,
            description="Each new event of the audit trail that matches the filter, as it is "
            "appended (in any replica): the account root's only, as auditEvents.",
        )
    }
