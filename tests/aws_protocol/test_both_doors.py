"""One behaviour through both doors: every operation the AWS door serves, called with the same
request by the same principal through GraphQL and through AWS's protocol, gets the same outcome
(the same error code and message, or success) and the same audit events but for the door.

The pairs are generated from the registry: each operation's request is built from its shape
(the required members only, each a plain value of its type; a key id names a fresh key of its
own for each door, so that a change made through one door cannot decide the other's call), then
written once as GraphQL variables and once as AWS JSON."""

from __future__ import annotations

import base64
import enum
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from api.operation import Access, Operation
from api.operations import OPERATIONS
from api.principals import Principal, PrincipalKind, create_principal
from api.services import Services
from api.shapes import Kind, Member, TypeRef, shape_of, spelling
from aws.routes import routes
from db import audit as audit_rows
from keygraph.app import keygraph_app
from tests.aws_protocol.conftest import post
from tests.graphql_client import app_client

SERVED = [route.operation for route in routes(OPERATIONS).values()]
KEY_MEMBERS = {"key_id", "source_key_id", "destination_key_id"}
# What differs between the two calls by construction: their keys and request ids.
_KEY_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def sample(ref: TypeRef, member: Member, key_id: str) -> Any:
    """A plain value of the member's type: what a caller who read only the types would send."""
    if member.name in KEY_MEMBERS:
        return key_id
    low = member.constraints.length[0] or member.constraints.value[0] or 1
    values: dict[Kind, Any] = {
        Kind.STRING: "x" * low,
        Kind.BLOB: b"\x01" * low,
        Kind.INTEGER: low,
        Kind.BOOLEAN: False,
        Kind.TIMESTAMP: datetime(2030, 1, 1, tzinfo=UTC),
        Kind.MAP: {},
        Kind.LIST: [],
    }
    if ref.kind is Kind.ENUM:
        assert ref.enum is not None
        return next(iter(ref.enum))
    if ref.kind is Kind.STRUCTURE:
        assert ref.structure is not None
        return required_members(ref.structure, key_id)
    return values[ref.kind]


def required_members(cls: type, key_id: str) -> dict[str, tuple[Member, Any]]:
    return {
        member.name: (member, sample(member.type, member, key_id))
        for member in shape_of(cls)
        if member.required
    }


def wire(value: Any, graphql: bool) -> Any:
    """A sampled value as one door's JSON carries it."""
    if isinstance(value, dict):
        return {
            (member.camel if graphql else member.wire): wire(item, graphql)
            for member, item in value.values()
        }
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime):
        return value.isoformat() if graphql else value.timestamp()
    if isinstance(value, enum.Enum):
        return spelling(value)
    return value


def outcome(code: str | None, message: str, key_id: str) -> tuple[str, str]:
    return (code or "ok", _KEY_ID.sub("<key>", message.replace(key_id, "<key>")))


async def through_graphql(
    client: httpx.AsyncClient, operation: Operation[Any, Any], request: dict[str, Any], key: str
) -> tuple[tuple[str, str], str]:
    kind = "query" if operation.access is Access.READ else "mutation"
    name = operation.name
    document = (
        f"{kind} ($input: {name}Input!) {{ {operation.field}(input: $input) {{ __typename }} }}"
    )
    if not operation.has_required_members:
        document = (
            f"{kind} ($input: {name}Input) {{ {operation.field}(input: $input) {{ __typename }} }}"
        )
    response = await client.post(
        "/graphql", json={"query": document, "variables": {"input": wire(request, True)}}
    )
    body = response.json()
    error = (body.get("errors") or [{}])[0]
    code = error.get("extensions", {}).get("code")
    return outcome(code, error.get("message", ""), key), response.headers["x-request-id"]


async def through_aws(
    client: httpx.AsyncClient, operation: Operation[Any, Any], request: dict[str, Any], key: str
) -> tuple[tuple[str, str], str]:
    answer = await post(client, operation.name, wire(request, False))
    code = answer.body.get("__type") if answer.status != 200 else None
    message = answer.body.get("message", "") if code else ""
    return outcome(code, message, key), answer.headers["x-amzn-requestid"]


async def fresh_key(root: httpx.AsyncClient) -> str:
    answer = await post(root, "CreateKey", {})
    key_id: str = answer.body["KeyMetadata"]["KeyId"]
    return key_id


async def events_of(services: Services, request_id: str) -> list[tuple[Any, ...]]:
    """The call's audit events as (principal, action, decision, outcome, door)."""
    await services.audit.flush()
    async with services.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT principal_arn, action, decision, outcome, door FROM audit_events "
            "WHERE request_id = $1 ORDER BY seq",
            request_id,
        )
    assert audit_rows  # the module whose table this reads
    return [tuple(row) for row in rows]


@pytest.fixture
async def clients(services: Services, admin_token: str) -> Any:
    """The account's root and a user with no rights, each with a client of the app."""
    app = keygraph_app(services.settings, services)
    bob = Principal(services.settings.account_id, PrincipalKind.USER, "bob")
    async with services.pool.acquire() as conn:
        bob_token = (await create_principal(conn, bob)).value
    async with app_client(app, admin_token) as root, app_client(app, bob_token) as user:
        yield {"root": root, "bob": user}


def pairs() -> Iterator[Any]:
    for operation in SERVED:
        for who in ("root", "bob"):
            yield pytest.param(operation, who, id=f"{operation.name}-{who}")


@pytest.mark.parametrize(("operation", "who"), list(pairs()))
async def test_the_same_call_through_both_doors_ends_the_same(
    services: Services, clients: dict[str, httpx.AsyncClient], operation: Any, who: str
) -> None:
    client = clients[who]
    graphql_key, aws_key = await fresh_key(clients["root"]), await fresh_key(clients["root"])
    graphql, graphql_id = await through_graphql(
        client, operation, required_members(operation.request, graphql_key), graphql_key
    )
    aws, aws_id = await through_aws(
        client, operation, required_members(operation.request, aws_key), aws_key
    )
    assert aws == graphql
    graphql_events = await events_of(services, graphql_id)
    aws_events = await events_of(services, aws_id)
    assert [event[:4] for event in aws_events] == [event[:4] for event in graphql_events]
    assert {event[4] for event in graphql_events} <= {"graphql"}
    assert {event[4] for event in aws_events} <= {"aws"}


def test_every_aws_operation_of_the_registry_has_its_pairs() -> None:
    assert len(SERVED) == len({operation.name for operation in SERVED}) > 40
