"""The audit subscription through a real WebSocket client, as the dashboard's live tail uses it:
graphql-transport-ws (graphql-ws's PROTOCOL.md) on ``ws://host/graphql``, events appended by
other connections arriving, and every refusal the protocol and the reader rule call for."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin, Subprotocol

from api.audit.chain import append
from api.principals import PrincipalKind, create_principal, principal_for
from api.services import Services
from api.sessions import SESSION_COOKIE
from schema import subscriptions
from tests.audit.conftest import event
from tests.graphql_client import gql

ACCOUNT = "111122223333"
SUBSCRIBE = """
subscription($filter: AuditEventFilter) {
  auditEvents(filter: $filter) { seq principal action keyArn outcome requestId }
}
"""
CREATE_KEY = 'mutation { createKey(input: {description: "live"}) { keyMetadata { keyId } } }'
WAIT = 10.0
PROTOCOLS = [Subprotocol(subscriptions.SUBPROTOCOL)]


def ws_url(served: str) -> str:
    return served.replace("http://", "ws://") + "/graphql"


async def receive(socket: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), WAIT))
    return message


async def send(socket: ClientConnection, message: dict[str, Any]) -> None:
    await socket.send(json.dumps(message))


async def closed_with(socket: ClientConnection) -> tuple[int | None, str | None]:
    """The close code and reason the server closed the socket with."""
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(socket.recv(), WAIT)
    received = closed.value.rcvd
    return (received.code, received.reason) if received else (None, None)


@pytest.fixture
async def opened(served: str) -> AsyncIterator[ClientConnection]:
    """A socket speaking graphql-transport-ws, not yet initialised."""
    async with connect(ws_url(served), subprotocols=PROTOCOLS) as socket:
        yield socket


async def acknowledged(socket: ClientConnection, token: str) -> None:
    await send(socket, {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    assert await receive(socket) == {"type": "connection_ack"}


async def subscribed(
    socket: ClientConnection, operation_id: str = "1", variables: dict[str, Any] | None = None
) -> None:
    payload = {"query": SUBSCRIBE, "variables": variables or {}}
    await send(socket, {"id": operation_id, "type": "subscribe", "payload": payload})


async def next_event(socket: ClientConnection, operation_id: str = "1") -> dict[str, Any]:
    message = await receive(socket)
    assert message["type"] == "next" and message["id"] == operation_id, message
    assert "errors" not in message["payload"], message
    found: dict[str, Any] = message["payload"]["data"]["auditEvents"]
    return found


async def test_an_event_appended_by_another_connection_arrives(
    opened: ClientConnection, admin_token: str, client: httpx.AsyncClient, services: Services
) -> None:
    await acknowledged(opened, admin_token)
    await subscribed(opened, variables={"filter": {"action": "kms:CreateKey"}})
    await asyncio.sleep(0.3)  # the subscription is in place once its own read is done
    key_id = (await gql(client, CREATE_KEY))["createKey"]["keyMetadata"]["keyId"]
    created = await next_event(opened)
    assert created["action"] == "kms:CreateKey"
    assert created["principal"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert created["keyArn"] is None and created["outcome"] == "ok"
    async with services.pool.acquire() as conn:  # another writer entirely
        await append(conn, [event(1, action="kms:CreateKey", request_id="from-elsewhere")])
    assert (await next_event(opened))["requestId"] == "from-elsewhere"
    assert key_id


async def test_events_follow_the_filter_and_complete_stops_them(
    opened: ClientConnection, admin_token: str, services: Services
) -> None:
    await acknowledged(opened, admin_token)
    await subscribed(opened, "denied", {"filter": {"outcome": "AccessDeniedException"}})
    await asyncio.sleep(0.3)
    async with services.pool.acquire() as conn:
        await append(
            conn,
            [
                event(1, request_id="fine"),
                event(2, request_id="refused", outcome="AccessDeniedException"),
            ],
        )
    assert (await next_event(opened, "denied"))["requestId"] == "refused"
    await send(opened, {"id": "denied", "type": "complete"})
    await send(opened, {"type": "ping"})
    assert await receive(opened) == {"type": "pong"}
    async with services.pool.acquire() as conn:
        await append(conn, [event(3, outcome="AccessDeniedException")])
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(opened.recv(), 1.0)


async def test_a_user_is_refused_the_trail(opened: ClientConnection, services: Services) -> None:
    async with services.pool.acquire() as conn:
        bob = await create_principal(conn, principal_for(ACCOUNT, "bob", PrincipalKind.USER))
    await acknowledged(opened, bob.value)
    await subscribed(opened)
    refused = await receive(opened)
    assert refused["type"] == "next"
    (error,) = refused["payload"]["errors"]
    assert error["extensions"]["code"] == "AccessDeniedException"
    assert "user/bob" in error["message"]
    assert await receive(opened) == {"id": "1", "type": "complete"}


async def test_a_bad_token_is_forbidden(opened: ClientConnection) -> None:
    await send(opened, {"type": "connection_init", "payload": {"Authorization": "Bearer nope"}})
    assert (await closed_with(opened))[0] == subscriptions.FORBIDDEN


async def test_no_credentials_at_all_are_forbidden(opened: ClientConnection) -> None:
    await send(opened, {"type": "connection_init"})
    assert (await closed_with(opened))[0] == subscriptions.FORBIDDEN


@pytest.fixture
async def session_cookie(served: str, admin_token: str) -> str:
    """The root's browser session, signed in as the dashboard signs in (``POST /session``)."""
    async with httpx.AsyncClient(base_url=served) as http:
        response = await http.post("/session", headers={"Authorization": f"Bearer {admin_token}"})
    assert response.status_code == 200, response.text
    return f"{SESSION_COOKIE}={response.cookies[SESSION_COOKIE]}"


async def test_a_session_cookie_from_the_servers_own_page_is_accepted(
    served: str, session_cookie: str
) -> None:
    headers = {"Cookie": session_cookie}
    async with connect(
        ws_url(served),
        subprotocols=PROTOCOLS,
        origin=Origin(served),
        additional_headers=headers,
    ) as socket:
        await send(socket, {"type": "connection_init", "payload": {}})
        assert await receive(socket) == {"type": "connection_ack"}


async def test_signing_out_closes_the_socket(
    served: str, session_cookie: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(subscriptions, "RECHECK_SECONDS", 0.2)
    async with connect(
        ws_url(served),
        subprotocols=PROTOCOLS,
        origin=Origin(served),
        additional_headers={"Cookie": session_cookie},
    ) as socket:
        await send(socket, {"type": "connection_init"})
        assert await receive(socket) == {"type": "connection_ack"}
        await subscribed(socket)
        async with httpx.AsyncClient(base_url=served) as http:
            signed_out = await http.delete(
                "/session",
                headers={"Cookie": session_cookie, "X-Keygraph-CSRF": "1", "Origin": served},
            )
        assert signed_out.status_code == 204, signed_out.text
        assert (await closed_with(socket))[0] == subscriptions.FORBIDDEN


@pytest.mark.parametrize("origin", ["https://evil.example", None])
async def test_a_session_cookie_from_another_page_is_forbidden(
    served: str, session_cookie: str, origin: str | None
) -> None:
    async with connect(
        ws_url(served),
        subprotocols=PROTOCOLS,
        origin=None if origin is None else Origin(origin),
        additional_headers={"Cookie": session_cookie},
    ) as socket:
        await send(socket, {"type": "connection_init"})
        assert (await closed_with(socket))[0] == subscriptions.FORBIDDEN


async def test_the_protocol_is_held_to(served: str, admin_token: str) -> None:
    """Each rule of PROTOCOL.md and its close code, on a socket of its own."""

    async def after(messages: list[dict[str, Any]], init: bool) -> int | None:
        async with connect(ws_url(served), subprotocols=PROTOCOLS) as socket:
            if init:
                await acknowledged(socket, admin_token)
            for message in messages:
                await send(socket, message)
            return (await closed_with(socket))[0]

    query = {"query": SUBSCRIBE}
    assert await after([{"id": "1", "type": "subscribe", "payload": query}], False) == 4401
    assert await after([{"type": "connection_init"}], True) == 4429
    twice = [{"id": "1", "type": "subscribe", "payload": query}] * 2
    assert await after(twice, True) == 4409
    assert await after([{"type": "shout"}], True) == 4400
    assert await after([{"id": "1", "type": "subscribe"}], True) == 4400
    async with connect(ws_url(served), subprotocols=PROTOCOLS) as socket:
        await socket.send("not json")
        assert (await closed_with(socket))[0] == 4400


async def test_a_socket_without_the_subprotocol_is_closed(served: str) -> None:
    async with connect(ws_url(served)) as socket:
        assert (await closed_with(socket))[0] == 4406


async def test_connection_init_must_come_in_time(
    served: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(subscriptions, "INIT_SECONDS", 0.3)
    async with connect(ws_url(served), subprotocols=PROTOCOLS) as socket:
        code, reason = await closed_with(socket)
    assert (code, reason) == (4408, "Connection initialisation timeout")


async def test_a_connection_holds_a_bounded_number_of_subscriptions(
    opened: ClientConnection, admin_token: str
) -> None:
    await acknowledged(opened, admin_token)
    quiet = {"filter": {"action": "kms:Sign"}}  # no event of these comes meanwhile
    for number in range(subscriptions.MAX_SUBSCRIPTIONS):
        await subscribed(opened, str(number), quiet)
    await subscribed(opened, "one too many", quiet)
    refused = await receive(opened)
    assert refused["type"] == "error" and refused["id"] == "one too many"
    assert refused["payload"][0]["extensions"]["code"] == "LimitExceededException"
    await send(opened, {"id": "0", "type": "complete"})
    await asyncio.sleep(0.2)
    await subscribed(opened, "now there is room", quiet)
    await send(opened, {"type": "ping"})
    assert await receive(opened) == {"type": "pong"}


async def test_queries_run_over_the_socket_and_bad_documents_are_errors(
    opened: ClientConnection, admin_token: str
) -> None:
    await acknowledged(opened, admin_token)
    await send(opened, {"id": "q", "type": "subscribe", "payload": {"query": "{ whoami { arn } }"}})
    answer = await receive(opened)
    assert answer == {
        "id": "q",
        "type": "next",
        "payload": {"data": {"whoami": {"arn": f"arn:aws:iam::{ACCOUNT}:root"}}},
    }
    assert await receive(opened) == {"id": "q", "type": "complete"}
    bad = {"query": "subscription { auditEvents { nothing } }"}
    await send(opened, {"id": "bad", "type": "subscribe", "payload": bad})
    refused = await receive(opened)
    assert refused["type"] == "error" and refused["id"] == "bad"
    assert refused["payload"][0]["extensions"]["code"] == "ValidationException"


async def test_a_subscription_posted_over_http_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": SUBSCRIBE})
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "ValidationException"
    assert "WebSocket" in error["message"]
