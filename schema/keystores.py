"""Custom key stores over GraphQL.

keygraph's store is a PKCS#11 token, so of AWS's CloudHSM members ``keyStorePassword`` is the
token's user PIN, and ``pkcs11ModulePath`` and ``tokenLabel`` (keygraph's members) take the place
of ``cloudHsmClusterId`` and ``trustAnchorCertificate``. AWS's empty responses of connect,
disconnect and update are the store as it is afterwards; delete answers with the id it deleted.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.keystores import model, operations
from api.keystores.model import ConnectionErrorCode as ConnectionErrorCodeType
from api.keystores.model import ConnectionState as ConnectionStateType
from api.keystores.model import CustomKeyStoreType
from schema.keys import GraphQLInfo

for _enum, _name in (
    (ConnectionStateType, "ConnectionStateType"),
    (ConnectionErrorCodeType, "ConnectionErrorCodeType"),
    (CustomKeyStoreType, "CustomKeyStoreType"),
):
    strawberry.enum(_enum, name=_name, graphql_name_from="value")


@strawberry.type(description="A custom key store, as DescribeCustomKeyStores lists it.")
class CustomKeyStoresListEntry:
    custom_key_store_id: str
    custom_key_store_name: str
    custom_key_store_type: CustomKeyStoreType
    connection_state: ConnectionStateType
    connection_error_code: ConnectionErrorCodeType | None
    creation_date: datetime
    pkcs11_module_path: str
    token_label: str

    @classmethod
    def of(cls, store: model.CustomKeyStore) -> CustomKeyStoresListEntry:
        return cls(
            custom_key_store_id=store.store_id,
            custom_key_store_name=store.name,
            custom_key_store_type=CustomKeyStoreType.AWS_CLOUDHSM,
            connection_state=store.connection_state,
            connection_error_code=store.connection_error,
            creation_date=store.created_at,
            pkcs11_module_path=store.module_path,
            token_label=store.token_label,
        )


@strawberry.input
class CreateCustomKeyStoreInput:
    custom_key_store_name: str
    pkcs11_module_path: str
    token_label: str
    key_store_password: str = strawberry.field(description="The token's user PIN.")
    custom_key_store_type: CustomKeyStoreType = CustomKeyStoreType.AWS_CLOUDHSM


@strawberry.type
class CreateCustomKeyStoreResult:
    custom_key_store_id: str


@strawberry.input
class CustomKeyStoreIdInput:
    """Base of the inputs whose only member is the store."""

    custom_key_store_id: str


@strawberry.type(description="The store after the change (AWS's response has no members).")
class CustomKeyStoreChangeResult:
    custom_key_store: CustomKeyStoresListEntry


@strawberry.input
class ConnectCustomKeyStoreInput(CustomKeyStoreIdInput):
    pass


@strawberry.type
class ConnectCustomKeyStoreResult(CustomKeyStoreChangeResult):
    pass


@strawberry.input
class DisconnectCustomKeyStoreInput(CustomKeyStoreIdInput):
    pass


@strawberry.type
class DisconnectCustomKeyStoreResult(CustomKeyStoreChangeResult):
    pass


@strawberry.input
class UpdateCustomKeyStoreInput(CustomKeyStoreIdInput):
    new_custom_key_store_name: str | None = None
    key_store_password: str | None = strawberry.field(
        default=None, description="The token's user PIN."
    )


@strawberry.type
class UpdateCustomKeyStoreResult(CustomKeyStoreChangeResult):
    pass


@strawberry.input
class DeleteCustomKeyStoreInput(CustomKeyStoreIdInput):
    pass


@strawberry.type
class DeleteCustomKeyStoreResult:
    custom_key_store_id: str
    deleted: bool


@strawberry.input
class DescribeCustomKeyStoresInput:
    custom_key_store_id: str | None = None
    custom_key_store_name: str | None = None
    limit: int | None = None
    marker: str | None = None


@strawberry.type
class DescribeCustomKeyStoresResult:
    custom_key_stores: list[CustomKeyStoresListEntry]
    next_marker: str | None
    truncated: bool


async def create_custom_key_store_resolver(
    info: GraphQLInfo, input: CreateCustomKeyStoreInput
) -> CreateCustomKeyStoreResult:
    context = info.context
    request = operations.CreateCustomKeyStoreRequest(
        name=input.custom_key_store_name,
        module_path=input.pkcs11_module_path,
        token_label=input.token_label,
        pin=input.key_store_password,
    )
    store = await operations.create_custom_key_store(context.services, context.call(info), request)
    return CreateCustomKeyStoreResult(custom_key_store_id=store.store_id)


async def connect_custom_key_store_resolver(
    info: GraphQLInfo, input: ConnectCustomKeyStoreInput
) -> ConnectCustomKeyStoreResult:
    context = info.context
    store = await operations.connect_custom_key_store(
        context.services, context.call(info), input.custom_key_store_id
    )
    return ConnectCustomKeyStoreResult(custom_key_store=CustomKeyStoresListEntry.of(store))


async def disconnect_custom_key_store_resolver(
    info: GraphQLInfo, input: DisconnectCustomKeyStoreInput
) -> DisconnectCustomKeyStoreResult:
    context = info.context
    store = await operations.disconnect_custom_key_store(
        context.services, context.call(info), input.custom_key_store_id
    )
    return DisconnectCustomKeyStoreResult(custom_key_store=CustomKeyStoresListEntry.of(store))


async def update_custom_key_store_resolver(
    info: GraphQLInfo, input: UpdateCustomKeyStoreInput
) -> UpdateCustomKeyStoreResult:
    context = info.context
    store = await operations.update_custom_key_store(
        context.services,
        context.call(info),
        input.custom_key_store_id,
        new_name=input.new_custom_key_store_name,
        pin=input.key_store_password,
    )
    return UpdateCustomKeyStoreResult(custom_key_store=CustomKeyStoresListEntry.of(store))


async def delete_custom_key_store_resolver(
    info: GraphQLInfo, input: DeleteCustomKeyStoreInput
) -> DeleteCustomKeyStoreResult:
    context = info.context
    deleted = await operations.delete_custom_key_store(
        context.services, context.call(info), input.custom_key_store_id
    )
    return DeleteCustomKeyStoreResult(custom_key_store_id=deleted, deleted=True)


async def describe_custom_key_stores_resolver(
    info: GraphQLInfo, input: DescribeCustomKeyStoresInput | None = None
) -> DescribeCustomKeyStoresResult:
    given = input or DescribeCustomKeyStoresInput()
    context = info.context
    page = await operations.describe_custom_key_stores(
        context.services,
        context.call(info),
        store_id=given.custom_key_store_id,
        name=given.custom_key_store_name,
        limit=given.limit,
        marker=given.marker,
    )
    return DescribeCustomKeyStoresResult(
        custom_key_stores=[CustomKeyStoresListEntry.of(store) for store in page.items],
        next_marker=page.next_marker,
        truncated=page.truncated,
    )


@strawberry.type
class KeyStoresQuery:
    describe_custom_key_stores: DescribeCustomKeyStoresResult = strawberry.field(
        resolver=describe_custom_key_stores_resolver
    )


@strawberry.type
class KeyStoresMutation:
    create_custom_key_store: CreateCustomKeyStoreResult = strawberry.field(
        resolver=create_custom_key_store_resolver
    )
    connect_custom_key_store: ConnectCustomKeyStoreResult = strawberry.field(
        resolver=connect_custom_key_store_resolver
    )
    disconnect_custom_key_store: DisconnectCustomKeyStoreResult = strawberry.field(
        resolver=disconnect_custom_key_store_resolver
    )
    update_custom_key_store: UpdateCustomKeyStoreResult = strawberry.field(
        resolver=update_custom_key_store_resolver
    )
    delete_custom_key_store: DeleteCustomKeyStoreResult = strawberry.field(
        resolver=delete_custom_key_store_resolver
    )
