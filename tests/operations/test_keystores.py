"""The custom key store operations through the pipeline, on the second SoftHSM token: create,
describe, connect, disconnect, update, delete, and AWS's errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from api.keystores.model import ConnectionErrorCode, ConnectionState, CustomKeyStoreType
from api.operations.keystores import (
    CreateCustomKeyStoreRequest,
    CustomKeyStoreRequest,
    DescribeCustomKeyStoresRequest,
    UpdateCustomKeyStoreRequest,
)
from api.services import Services
from hsm import HsmConfig
from tests.aws_messages import validation_message
from tests.operations.conftest import Invoke, refused


@pytest.fixture(autouse=True)
async def stores_closed(services: Services) -> AsyncIterator[None]:
    """Tokens a test opened are logged out after it (see tests/keys/test_keystores.py)."""
    yield
    await services.key_stores.aclose()


def creation(config: HsmConfig, **members: Any) -> CreateCustomKeyStoreRequest:
    given: dict[str, Any] = {
        "custom_key_store_name": "payments-hsm",
        "pkcs11_module_path": config.module_path,
        "token_label": config.token_label,
        "key_store_password": config.pin,
        **members,
    }
    return CreateCustomKeyStoreRequest(**given)


async def test_a_store_through_its_life(call: Invoke, key_store_config: HsmConfig) -> None:
    created = await call("CreateCustomKeyStore", creation(key_store_config))
    store_id = created.custom_key_store_id
    assert store_id.startswith("cks-") and len(store_id) == 21

    described = await call(
        "DescribeCustomKeyStores", DescribeCustomKeyStoresRequest(custom_key_store_id=store_id)
    )
    (entry,) = described.custom_key_stores
    assert (entry.custom_key_store_id, entry.custom_key_store_name) == (store_id, "payments-hsm")
    assert entry.custom_key_store_type is CustomKeyStoreType.AWS_CLOUDHSM
    assert entry.connection_state is ConnectionState.DISCONNECTED
    assert entry.connection_error_code is None
    assert (entry.pkcs11_module_path, entry.token_label) == (
        key_store_config.module_path,
        key_store_config.token_label,
    )
    assert described.truncated is False and described.next_marker is None

    connected = await call(
        "ConnectCustomKeyStore", CustomKeyStoreRequest(custom_key_store_id=store_id)
    )
    assert connected.custom_key_store.connection_state is ConnectionState.CONNECTED
    disconnected = await call(
        "DisconnectCustomKeyStore", CustomKeyStoreRequest(custom_key_store_id=store_id)
    )
    assert disconnected.custom_key_store.connection_state is ConnectionState.DISCONNECTED

    updated = await call(
        "UpdateCustomKeyStore",
        UpdateCustomKeyStoreRequest(
            custom_key_store_id=store_id,
            new_custom_key_store_name="billing-hsm",
            key_store_password="not-the-pin",
        ),
    )
    assert updated.custom_key_store.custom_key_store_name == "billing-hsm"
    by_name = await call(
        "DescribeCustomKeyStores",
        DescribeCustomKeyStoresRequest(custom_key_store_name="billing-hsm"),
    )
    assert by_name.custom_key_stores == [updated.custom_key_store]
    failed = await call(
        "ConnectCustomKeyStore", CustomKeyStoreRequest(custom_key_store_id=store_id)
    )
    assert failed.custom_key_store.connection_state is ConnectionState.FAILED
    assert failed.custom_key_store.connection_error_code is ConnectionErrorCode.INVALID_CREDENTIALS
    await call("DisconnectCustomKeyStore", CustomKeyStoreRequest(custom_key_store_id=store_id))

    deleted = await call(
        "DeleteCustomKeyStore", CustomKeyStoreRequest(custom_key_store_id=store_id)
    )
    assert (deleted.custom_key_store_id, deleted.deleted) == (store_id, True)
    described_again = DescribeCustomKeyStoresRequest(custom_key_store_id=store_id)
    error = await refused(call("DescribeCustomKeyStores", described_again))
    assert (error.code, error.message) == (
        "CustomKeyStoreNotFoundException",
        f"Custom key store '{store_id}' does not exist",
    )


async def test_a_connected_store_is_neither_updated_nor_deleted(
    call: Invoke, key_store_config: HsmConfig
) -> None:
    store_id = (await call("CreateCustomKeyStore", creation(key_store_config))).custom_key_store_id
    await call("ConnectCustomKeyStore", CustomKeyStoreRequest(custom_key_store_id=store_id))
    error = await refused(
        call("DeleteCustomKeyStore", CustomKeyStoreRequest(custom_key_store_id=store_id))
    )
    assert (error.code, error.message) == (
        "CustomKeyStoreInvalidStateException",
        f"DeleteCustomKeyStore is not valid for custom key store {store_id} while its "
        "connection state is CONNECTED.",
    )


async def test_the_pin_is_never_shown(key_store_config: HsmConfig) -> None:
    request = creation(key_store_config)
    assert key_store_config.pin not in repr(request)
    update = UpdateCustomKeyStoreRequest(custom_key_store_id="cks-1", key_store_password="secret")
    assert "secret" not in repr(update)


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"custom_key_store_name": ""},
         validation_message("customKeyStoreName", "have length greater than or equal to 1", "")),
        ({"token_label": "x" * 33},
         validation_message("tokenLabel", "have length less than or equal to 32", "x" * 33)),
        ({"key_store_password": ""},
         validation_message("keyStorePassword", "have length greater than or equal to 1")),
    ],
)  # fmt: skip
async def test_members_out_of_the_model_are_refused_in_aws_words(
    call: Invoke, key_store_config: HsmConfig, members: dict[str, str], message: str
) -> None:
    error = await refused(call("CreateCustomKeyStore", creation(key_store_config, **members)))
    assert (error.code, error.message) == ("ValidationException", message)


async def test_describe_takes_an_id_or_a_name_not_both(call: Invoke) -> None:
    error = await refused(
        call(
            "DescribeCustomKeyStores",
            DescribeCustomKeyStoresRequest(custom_key_store_id="cks-1", custom_key_store_name="n"),
        )
    )
    assert (error.code, error.message) == (
        "ValidationException",
        "Specify either customKeyStoreId or customKeyStoreName, not both.",
    )
    long_id = "c" * 65
    error = await refused(
        call("ConnectCustomKeyStore", CustomKeyStoreRequest(custom_key_store_id=long_id))
    )
    assert (error.code, error.message) == (
        "ValidationException",
        validation_message("customKeyStoreId", "have length less than or equal to 64", long_id),
    )


async def test_only_the_deployment_module_may_be_loaded(
    call: Invoke, services: Services, key_store_config: HsmConfig
) -> None:
    request = creation(key_store_config, pkcs11_module_path="/usr/lib/x86_64-linux-gnu/libc.so.6")
    error = await refused(call("CreateCustomKeyStore", request))
    assert (error.code, error.message) == (
        "ValidationException",
        "pkcs11ModulePath must be the PKCS#11 module this deployment uses: "
        f"{services.settings.hsm.module_path}",
    )
