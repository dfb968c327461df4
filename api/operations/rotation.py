"""EnableKeyRotation, DisableKeyRotation, RotateKeyOnDemand, GetKeyRotationStatus and
ListKeyRotations, over ``api.keys.rotation``.

GetKeyRotationStatus and ListKeyRotations are also what the graph's ``Key.rotationStatus`` and
``Key.rotations`` run for each key of a ``listKeys`` page; the domain loads them through the
call's batched loader, so a page costs one statement per field. Enabling and disabling answer
with the key's metadata where AWS's responses are empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Self

from api import limits
from api import members as aws
from api.calls import Call
from api.keys import rotation
from api.keys.rotation import RotationType
from api.operation import change, read
from api.operations.structures import KeyMetadata, KeyMetadataResponse
from api.services import Services
from api.shapes import member


@dataclass(frozen=True, kw_only=True)
class EnableKeyRotationRequest:
    key_id: str = aws.key_id()
    rotation_period_in_days: int | None = member(
        None, value=(limits.ROTATION_PERIOD_DAYS.low, limits.ROTATION_PERIOD_DAYS.high)
    )


@dataclass(frozen=True, kw_only=True)
class EnableKeyRotationResponse(KeyMetadataResponse):
    pass


@dataclass(frozen=True, kw_only=True)
class DisableKeyRotationRequest:
    key_id: str = aws.key_id()


@dataclass(frozen=True, kw_only=True)
class DisableKeyRotationResponse(KeyMetadataResponse):
    pass


@dataclass(frozen=True, kw_only=True)
class RotateKeyOnDemandRequest:
    key_id: str = aws.key_id()


@dataclass(frozen=True, kw_only=True)
class RotateKeyOnDemandResponse:
    key_id: str = member(doc="The key's ARN.")


@dataclass(frozen=True, kw_only=True)
class GetKeyRotationStatusRequest:
    key_id: str = aws.key_id()


@dataclass(frozen=True, kw_only=True)
class KeyRotationStatus:
    """Whether and when a key's material rotates automatically: GetKeyRotationStatus's answer,
    and the graph's ``Key.rotationStatus``."""

    key_rotation_enabled: bool
    key_id: str = member(doc="The key's ARN.")
    rotation_period_in_days: int | None
    next_rotation_date: datetime | None
    on_demand_rotation_start_date: datetime | None = member(
        doc="Start of an on-demand rotation still in progress; keygraph's complete within the "
        "call, so this is always null."
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


@dataclass(frozen=True, kw_only=True)
class GetKeyRotationStatusResponse(KeyRotationStatus):
    pass


@dataclass(frozen=True, kw_only=True)
class ListKeyRotationsRequest:
    key_id: str = aws.key_id()
    limit: int | None = aws.limit()
    marker: str | None = aws.marker()


@dataclass(frozen=True, kw_only=True)
class RotationsListEntry:
    """One completed rotation and the key material version it made."""

    key_id: str = member(doc="The key's ARN.")
    key_material_id: str
    rotation_date: datetime
    rotation_type: RotationType

    @classmethod
    def of(cls, done: rotation.Rotation) -> RotationsListEntry:
        return cls(
            key_id=done.key_arn,
            key_material_id=done.material_id,
            rotation_date=done.rotation_date,
            rotation_type=done.rotation_type,
        )


@dataclass(frozen=True, kw_only=True)
class ListKeyRotationsResponse:
    rotations: list[RotationsListEntry]
    next_marker: str | None
    truncated: bool


async def enable_key_rotation(
    services: Services, call: Call, request: EnableKeyRotationRequest
) -> EnableKeyRotationResponse:
    key = await rotation.enable_key_rotation(
        services, call, request.key_id, request.rotation_period_in_days
    )
    return EnableKeyRotationResponse(key_metadata=KeyMetadata.of(key))


async def disable_key_rotation(
    services: Services, call: Call, request: DisableKeyRotationRequest
) -> DisableKeyRotationResponse:
    key = await rotation.disable_key_rotation(services, call, request.key_id)
    return DisableKeyRotationResponse(key_metadata=KeyMetadata.of(key))


async def rotate_key_on_demand(
    services: Services, call: Call, request: RotateKeyOnDemandRequest
) -> RotateKeyOnDemandResponse:
    key = await rotation.rotate_key_on_demand(services, call, request.key_id)
    return RotateKeyOnDemandResponse(key_id=key.arn)


async def get_key_rotation_status(
    services: Services, call: Call, request: GetKeyRotationStatusRequest
) -> GetKeyRotationStatusResponse:
    status = await rotation.get_key_rotation_status(services, call, request.key_id)
    return GetKeyRotationStatusResponse.of(status)


async def list_key_rotations(
    services: Services, call: Call, request: ListKeyRotationsRequest
) -> ListKeyRotationsResponse:
    page = await rotation.list_key_rotations(
        services, call, request.key_id, request.limit, request.marker
    )
    return ListKeyRotationsResponse(
        rotations=[RotationsListEntry.of(done) for done in page.items],
        next_marker=page.next_marker,
        truncated=page.truncated,
    )


OPERATIONS = (
    change("EnableKeyRotation", enable_key_rotation),
    change("DisableKeyRotation", disable_key_rotation),
    change("RotateKeyOnDemand", rotate_key_on_demand),
    read("GetKeyRotationStatus", get_key_rotation_status),
    read("ListKeyRotations", list_key_rotations),
)
