"""A second replica's view of the deployment, with a key cache and change listener of its own."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest

from api.cache import KeyCache, KeyChangeListener
from api.services import Services
from db.pool import create_pool


@pytest.fixture
async def replica(services: Services) -> AsyncIterator[Services]:
    """Another process as far as caching goes: its own pool, cache and listening connection;
    it hears of changes only through NOTIFY."""
    settings = services.settings
    pool = await create_pool(settings.database_url)
    cache = KeyCache()
    listener = KeyChangeListener(settings.database_url, cache)
    await listener.start()
    try:
        yield dataclasses.replace(services, pool=pool, key_cache=cache, key_listener=listener)
    finally:
        await listener.stop()
        await pool.close()
