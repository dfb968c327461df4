"""Closing is idempotent: an application's lifespan and its owner may both close the same
``Hsm`` or ``KeyStore``, in turn or at the same time."""

from __future__ import annotations

import asyncio

from hsm import ConnectionState, Hsm, HsmConfig, open_hsm, open_key_store


async def test_hsm_closes_twice(hsm: Hsm, hsm_config: HsmConfig) -> None:
    second = await open_hsm(hsm_config)
    assert len(await second.generate_random(8)) == 8
    await second.aclose()
    assert second.state is ConnectionState.DISCONNECTED
    await second.aclose()
    # the shared login survives: the session-wide ``hsm`` still works
    assert len(await hsm.generate_random(8)) == 8


async def test_hsm_closes_twice_at_once(hsm: Hsm, hsm_config: HsmConfig) -> None:
    second = await open_hsm(hsm_config)
    await asyncio.gather(second.aclose(), second.aclose())
    assert second.state is ConnectionState.DISCONNECTED
    assert len(await hsm.generate_random(8)) == 8


async def test_key_store_closes_twice(key_store_config: HsmConfig) -> None:
    store = await open_key_store(key_store_config)
    assert await store.connect() is ConnectionState.CONNECTED
    await store.aclose()
    assert store.state is ConnectionState.DISCONNECTED
    await store.aclose()
    again = await open_key_store(key_store_config)
    await asyncio.gather(again.aclose(), again.aclose())
    assert again.state is ConnectionState.DISCONNECTED
