"""Imported key material: the import key sizes AWS offers, the identity of imported material, and
the bookkeeping of a key's imported materials (AWS's multiple key materials of imported keys).

Material identity: imported material is re-wrapped under the domain key with AES key wrap, which
is deterministic, so the SHA-256 of the key's id and the wrapped blob identifies the material
without exposing it, and the same material imported into two keys has two ids, as at AWS. That
digest is the key material id; the key keeps it after the material is deleted or expires, and a
re-import must produce the same id (``IncorrectKeyMaterialException``).

Materials: a key is given its first material by an import; a symmetric key may then be given new
material (``NEW_KEY_MATERIAL``), which waits in PENDING_ROTATION until RotateKeyOnDemand makes it
current; the earlier current material stays, NON_CURRENT, so what it encrypted still decrypts
(the ciphertext names its material). Every material but the pending one is permanently the
key's: the key is usable only while all of them are imported, and PendingImport otherwise.
``settle`` derives the key's state, current material and expiry from its materials after every
change, so those rules live once.

The operations (GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial) are
``api.operations.imports``'s; the job that expires material is ``api.jobs.imports``'s.
"""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime
from typing import Any

import asyncpg

from api import messages
from api.keys.model import ExpirationModel, Key, KeyState
from db import imports as rows
from hsm import KeyKind, KeySpec, OfKeySpec, WrappedKey, WrappingAlgorithm


class ImportType(enum.Enum):
    NEW_KEY_MATERIAL = "NEW_KEY_MATERIAL"
    EXISTING_KEY_MATERIAL = "EXISTING_KEY_MATERIAL"


class KeyMaterialState(enum.Enum):
    """How the key uses a material: CURRENT encrypts and decrypts, NON_CURRENT only decrypts,
    PENDING_ROTATION waits for RotateKeyOnDemand."""

    NON_CURRENT = "NON_CURRENT"
    CURRENT = "CURRENT"
    PENDING_ROTATION = "PENDING_ROTATION"


class ImportState(enum.Enum):
    IMPORTED = "IMPORTED"
    PENDING_IMPORT = "PENDING_IMPORT"


class WrappingKeySpec(OfKeySpec):
    """The import public key's size, as AWS names it."""

    RSA_2048 = "RSA_2048"
    RSA_3072 = "RSA_3072"
    RSA_4096 = "RSA_4096"


def check_wrapping(
    spec: KeySpec, algorithm: WrappingAlgorithm, wrapping_key_spec: WrappingKeySpec
) -> None:
    """AWS's rules for wrapping material of ``spec`` (GetParametersForImport's WrappingAlgorithm
    in AWS's API reference): an RSA private key is longer than RSA-OAEP carries under any
    wrapping key, and an ECC_NIST_P521 one than it carries under RSA_2048, so both need an
    RSA_AES_KEY_WRAP algorithm there. Refused when the parameters are asked for, since no
    material could be imported with them (keygraph's wording)."""
    if algorithm.uses_aes_key_wrap:
        return
    if spec.kind is KeyKind.RSA:
        raise messages.WRAPPING_ALGORITHM_REQUIRED(spec=spec.value)
    if spec is KeySpec.ECC_NIST_P521 and wrapping_key_spec is WrappingKeySpec.RSA_2048:
        raise messages.WRAPPING_KEY_TOO_SHORT(spec=spec.value, algorithm=algorithm.value)


def material_fingerprint(key: Key, wrapped: WrappedKey) -> str:
    """The key material id of material imported into ``key`` (64 hexadecimal characters, AWS's
    form)."""
    return hashlib.sha256(key.uuid.bytes + wrapped.material).hexdigest()


def _fingerprints(key: Key, wrapped: WrappedKey) -> tuple[str, str]:
    """The ids the material may have in this key: keys imported into before migration 0010
    named their material by the digest of the wrapped blob alone."""
    return material_fingerprint(key, wrapped), hashlib.sha256(wrapped.material).hexdigest()


def check_import_members(
    key: Key,
    import_type: ImportType | None,
    material_id: str | None,
    description: str | None,
) -> None:
    """AWS's rules for the members of multiple materials: symmetric keys only, and no material
    id for new material (keygraph's wording)."""
    if key.spec is not KeySpec.SYMMETRIC_DEFAULT and (
        import_type is not None or material_id is not None or description is not None
    ):
        raise messages.IMPORT_TYPE_SYMMETRIC_ONLY()
    if import_type is ImportType.NEW_KEY_MATERIAL and material_id is not None:
        raise messages.MATERIAL_ID_WITH_NEW_MATERIAL()


def imported_row(
    key: Key,
    wrapped: WrappedKey,
    known: list[rows.ImportedMaterialRow],
    import_type: ImportType | None,
    requested_id: str | None,
) -> rows.ImportedMaterialRow:
    """The material row an import writes (before its description and expiry are set): the
    key's material it re-imports, or a new one.

    ImportType defaults to NEW_KEY_MATERIAL for a key never given material and to
    EXISTING_KEY_MATERIAL after (AWS's ImportKeyMaterial reference). New material becomes current
    when it is the key's first and waits for rotation otherwise; a key holds one material pending
    rotation at a time (delete it to import another in its place)."""
    ids = _fingerprints(key, wrapped)
    match = next((row for row in known if row.material_id in ids), None)
    chosen = import_type or (
        ImportType.NEW_KEY_MATERIAL if not known else ImportType.EXISTING_KEY_MATERIAL
    )
    if chosen is ImportType.EXISTING_KEY_MATERIAL:
        if match is None:
            raise messages.NOT_PREVIOUS_MATERIAL()
        if requested_id is not None and requested_id != match.material_id:
            raise messages.MATERIAL_DOES_NOT_MATCH(material_id=requested_id)
        return match
    if match is not None:
        raise messages.MATERIAL_ALREADY_IMPORTED(material_id=match.material_id)
    pending = _pending(known)
    if pending is not None:
        raise messages.MATERIAL_PENDING_ROTATION(arn=key.arn, material_id=pending.material_id)
    state = KeyMaterialState.PENDING_ROTATION if known else KeyMaterialState.CURRENT
    return rows.ImportedMaterialRow(
        key_id=key.uuid,
        material_id=ids[0],
        description=None,
        state=state.value,
        expiration_model=None,
        valid_to=None,
        rotated_at=None,
    )


def _pending(known: list[rows.ImportedMaterialRow]) -> rows.ImportedMaterialRow | None:
    pending = KeyMaterialState.PENDING_ROTATION.value
    return next((row for row in known if row.state == pending), None)


async def rotate_to_pending(conn: asyncpg.Connection, key: Key, now: datetime) -> str | None:
    """RotateKeyOnDemand of a key with imported material: the material pending rotation becomes
    current and the current one NON_CURRENT. Returns the new current material's id, or None
    when no material is pending rotation."""
    known = await rows.imported_materials(conn, key.uuid)
    pending = _pending(known)
    if pending is None:
        return None
    for row in known:
        if row.state == KeyMaterialState.CURRENT.value:
            await rows.save_imported(conn, _with(row, state=KeyMaterialState.NON_CURRENT.value))
    await rows.save_imported(
        conn, _with(pending, state=KeyMaterialState.CURRENT.value, rotated_at=now)
    )
    return pending.material_id


def _with(row: rows.ImportedMaterialRow, **changes: Any) -> rows.ImportedMaterialRow:
    return rows.ImportedMaterialRow(**{**row.__dict__, **changes})


async def delete_material(
    conn: asyncpg.Connection, key: Key, material_id: str | None
) -> str | None:
    """DeleteImportedKeyMaterial: the material named (the current one by default) is deleted;
    material pending rotation is not the key's for good, so the key forgets it altogether.
    Returns the id deleted (None for a key never given material)."""
    known = await rows.imported_materials(conn, key.uuid)
    wanted = material_id or key.current_material_id
    row = next((row for row in known if row.material_id == wanted), None)
    if row is None:
        if material_id is None:
            return None
        raise messages.NO_SUCH_MATERIAL(material_id=material_id, arn=key.arn)
    await rows.remove_material(conn, key.uuid, row.material_id)
    if row.state == KeyMaterialState.PENDING_ROTATION.value:
        await rows.forget_material(conn, key.uuid, row.material_id)
    return row.material_id


async def expire_materials(conn: asyncpg.Connection, key: Key, now: datetime) -> None:
    """Delete each of the key's materials whose ``validTo`` has passed, as DeleteImportedKey
    Material would."""
    for row in await rows.imported_materials(conn, key.uuid):
        if row.valid_to is not None and row.valid_to <= now:
            await delete_material(conn, key, row.material_id)


async def settle(conn: asyncpg.Connection, key: Key) -> dict[str, Any]:
    """The key's columns as its materials now make them: the current material; PendingImport
    while any material that is the key's for good is not imported (and Enabled again once all
    are, unless the key is pending deletion); the expiry DescribeKey shows, the earliest of
    those materials' (AWS's KeyMetadata.ValidTo)."""
    known = await rows.imported_materials(conn, key.uuid)
    lasting = [row for row in known if row.state != KeyMaterialState.PENDING_ROTATION.value]
    current = next(
        (row.material_id for row in known if row.state == KeyMaterialState.CURRENT.value),
        key.current_material_id,
    )
    imported = [row for row in lasting if row.imported]
    ends = [row.valid_to for row in imported if row.valid_to is not None]
    model: ExpirationModel | None = None
    if ends:
        model = ExpirationModel.KEY_MATERIAL_EXPIRES
    elif imported:
        model = ExpirationModel.KEY_MATERIAL_DOES_NOT_EXPIRE
    missing = not lasting or len(imported) < len(lasting)
    state = key.state
    if key.state is not KeyState.PENDING_DELETION:
        if missing:
            state = KeyState.PENDING_IMPORT
        elif key.state is KeyState.PENDING_IMPORT:
            state = KeyState.ENABLED
    target: dict[str, Any] = {
        "current_material_id": current,
        "expiration_model": model,
        "valid_to": min(ends) if ends else None,
        "state": state,
    }
    now: dict[str, Any] = {
        "current_material_id": key.current_material_id,
        "expiration_model": key.expiration_model,
        "valid_to": key.valid_to,
        "state": key.state,
    }
    return {column: value for column, value in target.items() if now[column] != value}
