"""Key rotation over GraphQL: enable/disable automatic rotation, its status, on-demand rotation
and the list of completed rotations. ``KeyRotationStatus`` and ``RotationsListEntry`` are also
what ``Key.rotationStatus`` and ``Key.rotations`` return."""

from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry

from api.keys import rotation
from schema.keys import GraphQLInfo, KeyChangeResult, KeyIdInput, KeyMetadata

# strawberry.enum registers the api enum in place, so fields annotate with the api class itself.
strawberry.enum(rotation.RotationType, name="RotationType", graphql_name_from="value")


@strawberry.type(description="Whether and when a key's material rotates automatically.")
class KeyRotationStatus:
    key_rotation_enabled: bool
    key_id: str = strawberry.field(description="The key's ARN.")
    rotation_period_in_days: int | None
    next_rotation_date: datetime | None
    on_demand_rotation_start_date: datetime | None = strawberry.field(
        description="Start of an on-demand rotation still in progress; keygraph's complete "
        "within the call, so this is always null."
    )

    @classmethod
    def of(cls, status: rotation.RotationStatus) -> Self:
        return cls(
            key_rotation_enabled=status.enabled,
            key_id=status.key_arn,
            rotation_period_in_days=status.period_days,
            next_rotation_date=status.next_rotation_date,
            on_demand_rotation_start_date=status.on_demand_rotation_start_date,
        )


@strawberry.type(description="One completed rotation and the key material version it made.")
class RotationsListEntry:
    key_id: str = strawberry.field(description="The key's ARN.")
    key_material_id: str
    rotation_date: datetime
    rotation_type: rotation.RotationType

    @classmethod
    def of(cls, done: rotation.Rotation) -> Self:
        return cls(
            key_id=done.key_arn,
            key_material_id=done.material_id,
            rotation_date=done.rotation_date,
            rotation_type=done.rotation_type,
        )


@strawberry.input
class EnableKeyRotationInput:
    key_id: str
    rotation_period_in_days: int | None = None


@strawberry.type
class EnableKeyRotationResult(KeyChangeResult):
    pass


@strawberry.input
class DisableKeyRotationInput(KeyIdInput):
    pass


@strawberry.type
class DisableKeyRotationResult(KeyChangeResult):
    pass


@strawberry.input
class GetKeyRotationStatusInput(KeyIdInput):
    pass


@strawberry.type
class GetKeyRotationStatusResult(KeyRotationStatus):
    pass


@strawberry.input
class RotateKeyOnDemandInput(KeyIdInput):
    pass


@strawberry.type
class RotateKeyOnDemandResult:
    key_id: str = strawberry.field(description="The key's ARN.")


@strawberry.input
class ListKeyRotationsInput:
    key_id: str
    limit: int | None = None
    marker: str | None = None


@strawberry.type
class ListKeyRotationsResult:
    rotations: list[RotationsListEntry]
    next_marker: str | None
    truncated: bool


async def enable_key_rotation_resolver(
    info: GraphQLInfo, input: EnableKeyRotationInput
) -> EnableKeyRotationResult:
    context = info.context
    key = await rotation.enable_key_rotation(
        context.services, context.call(info), input.key_id, input.rotation_period_in_days
    )
    return EnableKeyRotationResult(key_metadata=KeyMetadata.of(key))


async def disable_key_rotation_resolver(
    info: GraphQLInfo, input: DisableKeyRotationInput
) -> DisableKeyRotationResult:
    context = info.context
    key = await rotation.disable_key_rotation(context.services, context.call(info), input.key_id)
    return DisableKeyRotationResult(key_metadata=KeyMetadata.of(key))


async def get_key_rotation_status_resolver(
    info: GraphQLInfo, input: GetKeyRotationStatusInput
) -> GetKeyRotationStatusResult:
    context = info.context
    status = await rotation.get_key_rotation_status(
        context.services, context.call(info), input.key_id
    )
    return GetKeyRotationStatusResult.of(status)


async def rotate_key_on_demand_resolver(
    info: GraphQLInfo, input: RotateKeyOnDemandInput
) -> RotateKeyOnDemandResult:
    context = info.context
    key = await rotation.rotate_key_on_demand(context.services, context.call(info), input.key_id)
    return RotateKeyOnDemandResult(key_id=key.arn)


async def list_key_rotations_resolver(
    info: GraphQLInfo, input: ListKeyRotationsInput
) -> ListKeyRotationsResult:
    context = info.context
    page = await rotation.list_key_rotations(
        context.services, context.call(info), input.key_id, input.limit, input.marker
    )
    return ListKeyRotationsResult(
        rotations=[RotationsListEntry.of(done) for done in page.items],
        next_marker=page.next_marker,
        truncated=page.truncated,
    )


@strawberry.type
class RotationQuery:
    get_key_rotation_status: GetKeyRotationStatusResult = strawberry.field(
        resolver=get_key_rotation_status_resolver
    )
    list_key_rotations: ListKeyRotationsResult = strawberry.field(
        resolver=list_key_rotations_resolver
    )


@strawberry.type
class RotationMutation:
    enable_key_rotation: EnableKeyRotationResult = strawberry.field(
        resolver=enable_key_rotation_resolver
    )
    disable_key_rotation: DisableKeyRotationResult = strawberry.field(
        resolver=disable_key_rotation_resolver
    )
    rotate_key_on_demand: RotateKeyOnDemandResult = strawberry.field(
        resolver=rotate_key_on_demand_resolver
    )
