"""keygraph served over real sockets in the test's event loop, for WebSocket clients: uvicorn
(with its WebSocket protocol, as ``keygraph serve`` runs it) on the suite's services."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import uvicorn

from api.services import Services
from keygraph.app import keygraph_app
from tests.app.test_dev_server import free_port


@pytest.fixture
async def served(services: Services) -> AsyncIterator[str]:
    """The base URL (``http://127.0.0.1:<port>``) of the app, served until the test ends."""
    port = free_port()
    config = uvicorn.Config(
        keygraph_app(services.settings, services),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        ws="websockets-sansio",
        # As `keygraph serve` has it: a socket a test left open cannot hold the teardown.
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)
