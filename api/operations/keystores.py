"""CreateCustomKeyStore, ConnectCustomKeyStore, DisconnectCustomKeyStore, UpdateCustomKeyStore,
DeleteCustomKeyStore and DescribeCustomKeyStores, over ``api.keystores.operations``.

keygraph's store is a PKCS#11 token: ``pkcs11ModulePath`` and ``tokenLabel`` take the place of
AWS's CloudHSM cluster and trust anchor, and ``keyStorePassword`` is the token's PIN. Where AWS
answers connect, disconnect and update with nothing, keygraph answers with the store as it is
afterwards; delete answers with the id it deleted.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass
from datetime import datetime
from typing import Any, Self

from api import members as aws
from api.calls import Call
from api.keystores import operations as stores
from api.keystores.model import (
    ConnectionErrorCode,
    ConnectionState,
    CustomKeyStore,
    CustomKeyStoreType,
)
from api.keystores.operations import (
    CreateCustomKeyStoreRequest,
    key_store_password,
    store_name,
)
from api.operation import change, read
from api.services import Services
from api.shapes import member, name_shapes

# AWS's names for the connection enums; doors name their types so.
name_shapes(
    {ConnectionState: "ConnectionStateType", ConnectionErrorCode: "ConnectionErrorCodeType"}
)


def _store_id(default: Any = MISSING) -> Any:
    """AWS's CustomKeyStoreIdType: 1 to 64 characters."""
    return member(default, length=(1, 64))


@dataclass(frozen=True, kw_only=True)
class CustomKeyStoresListEntry:
    """A custom key store as DescribeCustomKeyStores lists it: keygraph's token in place of
    AWS's CloudHSM cluster. The PIN is never part of it."""

    custom_key_store_id: str
    custom_key_store_name: str
    custom_key_store_type: CustomKeyStoreType
    connection_state: ConnectionState
    connection_error_code: ConnectionErrorCode | None
    creation_date: datetime
    pkcs11_module_path: str
    token_label: str

    @classmethod
    def of(cls, store: CustomKeyStore) -> Self:
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


@dataclass(frozen=True, kw_only=True)
class CustomKeyStoreResponse:
    """The response of every operation that answers with the store after its change."""

    custom_key_store: CustomKeyStoresListEntry

    @classmethod
    def of(cls, store: CustomKeyStore) -> Self:
        return cls(custom_key_store=CustomKeyStoresListEntry.of(store))


@dataclass(frozen=True, kw_only=True)
class CreateCustomKeyStoreResponse:
    custom_key_store_id: str


@dataclass(frozen=True, kw_only=True)
class ConnectCustomKeyStoreRequest:
    custom_key_store_id: str = _store_id()


@dataclass(frozen=True, kw_only=True)
class ConnectCustomKeyStoreResponse(CustomKeyStoreResponse):
    pass


@dataclass(frozen=True, kw_only=True)
class DisconnectCustomKeyStoreRequest:
    custom_key_store_id: str = _store_id()


@dataclass(frozen=True, kw_only=True)
class DisconnectCustomKeyStoreResponse(CustomKeyStoreResponse):
    pass


@dataclass(frozen=True, kw_only=True)
class UpdateCustomKeyStoreRequest:
    custom_key_store_id: str = _store_id()
    new_custom_key_store_name: str | None = store_name(None)
    key_store_password: str | None = key_store_password(None)


@dataclass(frozen=True, kw_only=True)
class UpdateCustomKeyStoreResponse(CustomKeyStoreResponse):
    pass


@dataclass(frozen=True, kw_only=True)
class DeleteCustomKeyStoreRequest:
    custom_key_store_id: str = _store_id()


@dataclass(frozen=True, kw_only=True)
class DeleteCustomKeyStoreResponse:
    custom_key_store_id: str
    deleted: bool


@dataclass(frozen=True, kw_only=True)
class DescribeCustomKeyStoresRequest:
    custom_key_store_id: str | None = _store_id(None)
    custom_key_store_name: str | None = store_name(None)
    limit: int | None = aws.limit()
    marker: str | None = aws.marker()


@dataclass(frozen=True, kw_only=True)
class DescribeCustomKeyStoresResponse:
    custom_key_stores: list[CustomKeyStoresListEntry]
    next_marker: str | None
    truncated: bool


async def create_custom_key_store(
    services: Services, call: Call, request: CreateCustomKeyStoreRequest
) -> CreateCustomKeyStoreResponse:
    store = await stores.create_custom_key_store(services, call, request)
    return CreateCustomKeyStoreResponse(custom_key_store_id=store.store_id)


async def connect_custom_key_store(
    services: Services, call: Call, request: ConnectCustomKeyStoreRequest
) -> ConnectCustomKeyStoreResponse:
    store = await stores.connect_custom_key_store(services, call, request.custom_key_store_id)
    return ConnectCustomKeyStoreResponse.of(store)


async def disconnect_custom_key_store(
    services: Services, call: Call, request: DisconnectCustomKeyStoreRequest
) -> DisconnectCustomKeyStoreResponse:
    store = await stores.disconnect_custom_key_store(services, call, request.custom_key_store_id)
    return DisconnectCustomKeyStoreResponse.of(store)


async def update_custom_key_store(
    services: Services, call: Call, request: UpdateCustomKeyStoreRequest
) -> UpdateCustomKeyStoreResponse:
    store = await stores.update_custom_key_store(
        services,
        call,
        request.custom_key_store_id,
        new_name=request.new_custom_key_store_name,
        pin=request.key_store_password,
    )
    return UpdateCustomKeyStoreResponse.of(store)


async def delete_custom_key_store(
    services: Services, call: Call, request: DeleteCustomKeyStoreRequest
) -> DeleteCustomKeyStoreResponse:
    deleted = await stores.delete_custom_key_store(services, call, request.custom_key_store_id)
    return DeleteCustomKeyStoreResponse(custom_key_store_id=deleted, deleted=True)


async def describe_custom_key_stores(
    services: Services, call: Call, request: DescribeCustomKeyStoresRequest
) -> DescribeCustomKeyStoresResponse:
    page = await stores.describe_custom_key_stores(
        services,
        call,
        store_id=request.custom_key_store_id,
        name=request.custom_key_store_name,
        limit=request.limit,
        marker=request.marker,
    )
    return DescribeCustomKeyStoresResponse(
        custom_key_stores=[CustomKeyStoresListEntry.of(store) for store in page.items],
        next_marker=page.next_marker,
        truncated=page.truncated,
    )


OPERATIONS = (
    change("CreateCustomKeyStore", create_custom_key_store),
    change("ConnectCustomKeyStore", connect_custom_key_store),
    change("DisconnectCustomKeyStore", disconnect_custom_key_store),
    change("UpdateCustomKeyStore", update_custom_key_store),
    change("DeleteCustomKeyStore", delete_custom_key_store),
    read("DescribeCustomKeyStores", describe_custom_key_stores),
)
