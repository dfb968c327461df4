"""Custom key stores on the second SoftHSM token: create, connect, disconnect, update, delete,
describe, keys made there, and keys reading Unavailable while their store is not connected."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from api.authz.access import readable_key
from api.errors import CustomKeyStoreInvalidStateException
from api.jobs import DeletionJob
from api.keys.custom_stores import destroy_store_key, key_store_for
from api.services import Services
from hsm import HsmConfig
from tests.aws_messages import validation_message
from tests.graphql_client import GraphQLFailure, gql, gql_failure, walk_pages
from tests.keys.test_deletion import root_call

ENTRY = """
  customKeyStoreId customKeyStoreName customKeyStoreType connectionState connectionErrorCode
  creationDate pkcs11ModulePath tokenLabel
"""
CREATE_STORE = """
mutation($input: CreateCustomKeyStoreInput!) {
  createCustomKeyStore(input: $input) { customKeyStoreId }
}
"""
CONNECT = f"""
mutation($id: String!) {{
  connectCustomKeyStore(input: {{customKeyStoreId: $id}}) {{ customKeyStore {{ {ENTRY} }} }}
}}
"""
DISCONNECT = f"""
mutation($id: String!) {{
  disconnectCustomKeyStore(input: {{customKeyStoreId: $id}}) {{ customKeyStore {{ {ENTRY} }} }}
}}
"""
UPDATE = f"""
mutation($input: UpdateCustomKeyStoreInput!) {{
  updateCustomKeyStore(input: $input) {{ customKeyStore {{ {ENTRY} }} }}
}}
"""
DELETE_STORE = """
mutation($id: String!) {
  deleteCustomKeyStore(input: {customKeyStoreId: $id}) { customKeyStoreId deleted }
}
"""
DESCRIBE_STORES = f"""
query($input: DescribeCustomKeyStoresInput) {{
  describeCustomKeyStores(input: $input) {{
    customKeyStores {{ {ENTRY} }} nextMarker truncated
  }}
}}
"""
METADATA = "keyId arn keyState enabled origin customKeyStoreId keySpec keyUsage"
CREATE_KEY = f"""
mutation($input: CreateKeyInput) {{ createKey(input: $input) {{ keyMetadata {{ {METADATA} }} }} }}
"""
DESCRIBE_KEY = f"""
query($id: String!) {{ describeKey(input: {{keyId: $id}}) {{ keyMetadata {{ {METADATA} }} }} }}
"""
LIST_KEYS = f"query {{ listKeys {{ keys {{ keyId keyMetadata {{ {METADATA} }} }} }} }}"
DISABLE_KEY = (
    "mutation($id: String!) { disableKey(input: {keyId: $id}) { keyMetadata { keyState } } }"
)


@pytest.fixture(autouse=True)
async def stores_closed(services: Services) -> AsyncIterator[None]:
    """Tokens opened by a test are logged out after it, as Services.aclose will do once the
    registry is one of its fields; a token left logged in would let any PIN through."""
    yield
    await services.key_stores.aclose()


def store_input(config: HsmConfig, name: str = "payments-hsm", **members: str) -> dict[str, Any]:
    """CREATE_STORE's variables for the token of ``config``, ``members`` replacing or adding."""
    given = {
        "customKeyStoreName": name,
        "pkcs11ModulePath": config.module_path,
        "tokenLabel": config.token_label,
        "keyStorePassword": config.pin,
        **members,
    }
    return {"input": given}


def update_input(store_id: str, **members: str) -> dict[str, Any]:
    return {"input": {"customKeyStoreId": store_id, **members}}


async def create_store(
    client: httpx.AsyncClient, config: HsmConfig, name: str = "payments-hsm", **members: str
) -> str:
    data = await gql(client, CREATE_STORE, store_input(config, name, **members))
    store_id: str = data["createCustomKeyStore"]["customKeyStoreId"]
    return store_id


async def update_store(client: httpx.AsyncClient, store_id: str, **members: str) -> dict[str, Any]:
    data = await gql(client, UPDATE, update_input(store_id, **members))
    entry: dict[str, Any] = data["updateCustomKeyStore"]["customKeyStore"]
    return entry


async def connect(client: httpx.AsyncClient, store_id: str) -> dict[str, Any]:
    entry: dict[str, Any] = (await gql(client, CONNECT, {"id": store_id}))["connectCustomKeyStore"][
        "customKeyStore"
    ]
    return entry


async def disconnect(client: httpx.AsyncClient, store_id: str) -> dict[str, Any]:
    entry: dict[str, Any] = (await gql(client, DISCONNECT, {"id": store_id}))[
        "disconnectCustomKeyStore"
    ]["customKeyStore"]
    return entry


async def describe_store(client: httpx.AsyncClient, store_id: str) -> dict[str, Any]:
    data = await gql(client, DESCRIBE_STORES, {"input": {"customKeyStoreId": store_id}})
    stores: list[dict[str, Any]] = data["describeCustomKeyStores"]["customKeyStores"]
    assert len(stores) == 1
    return stores[0]


async def connected_store(client: httpx.AsyncClient, config: HsmConfig) -> str:
    """A new store on the token of ``config``, connected."""
    store_id = await create_store(client, config)
    await connect(client, store_id)
    return store_id


async def stores_page(client: httpx.AsyncClient, marker: str | None) -> Any:
    data = await gql(client, DESCRIBE_STORES, {"input": {"limit": 2, "marker": marker}})
    return data["describeCustomKeyStores"]


async def store_key(client: httpx.AsyncClient, store_id: str) -> dict[str, Any]:
    data = await gql(
        client, CREATE_KEY, {"input": {"origin": "AWS_CLOUDHSM", "customKeyStoreId": store_id}}
    )
    key: dict[str, Any] = data["createKey"]["keyMetadata"]
    return key


async def key_state(client: httpx.AsyncClient, key_id: str) -> str:
    state: str = (await gql(client, DESCRIBE_KEY, {"id": key_id}))["describeKey"]["keyMetadata"][
        "keyState"
    ]
    return state


def invalid_state(action: str, store_id: str, state: str) -> GraphQLFailure:
    return GraphQLFailure(
        "CustomKeyStoreInvalidStateException",
        f"{action} is not valid for custom key store {store_id} while its connection state is "
        f"{state}.",
    )


async def test_create_connect_and_make_keys_in_the_token(
    client: httpx.AsyncClient, services: Services, key_store_config: HsmConfig
) -> None:
    store_id = await create_store(client, key_store_config)
    assert store_id.startswith("cks-") and len(store_id) == 21
    described = await describe_store(client, store_id)
    assert described["customKeyStoreName"] == "payments-hsm"
    assert described["customKeyStoreType"] == "AWS_CLOUDHSM"
    assert described["connectionState"] == "DISCONNECTED"
    assert described["connectionErrorCode"] is None
    assert described["tokenLabel"] == key_store_config.token_label
    assert described["pkcs11ModulePath"] == key_store_config.module_path

    connected = await connect(client, store_id)
    assert connected["connectionState"] == "CONNECTED"
    assert connected["connectionErrorCode"] is None
    assert await describe_store(client, store_id) == connected

    key = await store_key(client, store_id)
    assert key["keyState"] == "Enabled" and key["enabled"] is True
    assert key["origin"] == "AWS_CLOUDHSM" and key["customKeyStoreId"] == store_id
    token = services.key_stores.get(store_id)
    assert token is not None and await token.has_key(key["keyId"])
    # The key is usable in its token: AES-GCM there, by label = key id.
    call_key = await readable_key(services, root_call(services), key["keyId"], "DescribeKey")
    store = await key_store_for(services.key_stores, call_key)
    sealed = await store.encrypt(key["keyId"], b"in the token", b"aad")
    assert await store.decrypt(key["keyId"], sealed, b"aad") == b"in the token"
    async with services.pool.acquire() as conn:
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM key_materials WHERE key_id = $1", uuid.UUID(key["keyId"])
            )
            == 0
        )


async def test_keys_of_a_disconnected_store_are_unavailable_until_it_reconnects(
    client: httpx.AsyncClient, services: Services, key_store_config: HsmConfig
) -> None:
    store_id = await connected_store(client, key_store_config)
    enabled, disabled = await store_key(client, store_id), await store_key(client, store_id)
    await gql(client, DISABLE_KEY, {"id": disabled["keyId"]})

    assert (await disconnect(client, store_id))["connectionState"] == "DISCONNECTED"
    assert services.key_stores.get(store_id) is None
    for key in (enabled, disabled):
        assert await key_state(client, key["keyId"]) == "Unavailable"
    listed = {
        key["keyId"]: key["keyMetadata"]["keyState"]
        for key in (await gql(client, LIST_KEYS))["listKeys"]["keys"]
    }
    assert listed == {enabled["keyId"]: "Unavailable", disabled["keyId"]: "Unavailable"}
    # EnableKey and DisableKey work on Unavailable keys and take effect when available.
    await gql(client, DISABLE_KEY, {"id": enabled["keyId"]})
    assert await key_state(client, enabled["keyId"]) == "Unavailable"
    assert await gql_failure(
        client, CREATE_KEY, {"input": {"origin": "AWS_CLOUDHSM", "customKeyStoreId": store_id}}
    ) == invalid_state("CreateKey", store_id, "DISCONNECTED")

    assert (await connect(client, store_id))["connectionState"] == "CONNECTED"
    assert await key_state(client, enabled["keyId"]) == "Disabled"
    assert await key_state(client, disabled["keyId"]) == "Disabled"
    await gql(
        client,
        "mutation($id: String!) { enableKey(input: {keyId: $id}) { keyMetadata { keyState } } }",
        {"id": enabled["keyId"]},
    )
    assert await key_state(client, enabled["keyId"]) == "Enabled"


async def test_a_wrong_pin_fails_the_connection_with_invalid_credentials(
    client: httpx.AsyncClient,
    services: Services,
    key_store_config: HsmConfig,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    store_id = await connected_store(client, key_store_config)
    key = await store_key(client, store_id)
    await disconnect(client, store_id)
    updated = await update_store(client, store_id, keyStorePassword="not-the-pin")
    assert updated["connectionState"] == "DISCONNECTED"

    failed = await connect(client, store_id)
    assert failed["connectionState"] == "FAILED"
    assert failed["connectionErrorCode"] == "INVALID_CREDENTIALS"
    assert await describe_store(client, store_id) == failed
    assert await key_state(client, key["keyId"]) == "Unavailable"
    # AWS: a FAILED store is disconnected before it is connected again, and updated only then.
    assert await gql_failure(client, CONNECT, {"id": store_id}) == invalid_state(
        "ConnectCustomKeyStore", store_id, "FAILED"
    )
    assert await gql_failure(
        client, UPDATE, update_input(store_id, keyStorePassword="x")
    ) == invalid_state("UpdateCustomKeyStore", store_id, "FAILED")
    assert (await disconnect(client, store_id))["connectionErrorCode"] is None
    await update_store(client, store_id, keyStorePassword=key_store_config.pin)
    assert (await connect(client, store_id))["connectionState"] == "CONNECTED"
    assert await key_state(client, key["keyId"]) == "Enabled"
    assert "custom key store" in caplog.text  # the failure was logged ...
    for pin in (key_store_config.pin, "not-the-pin"):
        assert pin not in caplog.text  # ... without the PIN


async def test_a_token_that_is_not_there_fails_with_cluster_not_found(
    client: httpx.AsyncClient, key_store_config: HsmConfig
) -> None:
    store_id = await create_store(client, key_store_config, tokenLabel="no-such-token")
    failed = await connect(client, store_id)
    assert failed["connectionState"] == "FAILED"
    assert failed["connectionErrorCode"] == "CLUSTER_NOT_FOUND"


async def test_the_pin_is_stored_only_sealed(
    client: httpx.AsyncClient, services: Services, key_store_config: HsmConfig
) -> None:
    store_id = await create_store(client, key_store_config)
    async with services.pool.acquire() as conn:
        record = await conn.fetchrow("SELECT * FROM custom_key_stores WHERE id = $1", store_id)
    assert record is not None
    pin = key_store_config.pin.encode()
    for value in record.values():
        stored = bytes(value) if isinstance(value, bytes) else str(value).encode()
        assert pin not in stored
    # Sealed under the domain key, it opens only in the HSM: connecting proves it does.
    assert (await connect(client, store_id))["connectionState"] == "CONNECTED"


async def test_update_and_delete_need_a_disconnected_store(
    client: httpx.AsyncClient, key_store_config: HsmConfig
) -> None:
    store_id = await connected_store(client, key_store_config)
    assert await gql_failure(
        client, UPDATE, update_input(store_id, newCustomKeyStoreName="x")
    ) == invalid_state("UpdateCustomKeyStore", store_id, "CONNECTED")
    assert await gql_failure(client, DELETE_STORE, {"id": store_id}) == invalid_state(
        "DeleteCustomKeyStore", store_id, "CONNECTED"
    )
    key = await store_key(client, store_id)
    await disconnect(client, store_id)
    assert await gql_failure(client, DISCONNECT, {"id": store_id}) == invalid_state(
        "DisconnectCustomKeyStore", store_id, "DISCONNECTED"
    )
    assert await gql_failure(client, DELETE_STORE, {"id": store_id}) == GraphQLFailure(
        "CustomKeyStoreHasCMKsException",
        f"Custom key store {store_id} contains KMS keys; delete them (ScheduleKeyDeletion) "
        "before the store.",
    )
    renamed = await update_store(client, store_id, newCustomKeyStoreName="renamed")
    assert renamed["customKeyStoreName"] == "renamed"
    assert key["customKeyStoreId"] == store_id


async def test_delete_an_empty_store(
    client: httpx.AsyncClient, key_store_config: HsmConfig
) -> None:
    store_id = await create_store(client, key_store_config)
    deleted = (await gql(client, DELETE_STORE, {"id": store_id}))["deleteCustomKeyStore"]
    assert deleted == {"customKeyStoreId": store_id, "deleted": True}
    not_found = GraphQLFailure(
        "CustomKeyStoreNotFoundException", f"Custom key store '{store_id}' does not exist"
    )
    assert (
        await gql_failure(client, DESCRIBE_STORES, {"input": {"customKeyStoreId": store_id}})
        == not_found
    )
    for query in (CONNECT, DISCONNECT, DELETE_STORE):
        assert await gql_failure(client, query, {"id": store_id}) == not_found
    # The token is free again.
    await create_store(client, key_store_config)


async def test_create_key_needs_an_existing_connected_store(
    client: httpx.AsyncClient, key_store_config: HsmConfig
) -> None:
    assert await gql_failure(
        client,
        CREATE_KEY,
        {"input": {"origin": "AWS_CLOUDHSM", "customKeyStoreId": "cks-0123456789abcdef0"}},
    ) == GraphQLFailure(
        "CustomKeyStoreNotFoundException", "Custom key store 'cks-0123456789abcdef0' does not exist"
    )
    store_id = await create_store(client, key_store_config)
    assert await gql_failure(
        client, CREATE_KEY, {"input": {"origin": "AWS_CLOUDHSM", "customKeyStoreId": store_id}}
    ) == invalid_state("CreateKey", store_id, "DISCONNECTED")


async def test_names_and_tokens_are_unique(
    client: httpx.AsyncClient, services: Services, key_store_config: HsmConfig
) -> None:
    store_id = await create_store(client, key_store_config)
    taken_name = store_input(key_store_config, tokenLabel="another-token", keyStorePassword="1234")
    assert await gql_failure(client, CREATE_STORE, taken_name) == GraphQLFailure(
        "CustomKeyStoreNameInUseException", "Custom key store name payments-hsm is already in use."
    )
    taken_token = store_input(key_store_config, "second", keyStorePassword="1234")
    assert await gql_failure(client, CREATE_STORE, taken_token) == GraphQLFailure(
        "CloudHsmClusterInUseException",
        f"Token {key_store_config.token_label} is already used by a custom key store.",
    )
    own = services.settings.hsm
    own_token = store_input(own, "own", keyStorePassword="1234")
    assert await gql_failure(client, CREATE_STORE, own_token) == GraphQLFailure(
        "CloudHsmClusterInUseException",
        f"Token {own.token_label} is keygraph's own HSM token and cannot be a custom key store.",
    )
    other = await create_store(client, key_store_config, "other", tokenLabel="elsewhere")
    assert await gql_failure(
        client, UPDATE, update_input(other, newCustomKeyStoreName="payments-hsm")
    ) == GraphQLFailure(
        "CustomKeyStoreNameInUseException", "Custom key store name payments-hsm is already in use."
    )
    assert store_id != other


async def test_only_the_deployments_module_may_be_loaded(
    client: httpx.AsyncClient, services: Services
) -> None:
    rogue = store_input(
        services.settings.hsm,
        "rogue",
        pkcs11ModulePath="/usr/lib/x86_64-linux-gnu/libc.so.6",
        tokenLabel="t",
        keyStorePassword="1234",
    )
    assert await gql_failure(client, CREATE_STORE, rogue) == GraphQLFailure(
        "ValidationException",
        "pkcs11ModulePath must be the PKCS#11 module this deployment uses: "
        f"{services.settings.hsm.module_path}",
    )


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"customKeyStoreName": ""},
         validation_message("customKeyStoreName", "have length greater than or equal to 1", "")),
        ({"tokenLabel": "x" * 33},
         validation_message("tokenLabel", "have length less than or equal to 32", "x" * 33)),
        ({"keyStorePassword": ""},
         validation_message("keyStorePassword", "have length greater than or equal to 1")),
    ],
)  # fmt: skip
async def test_create_validation(
    client: httpx.AsyncClient, key_store_config: HsmConfig, members: dict[str, str], message: str
) -> None:
    given = store_input(key_store_config, "n", **members)
    assert await gql_failure(client, CREATE_STORE, given) == GraphQLFailure(
        "ValidationException", message
    )


async def test_describe_by_id_by_name_and_page_by_page(
    client: httpx.AsyncClient, key_store_config: HsmConfig
) -> None:
    ids = [
        await create_store(client, key_store_config, f"store-{n}", tokenLabel=f"token-{n}")
        for n in range(5)
    ]
    by_name = await gql(client, DESCRIBE_STORES, {"input": {"customKeyStoreName": "store-3"}})
    assert [
        s["customKeyStoreId"] for s in by_name["describeCustomKeyStores"]["customKeyStores"]
    ] == [ids[3]]
    everything = (await gql(client, DESCRIBE_STORES, {"input": None}))["describeCustomKeyStores"]
    assert sorted(s["customKeyStoreId"] for s in everything["customKeyStores"]) == sorted(ids)
    assert everything["truncated"] is False and everything["nextMarker"] is None

    pages = await walk_pages(lambda marker: stores_page(client, marker), "customKeyStores")
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [s["customKeyStoreId"] for page in pages for s in page] == sorted(ids)

    assert await gql_failure(
        client, DESCRIBE_STORES, {"input": {"customKeyStoreName": "nope"}}
    ) == GraphQLFailure("CustomKeyStoreNotFoundException", "Custom key store 'nope' does not exist")
    assert await gql_failure(
        client, DESCRIBE_STORES, {"input": {"marker": "garbage"}}
    ) == GraphQLFailure("InvalidMarkerException", "The marker is not valid.")
    assert await gql_failure(client, DESCRIBE_STORES, {"input": {"limit": 0}}) == GraphQLFailure(
        "ValidationException",
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1",
    )
    assert await gql_failure(
        client,
        DESCRIBE_STORES,
        {"input": {"customKeyStoreId": ids[0], "customKeyStoreName": "store-0"}},
    ) == GraphQLFailure(
        "ValidationException", "Specify either customKeyStoreId or customKeyStoreName, not both."
    )


async def test_a_restarted_process_reopens_a_connected_store(
    client: httpx.AsyncClient, services: Services, key_store_config: HsmConfig
) -> None:
    store_id = await connected_store(client, key_store_config)
    key = await store_key(client, store_id)
    await services.key_stores.aclose()  # what a restart does to this process's open tokens
    assert services.key_stores.get(store_id) is None
    assert await key_state(client, key["keyId"]) == "Enabled"
    api_key = await readable_key(services, root_call(services), key["keyId"], "DescribeKey")
    store = await key_store_for(services.key_stores, api_key)
    assert await store.has_key(key["keyId"])
    # Connecting an already CONNECTED store is allowed and keeps it so.
    assert (await connect(client, store_id))["connectionState"] == "CONNECTED"


async def test_destroy_store_key(
    client: httpx.AsyncClient, services: Services, key_store_config: HsmConfig
) -> None:
    store_id = await connected_store(client, key_store_config)
    kept, destroyed = await store_key(client, store_id), await store_key(client, store_id)
    token = services.key_stores.get(store_id)
    assert token is not None
    call = root_call(services)
    gone = await readable_key(services, call, destroyed["keyId"], "DescribeKey")
    await destroy_store_key(services.key_stores, gone)
    assert not await token.has_key(destroyed["keyId"])
    assert await token.has_key(kept["keyId"])
    await destroy_store_key(services.key_stores, gone)  # the job may come again: no error
    await disconnect(client, store_id)
    # AWS leaves a disconnected store's key material in the token.
    await destroy_store_key(
        services.key_stores, await readable_key(services, call, kept["keyId"], "DescribeKey")
    )
    await connect(client, store_id)
    reopened = services.key_stores.get(store_id)
    assert reopened is not None and await reopened.has_key(kept["keyId"])


async def test_the_deletion_job_destroys_the_token_object(
    client: httpx.AsyncClient, services: Services, key_store_config: HsmConfig
) -> None:
    store_id = await connected_store(client, key_store_config)
    key = await store_key(client, store_id)
    # The state is set directly: scheduling deletion is another part's operation.
    async with services.pool.acquire() as conn:
        await conn.execute(
            "UPDATE keys SET state = 'PendingDeletion', deletion_date = $2 WHERE id = $1",
            uuid.UUID(key["keyId"]),
            services.clock() - timedelta(seconds=1),
        )
    job = DeletionJob(destroy_store_key=destroy_store_key)
    assert await job.run_once(services, services.clock()) == 1
    token = services.key_stores.get(store_id)
    assert token is not None and not await token.has_key(key["keyId"])
    # With its last key gone, the store can be deleted once disconnected.
    await disconnect(client, store_id)
    await gql(client, DELETE_STORE, {"id": store_id})


async def test_a_store_disconnected_by_another_replica_is_let_go_here(
    client: httpx.AsyncClient, services: Services, key_store_config: HsmConfig
) -> None:
    store_id = await connected_store(client, key_store_config)
    key = await store_key(client, store_id)
    assert services.key_stores.get(store_id) is not None
    # Another replica's DisconnectCustomKeyStore, as this one sees it: the shared row changes.
    async with services.pool.acquire() as conn:
        await conn.execute(
            "UPDATE custom_key_stores SET connection_state = 'DISCONNECTED' WHERE id = $1",
            store_id,
        )
    assert await key_state(client, key["keyId"]) == "Unavailable"
    api_key = await readable_key(services, root_call(services), key["keyId"], "DescribeKey")
    with pytest.raises(CustomKeyStoreInvalidStateException):
        await key_store_for(services.key_stores, api_key)
    assert services.key_stores.get(store_id) is None


async def test_a_sealed_pin_opens_only_for_its_own_store(
    client: httpx.AsyncClient, services: Services, key_store_config: HsmConfig
) -> None:
    """The PIN is sealed with its store's id as additional data: another store given that
    sealed PIN (and the right token) cannot open it, though the PIN inside is right."""
    own = await create_store(client, key_store_config)
    other = await create_store(client, key_store_config, "other", tokenLabel="other-token")
    async with services.pool.acquire() as conn:
        await conn.execute("UPDATE custom_key_stores SET token_label = 'parked' WHERE id = $1", own)
        await conn.execute(
            "UPDATE custom_key_stores SET token_label = $2, sealed_pin = "
            "(SELECT sealed_pin FROM custom_key_stores WHERE id = $3) WHERE id = $1",
            other,
            key_store_config.token_label,
            own,
        )
    failed = await connect(client, other)
    assert (failed["connectionState"], failed["connectionErrorCode"]) == (
        "FAILED",
        "INTERNAL_ERROR",
    )
