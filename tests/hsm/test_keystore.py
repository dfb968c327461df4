"""A second token as a custom key store: labelled token objects, disconnection, reconnection."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pkcs11
import pytest
from pkcs11 import Attribute, ObjectClass

from hsm import (
    ConnectionState,
    HsmConfig,
    HsmUnavailable,
    InvalidCiphertext,
    KeyAlreadyExists,
    KeyNotFound,
    KeyStore,
    LoginFailed,
    TokenNotFound,
    open_key_store,
    provision_softhsm,
)


@pytest.fixture(scope="module")
async def store(key_store_config: HsmConfig) -> AsyncIterator[KeyStore]:
    opened = await open_key_store(key_store_config)
    yield opened
    await opened.aclose()


async def test_store_connects(store: KeyStore) -> None:
    assert store.state is ConnectionState.CONNECTED
    assert await store.connect() is ConnectionState.CONNECTED
    assert store.last_error is None


async def test_keys_are_labelled_non_extractable_token_objects(
    store: KeyStore, key_store_config: HsmConfig
) -> None:
    await store.create_key("customer-key-1")
    assert await store.has_key("customer-key-1")
    token = pkcs11.lib(key_store_config.module_path).get_token(
        token_label=key_store_config.token_label
    )
    with token.open() as session:
        (key,) = session.get_objects(
            {Attribute.CLASS: ObjectClass.SECRET_KEY, Attribute.LABEL: "customer-key-1"}
        )
        assert key[Attribute.TOKEN] is True
        assert key[Attribute.EXTRACTABLE] is False
        assert key[Attribute.SENSITIVE] is True


async def test_encrypt_and_decrypt_by_label(store: KeyStore) -> None:
    await store.create_key("customer-key-2")
    sealed = await store.encrypt("customer-key-2", b"kept in the store", b"aad")
    assert await store.decrypt("customer-key-2", sealed, b"aad") == b"kept in the store"
    with pytest.raises(InvalidCiphertext):
        await store.decrypt("customer-key-2", sealed, b"other aad")
    await store.create_key("customer-key-3")
    with pytest.raises(InvalidCiphertext):
        await store.decrypt("customer-key-3", sealed, b"aad")


async def test_labels_are_unique_and_unknown_labels_are_named(store: KeyStore) -> None:
    await store.create_key("customer-key-4")
    with pytest.raises(KeyAlreadyExists):
        await store.create_key("customer-key-4")
    with pytest.raises(KeyNotFound, match="no-such-key"):
        await store.encrypt("no-such-key", b"x")


async def test_deleted_key_is_gone(store: KeyStore) -> None:
    await store.create_key("customer-key-5")
    await store.encrypt("customer-key-5", b"x")  # cached in a session
    await store.delete_key("customer-key-5")
    assert not await store.has_key("customer-key-5")
    with pytest.raises(KeyNotFound):
        await store.encrypt("customer-key-5", b"x")


async def test_disconnect_then_reconnect(store: KeyStore) -> None:
    await store.create_key("customer-key-6")
    sealed = await store.encrypt("customer-key-6", b"survives reconnect")
    await store.disconnect()
    assert store.state is ConnectionState.DISCONNECTED
    assert await store.connect() is ConnectionState.CONNECTED
    assert await store.decrypt("customer-key-6", sealed) == b"survives reconnect"


async def test_an_absent_token_reports_disconnected(key_store_config: HsmConfig) -> None:
    absent = dataclasses.replace(key_store_config, token_label="not-plugged-in")
    store = await open_key_store(absent)
    try:
        assert store.state is ConnectionState.DISCONNECTED
        assert isinstance(store.last_error, TokenNotFound)
        assert await store.connect() is ConnectionState.DISCONNECTED
        assert isinstance(store.last_error, TokenNotFound)
        assert "not-plugged-in" in str(store.last_error)
        with pytest.raises(HsmUnavailable, match="not-plugged-in"):
            await store.encrypt("any", b"x")
    finally:
        await store.aclose()
    assert store.last_error is None


async def test_a_refused_pin_is_the_reason_and_is_not_repeated(
    store: KeyStore, key_store_config: HsmConfig
) -> None:
    """The store fixture holds the token's login, so this also shows that a second PIN cannot
    ride on it."""
    wrong = dataclasses.replace(key_store_config, pin="not-the-pin-5678")
    refused = await open_key_store(wrong)
    try:
        assert await refused.connect() is ConnectionState.DISCONNECTED
        assert isinstance(refused.last_error, LoginFailed)
        assert key_store_config.token_label in str(refused.last_error)
        assert "not-the-pin-5678" not in str(refused.last_error)
        assert refused.last_error.__traceback__ is None
    finally:
        await refused.aclose()
    assert store.state is ConnectionState.CONNECTED


async def test_a_token_plugged_in_later_connects_and_clears_the_reason(
    softhsm_dir: Path, key_store_config: HsmConfig
) -> None:
    label = "plugged-in-late"
    pin_file = softhsm_dir / f"{label}.pin"  # provisioning takes the PIN already there
    pin_file.write_text("late-pin-1234")
    pin_file.chmod(0o600)
    config = dataclasses.replace(key_store_config, token_label=label, pin="late-pin-1234")
    store = await open_key_store(config)
    try:
        assert store.state is ConnectionState.DISCONNECTED
        assert isinstance(store.last_error, TokenNotFound)
        assert provision_softhsm(softhsm_dir, label) == config
        assert await store.connect() is ConnectionState.CONNECTED
        assert store.last_error is None
    finally:
        await store.aclose()
