"""GetParametersForImport, ImportKeyMaterial and DeleteImportedKeyMaterial.

The import key pair is made in the HSM; its private half is stored only wrapped under the domain
key, in the import token's row. The import token handed out is 32 random bytes; the row's id is
derived from their SHA-256, so the database alone cannot produce a token, and a token names one
row, one key, for 24 hours and one successful import. Imported material is identified as
``api.keys.imports`` says; the job that expires it is ``api.jobs.imports``'s.

The import token is a bearer secret (its hash names the token's row), so it is sensitive here
although AWS's model does not mark it; the import public key is not, although AWS's model (its
PlaintextType) does. Importing and deleting material answer with the key's metadata besides
AWS's members.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Self

import asyncpg

from api import limits, messages
from api.authz.access import read_key
from api.calls import Call
from api.crypto.checks import sized
from api.errors import (
    InvalidCiphertextException,
)
from api.keys import imports as materials
from api.keys.imports import ImportType, WrappingKeySpec, check_wrapping
from api.keys.model import ExpirationModel, Key
from api.keys.store import store_material
from api.operation import change, read
from api.operations.keys import changed_key
from api.operations.structures import KeyMetadata, KeyMetadataResponse, KeyRequest
from api.services import Services
from api.shapes import member
from db import imports as import_rows
from db import keys as rows
from hsm import InvalidKeyMaterial, KeyMaterialMismatch, KeySpec, WrappedKey, WrappingAlgorithm

_TOKEN_BYTES = 32


def _ciphertext(*, sensitive: bool = False) -> Any:
    """AWS's CiphertextType (1 to 6144 bytes): the import token and the wrapped material."""
    allowed = limits.ENCRYPTED_KEY_MATERIAL_BYTES
    return member(length=(allowed.low, allowed.high), sensitive=sensitive)


@dataclass(frozen=True, kw_only=True)
class GetParametersForImportRequest(KeyRequest):
    wrapping_algorithm: WrappingAlgorithm
    wrapping_key_spec: WrappingKeySpec


@dataclass(frozen=True, kw_only=True)
class GetParametersForImportResponse:
    key_id: str = member(doc="The key ARN.")
    import_token: bytes = member(sensitive=True)
    public_key: bytes = member(doc="DER SubjectPublicKeyInfo.")
    parameters_valid_to: datetime


def _material_id(doc: str | None = None) -> Any:
    """AWS's BackingKeyIdType: a key material id, 64 lowercase hexadecimal characters."""
    return member(None, length=(64, 64), pattern="^[a-f0-9]+$", doc=doc)


@dataclass(frozen=True, kw_only=True)
class ImportKeyMaterialRequest(KeyRequest):
    import_token: bytes = _ciphertext(sensitive=True)
    encrypted_key_material: bytes = _ciphertext()
    valid_to: datetime | None = None
    expiration_model: ExpirationModel | None = None
    import_type: ImportType | None = member(
        None,
        doc="Symmetric keys only. Defaults to NEW_KEY_MATERIAL for a key never given material, "
        "EXISTING_KEY_MATERIAL after.",
    )
    key_material_description: str | None = member(
        None, length=(0, 256), pattern="^[a-zA-Z0-9:/_\\s.-]+$"
    )
    key_material_id: str | None = _material_id()


@dataclass(frozen=True, kw_only=True)
class DeleteImportedKeyMaterialRequest(KeyRequest):
    key_material_id: str | None = _material_id(
        "The material to delete; the key's current material when omitted."
    )


@dataclass(frozen=True, kw_only=True)
class ImportKeyMaterialResponse(KeyMetadataResponse):
    key_id: str
    key_material_id: str | None = member(doc="The material imported or deleted.")

    @classmethod
    def after(cls, key: Key, material_id: str | None) -> Self:
        """The key after the change, and the material imported or deleted."""
        return cls(key_metadata=KeyMetadata.of(key), key_id=key.arn, key_material_id=material_id)


def _token_id(token: bytes) -> uuid.UUID:
    return uuid.UUID(bytes=hashlib.sha256(token).digest()[:16])


async def get_parameters_for_import(
    services: Services, call: Call, request: GetParametersForImportRequest
) -> GetParametersForImportResponse:
    algorithm, wrapping_key_spec = request.wrapping_algorithm, request.wrapping_key_spec
    facts = {
        "kms:WrappingAlgorithm": algorithm.value,
        "kms:WrappingKeySpec": wrapping_key_spec.value,
    }
    async with services.pool.acquire() as conn:
        key = await read_key(services, conn, call, request.key_id, "GetParametersForImport", facts)
    check_wrapping(key.spec, algorithm, wrapping_key_spec)
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
    return GetParametersForImportResponse(
        key_id=key.arn,
        import_token=token,
        public_key=import_key.public_key,
        parameters_valid_to=valid_to,
    )


def _expiry(
    call: Call, model: ExpirationModel | None, valid_to: datetime | None
) -> tuple[ExpirationModel, datetime | None]:
    """AWS's rules: KEY_MATERIAL_EXPIRES (the default) needs a future ``validTo`` at most 365
    days ahead; KEY_MATERIAL_DOES_NOT_EXPIRE takes none."""
    chosen = model or ExpirationModel.KEY_MATERIAL_EXPIRES
    if chosen is ExpirationModel.KEY_MATERIAL_DOES_NOT_EXPIRE:
        if valid_to is not None:
            raise messages.VALID_TO_FORBIDDEN()
        return chosen, None
    if valid_to is None:
        # AWS's words, as recorded against AWS.
        raise messages.VALID_TO_REQUIRED()
    aware = valid_to if valid_to.tzinfo is not None else valid_to.replace(tzinfo=UTC)
    latest = call.now + timedelta(days=limits.IMPORT_VALID_TO_MAX_DAYS)
    if not call.now < aware <= latest:
        raise messages.VALID_TO_RANGE(days=limits.IMPORT_VALID_TO_MAX_DAYS)
    return chosen, aware


async def import_key_material(
    services: Services, call: Call, request: ImportKeyMaterialRequest
) -> ImportKeyMaterialResponse:
    """Unwrap the material in the HSM with the token's import key and keep it wrapped under the
    domain key. The token is spent only when the import succeeds."""
    encrypted_key_material = request.encrypted_key_material
    sized("encryptedKeyMaterial", encrypted_key_material, limits.ENCRYPTED_KEY_MATERIAL_BYTES)
    model, expires = _expiry(call, request.expiration_model, request.valid_to)
    import_token = request.import_token
    token_id = _token_id(import_token) if len(import_token) == _TOKEN_BYTES else None

    imported: list[str] = []

    async def change(conn: asyncpg.Connection, key: Key) -> dict[str, Any]:
        materials.check_import_members(
            key, request.import_type, request.key_material_id, request.key_material_description
        )
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
        except KeyMaterialMismatch:
            # AWS's IncorrectKeyMaterialException: material "invalid, or does not meet
            # expectations" (its API reference); InvalidCiphertextException: material KMS
            # "could not decrypt". The message is keygraph's.
            raise messages.NOT_KEY_MATERIAL_OF_SPEC(spec=key.spec.value) from None
        except InvalidKeyMaterial:
            raise InvalidCiphertextException() from None
        known = await import_rows.imported_materials(conn, key.uuid)
        row = materials.imported_row(
            key, wrapped, known, request.import_type, request.key_material_id
        )
        await import_rows.use_token(conn, token.id, call.now)
        if await rows.find_material(conn, key.uuid, row.material_id) is None:
            await store_material(conn, key.uuid, row.material_id, wrapped, call.now, "IMPORTED")
        described = request.key_material_description
        await import_rows.save_imported(
            conn,
            import_rows.ImportedMaterialRow(
                key_id=key.uuid,
                material_id=row.material_id,
                description=row.description if described is None else described,
                state=row.state,
                expiration_model=model.value,
                valid_to=expires,
                rotated_at=row.rotated_at,
            ),
        )
        imported.append(row.material_id)
        return await materials.settle(conn, key)

    facts = {"kms:ExpirationModel": model.value}
    if expires is not None:
        facts["kms:ValidTo"] = str(int(expires.timestamp()))
    key = await changed_key(services, call, request.key_id, "ImportKeyMaterial", change, facts)
    return ImportKeyMaterialResponse.after(key, imported[-1])


async def _usable_token(
    conn: asyncpg.Connection, call: Call, key: Key, token_id: uuid.UUID | None
) -> import_rows.ImportTokenRow:
    token = (
        None if token_id is None else await import_rows.find_token(conn, token_id, for_update=True)
    )
    if token is None or token.key_id != key.uuid or token.used_at is not None:
        raise messages.IMPORT_TOKEN_INVALID()
    if token.expires_at <= call.now:
        raise messages.IMPORT_TOKEN_EXPIRED()
    return token


async def delete_imported_key_material(
    services: Services, call: Call, request: DeleteImportedKeyMaterialRequest
) -> ImportKeyMaterialResponse:
    """The material named, or the current one; deleting material the key keeps for good makes
    it PendingImport (AWS's DeleteImportedKeyMaterial reference and "Delete imported key
    material" in its developer guide)."""
    deleted: list[str | None] = []

    async def change(conn: asyncpg.Connection, key: Key) -> dict[str, Any]:
        deleted.append(await materials.delete_material(conn, key, request.key_material_id))
        return await materials.settle(conn, key)

    key = await changed_key(services, call, request.key_id, "DeleteImportedKeyMaterial", change)
    return ImportKeyMaterialResponse.after(key, deleted[-1])


# GetParametersForImport is Read in AWS's catalog (a Query), although it stores a new token.
OPERATIONS = (
    read("GetParametersForImport", get_parameters_for_import),
    change("ImportKeyMaterial", import_key_material),
    change("DeleteImportedKeyMaterial", delete_imported_key_material),
)
