"""Keys loaded from and saved to Postgres, their material versions stored, and the one way a
change is written.

``apply_change`` writes a change to a key whose row the transaction has locked, with a version
bump, and records the event in the key's history. Operations reach it through
``api.authz.access.change_key``, which locks, authorizes and consults the state table first;
the jobs, which claim their keys locked already, call it directly.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

import asyncpg

from api.calls import Call
from api.keys.ids import absent, resolve_key_id
from api.keys.model import ExpirationModel, Key, KeyState, KeyUsage, Origin
from api.keystores.model import ConnectionState
from db import keys as rows
from hsm import KeySpec, WrappedKey


def to_key(row: rows.KeyRow) -> Key:
    return Key(
        key_id=str(row.id),
        account_id=row.account_id,
        region=row.region,
        description=row.description,
        spec=KeySpec(row.key_spec),
        usage=KeyUsage(row.key_usage),
        origin=Origin(row.origin),
        state=_visible_state(row),
        created_at=row.created_at,
        current_material_id=row.current_material_id,
        deletion_date=row.deletion_date,
        pending_window_days=row.pending_window_days,
        custom_key_store_id=row.custom_key_store_id,
        expiration_model=ExpirationModel(row.expiration_model) if row.expiration_model else None,
        valid_to=row.valid_to,
        rotation_period_days=row.rotation_period_days,
        next_rotation_at=row.next_rotation_at,
        version=row.version,
    )


def _visible_state(row: rows.KeyRow) -> KeyState:
    """A key of a custom key store that is not connected reads as Unavailable (unless it is
    pending deletion, as in AWS); its stored state stays and shows again on reconnection."""
    stored = KeyState(row.state)
    in_unusable_store = (
        row.custom_key_store_id is not None and row.store_state != ConnectionState.CONNECTED.value
    )
    if in_unusable_store and stored is not KeyState.PENDING_DELETION:
        return KeyState.UNAVAILABLE
    return stored


async def store_material(
    conn: asyncpg.Connection,
    key_id: uuid.UUID,
    material_id: str,
    material: WrappedKey,
    created_at: datetime,
    rotation_type: str | None,
) -> None:
    """Store a version of a key's material as the HSM wrapped it (and its public key, for an
    asymmetric key): a new key's, a rotation's (``rotation_type``) or an import's."""
    await rows.insert_material(
        conn,
        rows.MaterialRow(
            key_id=key_id,
            material_id=material_id,
            wrapped=material.material,
            public_key=material.public_key,
            created_at=created_at,
            rotation_type=rotation_type,
        ),
    )


async def load_key(
    conn: asyncpg.Connection, call: Call, key_id: str, *, for_update: bool = False
) -> Key:
    """The key ``key_id`` names (any accepted form), optionally locked for this transaction."""
    resolved = await resolve_key_id(conn, call, key_id)
    row = await rows.find_key(conn, resolved, for_update=for_update)
    if row is None:  # deleted between resolution and load
        raise absent(call.scope, str(resolved))
    return to_key(row)


async def apply_change(
    conn: asyncpg.Connection, key: Key, action: str, changes: dict[str, Any]
) -> Key:
    """Write ``changes`` to a key this transaction has locked and record the event; for
    ``change_key`` and for the jobs, which find their keys locked already."""
    if not changes:
        return key
    updated = to_key(await rows.update_key(conn, key.uuid, _columns(changes)))
    if updated.state is not key.state or action not in _QUIET:
        await rows.record_event(conn, key.uuid, action, key.state.value, updated.state.value)
    return updated


# Actions whose changes are not part of the state history unless the state changes.
_QUIET = frozenset({"UpdateKeyDescription", "PutKeyPolicy"})


def _columns(changes: dict[str, Any]) -> dict[str, Any]:
    """Enum values become their AWS spelling, as stored."""
    return {
        column: value.value if isinstance(value, enum.Enum) else value
        for column, value in changes.items()
    }
