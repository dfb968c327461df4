"""The audit subscription as served (``keygraph serve``, uvicorn with keygraph's guarded HTTP
protocol in front of its WebSocket one) across two replicas: a subscriber on one sees the event
of a call another replica served, through PostgreSQL's LISTEN/NOTIFY; and the socket outlives
the HTTP deadlines that guard a request's headers and body."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from hsm import HsmConfig
from schema.subscriptions import SUBPROTOCOL
from tests.served import Replica, serve_environment

pytestmark = pytest.mark.slow

SUBSCRIBE = 'subscription { auditEvents(filter: {action: "kms:CreateKey"}) { action principal } }'
CREATE_KEY = 'mutation { createKey(input: {description: "elsewhere"}) { keyMetadata { keyId } } }'


@pytest.fixture
def replicas(
    fresh_database: str, hsm_config: HsmConfig, keygraph_home: Path
) -> Iterator[list[Replica]]:
    env = {
        **serve_environment(fresh_database, hsm_config, keygraph_home),
        # Short HTTP deadlines: a WebSocket must not be cut by them.
        "KEYGRAPH_HEADER_TIMEOUT": "1",
        "KEYGRAPH_BODY_TIMEOUT": "1",
    }
    started = [Replica(env)]
    try:
        started[0].wait_ready()  # creates the root principal and its token first
        started.append(Replica(env))
        started[1].wait_ready()
        yield started
    finally:
        for replica in started:
            replica.stop()


async def test_an_event_served_by_another_replica_arrives(
    replicas: list[Replica], keygraph_home: Path
) -> None:
    token = (keygraph_home / "admin-token").read_text().strip()
    listening, serving = replicas
    url = listening.url.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=[Subprotocol(SUBPROTOCOL)]) as socket:
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        await socket.send(json.dumps(init))
        assert json.loads(await asyncio.wait_for(socket.recv(), 10)) == {"type": "connection_ack"}
        await socket.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
        )
        await asyncio.sleep(2.5)  # past both HTTP deadlines
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.post(
                f"{serving.url}/graphql",
                json={"query": CREATE_KEY},
                headers={"Authorization": f"Bearer {token}"},
            )
        assert "errors" not in response.json()
        message = json.loads(await asyncio.wait_for(socket.recv(), 10))
    assert message == {
        "id": "1",
        "type": "next",
        "payload": {
            "data": {
                "auditEvents": {
                    "action": "kms:CreateKey",
                    "principal": "arn:aws:iam::111122223333:root",
                }
            }
        },
    }
