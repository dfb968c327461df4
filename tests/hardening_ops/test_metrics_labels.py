"""``/metrics`` cannot be grown by clients: every label value comes from a fixed set whatever a
request names (operation, route, status, outcome), and in production the endpoint needs its own
token. Run in-process against a real Postgres and SoftHSM; the served scrape with the token is
in test_sockets.py."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.errors import KeygraphError
from api.metrics import UNKNOWN_OPERATION
from api.operations import OPERATIONS
from api.services import Services
from api.settings import ConfigurationError, Connections, Mode, from_env
from keygraph.app import keygraph_app
from tests.aws_protocol.conftest import post
from tests.graphql_client import app_client

OPERATION_NAMES = {operation.field for operation in OPERATIONS}
# Codes the GraphQL door gives a refusal of its own (schema.executor).
DOOR_CODES = {"PersistedQueryNotFound", "PersistedQueryNotAllowed"}
SERVED_ROUTES = {"/graphql", "/", "/healthz", "/readyz", "/metrics", "other"}
TOKEN = "metrics-" + "t" * 40
ENV = {
    "KEYGRAPH_DATABASE_URL": "postgresql://localhost/keygraph",
    "KEYGRAPH_PKCS11_MODULE": "/usr/lib/softhsm/libsofthsm2.so",
    "KEYGRAPH_TOKEN_LABEL": "keygraph",
    "KEYGRAPH_PIN": "1234",
}


def _error_codes() -> set[str]:
    codes, pending = set(), [KeygraphError]
    while pending:
        kind = pending.pop()
        codes.add(kind.code)
        pending.extend(kind.__subclasses__())
    return codes


def _labels(text: str, family: str, label: str) -> set[str]:
    return {
        sample.labels[label]
        for metric in text_string_to_metric_families(text)
        if metric.name == family
        for sample in metric.samples
        if label in sample.labels
    }


async def _series(client: httpx.AsyncClient) -> int:
    text = (await client.get("/metrics")).text
    return sum(len(metric.samples) for metric in text_string_to_metric_families(text))


async def _hostile_requests(client: httpx.AsyncClient, round_: int) -> None:
    """Names a client chooses: root fields, aliases, operation names, targets, paths, methods."""
    name = f"made{round_}Up"
    await client.post("/graphql", json={"query": f"{{ {name} }}"})
    await client.post("/graphql", json={"query": f"mutation {{ {name}(input: {{}}) {{ x }} }}"})
    await client.post("/graphql", json={"query": f"{{ {name}: whoami {{ arn }} }}"})
    await client.post("/graphql", json={"query": f"query {name} {{ whoami {{ nope }} }}"})
    await client.post("/graphql", json={"query": f"{{ whoami {{ arn }} {name} }}"})
    await post(client, name, {})
    await client.post(f"/{name}", json={})
    await client.request(name.upper(), "/graphql")


async def test_client_chosen_names_never_become_labels(client: httpx.AsyncClient) -> None:
    await _hostile_requests(client, 0)
    await _series(client)  # the scrape's own route and status are counted from now on
    after_one = await _series(client)
    for round_ in range(1, 40):
        await _hostile_requests(client, round_)
    assert await _series(client) == after_one
    text = (await client.get("/metrics")).text
    assert _labels(text, "keygraph_operations", "operation") <= OPERATION_NAMES
    outcomes = _labels(text, "keygraph_operations", "outcome")
    assert outcomes <= {"ok"} | _error_codes() | DOOR_CODES
    assert _labels(text, "keygraph_http_requests", "route") <= SERVED_ROUTES
    assert all(len(status) == 3 for status in _labels(text, "keygraph_http_requests", "status"))


async def test_a_name_outside_the_registry_is_counted_as_unknown(services: Services) -> None:
    """The app names the registry's operations to its metrics: a name that is not one of them
    (none reaches the pipeline today) is one ``unknown`` label, never a series of its own."""
    async with app_client(keygraph_app(services.settings, services)) as anonymous:
        for index in range(20):
            services.metrics.observe_operation(f"chosen{index}", "ok", 0.001)
        services.metrics.observe_operation("encrypt", "ok", 0.001)
        text = (await anonymous.get("/metrics")).text
    assert _labels(text, "keygraph_operations", "operation") == {UNKNOWN_OPERATION, "encrypt"}
    assert 'keygraph_operations_total{operation="unknown",outcome="ok"} 20.0' in text


async def test_production_serves_metrics_only_with_the_metrics_token(
    services: Services, admin_token: str
) -> None:
    production = replace(services.settings, mode=Mode.PRODUCTION)
    async with app_client(keygraph_app(production, services)) as anonymous:
        refused = await anonymous.get("/metrics")
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "AccessDeniedException"
    assert "KEYGRAPH_METRICS_TOKEN" in refused.json()["errors"][0]["message"]
    app = keygraph_app(replace(production, metrics_token=TOKEN), services)
    async with app_client(app) as anonymous, app_client(app, admin_token) as root:
        assert (await anonymous.get("/metrics")).status_code == 401
        assert (await root.get("/metrics")).status_code == 401
        scraped = await anonymous.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert scraped.status_code == 200
    assert "keygraph_http_requests_total" in scraped.text


def test_the_settings_are_read_and_checked() -> None:
    assert from_env(ENV).connections == Connections()
    assert from_env(ENV).metrics_token is None
    given = from_env(
        {
            **ENV,
            "KEYGRAPH_HEADER_TIMEOUT": "2.5",
            "KEYGRAPH_BODY_TIMEOUT": "4",
            "KEYGRAPH_KEEP_ALIVE_TIMEOUT": "9",
            "KEYGRAPH_MAX_CONNECTIONS": "64",
            "KEYGRAPH_METRICS_TOKEN": TOKEN,
        }
    )
    assert given.connections == Connections(2.5, 4.0, 9, 64)
    assert given.metrics_token == TOKEN
    assert TOKEN not in repr(given)
    for name, value in [
        ("KEYGRAPH_HEADER_TIMEOUT", "0"),
        ("KEYGRAPH_BODY_TIMEOUT", "soon"),
        ("KEYGRAPH_KEEP_ALIVE_TIMEOUT", "1.5"),
        ("KEYGRAPH_MAX_CONNECTIONS", "0"),
        ("KEYGRAPH_METRICS_TOKEN", "short"),
        ("KEYGRAPH_METRICS_TOKEN", "has a space in it, quite long"),
    ]:
        with pytest.raises(ConfigurationError) as raised:
            from_env({**ENV, name: value})
        assert raised.value.setting == name
        assert value not in str(raised.value) or name != "KEYGRAPH_METRICS_TOKEN"
