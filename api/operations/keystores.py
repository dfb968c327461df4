"""CreateCustomKeyStore, ConnectCustomKeyStore, DisconnectCustomKeyStore, UpdateCustomKeyStore,
DeleteCustomKeyStore and DescribeCustomKeyStores.

keygraph's store is a PKCS#11 token. Of AWS's CloudHSM members, ``keyStorePassword`` is the
token's user PIN (for CloudHSM, ``user:password``); ``pkcs11ModulePath`` and ``tokenLabel`` take
the place of ``cloudHsmClusterId`` and ``trustAnchorCertificate``. Connecting happens within the
request: the answer says CONNECTED, or FAILED with the reason, as DescribeCustomKeyStores would.
Where AWS answers connect, disconnect and update with nothing, keygraph answers with the store as
it is afterwards; delete answers with the id it deleted.
"""

from __future__ import annotations

import enum
import re
import secrets
from dataclasses import MISSING, dataclass
from datetime import datetime
from typing import Any, Self

import asyncpg

from api import limits, messages
from api import members as aws
from api.authz.authorize import authorize
from api.calls import Call
from api.errors import (
    CustomKeyStoreNameInUseException,
)
from api.keystores.model import (
    ConnectionErrorCode,
    ConnectionState,
    CustomKeyStore,
    CustomKeyStoreType,
    require_connection,
)
from api.keystores.pins import seal_pin
from api.keystores.registry import TokenUnusable
from api.keystores.stores import load_store_row, not_found, to_store
from api.operation import change, read
from api.pages import Page, fetch_size, invalid_marker, page_of, page_size
from api.services import Services
from api.shapes import member, name_shapes, project
from api.validation import member_length
from db import keystores as rows

# AWS's names for the connection enums; doors name their types so.
name_shapes(
    {ConnectionState: "ConnectionStateType", ConnectionErrorCode: "ConnectionErrorCodeType"}
)

_STORE_ID = re.compile(r"^cks-[0-9a-f]{17}$")


def _length(allowed: limits.Range, default: Any = MISSING) -> Any:
    return member(default, length=(allowed.low, allowed.high))


def _store_id(default: Any = MISSING) -> Any:
    """AWS's CustomKeyStoreIdType: 1 to 64 characters."""
    return member(default, length=(1, 64))


def store_name(default: Any = MISSING) -> Any:
    """A ``CustomKeyStoreNameType`` member."""
    return _length(limits.KEY_STORE_NAME_LENGTH, default)


def key_store_password(default: Any = MISSING) -> Any:
    """``KeyStorePassword``: the token's user PIN (1 to 256 characters, not CloudHSM's 7 to
    32), never echoed."""
    allowed = limits.KEY_STORE_PIN_LENGTH
    return member(
        default,
        length=(allowed.low, allowed.high),
        sensitive=True,
        doc="The token's user PIN.",
    )


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


class XksProxyConnectivityType(enum.Enum):
    PUBLIC_ENDPOINT = "PUBLIC_ENDPOINT"
    VPC_ENDPOINT_SERVICE = "VPC_ENDPOINT_SERVICE"


@dataclass(frozen=True, kw_only=True)
class XksProxyAuthenticationCredential:
    access_key_id: str = member(length=(20, 30), pattern="^[A-Z2-7]+$", sensitive=True)
    raw_secret_access_key: str = member(
        length=(43, 64), pattern="^[a-zA-Z0-9\\/+=]+$", sensitive=True
    )


@dataclass(frozen=True, kw_only=True)
class UnservedStoreMembers:
    """AWS's members of CloudHSM clusters and external key stores (XKS proxies), typed as AWS
    types them so that both doors take them, and refused when given
    (``api.differences``): keygraph's stores are PKCS#11 tokens."""

    cloud_hsm_cluster_id: str | None = member(
        None, length=(19, 24), pattern="cluster-[2-7a-zA-Z]{11,16}"
    )
    xks_proxy_uri_endpoint: str | None = member(
        None, length=(10, 128), pattern="^https://[a-zA-Z0-9.-]+$"
    )
    xks_proxy_uri_path: str | None = member(
        None,
        length=(10, 128),
        pattern="^(/[a-zA-Z0-9\\/_-]+/kms/xks/v\\d{1,2})$|^(/kms/xks/v\\d{1,2})$",
    )
    xks_proxy_vpc_endpoint_service_name: str | None = member(
        None,
        length=(20, 64),
        pattern="^(com|eu)\\.amazonaws\\.vpce\\.([a-z]+-){2,3}\\d+\\.vpce-svc-[0-9a-z]+$",
    )
    xks_proxy_vpc_endpoint_service_owner: str | None = member(
        None, length=(12, 12), pattern="[0-9]{12}"
    )
    xks_proxy_authentication_credential: XksProxyAuthenticationCredential | None = None
    xks_proxy_connectivity: XksProxyConnectivityType | None = None


@dataclass(frozen=True, kw_only=True)
class CreateCustomKeyStoreRequest(UnservedStoreMembers):
    """AWS's CreateCustomKeyStore with a PKCS#11 token in place of a CloudHSM cluster."""

    custom_key_store_name: str = store_name()
    pkcs11_module_path: str = _length(limits.PKCS11_MODULE_PATH_LENGTH)
    token_label: str = _length(limits.TOKEN_LABEL_LENGTH)
    key_store_password: str = key_store_password()
    custom_key_store_type: CustomKeyStoreType = CustomKeyStoreType.AWS_CLOUDHSM
    trust_anchor_certificate: str | None = member(None, length=(1, 5000))


@dataclass(frozen=True, kw_only=True)
class CreateCustomKeyStoreResponse:
    custom_key_store_id: str


@dataclass(frozen=True, kw_only=True)
class CustomKeyStoreRequest:
    """A request whose only member is the store: ConnectCustomKeyStore's,
    DisconnectCustomKeyStore's and DeleteCustomKeyStore's."""

    custom_key_store_id: str = _store_id()


@dataclass(frozen=True, kw_only=True)
class UpdateCustomKeyStoreRequest(CustomKeyStoreRequest, UnservedStoreMembers):
    new_custom_key_store_name: str | None = store_name(None)
    key_store_password: str | None = key_store_password(None)


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


def new_store_id() -> str:
    """AWS's form: ``cks-`` and 17 hexadecimal characters."""
    return "cks-" + secrets.token_hex(9)[:17]


def _check_name(name: str) -> None:
    member_length("customKeyStoreName", name, limits.KEY_STORE_NAME_LENGTH.high, 1)


def _check_pin(pin: str) -> None:
    allowed = limits.KEY_STORE_PIN_LENGTH
    member_length("keyStorePassword", pin, allowed.high, allowed.low)


def _check_token(services: Services, module_path: str, token_label: str) -> None:
    """Only the deployment's own PKCS#11 module may be loaded: a module path is code the server
    would run, so a caller may not choose an arbitrary one. Its own token is not a store."""
    allowed = limits.PKCS11_MODULE_PATH_LENGTH
    member_length("pkcs11ModulePath", module_path, allowed.high, allowed.low)
    member_length("tokenLabel", token_label, limits.TOKEN_LABEL_LENGTH.high, 1)
    own = services.settings.hsm
    if module_path != own.module_path:
        raise messages.KEY_STORE_MODULE(module=own.module_path)
    if token_label == own.token_label:
        raise messages.KEY_STORE_OWN_TOKEN(label=token_label)


async def _locked_store_row(
    conn: asyncpg.Connection, call: Call, store_id: str, action: str
) -> rows.StoreRow:
    """The store's row locked for this transaction, once its connection state allows
    ``action``."""
    row = await load_store_row(conn, call, store_id, for_update=True)
    require_connection(action, to_store(row))
    return row


def _name_in_use(name: str) -> CustomKeyStoreNameInUseException:
    return messages.KEY_STORE_NAME_IN_USE(name=name)


async def create_custom_key_store(
    services: Services, call: Call, request: CreateCustomKeyStoreRequest
) -> CreateCustomKeyStoreResponse:
    await authorize(services, call, "CreateCustomKeyStore", None)
    _check_name(request.custom_key_store_name)
    _check_token(services, request.pkcs11_module_path, request.token_label)
    _check_pin(request.key_store_password)
    store_id = new_store_id()
    row = rows.StoreRow(
        id=store_id,
        account_id=call.scope.account_id,
        region=call.scope.region,
        name=request.custom_key_store_name,
        module_path=request.pkcs11_module_path,
        token_label=request.token_label,
        sealed_pin=await seal_pin(services.hsm, store_id, request.key_store_password),
        connection_state=ConnectionState.DISCONNECTED.value,
        connection_error=None,
        created_at=call.now,
    )
    async with services.pool.acquire() as conn, conn.transaction():
        await rows.lock_creation(conn)
        if await rows.token_in_use(conn, request.pkcs11_module_path, request.token_label):
            raise messages.KEY_STORE_TOKEN_IN_USE(label=request.token_label)
        if await rows.find_store_by_name(conn, row.account_id, row.region, row.name):
            raise _name_in_use(request.custom_key_store_name)
        await rows.insert_store(conn, row)
    return CreateCustomKeyStoreResponse(custom_key_store_id=store_id)


async def connect_custom_key_store(
    services: Services, call: Call, request: CustomKeyStoreRequest
) -> CustomKeyStoreResponse:
    """CONNECTING while the token is opened, then CONNECTED or FAILED with the reason. A store
    another replica connected is opened here too, so this replica can serve its keys."""
    await authorize(services, call, "ConnectCustomKeyStore", None)
    store_id = request.custom_key_store_id
    async with services.pool.acquire() as conn:
        async with conn.transaction():
            row = await _locked_store_row(conn, call, store_id, "ConnectCustomKeyStore")
            previous = row.connection_state
            if previous != ConnectionState.CONNECTED.value:
                await rows.set_connection(
                    conn, store_id, ConnectionState.CONNECTING.value, None, expected=previous
                )
                previous = ConnectionState.CONNECTING.value
        outcome, error = ConnectionState.CONNECTED, None
        try:
            await services.key_stores.open(row)
        except TokenUnusable as exc:
            outcome, error = ConnectionState.FAILED, exc.code.value
        updated = await rows.set_connection(conn, store_id, outcome.value, error, expected=previous)
        if updated is None:  # disconnected or deleted meanwhile: that change stands
            await services.key_stores.disconnect(store_id)
            updated = await rows.find_store(conn, store_id)
            if updated is None:
                raise not_found(store_id)
    return CustomKeyStoreResponse.of(to_store(updated))


async def disconnect_custom_key_store(
    services: Services, call: Call, request: CustomKeyStoreRequest
) -> CustomKeyStoreResponse:
    await authorize(services, call, "DisconnectCustomKeyStore", None)
    store_id = request.custom_key_store_id
    async with services.pool.acquire() as conn, conn.transaction():
        await _locked_store_row(conn, call, store_id, "DisconnectCustomKeyStore")
        updated = await rows.update_store(
            conn,
            store_id,
            {"connection_state": ConnectionState.DISCONNECTED.value, "connection_error": None},
        )
    await services.key_stores.disconnect(store_id)
    return CustomKeyStoreResponse.of(to_store(updated))


async def update_custom_key_store(
    services: Services, call: Call, request: UpdateCustomKeyStoreRequest
) -> CustomKeyStoreResponse:
    """Only a DISCONNECTED store changes, as in AWS; the new PIN is sealed like the first."""
    await authorize(services, call, "UpdateCustomKeyStore", None)
    store_id = request.custom_key_store_id
    new_name, pin = request.new_custom_key_store_name, request.key_store_password
    if new_name is not None:
        _check_name(new_name)
    if pin is not None:
        _check_pin(pin)
    async with services.pool.acquire() as conn, conn.transaction():
        row = await _locked_store_row(conn, call, store_id, "UpdateCustomKeyStore")
        changes: dict[str, Any] = {}
        if new_name is not None and new_name != row.name:
            if await rows.find_store_by_name(conn, row.account_id, row.region, new_name):
                raise _name_in_use(new_name)
            changes["name"] = new_name
        if pin is not None:
            changes["sealed_pin"] = await seal_pin(services.hsm, store_id, pin)
        if not changes:
            return CustomKeyStoreResponse.of(to_store(row))
        try:
            updated = await rows.update_store(conn, store_id, changes)
        except asyncpg.UniqueViolationError:
            raise _name_in_use(new_name or row.name) from None
    return CustomKeyStoreResponse.of(to_store(updated))


async def delete_custom_key_store(
    services: Services, call: Call, request: CustomKeyStoreRequest
) -> DeleteCustomKeyStoreResponse:
    await authorize(services, call, "DeleteCustomKeyStore", None)
    store_id = request.custom_key_store_id
    async with services.pool.acquire() as conn, conn.transaction():
        await _locked_store_row(conn, call, store_id, "DeleteCustomKeyStore")
        if await rows.has_keys(conn, store_id):
            raise messages.KEY_STORE_HAS_KEYS(store_id=store_id)
        await rows.delete_store(conn, store_id)
    await services.key_stores.disconnect(store_id)
    return DeleteCustomKeyStoreResponse(custom_key_store_id=store_id, deleted=True)


async def describe_custom_key_stores(
    services: Services, call: Call, request: DescribeCustomKeyStoresRequest
) -> DescribeCustomKeyStoresResponse:
    """One store by id or by name, or a page of all of the account's and region's."""
    await authorize(services, call, "DescribeCustomKeyStores", None)
    store_id, name, marker = (
        request.custom_key_store_id,
        request.custom_key_store_name,
        request.marker,
    )
    size = page_size(request.limit)
    if store_id is not None and name is not None:
        raise messages.KEY_STORE_ID_OR_NAME()
    if marker is not None and not _STORE_ID.match(marker):
        raise invalid_marker()
    page: Page[CustomKeyStore]
    async with services.pool.acquire() as conn:
        if store_id is not None:
            page = Page([to_store(await load_store_row(conn, call, store_id))])
        elif name is not None:
            found = await rows.find_store_by_name(
                conn, call.scope.account_id, call.scope.region, name
            )
            if found is None:
                raise not_found(name)
            page = Page([to_store(found)])
        else:
            listed = await rows.list_stores(
                conn, call.scope.account_id, call.scope.region, marker, fetch_size(size)
            )
            page = page_of([to_store(row) for row in listed], size, lambda store: store.store_id)
    stores = [CustomKeyStoresListEntry.of(store) for store in page.items]
    return project(DescribeCustomKeyStoresResponse, page, custom_key_stores=stores)


OPERATIONS = (
    change("CreateCustomKeyStore", create_custom_key_store),
    change("ConnectCustomKeyStore", connect_custom_key_store),
    change("DisconnectCustomKeyStore", disconnect_custom_key_store),
    change("UpdateCustomKeyStore", update_custom_key_store),
    change("DeleteCustomKeyStore", delete_custom_key_store),
    read("DescribeCustomKeyStores", describe_custom_key_stores),
)
