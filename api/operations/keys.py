"""CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey, UpdateKeyDescription,
ScheduleKeyDeletion and CancelKeyDeletion.

CreateKey's request is ``api.keys.create``'s (AWS's members); the others are declared here. AWS
answers EnableKey, DisableKey and UpdateKeyDescription with nothing; keygraph answers with the
key's metadata after the change, as its GraphQL door always has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from api import limits
from api.calls import Call
from api.keys import create, deletion, lifecycle
from api.keys.create import CreateKeyRequest
from api.keys.model import KeyState
from api.members import grant_tokens, key_id, limit, marker
from api.operation import change, read
from api.operations.structures import KeyMetadata, KeyMetadataResponse
from api.services import Services
from api.shapes import member


@dataclass(frozen=True, kw_only=True)
class KeyRequest:
    """A request whose only member is the key; each operation's own request subclasses it."""

    key_id: str = key_id()


@dataclass(frozen=True, kw_only=True)
class KeyPageRequest(KeyRequest):
    """A page of one key's list (ListResourceTags, ListKeyPolicies)."""

    limit: int | None = limit()
    marker: str | None = marker()


class CreateKeyResponse(KeyMetadataResponse):
    pass


@dataclass(frozen=True, kw_only=True)
class DescribeKeyRequest(KeyRequest):
    # Validated as AWS's model says, then unused, as before: keygraph's grants take effect at
    # once, so DescribeKey has no token to wait for.
    grant_tokens: list[str] | None = grant_tokens()


class DescribeKeyResponse(KeyMetadataResponse):
    pass


@dataclass(frozen=True, kw_only=True)
class ListKeysRequest:
    limit: int | None = limit()
    marker: str | None = marker()


@dataclass(frozen=True, kw_only=True)
class KeyListEntry:
    """A key of ListKeys; the GraphQL door hangs the key's aliases, tags, policy... on it."""

    key_id: str
    key_arn: str


@dataclass(frozen=True, kw_only=True)
class ListKeysResponse:
    keys: list[KeyListEntry]
    next_marker: str | None
    truncated: bool


class EnableKeyRequest(KeyRequest):
    pass


class EnableKeyResponse(KeyMetadataResponse):
    pass


class DisableKeyRequest(KeyRequest):
    pass


class DisableKeyResponse(KeyMetadataResponse):
    pass


@dataclass(frozen=True, kw_only=True)
class UpdateKeyDescriptionRequest(KeyRequest):
    description: str = member(length=(0, limits.DESCRIPTION_MAX))


class UpdateKeyDescriptionResponse(KeyMetadataResponse):
    pass


@dataclass(frozen=True, kw_only=True)
class ScheduleKeyDeletionRequest(KeyRequest):
    # The model's range; the service then insists on 7 to 30 days (``api.keys.deletion``).
    pending_window_in_days: int | None = member(
        None, value=(limits.PENDING_WINDOW_MODEL.low, limits.PENDING_WINDOW_MODEL.high)
    )


@dataclass(frozen=True, kw_only=True)
class ScheduleKeyDeletionResponse:
    key_id: str = member(doc="The key's ARN.")
    deletion_date: datetime
    key_state: KeyState
    pending_window_in_days: int


class CancelKeyDeletionRequest(KeyRequest):
    pass


@dataclass(frozen=True, kw_only=True)
class CancelKeyDeletionResponse:
    key_id: str = member(doc="The key's ARN.")


async def create_key(
    services: Services, call: Call, request: CreateKeyRequest
) -> CreateKeyResponse:
    key = await create.create_key(services, call, request)
    return CreateKeyResponse(key_metadata=KeyMetadata.of(key))


async def describe_key(
    services: Services, call: Call, request: DescribeKeyRequest
) -> DescribeKeyResponse:
    key = await lifecycle.describe_key(services, call, request.key_id)
    return DescribeKeyResponse(key_metadata=KeyMetadata.of(key))


async def list_keys(services: Services, call: Call, request: ListKeysRequest) -> ListKeysResponse:
    page = await lifecycle.list_keys(services, call, request.limit, request.marker)
    return ListKeysResponse(
        keys=[KeyListEntry(key_id=key.key_id, key_arn=key.arn) for key in page.items],
        next_marker=page.next_marker,
        truncated=page.truncated,
    )


async def enable_key(
    services: Services, call: Call, request: EnableKeyRequest
) -> EnableKeyResponse:
    key = await lifecycle.enable_key(services, call, request.key_id)
    return EnableKeyResponse(key_metadata=KeyMetadata.of(key))


async def disable_key(
    services: Services, call: Call, request: DisableKeyRequest
) -> DisableKeyResponse:
    key = await lifecycle.disable_key(services, call, request.key_id)
    return DisableKeyResponse(key_metadata=KeyMetadata.of(key))


async def update_key_description(
    services: Services, call: Call, request: UpdateKeyDescriptionRequest
) -> UpdateKeyDescriptionResponse:
    key = await lifecycle.update_key_description(
        services, call, request.key_id, request.description
    )
    return UpdateKeyDescriptionResponse(key_metadata=KeyMetadata.of(key))


async def schedule_key_deletion(
    services: Services, call: Call, request: ScheduleKeyDeletionRequest
) -> ScheduleKeyDeletionResponse:
    scheduled = await deletion.schedule_key_deletion(
        services, call, request.key_id, request.pending_window_in_days
    )
    return ScheduleKeyDeletionResponse(
        key_id=scheduled.key.arn,
        deletion_date=scheduled.deletion_date,
        key_state=scheduled.key.state,
        pending_window_in_days=scheduled.pending_window_days,
    )


async def cancel_key_deletion(
    services: Services, call: Call, request: CancelKeyDeletionRequest
) -> CancelKeyDeletionResponse:
    key = await deletion.cancel_key_deletion(services, call, request.key_id)
    return CancelKeyDeletionResponse(key_id=key.arn)


OPERATIONS = (
    change("CreateKey", create_key),
    read("DescribeKey", describe_key),
    read("ListKeys", list_keys),
    change("EnableKey", enable_key),
    change("DisableKey", disable_key),
    change("UpdateKeyDescription", update_key_description),
    change("ScheduleKeyDeletion", schedule_key_deletion),
    change("CancelKeyDeletion", cancel_key_deletion),
)
