"""GetParametersForImport, ImportKeyMaterial and DeleteImportedKeyMaterial, over
``api.keys.imports``.

The import token is a bearer secret (its hash names the token's row), so it is sensitive here
although AWS's model does not mark it; the import public key is not, although AWS's model (its
PlaintextType) does. Importing and deleting material answer with the key's metadata besides
AWS's members.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self

from api import limits
from api import members as aws
from api.calls import Call
from api.keys import imports
from api.keys.imports import WrappingKeySpec
from api.keys.model import ExpirationModel, Key
from api.operation import change, read
from api.operations.structures import KeyMetadata, KeyMetadataResponse
from api.services import Services
from api.shapes import member
from hsm import WrappingAlgorithm


def _ciphertext(*, sensitive: bool = False) -> Any:
    """AWS's CiphertextType (1 to 6144 bytes): the import token and the wrapped material."""
    allowed = limits.ENCRYPTED_KEY_MATERIAL_BYTES
    return member(length=(allowed.low, allowed.high), sensitive=sensitive)


@dataclass(frozen=True, kw_only=True)
class GetParametersForImportRequest:
    key_id: str = aws.key_id()
    wrapping_algorithm: WrappingAlgorithm
    wrapping_key_spec: WrappingKeySpec


@dataclass(frozen=True, kw_only=True)
class GetParametersForImportResponse:
    key_id: str = member(doc="The key ARN.")
    import_token: bytes = member(sensitive=True)
    public_key: bytes = member(doc="DER SubjectPublicKeyInfo.")
    parameters_valid_to: datetime


@dataclass(frozen=True, kw_only=True)
class ImportKeyMaterialRequest:
    key_id: str = aws.key_id()
    import_token: bytes = _ciphertext(sensitive=True)
    encrypted_key_material: bytes = _ciphertext()
    valid_to: datetime | None = None
    expiration_model: ExpirationModel | None = None


@dataclass(frozen=True, kw_only=True)
class ImportKeyMaterialResponse(KeyMetadataResponse):
    key_id: str
    key_material_id: str | None

    @classmethod
    def of(cls, key: Key) -> Self:
        """The key after the change; its material id stays once the material is gone (a
        re-import must bring the same material)."""
        return cls(
            key_metadata=KeyMetadata.of(key),
            key_id=key.arn,
            key_material_id=key.current_material_id,
        )


@dataclass(frozen=True, kw_only=True)
class DeleteImportedKeyMaterialRequest:
    key_id: str = aws.key_id()


@dataclass(frozen=True, kw_only=True)
class DeleteImportedKeyMaterialResponse(ImportKeyMaterialResponse):
    pass


async def get_parameters_for_import(
    services: Services, call: Call, request: GetParametersForImportRequest
) -> GetParametersForImportResponse:
    parameters = await imports.get_parameters_for_import(
        services, call, request.key_id, request.wrapping_algorithm, request.wrapping_key_spec
    )
    return GetParametersForImportResponse(
        key_id=parameters.key.arn,
        import_token=parameters.import_token,
        public_key=parameters.public_key,
        parameters_valid_to=parameters.valid_to,
    )


async def import_key_material(
    services: Services, call: Call, request: ImportKeyMaterialRequest
) -> ImportKeyMaterialResponse:
    key = await imports.import_key_material(
        services,
        call,
        request.key_id,
        request.import_token,
        request.encrypted_key_material,
        request.expiration_model,
        request.valid_to,
    )
    return ImportKeyMaterialResponse.of(key)


async def delete_imported_key_material(
    services: Services, call: Call, request: DeleteImportedKeyMaterialRequest
) -> DeleteImportedKeyMaterialResponse:
    key = await imports.delete_imported_key_material(services, call, request.key_id)
    return DeleteImportedKeyMaterialResponse.of(key)


# GetParametersForImport is Read in AWS's catalog (a Query), although it stores a new token.
OPERATIONS = (
    read("GetParametersForImport", get_parameters_for_import),
    change("ImportKeyMaterial", import_key_material),
    change("DeleteImportedKeyMaterial", delete_imported_key_material),
)
