"""Key rotation: EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand,
ListKeyRotations, and the new key material version that every rotation adds.

A rotation never replaces material: it adds a ``key_materials`` row made in the HSM and makes it
current, so data encrypted under any earlier version still decrypts. Automatic rotation is the
background job's (``api.jobs``); it shares ``add_material`` and ``next_automatic_rotation`` with
the operations here.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg

import hsm
from api import limits
from api.calls import Call
from api.crypto.keyring import readable_key
from api.errors import LimitExceededException, UnsupportedOperationException
from api.keys.batch import by_key
from api.keys.create import new_material_id
from api.keys.ids import absent
from api.keys.model import Key, KeyState, key_arn
from api.keys.store import change_key, to_key
from api.keys.validation import member_range
from api.pages import Page, invalid_marker, page_of, page_size
from api.services import Services
from db import keys as key_rows
from db import rotations as rows


class RotationType(enum.Enum):
    AUTOMATIC = "AUTOMATIC"
    ON_DEMAND = "ON_DEMAND"


_TYPES = [rotation_type.value for rotation_type in RotationType]


@dataclass(frozen=True)
class Rotation:
    """One completed rotation: the key material version it made, and when and why."""

    key_arn: str
    material_id: str
    rotation_date: datetime
    rotation_type: RotationType


@dataclass(frozen=True)
class RotationStatus:
    """GetKeyRotationStatus of one key.

    ``on_demand_rotation_start_date`` names an on-demand rotation still in progress; keygraph's
    complete inside the call that asks for them, so there never is one to report.
    """

    key_arn: str
    enabled: bool
    period_days: int | None
    next_rotation_date: datetime | None
    on_demand_rotation_start_date: datetime | None = None


def rotation_status(key: Key) -> RotationStatus:
    """While a key is pending deletion AWS reports rotation off and does not rotate it; the
    settings are kept, so cancelling the deletion brings them back."""
    active = key.rotation_enabled and key.state is not KeyState.PENDING_DELETION
    return RotationStatus(
        key_arn=key.arn,
        enabled=active,
        period_days=key.rotation_period_days if active else None,
        next_rotation_date=key.next_rotation_at if active else None,
    )


def require_symmetric(key: Key) -> None:
    """Only symmetric encryption keys rotate (the state table already refused other origins)."""
    if key.spec is not hsm.KeySpec.SYMMETRIC_DEFAULT:
        raise UnsupportedOperationException(
            "You cannot perform this operation on a non-symmetric key or a key with "
            "non-ENCRYPT_DECRYPT key usage."
        )


def next_automatic_rotation(key: Key, now: datetime) -> datetime:
    """One period after the rotation that was due; a key that missed several periods (it was
    disabled) rotates once and starts a new period now, rather than catching up one by one."""
    if key.rotation_period_days is None or key.next_rotation_at is None:
        raise ValueError(f"rotation is not enabled for {key.arn}")
    period = timedelta(days=key.rotation_period_days)
    following = key.next_rotation_at + period
    return following if following > now else now + period


async def add_material(
    conn: asyncpg.Connection,
    services: Services,
    key: Key,
    rotation_type: RotationType,
    now: datetime,
) -> dict[str, Any]:
    """Make a new material version in the HSM and store it; the caller's transaction commits
    it together with the returned column change that makes it current."""
    material = await services.hsm.generate_key(key.spec)
    material_id = new_material_id()
    await key_rows.insert_material(
        conn,
        key_rows.MaterialRow(
            key_id=key.uuid,
            material_id=material_id,
            wrapped=material.material,
            public_key=material.public_key,
            created_at=now,
            rotation_type=rotation_type.value,
        ),
    )
    return {"current_material_id": material_id}


async def enable_key_rotation(
    services: Services, call: Call, key_id: str, rotation_period_days: int | None = None
) -> Key:
    days = limits.ROTATION_PERIOD_DEFAULT if rotation_period_days is None else rotation_period_days
    member_range("rotationPeriodInDays", days, limits.ROTATION_PERIOD_DAYS)

    async def change(key: Key) -> dict[str, Any]:
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

    async with services.pool.acquire() as conn:
        return await change_key(
            services,
            conn,
            call,
            key_id,
            "EnableKeyRotation",
            change,
            {"kms:RotationPeriodInDays": str(days)},
        )


async def disable_key_rotation(services: Services, call: Call, key_id: str) -> Key:
    async def change(key: Key) -> dict[str, Any]:
        require_symmetric(key)
        if not key.rotation_enabled:
            return {}
        return {"rotation_period_days": None, "next_rotation_at": None}

    async with services.pool.acquire() as conn:
        return await change_key(services, conn, call, key_id, "DisableKeyRotation", change)


async def get_key_rotation_status(services: Services, call: Call, key_id: str) -> RotationStatus:
    """From the key cache and the call's batched loader, as ``list_key_rotations``."""
    key = await readable_key(services, call, key_id, "GetKeyRotationStatus")
    status = await call.loader(services.pool, rotation_status_for_keys).load(key.uuid)
    if status is None:  # deleted since it was read
        raise absent(call.scope, key.key_id)
    return status


async def rotate_key_on_demand(services: Services, call: Call, key_id: str) -> Key:
    """A new material version now; the automatic schedule, if any, is left as it was."""
    async with services.pool.acquire() as conn:

        async def change(key: Key) -> dict[str, Any]:
            require_symmetric(key)
            done = await rows.count_rotations(conn, key.uuid, RotationType.ON_DEMAND.value)
            if done >= limits.ON_DEMAND_ROTATIONS_MAX:
                raise LimitExceededException(
                    "The on-demand rotations limit has been reached for the given keyId. "
                    f"No more on-demand rotations can be performed for this key: {key.arn}"
                )
            return await add_material(conn, services, key, RotationType.ON_DEMAND, call.now)

        return await change_key(services, conn, call, key_id, "RotateKeyOnDemand", change)


async def list_key_rotations(
    services: Services,
    call: Call,
    key_id: str,
    limit: int | None = None,
    marker: str | None = None,
) -> Page[Rotation]:
    """Completed rotations, oldest first; ``marker`` is the key material id last seen.

    The graph's ``Key.rotations`` (and ``Key.rotationStatus``) run these operations for every
    key of a ``listKeys`` page within the listing's call. So that the page's loads go out as one
    statement, the key comes from the key cache (where ``listKeys`` put it), as DescribeKey's
    does, and the rotations from the call's batched loader; the page applies to what was
    loaded. A read of the key's row here would make each key's load wait for its own, and so go
    out alone."""
    size = page_size(limit)
    key = await readable_key(services, call, key_id, "ListKeyRotations")
    done = await call.loader(services.pool, rotations_for_keys).load(key.uuid) or []
    if marker is not None:
        seen = [rotation.material_id for rotation in done]
        if marker not in seen:
            raise invalid_marker()
        done = done[seen.index(marker) + 1 :]
    return page_of(done, size, lambda rotation: rotation.material_id)


async def rotation_status_for_keys(
    conn: asyncpg.Connection, key_ids: list[uuid.UUID]
) -> dict[uuid.UUID, RotationStatus]:
    """The rotation status of each existing key, in one statement: the batch behind
    ``Key.rotationStatus``."""
    return {row.id: rotation_status(to_key(row)) for row in await key_rows.find_keys(conn, key_ids)}


async def rotations_for_keys(
    conn: asyncpg.Connection, key_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Rotation]]:
    """The completed rotations of each key, oldest first, in one statement: the batch behind
    ``Key.rotations``."""
    return by_key(key_ids, await rows.rotations_for_keys(conn, key_ids, _TYPES), _rotation)


def _rotation(row: rows.RotationRow) -> Rotation:
    return Rotation(
        key_arn=key_arn(row.region, row.account_id, str(row.key_id)),
        material_id=row.material_id,
        rotation_date=row.created_at,
        rotation_type=RotationType(row.rotation_type),
    )
