"""The HTTP surface: identity, operational endpoints, limits and error shapes, against a real
Postgres and a real SoftHSM token."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from api.principals import Principal, PrincipalKind, create_principal, revoke_principal
from api.services import Services
from api.settings import Limits, Mode
from keygraph.app import keygraph_app
from tests.graphql_client import app_client

WHOAMI = {"query": "{ whoami { arn accountId name type } }"}
INVALID = {
    "errors": [
        {
            "message": "The security token included in the request is invalid.",
            "extensions": {"code": "UnrecognizedClientException"},
        }
    ]
}


async def test_whoami_names_the_root_principal(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=WHOAMI)
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "whoami": {
                "arn": "arn:aws:iam::111122223333:root",
                "accountId": "111122223333",
                "name": "root",
                "type": "ROOT",
            }
        }
    }


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Bearer not-a-token",
        "Bearer kg1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ],
)
async def test_missing_or_bad_token_gets_the_same_401(
    client: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    anonymous = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    async with anonymous:
        response = await anonymous.post("/graphql", json=WHOAMI, headers=headers)
    assert response.status_code == 401
    assert response.json() == INVALID


async def test_wrong_secret_of_a_real_token_id_is_refused(
    client: httpx.AsyncClient, admin_token: str
) -> None:
    prefix, token_id, secret = admin_token.split(".")
    forged = f"{prefix}.{token_id}.{secret[::-1]}"
    response = await client.post(
        "/graphql", json=WHOAMI, headers={"Authorization": f"Bearer {forged}"}
    )
    assert response.status_code == 401
    assert response.json() == INVALID


async def new_principals_header(services: Services, principal: Principal) -> dict[str, str]:
    """The Authorization header that sends the token of ``principal``, created now."""
    async with services.pool.acquire() as conn:
        issued = await create_principal(conn, principal)
    return {"Authorization": f"Bearer {issued.value}"}


async def test_a_created_principal_is_recognised_until_revoked(
    client: httpx.AsyncClient, services: Services
) -> None:
    alice = Principal(account_id="444455556666", kind=PrincipalKind.ROLE, name="deployer")
    as_alice = await new_principals_header(services, alice)
    response = await client.post("/graphql", json=WHOAMI, headers=as_alice)
    assert response.json()["data"]["whoami"] == {
        "arn": "arn:aws:iam::444455556666:role/deployer",
        "accountId": "444455556666",
        "name": "deployer",
        "type": "ROLE",
    }
    async with services.pool.acquire() as conn:
        await revoke_principal(conn, alice)
    # The token was cached by the first request; the revocation's NOTIFY evicts it. The
    # revoking connection is another process as far as this one knows, so wait for it.
    for _ in range(100):
        response = await client.post("/graphql", json=WHOAMI, headers=as_alice)
        if response.status_code == 401:
            break
        await asyncio.sleep(0.01)
    assert response.status_code == 401


async def test_principals_of_another_account_are_denied_what_no_policy_allows(
    client: httpx.AsyncClient, services: Services
) -> None:
    outsider = Principal(account_id="444455556666", kind=PrincipalKind.USER, name="outsider")
    as_outsider = await new_principals_header(services, outsider)
    response = await client.post(
        "/graphql",
        json={"query": "mutation { createKey { keyMetadata { keyId } } }"},
        headers=as_outsider,
    )
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "AccessDeniedException"
    assert error["message"] == (
        "User: arn:aws:iam::444455556666:user/outsider is not authorized to perform: "
        "kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey "
        "action"
    )
    listed = await client.post(
        "/graphql", json={"query": "{ listKeys { keys { keyId } } }"}, headers=as_outsider
    )
    assert listed.json()["errors"][0]["extensions"]["code"] == "AccessDeniedException"


async def test_tokens_are_stored_only_as_hashes(services: Services, admin_token: str) -> None:
    secret = admin_token.split(".")[2]
    async with services.pool.acquire() as conn:
        dump = await conn.fetchval("SELECT string_agg(t::text, ' ') FROM access_tokens t")
    assert dump
    assert secret not in dump
    assert admin_token not in dump


async def test_health_ready_and_metrics_need_no_token(client: httpx.AsyncClient) -> None:
    anonymous = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    async with anonymous:
        assert (await anonymous.get("/healthz")).json() == {"status": "ok"}
        ready = await anonymous.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ready"}
        metrics = await anonymous.get("/metrics")
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")


async def close_the_database_pool(services: Services) -> None:
    await services.pool.close()


async def close_the_hsm_sessions(services: Services) -> None:
    await services.hsm.aclose()


@pytest.mark.parametrize(
    ("close", "failing"),
    [(close_the_database_pool, "database"), (close_the_hsm_sessions, "hsm")],
)
async def test_readyz_names_the_failing_part(
    services: Services, close: Callable[[Services], Awaitable[None]], failing: str
) -> None:
    """A real failure: the part is closed under a running app."""
    app = keygraph_app(services.settings, services)
    await close(services)
    async with app_client(app) as http:
        response = await http.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "failing": [failing]}


async def test_metrics_count_operations_by_outcome(client: httpx.AsyncClient) -> None:
    await client.post("/graphql", json=WHOAMI)
    await client.post("/graphql", json=WHOAMI)
    await client.post("/graphql", json={"query": "{ whoami { nope } }"})
    text = (await client.get("/metrics")).text
    assert 'keygraph_operations_total{operation="whoami",outcome="ok"} 2.0' in text
    assert 'keygraph_operations_total{operation="whoami",outcome="ValidationException"} 1.0' in text
    assert 'keygraph_operation_seconds_count{operation="whoami",outcome="ok"} 2.0' in text
    assert 'keygraph_http_requests_total{route="/graphql",status="200"} 3.0' in text


async def test_each_request_gets_an_id_and_one_log_line(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, admin_token: str
) -> None:
    with caplog.at_level(logging.INFO, logger="keygraph.request"):
        response = await client.post("/graphql", json=WHOAMI)
        echoed = await client.post("/graphql", json=WHOAMI, headers={"X-Request-Id": "abc-123"})
    request_id = response.headers["x-request-id"]
    assert len(request_id) == 32
    assert echoed.headers["x-request-id"] == "abc-123"
    lines = [record for record in caplog.records if record.name == "keygraph.request"]
    assert len(lines) == 2
    fields = lines[0].fields  # type: ignore[attr-defined]
    assert fields["request_id"] == request_id
    assert fields["principal"] == "arn:aws:iam::111122223333:root"
    assert fields["operations"] == ["whoami"]
    assert fields["status"] == 200
    logged = json.dumps([record.fields for record in lines])  # type: ignore[attr-defined]
    assert admin_token.split(".")[2] not in logged


async def test_body_over_the_limit_is_refused_with_413(client: httpx.AsyncClient) -> None:
    limit = Limits().max_body_bytes
    padding = " " * limit
    response = await client.post(
        "/graphql",
        content=json.dumps({"query": "{ whoami { arn } }" + padding}),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "ValidationException"


async def test_streamed_body_over_the_limit_is_refused(client: httpx.AsyncClient) -> None:
    """No Content-Length: the limit holds on what actually arrives."""
    limit = Limits().max_body_bytes

    async def chunks() -> object:
        for _ in range(3):
            yield b" " * (limit // 2)

    response = await client.post("/graphql", content=chunks())  # type: ignore[arg-type]
    assert response.status_code == 413


async def test_repeated_documents_hit_the_parse_and_validation_cache(
    client: httpx.AsyncClient,
) -> None:
    app = client._transport.app  # type: ignore[attr-defined]
    schema = next(route.endpoint.schema for route in app.routes if route.path == "/graphql")
    before = schema.documents.stats.hits
    for _ in range(5):
        response = await client.post("/graphql", json=WHOAMI)
        assert response.json()["data"]["whoami"]["name"] == "root"
    assert schema.documents.stats.hits - before >= 4


async def test_depth_limit(services: Services, admin_token: str) -> None:
    """The schema has no cycles yet, so the limit is set low to show the rule applies."""
    shallow = replace(services.settings, limits=Limits(max_query_depth=1))
    async with app_client(keygraph_app(shallow, services), admin_token) as http:
        deep = await http.post(
            "/graphql", json={"query": "{ privileges { resourceTypes { resourceType } } }"}
        )
        allowed = await http.post("/graphql", json=WHOAMI)
    error = deep.json()["errors"][0]
    assert error["extensions"]["code"] == "ValidationException"
    assert "exceeds maximum operation depth" in error["message"]
    assert allowed.json()["data"]["whoami"]["name"] == "root"


async def test_alias_limit(client: httpx.AsyncClient) -> None:
    aliases = " ".join(f"a{i}: whoami {{ arn }}" for i in range(Limits().max_aliases + 1))
    response = await client.post("/graphql", json={"query": "{ " + aliases + " }"})
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "ValidationException"
    assert "aliases" in error["message"]


async def test_token_limit(client: httpx.AsyncClient) -> None:
    fields = " ".join("a" for _ in range(Limits().max_tokens))  # under the query size limit
    response = await client.post("/graphql", json={"query": "{ " + fields + " }"})
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "ValidationException"
    assert "token" in error["message"].lower()


async def test_graphiql_page_only_outside_production(services: Services, tmp_path: Path) -> None:
    html = {"Accept": "text/html"}
    (tmp_path / "graphiql.html").write_text("<title>GraphiQL</title>", encoding="utf-8")
    built = replace(services.settings, dashboard_dir=tmp_path)
    async with app_client(keygraph_app(built, replace(services, settings=built))) as anonymous:
        page = await anonymous.get("/graphql?query=%7B%7D", headers=html)
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()

    production_app = keygraph_app(replace(services.settings, mode=Mode.PRODUCTION), services)
    async with app_client(production_app) as http:
        page = await http.get("/graphql", headers=html)
    assert page.status_code == 401


async def test_concurrent_requests_each_see_their_own_principal(
    client: httpx.AsyncClient, services: Services
) -> None:
    tokens = {}
    async with services.pool.acquire() as conn:
        for name in ("a", "b", "c"):
            user = Principal(account_id="111122223333", kind=PrincipalKind.USER, name=name)
            tokens[name] = (await create_principal(conn, user)).value

    async def whoami(name: str) -> str:
        response = await client.post(
            "/graphql", json=WHOAMI, headers={"Authorization": f"Bearer {tokens[name]}"}
        )
        return str(response.json()["data"]["whoami"]["name"])

    names = [name for name in tokens for _ in range(5)]
    assert await asyncio.gather(*(whoami(name) for name in names)) == names


async def test_metrics_show_the_audit_trail(client: httpx.AsyncClient, services: Services) -> None:
    await client.post(
        "/graphql", json={"query": "mutation { createKey { keyMetadata { keyId } } }"}
    )
    await services.audit.flush()
    text = (await client.get("/metrics")).text
    assert "keygraph_audit_events_written_total 1.0" in text
    assert "keygraph_audit_batches_total 1.0" in text
    assert "keygraph_audit_events_pending 0.0" in text
    assert "keygraph_audit_write_failures_total 0.0" in text


FAN_OUT_LEVELS = 60


def fan_out_document(levels: int) -> str:
    """Each fragment spreads the next one twice: 2^levels paths for a rule that expands
    fragments without remembering what it counted."""
    fragments = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return f"{fragments} fragment F{levels} on Query {{ whoami {{ arn }} }} {{ ...F0 }}"


def test_a_fragment_fan_out_is_validated_once_per_fragment() -> None:
    """Run in a process of its own with a bound, so that a regression fails here instead of
    holding the suite: before each fragment's depth was remembered, this document took 2^60
    walks (a ~3 KB request that stopped a worker for good). Counted once per fragment, it is
    refused for the fragment spreads it stands for."""
    script = (
        "from graphql import parse\n"
        "from api.settings import Limits\n"
        "from schema.rules import cost_errors\n"
        "from tests.app.test_http import FAN_OUT_LEVELS, fan_out_document\n"
        "document = parse(fan_out_document(FAN_OUT_LEVELS))\n"
        "print(len(cost_errors(document, Limits())))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert (done.returncode, done.stdout.strip()) == (0, "1"), done.stderr
