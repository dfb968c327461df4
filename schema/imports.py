"""Import of key material over GraphQL: getParametersForImport, importKeyMaterial,
deleteImportedKeyMaterial."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.keys import imports
from api.keys.imports import WrappingKeySpec
from schema.enums import AlgorithmSpec, ExpirationModelType
from schema.keys import GraphQLInfo, KeyChangeResult, KeyIdInput, KeyMetadata
from schema.scalars import Base64

strawberry.enum(WrappingKeySpec, name="WrappingKeySpec", graphql_name_from="value")


@strawberry.input
class GetParametersForImportInput:
    key_id: str
    wrapping_algorithm: AlgorithmSpec
    wrapping_key_spec: WrappingKeySpec


@strawberry.type
class GetParametersForImportResult:
    key_id: str = strawberry.field(description="The key ARN.")
    import_token: Base64
    public_key: Base64 = strawberry.field(description="DER SubjectPublicKeyInfo.")
    parameters_valid_to: datetime


@strawberry.input
class ImportKeyMaterialInput:
    key_id: str
    import_token: Base64
    encrypted_key_material: Base64
    valid_to: datetime | None = None
    expiration_model: ExpirationModelType | None = None


@strawberry.type
class ImportKeyMaterialResult(KeyChangeResult):
    key_id: str
    key_material_id: str | None


@strawberry.input
class DeleteImportedKeyMaterialInput(KeyIdInput):
    pass


@strawberry.type
class DeleteImportedKeyMaterialResult(KeyChangeResult):
    key_id: str
    key_material_id: str | None


async def get_parameters_for_import_resolver(
    info: GraphQLInfo, input: GetParametersForImportInput
) -> GetParametersForImportResult:
    context = info.context
    parameters = await imports.get_parameters_for_import(
        context.services,
        context.call(info),
        input.key_id,
        input.wrapping_algorithm,
        input.wrapping_key_spec,
    )
    return GetParametersForImportResult(
        key_id=parameters.key.arn,
        import_token=Base64(parameters.import_token),
        public_key=Base64(parameters.public_key),
        parameters_valid_to=parameters.valid_to,
    )


async def import_key_material_resolver(
    info: GraphQLInfo, input: ImportKeyMaterialInput
) -> ImportKeyMaterialResult:
    context = info.context
    key = await imports.import_key_material(
        context.services,
        context.call(info),
        input.key_id,
        input.import_token,
        input.encrypted_key_material,
        input.expiration_model,
        input.valid_to,
    )
    return ImportKeyMaterialResult(
        key_metadata=KeyMetadata.of(key), key_id=key.arn, key_material_id=key.current_material_id
    )


async def delete_imported_key_material_resolver(
    info: GraphQLInfo, input: DeleteImportedKeyMaterialInput
) -> DeleteImportedKeyMaterialResult:
    context = info.context
    key = await imports.delete_imported_key_material(
        context.services, context.call(info), input.key_id
    )
    return DeleteImportedKeyMaterialResult(
        key_metadata=KeyMetadata.of(key), key_id=key.arn, key_material_id=key.current_material_id
    )


@strawberry.type
class ImportsQuery:
    get_parameters_for_import: GetParametersForImportResult = strawberry.field(
        resolver=get_parameters_for_import_resolver
    )


@strawberry.type
class ImportsMutation:
    import_key_material: ImportKeyMaterialResult = strawberry.field(
        resolver=import_key_material_resolver
    )
    delete_imported_key_material: DeleteImportedKeyMaterialResult = strawberry.field(
        resolver=delete_imported_key_material_resolver
    )
