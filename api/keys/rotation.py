"""Key rotation: the new key material version that every rotation adds, the rotation schedule,
and a key's materials and rotation status as the operations read them.

A rotation never replaces material: it adds a ``key_materials`` row made in the HSM and makes it
current, so data encrypted under any earlier version still decrypts (a ciphertext names its
material). RotateKeyOnDemand (``api.operations.rotation``) and the automatic rotation job
(``api.jobs``) share ``add_material``; the job also ``next_automatic_rotation``. A key with
imported material rotates on demand only, to material imported for it beforehand
(``api.keys.imports.rotate_to_pending``).
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from api import messages
from api.keys.batch import by_key
from api.keys.imports import ImportState, KeyMaterialState
from api.keys.model import ExpirationModel, Key, KeyState, Origin, key_arn, new_material_id
from api.keys.store import store_material, to_key
from db import keys as key_rows
from db import rotations as rows
from hsm import Hsm, KeySpec


class RotationType(enum.Enum):
    AUTOMATIC = "AUTOMATIC"
    ON_DEMAND = "ON_DEMAND"


class IncludeKeyMaterial(enum.Enum):
    """Which of a key's materials ListKeyRotations lists: those rotations made (the default), or
    also the first and the one pending rotation."""

    ALL_KEY_MATERIAL = "ALL_KEY_MATERIAL"
    ROTATIONS_ONLY = "ROTATIONS_ONLY"


@dataclass(frozen=True)
class MaterialEntry:
    """One of a key's materials: the rotation that made it current, if one did, and for a key
    with imported material its import (``import_state`` None for other keys)."""

    key_arn: str
    material_id: str
    material_state: KeyMaterialState
    rotation_date: datetime | None
    rotation_type: RotationType | None
    description: str | None
    import_state: ImportState | None
    expiration_model: ExpirationModel | None
    valid_to: datetime | None

    @property
    def rotated(self) -> bool:
        return self.rotation_date is not None


def rotates(key: Key) -> bool:
    """Whether the key has rotations at all: symmetric keys whose material keygraph generates or
    imports (AWS's "keys that support automatic or on-demand key rotation")."""
    return key.spec is KeySpec.SYMMETRIC_DEFAULT and key.origin in (Origin.AWS_KMS, Origin.EXTERNAL)


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


def require_symmetric(key: Key, *, worded: bool = True) -> None:
    """Only symmetric encryption keys rotate (the state table already refused other origins).
    RotateKeyOnDemand's refusal has an empty message at AWS (recorded against AWS), so its
    caller passes ``worded=False`` and the reason travels as the error's detail."""
    if key.spec is not KeySpec.SYMMETRIC_DEFAULT:
        if worded:
            raise messages.NOT_ROTATABLE()
        raise messages.ROTATE_ON_DEMAND_REFUSED(detail=messages.NOT_ROTATABLE.text)


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
    hsm: Hsm,
    key: Key,
    rotation_type: RotationType,
    now: datetime,
) -> dict[str, Any]:
    """Make a new material version in the HSM and store it; the caller's transaction commits
    it together with the returned column change that makes it current."""
    material = await hsm.generate_key(key.spec)
    material_id = new_material_id()
    await store_material(conn, key.uuid, material_id, material, now, rotation_type.value)
    return {"current_material_id": material_id}


async def rotation_status_for_keys(
    conn: asyncpg.Connection, key_ids: list[uuid.UUID]
) -> dict[uuid.UUID, RotationStatus]:
    """The rotation status of each existing key, in one statement: the batch behind
    ``Key.rotationStatus``."""
    return {row.id: rotation_status(to_key(row)) for row in await key_rows.find_keys(conn, key_ids)}


async def materials_for_keys(
    conn: asyncpg.Connection, key_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[MaterialEntry]]:
    """The materials of each key in ListKeyRotations' order, in one statement: the batch behind
    ``Key.rotations``."""
    return by_key(key_ids, await rows.materials_for_keys(conn, key_ids), _entry)


def _entry(row: rows.MaterialEntryRow) -> MaterialEntry:
    imported = (
        None
        if row.imported is None
        else (ImportState.IMPORTED if row.imported else ImportState.PENDING_IMPORT)
    )
    return MaterialEntry(
        key_arn=key_arn(row.region, row.account_id, str(row.key_id)),
        material_id=row.material_id,
        material_state=KeyMaterialState(row.material_state),
        rotation_date=row.rotation_date,
        rotation_type=None if row.rotation_type is None else RotationType(row.rotation_type),
        description=row.description,
        import_state=imported,
        expiration_model=(
            None if row.expiration_model is None else ExpirationModel(row.expiration_model)
        ),
        valid_to=row.valid_to,
    )
