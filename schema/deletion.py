"""scheduleKeyDeletion and cancelKeyDeletion over GraphQL, with AWS's response members."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.keys import deletion
from api.keys.model import KeyState
from schema.keys import GraphQLInfo, KeyIdInput


@strawberry.input
class ScheduleKeyDeletionInput:
    key_id: str
    pending_window_in_days: int | None = None


@strawberry.type
class ScheduleKeyDeletionResult:
    key_id: str = strawberry.field(description="The key's ARN.")
    deletion_date: datetime
    key_state: KeyState  # the GraphQL enum of schema.enums (strawberry.enum wraps in place)
    pending_window_in_days: int


@strawberry.input
class CancelKeyDeletionInput(KeyIdInput):
    pass


@strawberry.type
class CancelKeyDeletionResult:
    key_id: str = strawberry.field(description="The key's ARN.")


async def schedule_key_deletion_resolver(
    info: GraphQLInfo, input: ScheduleKeyDeletionInput
) -> ScheduleKeyDeletionResult:
    context = info.context
    scheduled = await deletion.schedule_key_deletion(
        context.services, context.call(info), input.key_id, input.pending_window_in_days
    )
    return ScheduleKeyDeletionResult(
        key_id=scheduled.key.arn,
        deletion_date=scheduled.deletion_date,
        key_state=scheduled.key.state,
        pending_window_in_days=scheduled.pending_window_days,
    )


async def cancel_key_deletion_resolver(
    info: GraphQLInfo, input: CancelKeyDeletionInput
) -> CancelKeyDeletionResult:
    context = info.context
    key = await deletion.cancel_key_deletion(context.services, context.call(info), input.key_id)
    return CancelKeyDeletionResult(key_id=key.arn)


@strawberry.type
class DeletionQuery:
    pass


@strawberry.type
class DeletionMutation:
    schedule_key_deletion: ScheduleKeyDeletionResult = strawberry.field(
        resolver=schedule_key_deletion_resolver
    )
    cancel_key_deletion: CancelKeyDeletionResult = strawberry.field(
        resolver=cancel_key_deletion_resolver
    )
