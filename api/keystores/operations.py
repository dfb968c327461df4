"""CreateCustomKeyStore, ConnectCustomKeyStore, DisconnectCustomKeyStore, UpdateCustomKeyStore,
DeleteCustomKeyStore, DescribeCustomKeyStores.

keygraph's store is a PKCS#11 token. Of AWS's CloudHSM members, ``keyStorePassword`` is the
token's user PIN (for CloudHSM, ``user:password``); ``pkcs11ModulePath`` and ``tokenLabel`` take
the place of ``cloudHsmClusterId`` and ``trustAnchorCertificate``. Connecting happens within the
request: the answer says CONNECTED, or FAILED with the reason, as DescribeCustomKeyStores would.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import MISSING, dataclass
from typing import Any

import asyncpg

from api import limits
from api.authz.authorize import authorize
from api.calls import Call
from api.errors import (
    CloudHsmClusterInUseException,
    CustomKeyStoreHasCMKsException,
    CustomKeyStoreNameInUseException,
    ValidationException,
)
from api.keys.validation import member_length
from api.keystores.model import (
    ConnectionState,
    CustomKeyStore,
    CustomKeyStoreType,
    require_connection,
)
from api.keystores.pins import seal_pin
from api.keystores.registry import TokenUnusable
from api.keystores.stores import load_store_row, not_found, to_store
from api.keystores.tokens import open_token
from api.pages import Page, fetch_size, invalid_marker, page_of, page_size
from api.services import Services
from api.shapes import member
from db import keystores as rows

_STORE_ID = re.compile(r"^cks-[0-9a-f]{17}$")


def _length(allowed: limits.Range, default: Any = MISSING) -> Any:
    return member(default, length=(allowed.low, allowed.high))


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
class CreateCustomKeyStoreRequest:
    """AWS's CreateCustomKeyStore with a PKCS#11 token in place of a CloudHSM cluster."""

    custom_key_store_name: str = store_name()
    pkcs11_module_path: str = _length(limits.PKCS11_MODULE_PATH_LENGTH)
    token_label: str = _length(limits.TOKEN_LABEL_LENGTH)
    key_store_password: str = key_store_password()
    custom_key_store_type: CustomKeyStoreType = CustomKeyStoreType.AWS_CLOUDHSM


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
        raise ValidationException(
            f"pkcs11ModulePath must be the PKCS#11 module this deployment uses: {own.module_path}"
        )
    if token_label == own.token_label:
        raise CloudHsmClusterInUseException(
            f"Token {token_label} is keygraph's own HSM token and cannot be a custom key store."
        )


async def create_custom_key_store(
    services: Services, call: Call, request: CreateCustomKeyStoreRequest
) -> CustomKeyStore:
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
            raise CloudHsmClusterInUseException(
                f"Token {request.token_label} is already used by a custom key store."
            )
        if await rows.find_store_by_name(conn, row.account_id, row.region, row.name):
            raise _name_in_use(request.custom_key_store_name)
        await rows.insert_store(conn, row)
    return to_store(row)


def _name_in_use(name: str) -> CustomKeyStoreNameInUseException:
    return CustomKeyStoreNameInUseException(f"Custom key store name {name} is already in use.")


async def connect_custom_key_store(services: Services, call: Call, store_id: str) -> CustomKeyStore:
    """CONNECTING while the token is opened, then CONNECTED or FAILED with the reason. A store
    another replica connected is opened here too, so this replica can serve its keys."""
    await authorize(services, call, "ConnectCustomKeyStore", None)
    async with services.pool.acquire() as conn:
        async with conn.transaction():
            row = await load_store_row(conn, call, store_id, for_update=True)
            require_connection("ConnectCustomKeyStore", to_store(row))
            previous = row.connection_state
            if previous != ConnectionState.CONNECTED.value:
                await rows.set_connection(
                    conn, store_id, ConnectionState.CONNECTING.value, None, expected=previous
                )
                previous = ConnectionState.CONNECTING.value
        outcome, error = ConnectionState.CONNECTED, None
        try:
            await open_token(services, row)
        except TokenUnusable as exc:
            outcome, error = ConnectionState.FAILED, exc.code.value
        updated = await rows.set_connection(conn, store_id, outcome.value, error, expected=previous)
        if updated is None:  # disconnected or deleted meanwhile: that change stands
            await services.key_stores.disconnect(store_id)
            updated = await rows.find_store(conn, store_id)
            if updated is None:
                raise not_found(store_id)
    return to_store(updated)


async def disconnect_custom_key_store(
    services: Services, call: Call, store_id: str
) -> CustomKeyStore:
    await authorize(services, call, "DisconnectCustomKeyStore", None)
    async with services.pool.acquire() as conn, conn.transaction():
        row = await load_store_row(conn, call, store_id, for_update=True)
        require_connection("DisconnectCustomKeyStore", to_store(row))
        updated = await rows.update_store(
            conn,
            store_id,
            {"connection_state": ConnectionState.DISCONNECTED.value, "connection_error": None},
        )
    await services.key_stores.disconnect(store_id)
    return to_store(updated)


async def update_custom_key_store(
    services: Services,
    call: Call,
    store_id: str,
    new_name: str | None = None,
    pin: str | None = None,
) -> CustomKeyStore:
    """Only a DISCONNECTED store changes, as in AWS; the new PIN is sealed like the first."""
    await authorize(services, call, "UpdateCustomKeyStore", None)
    if new_name is not None:
        _check_name(new_name)
    if pin is not None:
        _check_pin(pin)
    async with services.pool.acquire() as conn, conn.transaction():
        row = await load_store_row(conn, call, store_id, for_update=True)
        require_connection("UpdateCustomKeyStore", to_store(row))
        changes: dict[str, Any] = {}
        if new_name is not None and new_name != row.name:
            if await rows.find_store_by_name(conn, row.account_id, row.region, new_name):
                raise _name_in_use(new_name)
            changes["name"] = new_name
        if pin is not None:
            changes["sealed_pin"] = await seal_pin(services.hsm, store_id, pin)
        if not changes:
            return to_store(row)
        try:
            updated = await rows.update_store(conn, store_id, changes)
        except asyncpg.UniqueViolationError:
            raise _name_in_use(new_name or row.name) from None
    return to_store(updated)


async def delete_custom_key_store(services: Services, call: Call, store_id: str) -> str:
    await authorize(services, call, "DeleteCustomKeyStore", None)
    async with services.pool.acquire() as conn, conn.transaction():
        row = await load_store_row(conn, call, store_id, for_update=True)
        require_connection("DeleteCustomKeyStore", to_store(row))
        if await rows.has_keys(conn, store_id):
            raise CustomKeyStoreHasCMKsException(
                f"Custom key store {store_id} contains KMS keys; delete them "
                "(ScheduleKeyDeletion) before the store."
            )
        await rows.delete_store(conn, store_id)
    await services.key_stores.disconnect(store_id)
    return store_id


async def describe_custom_key_stores(
    services: Services,
    call: Call,
    store_id: str | None = None,
    name: str | None = None,
    limit: int | None = None,
    marker: str | None = None,
) -> Page[CustomKeyStore]:
    """One store by id or by name, or a page of all of the account's and region's."""
    await authorize(services, call, "DescribeCustomKeyStores", None)
    size = page_size(limit)
    if store_id is not None and name is not None:
        raise ValidationException(
            "Specify either customKeyStoreId or customKeyStoreName, not both."
        )
    if marker is not None and not _STORE_ID.match(marker):
        raise invalid_marker()
    async with services.pool.acquire() as conn:
        if store_id is not None:
            return Page([to_store(await load_store_row(conn, call, store_id))])
        if name is not None:
            found = await rows.find_store_by_name(
                conn, call.scope.account_id, call.scope.region, name
            )
            if found is None:
                raise not_found(name)
            return Page([to_store(found)])
        page = await rows.list_stores(
            conn, call.scope.account_id, call.scope.region, marker, fetch_size(size)
        )
    return page_of([to_store(row) for row in page], size, lambda store: store.store_id)
