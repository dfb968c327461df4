"""GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial and the job that expires
imported material.

The import key pair is made in the HSM; its private half is stored only wrapped under the domain
key, in the import token's row. The import token handed out is 32 random bytes; the row's id is
derived from their SHA-256, so the database alone cannot produce a token, and a token names one
row, one key, for 24 hours and one successful import.

Material identity: imported material is re-wrapped under the domain key with AES key wrap, which
is deterministic, so the SHA-256 of the wrapped blob identifies the material without exposing
it. That digest is the key material id; the key keeps it after its material is deleted or
expires, and a re-import must produce the same id (``IncorrectKeyMaterialException``).
"""

from __future__ import annotations

import enum
import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from api import limits
from api.calls import Call
from api.crypto.checks import sized
from api.errors import (
    ExpiredImportTokenException,
    IncorrectKeyMaterialException,
    InvalidCiphertextException,
    InvalidImportTokenException,
    ValidationException,
)
from api.jobs.runner import drain
from api.keys.model import ExpirationModel, Key, KeyState
from api.keys.store import apply_change, change_key, read_key
from api.services import Services
from db import imports as import_rows
from db import jobs as claims
from db import keys as rows
from hsm import InvalidKeyMaterial, KeySpec, WrappedKey, WrappingAlgorithm

_TOKEN_BYTES = 32


class WrappingKeySpec(enum.Enum):
    """The import public key's size, as AWS names it."""

    RSA_2048 = "RSA_2048"
    RSA_3072 = "RSA_3072"
    RSA_4096 = "RSA_4096"

    @property
    def key_spec(self) -> KeySpec:
        return KeySpec(self.value)


@dataclass(frozen=True)
class ImportParameters:
    key: Key
    import_token: bytes = field(repr=False)
    public_key: bytes
    valid_to: datetime


def _token_id(token: bytes) -> uuid.UUID:
    return uuid.UUID(bytes=hashlib.sha256(token).digest()[:16])


def material_fingerprint(wrapped: WrappedKey) -> str:
    """The key material id of imported material (64 hexadecimal characters, AWS's form)."""
    return hashlib.sha256(wrapped.material).hexdigest()


async def get_parameters_for_import(
    services: Services,
    call: Call,
    key_id: str,
    algorithm: WrappingAlgorithm,
    wrapping_key_spec: WrappingKeySpec,
) -> ImportParameters:
    async with services.pool.acquire() as conn:
        key = await read_key(
            services,
            conn,
            call,
            key_id,
            "GetParametersForImport",
            {
                "kms:WrappingAlgorithm": algorithm.value,
                "kms:WrappingKeySpec": wrapping_key_spec.value,
            },
        )
    import_key = await services.hsm.create_import_key(wrapping_key_spec.key_spec)
    assert import_key.public_key is not None  # an RSA key always has one
    token = secrets.token_bytes(_TOKEN_BYTES)
    valid_to = call.now + timedelta(hours=limits.IMPORT_TOKEN_HOURS)
    async with services.pool.acquire() as conn:
        await import_rows.insert_token(
            conn,
            import_rows.ImportTokenRow(
                id=_token_id(token),
                key_id=key.uuid,
                wrapping_algorithm=algorithm.value,
                wrapping_key_spec=wrapping_key_spec.value,
                wrapped_private_key=import_key.material,
                public_key=import_key.public_key,
                expires_at=valid_to,
                used_at=None,
            ),
        )
    return ImportParameters(key, token, import_key.public_key, valid_to)


def _expiry(
    call: Call, model: ExpirationModel | None, valid_to: datetime | None
) -> tuple[ExpirationModel, datetime | None]:
    """AWS's rules: KEY_MATERIAL_EXPIRES (the default) needs a future ``validTo`` at most 365
    days ahead; KEY_MATERIAL_DOES_NOT_EXPIRE takes none."""
    chosen = model or ExpirationModel.KEY_MATERIAL_EXPIRES
    if chosen is ExpirationModel.KEY_MATERIAL_DOES_NOT_EXPIRE:
        if valid_to is not None:
            raise ValidationException(
                "ValidTo must be omitted when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE."
            )
        return chosen, None
    if valid_to is None:
        raise ValidationException(
            "ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES."
        )
    aware = valid_to if valid_to.tzinfo is not None else valid_to.replace(tzinfo=UTC)
    latest = call.now + timedelta(days=limits.IMPORT_VALID_TO_MAX_DAYS)
    if not call.now < aware <= latest:
        raise ValidationException(
            f"ValidTo must be in the future and at most {limits.IMPORT_VALID_TO_MAX_DAYS} "
            "days from now."
        )
    return chosen, aware


_INVALID_TOKEN = "The import token is not valid for this KMS key."  # noqa: S105


async def import_key_material(
    services: Services,
    call: Call,
    key_id: str,
    import_token: bytes,
    encrypted_key_material: bytes,
    expiration_model: ExpirationModel | None = None,
    valid_to: datetime | None = None,
) -> Key:
    """Unwrap the material in the HSM with the token's import key and keep it wrapped under the
    domain key. The token is spent only when the import succeeds."""
    sized("encryptedKeyMaterial", encrypted_key_material, limits.ENCRYPTED_KEY_MATERIAL_BYTES)
    model, expires = _expiry(call, expiration_model, valid_to)
    token_id = _token_id(import_token) if len(import_token) == _TOKEN_BYTES else None

    async def change(key: Key) -> dict[str, Any]:
        token = await _usable_token(conn, call, key, token_id)
        import_key = WrappedKey(
            KeySpec(token.wrapping_key_spec), token.wrapped_private_key, token.public_key
        )
        try:
            wrapped = await services.hsm.import_key_material(
                import_key,
                encrypted_key_material,
                WrappingAlgorithm(token.wrapping_algorithm),
                key.spec,
            )
        except InvalidKeyMaterial:
            raise InvalidCiphertextException() from None
        material_id = material_fingerprint(wrapped)
        if key.current_material_id not in (None, material_id):
            raise IncorrectKeyMaterialException(
                "The key material in the request is not the key material that was previously "
                "imported into this KMS key."
            )
        await import_rows.use_token(conn, token.id, call.now)
        if await rows.find_material(conn, key.uuid, material_id) is None:
            await rows.insert_material(
                conn,
                rows.MaterialRow(
                    key_id=key.uuid,
                    material_id=material_id,
                    wrapped=wrapped.material,
                    public_key=None,
                    created_at=call.now,
                    rotation_type="IMPORTED",
                ),
            )
        changes: dict[str, Any] = {
            "current_material_id": material_id,
            "expiration_model": model,
            "valid_to": expires,
        }
        if key.state is KeyState.PENDING_IMPORT:
            changes["state"] = KeyState.ENABLED
        return changes

    async with services.pool.acquire() as conn:
        facts = {"kms:ExpirationModel": model.value}
        if expires is not None:
            facts["kms:ValidTo"] = str(int(expires.timestamp()))
        return await change_key(services, conn, call, key_id, "ImportKeyMaterial", change, facts)


async def _usable_token(
    conn: asyncpg.Connection, call: Call, key: Key, token_id: uuid.UUID | None
) -> import_rows.ImportTokenRow:
    token = (
        None if token_id is None else await import_rows.find_token(conn, token_id, for_update=True)
    )
    if token is None or token.key_id != key.uuid or token.used_at is not None:
        raise InvalidImportTokenException(_INVALID_TOKEN)
    if token.expires_at <= call.now:
        raise ExpiredImportTokenException(
            "The import token has expired. Use GetParametersForImport to get a new one."
        )
    return token


def _material_gone(key: Key) -> dict[str, Any]:
    """The key after its imported material is deleted or expired: no expiry, and PendingImport
    unless it is pending deletion (which it stays). The material id stays: a re-import must
    bring the same material."""
    keeps_state = key.state in (KeyState.PENDING_DELETION, KeyState.PENDING_IMPORT)
    target: dict[str, Any] = {
        "expiration_model": None,
        "valid_to": None,
        "state": key.state if keeps_state else KeyState.PENDING_IMPORT,
    }
    current: dict[str, Any] = {
        "expiration_model": key.expiration_model,
        "valid_to": key.valid_to,
        "state": key.state,
    }
    return {column: value for column, value in target.items() if current[column] != value}


async def delete_imported_key_material(services: Services, call: Call, key_id: str) -> Key:
    async def change(key: Key) -> dict[str, Any]:
        await import_rows.delete_materials(conn, key.uuid)
        return _material_gone(key)

    async with services.pool.acquire() as conn:
        return await change_key(services, conn, call, key_id, "DeleteImportedKeyMaterial", change)


@dataclass
class ImportExpiryJob:
    """Deletes imported material whose ``validTo`` has passed; the key becomes PendingImport.

    Replicas run it at once: keys are claimed one by one ``FOR UPDATE SKIP LOCKED`` (``drain``),
    so each is handled once. Import tokens expired for a day go too (until then a late caller is
    told "expired" rather than "invalid").
    """

    limit: int = limits.JOB_ITEMS_PER_RUN
    name: str = "import-expiry"

    async def run_once(self, services: Services, now: datetime) -> int:
        async def handle(conn: asyncpg.Connection, key: Key, at: datetime) -> None:
            await import_rows.delete_materials(conn, key.uuid)
            await apply_change(conn, key, "KeyMaterialExpired", _material_gone(key))

        handled = await drain(
            services, self.name, now, claims.claim_expired_import, handle, self.limit
        )
        async with services.pool.acquire() as conn:
            await import_rows.purge_tokens(
                conn, now - timedelta(hours=limits.IMPORT_TOKEN_RETENTION_HOURS)
            )
        return handled
