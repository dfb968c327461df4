"""EnableKeyRotation, DisableKeyRotation, RotateKeyOnDemand, GetKeyRotationStatus and
ListKeyRotations, over the material versions and schedule of ``api.keys.rotation``.

GetKeyRotationStatus and ListKeyRotations are also what the graph's ``Key.rotationStatus`` and
``Key.rotations`` run for each key of a ``listKeys`` page; they load through the call's batched
loader, so a page costs one statement per field. Enabling and disabling answer with the key's
metadata where AWS's responses are empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Self

import asyncpg

from api import limits, messages
from api.authz.access import readable_key
from api.calls import Call
from api.keys import rotation
from api.keys.ids import absent
from api.keys.imports import ImportState, KeyMaterialState, rotate_to_pending, settle
from api.keys.model import ExpirationModel, Key, Origin
from api.keys.rotation import IncludeKeyMaterial, RotationType, add_material, require_symmetric
from api.operation import change, read
from api.operations.keys import changed_key
from api.operations.structures import (
    KeyArnResponse,
    KeyMetadataResponse,
    KeyPageRequest,
    KeyRequest,
)
from api.pages import invalid_marker, page_of, page_size
from api.services import Services
from api.shapes import member, project
from api.validation import member_range
from db import imports as import_rows
from db import rotations as rows


@dataclass(frozen=True, kw_only=True)
class EnableKeyRotationRequest(KeyRequest):
    rotation_period_in_days: int | None = member(
        None, value=(limits.ROTATION_PERIOD_DAYS.low, limits.ROTATION_PERIOD_DAYS.high)
    )


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
        return project(
            cls,
            status,
            key_rotation_enabled=status.enabled,
            key_id=status.key_arn,
            rotation_period_in_days=status.period_days,
        )


@dataclass(frozen=True, kw_only=True)
class ListKeyRotationsRequest(KeyPageRequest):
    include_key_material: IncludeKeyMaterial | None = member(
        None,
        doc="ROTATIONS_ONLY (the default) lists the materials rotations made current; "
        "ALL_KEY_MATERIAL adds the first material and any imported material pending rotation.",
    )


@dataclass(frozen=True, kw_only=True)
class RotationsListEntry:
    """One of the key's materials: the rotation that made it current (none for the first and
    for material pending rotation) and, for a key with imported material, its import."""

    key_id: str = member(doc="The key's ARN.")
    key_material_id: str
    key_material_description: str | None
    import_state: ImportState | None
    key_material_state: KeyMaterialState
    expiration_model: ExpirationModel | None
    valid_to: datetime | None
    rotation_date: datetime | None
    rotation_type: RotationType | None

    @classmethod
    def of(cls, entry: rotation.MaterialEntry) -> RotationsListEntry:
        return project(
            cls,
            entry,
            key_id=entry.key_arn,
            key_material_id=entry.material_id,
            key_material_description=entry.description,
            key_material_state=entry.material_state,
        )


@dataclass(frozen=True, kw_only=True)
class ListKeyRotationsResponse:
    rotations: list[RotationsListEntry]
    next_marker: str | None
    truncated: bool


async def enable_key_rotation(
    services: Services, call: Call, request: EnableKeyRotationRequest
) -> KeyMetadataResponse:
    requested = request.rotation_period_in_days
    days = limits.ROTATION_PERIOD_DEFAULT if requested is None else requested
    member_range("rotationPeriodInDays", days, limits.ROTATION_PERIOD_DAYS)

    async def change(conn: asyncpg.Connection, key: Key) -> dict[str, Any]:
        require_symmetric(key)
        if key.rotation_period_days is None or key.next_rotation_at is None:
            return {
                "rotation_period_days": days,
                "next_rotation_at": call.now + timedelta(days=days),
            }
        if key.rotation_period_days == days:
            return {}
        # A new period counts from the start of the current one, not from today.
        started = key.next_rotation_at - timedelta(days=key.rotation_period_days)
        return {"rotation_period_days": days, "next_rotation_at": started + timedelta(days=days)}

    facts = {"kms:RotationPeriodInDays": str(days)}
    return KeyMetadataResponse.of(
        await changed_key(services, call, request.key_id, "EnableKeyRotation", change, facts)
    )


async def disable_key_rotation(
    services: Services, call: Call, request: KeyRequest
) -> KeyMetadataResponse:
    async def change(conn: asyncpg.Connection, key: Key) -> dict[str, Any]:
        require_symmetric(key)
        if not key.rotation_enabled:
            return {}
        return {"rotation_period_days": None, "next_rotation_at": None}

    return KeyMetadataResponse.of(
        await changed_key(services, call, request.key_id, "DisableKeyRotation", change)
    )


async def rotate_key_on_demand(
    services: Services, call: Call, request: KeyRequest
) -> KeyArnResponse:
    """A new material version now; the automatic schedule, if any, is left as it was. A key
    with imported material rotates to the material imported for it beforehand (AWS's
    RotateKeyOnDemand reference: its state must be PENDING_ROTATION)."""

    async def change(conn: asyncpg.Connection, key: Key) -> dict[str, Any]:
        require_symmetric(key, worded=False)
        imported = key.origin is Origin.EXTERNAL
        done = await (
            import_rows.count_rotated(conn, key.uuid)
            if imported
            else rows.count_rotations(conn, key.uuid, RotationType.ON_DEMAND.value)
        )
        if done >= limits.ON_DEMAND_ROTATIONS_MAX:
            raise messages.ON_DEMAND_ROTATIONS_LIMIT(arn=key.arn)
        if not imported:
            return await add_material(conn, services.hsm, key, RotationType.ON_DEMAND, call.now)
        if await rotate_to_pending(conn, key, call.now) is None:
            # keygraph's wording: no AWS recording of this refusal was found.
            raise messages.NO_MATERIAL_PENDING_ROTATION(arn=key.arn)
        return await settle(conn, key)

    key = await changed_key(services, call, request.key_id, "RotateKeyOnDemand", change)
    return KeyArnResponse(key_id=key.arn)


async def get_key_rotation_status(
    services: Services, call: Call, request: KeyRequest
) -> KeyRotationStatus:
    """From the key cache and the call's batched loader, as ``list_key_rotations``."""
    key = await readable_key(services, call, request.key_id, "GetKeyRotationStatus")
    status = await call.loader(services.pool, rotation.rotation_status_for_keys).load(key.uuid)
    if status is None:  # deleted since it was read
        raise absent(call.scope, key.key_id)
    return KeyRotationStatus.of(status)


async def list_key_rotations(
    services: Services, call: Call, request: ListKeyRotationsRequest
) -> ListKeyRotationsResponse:
    """Completed rotations, oldest first, or all the key's materials (``includeKeyMaterial``);
    ``marker`` is the key material id last seen.

    The graph's ``Key.rotations`` (and ``Key.rotationStatus``) run these operations for every
    key of a ``listKeys`` page within the listing's call. So that the page's loads go out as one
    statement, the key comes from the key cache (where ``listKeys`` put it), as DescribeKey's
    does, and the rotations from the call's batched loader; the page applies to what was
    loaded. A read of the key's row here would make each key's load wait for its own, and so go
    out alone."""
    size = page_size(request.limit)
    key = await readable_key(services, call, request.key_id, "ListKeyRotations")
    include = request.include_key_material
    if include is not None and not rotation.rotates(key):
        # AWS's ListKeyRotations reference: IncludeKeyMaterial is for keys that rotate only.
        raise messages.NO_ROTATION_FOR_MATERIAL(arn=key.arn)
    found = await call.loader(services.pool, rotation.materials_for_keys).load(key.uuid) or []
    every = include is IncludeKeyMaterial.ALL_KEY_MATERIAL
    done = [entry for entry in found if every or entry.rotated]
    marker = request.marker
    if marker is not None:
        seen = [made.material_id for made in done]
        if marker not in seen:
            raise invalid_marker()
        done = done[seen.index(marker) + 1 :]
    page = page_of(done, size, lambda made: made.material_id)
    rotations = [RotationsListEntry.of(made) for made in page.items]
    return project(ListKeyRotationsResponse, page, rotations=rotations)


OPERATIONS = (
    change("EnableKeyRotation", enable_key_rotation),
    change("DisableKeyRotation", disable_key_rotation),
    change("RotateKeyOnDemand", rotate_key_on_demand),
    read("GetKeyRotationStatus", get_key_rotation_status),
    read("ListKeyRotations", list_key_rotations),
)
