"""Planned execution (``schema.plan``) answers exactly what graphql-core answers.

Every GraphQL document written in the test suite (each string literal under ``tests/`` that
parses and validates against the schema) that has a plan is run both ways: by graphql-core on one
deployment and by its plan on a second deployment set up the same way, in the same order, so
that state changes (a key disabled, an alias created) happen alike on both sides. Variables are
made from the documents' variable definitions (a key of each kind where a key is named). The
answers must be equal once the values that differ per deployment or per call are set aside: ids
and ARNs of the setup's keys are replaced by names, and an opaque token (a ciphertext, a new key's
id, a time) that differs is accepted when both sides hold one of the same kind. Messages, codes,
paths, locations and nulls must match exactly.

Then the cases a corpus might not reach: coercion errors, a missing variable, wrong types, a
response with null in a non-null member, an error in one of two root fields (a mutation's and a
query's), aliases and ``__typename``.
"""

from __future__ import annotations

import ast
import base64
import re
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    OperationDefinitionNode,
    parse,
    type_from_ast,
    validate,
)
from starlette.applications import Starlette

import schema.build
import schema.plan
from api.operations.encryption import EncryptResponse
from api.services import Services, start_services
from api.settings import Settings
from api.throttling import NO_THROTTLING
from hsm import HsmConfig
from keygraph.app import keygraph_app
from schema.build import build_schema
from schema.http import GraphQLEndpoint
from schema.plan import Plan, compile_plan
from tests.fixtures.postgres import new_database
from tests.graphql_client import app_client

TESTS = Path(__file__).resolve().parents[1]
SCHEMA = build_schema().graphql
CREATE_KEY = """
mutation($input: CreateKeyInput) { createKey(input: $input) { keyMetadata { keyId arn } } }
"""
ENCRYPT = """
mutation($k: String!, $p: Base64!) { encrypt(input: {keyId: $k, plaintext: $p}) { ciphertextBlob } }
"""
DESCRIBE = "describeKey(input: {keyId: $k})"
PLAINTEXT = base64.b64encode(b"planned execution").decode()
KEY_KINDS = {
    "symmetric": {},
    "ecc": {"keySpec": "ECC_NIST_P256", "keyUsage": "SIGN_VERIFY"},
    "hmac": {"keySpec": "HMAC_256", "keyUsage": "GENERATE_VERIFY_MAC"},
}


def suite_documents() -> list[str]:
    """Every string literal of the test suite that is a valid GraphQL document, once, in the
    order the files and their lines hold them."""
    found: dict[str, None] = {}
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                if "{" in text and _valid(text):
                    found.setdefault(text)
    return list(found)


def _valid(text: str) -> bool:
    try:
        document = parse(text)
    except GraphQLError:
        return False
    return not validate(SCHEMA, document)


PLANNED = [text for text in suite_documents() if compile_plan(SCHEMA, parse(text)) is not None]


def test_the_suite_has_plannable_documents_and_the_busy_ones_are_planned() -> None:
    assert len(PLANNED) >= 100
    describe = "query($k: String!) { describeKey(input: {keyId: $k}) { keyMetadata { keyId } } }"
    for text in (ENCRYPT, describe):
        assert compile_plan(SCHEMA, parse(text)) is not None


@pytest.mark.parametrize(
    "text",
    [
        "{ listKeys { keys { keyId aliases { aliasName } } } }",
        "mutation($r: [EncryptInput!]!) "
        "{ encryptBatch(input: {requests: $r}) { entries { error { code } } } }",
        "{ __typename }",
        '{ __type(name: "Key") { name } }',
        f"query($k: String!) {{ {DESCRIBE} @skip(if: false) {{ keyMetadata {{ keyId }} }} }}",
        f"query($k: String!) {{ {DESCRIBE} {{ ...M }} }} "
        "fragment M on DescribeKeyResult { keyMetadata { keyId } }",
        f"query($k: String!) {{ {DESCRIBE} {{ keyMetadata {{ keyId }} keyMetadata {{ arn }} }} }}",
    ],
)
def test_what_is_left_to_graphql_core(text: str) -> None:
    """The nested graph, batches, introspection, directives, fragments, merged fields."""
    assert not validate(SCHEMA, parse(text))
    assert compile_plan(SCHEMA, parse(text)) is None


# -- two deployments, the same documents ------------------------------------------------------


# How many times a plan ran (counted by ``count_plans``).
PLANS_RUN = [0]


@pytest.fixture(autouse=True)
def count_plans(monkeypatch: pytest.MonkeyPatch) -> None:
    execute = Plan.execute

    async def counted(plan: Plan, *arguments: Any) -> Any:
        PLANS_RUN[0] += 1
        return await execute(plan, *arguments)

    monkeypatch.setattr(Plan, "execute", counted)


@dataclass
class Deployment:
    http: httpx.AsyncClient
    endpoint: GraphQLEndpoint
    services: Services
    keys: dict[str, dict[str, str]]
    ciphertext: str

    async def post(self, query: str, variables: dict[str, Any], *, planned: bool) -> Any:
        """The answer (status and body); asserts that a plan ran exactly when ``planned``."""
        self.endpoint.executor.planned = planned
        await self.services.audit.flush()  # batched events are listed by auditEvents
        before = PLANS_RUN[0]
        response = await self.http.post("/graphql", json={"query": query, "variables": variables})
        assert PLANS_RUN[0] == before + planned, query
        return {"status": response.status_code, **response.json()}

    def names(self) -> dict[str, str]:
        """This deployment's values of the setup, by the name both sides replace them with."""
        named = {}
        for kind, key in self.keys.items():
            named[key["arn"]] = f"<{kind} arn>"
            named[key["keyId"]] = f"<{kind} id>"
        named[self.ciphertext] = "<ciphertext>"
        return named


def _endpoint(app: Starlette) -> GraphQLEndpoint:
    """The app's GraphQL endpoint, whose executor the tests switch between plan and
    graphql-core."""
    for route in app.routes:
        found = getattr(route, "endpoint", None)
        if isinstance(found, GraphQLEndpoint):
            return found
    raise AssertionError("no GraphQL endpoint")


@asynccontextmanager
async def deployment(database_url: str, hsm_config: HsmConfig) -> AsyncIterator[Deployment]:
    with tempfile.TemporaryDirectory(prefix="keygraph-home-") as home:
        Path(home).chmod(0o755)  # noqa: ASYNC240 (a chmod, before anything runs)
        async with new_database(database_url) as url:
            settings = Settings(
                database_url=url, hsm=hsm_config, home=Path(home), rates=NO_THROTTLING
            )
            services = await start_services(settings)
            try:
                token = settings.admin_token_path.read_text(encoding="ascii").strip()
                app = keygraph_app(settings, services)
                async with app_client(app, token) as http:
                    yield await _set_up(http, _endpoint(app), services)
            finally:
                await services.aclose()


async def _set_up(
    http: httpx.AsyncClient, endpoint: GraphQLEndpoint, services: Services
) -> Deployment:
    keys = {}
    for kind, spec in KEY_KINDS.items():
        response = await http.post(
            "/graphql", json={"query": CREATE_KEY, "variables": {"input": spec}}
        )
        keys[kind] = response.json()["data"]["createKey"]["keyMetadata"]
    response = await http.post(
        "/graphql",
        json={"query": ENCRYPT, "variables": {"k": keys["symmetric"]["keyId"], "p": PLAINTEXT}},
    )
    ciphertext = response.json()["data"]["encrypt"]["ciphertextBlob"]
    return Deployment(http, endpoint, services, keys, ciphertext)


@pytest.fixture
async def deployments(
    database_url: str, hsm_config: HsmConfig
) -> AsyncIterator[tuple[Deployment, Deployment]]:
    async with (
        deployment(database_url, hsm_config) as one,
        deployment(database_url, hsm_config) as two,
    ):
        yield one, two


def variables_for(text: str, setup: Deployment, kind: str) -> dict[str, Any]:
    """Values for the document's variables: the required ones, named after what they hold."""
    (operation,) = (d for d in parse(text).definitions if isinstance(d, OperationDefinitionNode))
    values = {}
    for definition in operation.variable_definitions or ():
        given = type_from_ast(SCHEMA, definition.type)
        if isinstance(given, GraphQLNonNull):
            values[definition.variable.name.value] = _value(
                given, definition.variable.name.value, setup, kind
            )
    return values


def _value(given: GraphQLInputType, name: str, setup: Deployment, kind: str) -> Any:
    if isinstance(given, GraphQLNonNull):
        return _value(given.of_type, name, setup, kind)
    if isinstance(given, GraphQLList):
        return [_value(given.of_type, name, setup, kind)]
    if isinstance(given, GraphQLInputObjectType):
        return {
            field_name: _value(field.type, field_name, setup, kind)
            for field_name, field in given.fields.items()
            if isinstance(field.type, GraphQLNonNull) and field.default_value is None
        }
    if isinstance(given, GraphQLEnumType):
        return next(value for value, item in given.values.items() if not item.deprecation_reason)
    return _scalar(given.name, name.lower(), setup, kind)


def _scalar(type_name: str, name: str, setup: Deployment, kind: str) -> Any:
    if type_name == "Base64":
        return setup.ciphertext if "ciphertext" in name else PLAINTEXT
    if type_name == "StringMap":
        return {"purpose": "planned"}
    if type_name == "Int":
        return 1
    if type_name == "Boolean":
        return False
    if type_name == "DateTime":
        return "2030-01-01T00:00:00+00:00"
    if name in ("k", "key", "id", "keyid", "targetkeyid", "destinationkeyid", "sourcekeyid"):
        return setup.keys[kind]["keyId"]
    if "alias" in name:
        return "alias/planned"
    return "planned"


_OPAQUE = {
    "uuid": re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z"),
    "time": re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+(\+00:00|Z)?\Z"),
    "arn": re.compile(r"arn:aws:kms:[\w-]+:\d+:[\w/-]+\Z"),
    "token": re.compile(r"[A-Za-z0-9+/=_-]{16,}\Z"),
}


def _named(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {key: _named(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_named(item, names) for item in value]
    if isinstance(value, str):
        for found, name in names.items():
            value = value.replace(found, name)
    return value


def assert_same(core: Any, planned: Any, where: str = "") -> None:
    """Equal, but for opaque values of the same kind (see the module's docstring)."""
    if isinstance(core, dict) and isinstance(planned, dict):
        assert list(core) == list(planned), where
        for key in core:
            assert_same(core[key], planned[key], f"{where}.{key}")
    elif isinstance(core, list) and isinstance(planned, list):
        assert len(core) == len(planned), where
        for index, (one, two) in enumerate(zip(core, planned, strict=True)):
            assert_same(one, two, f"{where}[{index}]")
    elif isinstance(core, str) and isinstance(planned, str) and core != planned:
        kinds = [kind for kind, form in _OPAQUE.items() if form.match(core) and form.match(planned)]
        assert kinds, f"{where}: {core!r} != {planned!r}"
    else:
        assert core == planned, where


async def test_every_planned_document_of_the_suite_answers_as_graphql_core(
    deployments: tuple[Deployment, Deployment],
) -> None:
    core, plan = deployments
    answered = succeeded = 0
    for text in PLANNED:
        for kind in KEY_KINDS:
            expected = await core.post(text, variables_for(text, core, kind), planned=False)
            got = await plan.post(text, variables_for(text, plan, kind), planned=True)
            assert_same(_named(expected, core.names()), _named(got, plan.names()), text)
            answered += 1
            succeeded += not expected.get("errors")
    assert answered == len(PLANNED) * len(KEY_KINDS)
    assert succeeded >= answered // 4, "the generated variables should let many documents succeed"


# -- edge cases, both ways on one deployment ---------------------------------------------------


@pytest.fixture
async def one(database_url: str, hsm_config: HsmConfig) -> AsyncIterator[Deployment]:
    async with deployment(database_url, hsm_config) as single:
        yield single


async def both_ways(setup: Deployment, text: str, variables: dict[str, Any]) -> Any:
    """The answer of graphql-core and the plan's, which must be the same; the former."""
    assert compile_plan(SCHEMA, parse(text)) is not None
    core = await setup.post(text, variables, planned=False)
    planned = await setup.post(text, variables, planned=True)
    assert_same(core, planned, text)
    return core


TWO_ENCRYPTS = """
mutation($a: String!, $b: String!, $p: Base64!) {
  first: encrypt(input: {keyId: $a, plaintext: $p}) { __typename ciphertextBlob id: keyId }
  second: encrypt(input: {keyId: $b, plaintext: $p}) { ciphertextBlob keyId encryptionAlgorithm }
}
"""
TWO_DESCRIBES = """
query Two($a: String!, $b: String!) {
  one: describeKey(input: {keyId: $a}) { keyMetadata { keyId keyState enabled } }
  two: describeKey(input: {keyId: $b}) { keyMetadata { keyId } }
}
"""


async def test_an_error_in_one_of_two_mutation_fields_nulls_only_that_field(
    one: Deployment,
) -> None:
    key = one.keys["symmetric"]["keyId"]
    answer = await both_ways(one, TWO_ENCRYPTS, {"a": key, "b": "alias/missing", "p": PLAINTEXT})
    assert answer["data"]["first"]["id"] == one.keys["symmetric"]["arn"]
    assert answer["data"]["first"]["__typename"] == "EncryptResult"
    assert answer["data"]["second"] is None
    assert [error["path"] for error in answer["errors"]] == [["second"]]
    assert answer["errors"][0]["extensions"]["code"] == "NotFoundException"
    reversed_order = await both_ways(
        one, TWO_ENCRYPTS, {"a": "alias/missing", "b": key, "p": PLAINTEXT}
    )
    assert reversed_order["data"]["first"] is None and reversed_order["data"]["second"]


async def test_an_error_in_one_of_two_query_fields_nulls_the_data(one: Deployment) -> None:
    key = one.keys["symmetric"]["keyId"]
    answer = await both_ways(one, TWO_DESCRIBES, {"a": key, "b": "alias/missing"})
    assert answer["data"] is None
    assert [error["path"] for error in answer["errors"]] == [["two"]]
    fine = await both_ways(one, TWO_DESCRIBES, {"a": key, "b": key})
    assert fine["data"]["one"]["keyMetadata"]["enabled"] is True


@pytest.mark.parametrize(
    "variables",
    [
        {"k": "x"},  # p missing
        {"k": "x", "p": None},  # null for a non-null variable
        {"k": 7, "p": PLAINTEXT},  # a number for a String
        {"k": "x", "p": "not base64!"},  # refused by the scalar
        {"k": "x", "p": 12},
        {"k": "x", "p": PLAINTEXT, "extra": 1},  # an unknown variable is ignored
    ],
)
async def test_variable_errors_are_graphql_cores(
    one: Deployment, variables: dict[str, Any]
) -> None:
    answer = await both_ways(one, ENCRYPT, variables)
    assert answer["errors"]


@pytest.mark.parametrize(
    ("text", "variables"),
    [
        (
            "mutation($i: EncryptInput!) { encrypt(input: $i) { ciphertextBlob } }",
            {"i": {"keyId": "k"}},
        ),
        (
            "mutation($i: EncryptInput!) { encrypt(input: $i) { ciphertextBlob } }",
            {"i": {"keyId": "k", "plaintext": PLAINTEXT, "encryptionAlgorithm": "ROT13"}},
        ),
        (
            "mutation($i: EncryptInput!) { encrypt(input: $i) { ciphertextBlob } }",
            {"i": {"keyId": "k", "plaintext": PLAINTEXT, "bogus": 1}},
        ),
        (
            "mutation($i: EncryptInput!) { encrypt(input: $i) { ciphertextBlob } }",
            {"i": {"keyId": "k", "plaintext": PLAINTEXT, "encryptionContext": {"a": 1}}},
        ),
        (
            'mutation { encrypt(input: {keyId: "alias/none", plaintext: "aGk="}) { keyId } }',
            {},
        ),
        (
            'mutation($c: StringMap = {a: "b"}) { encrypt(input: '
            '{keyId: "x", plaintext: "aGk=", encryptionContext: $c}) { keyId } }',
            {"c": None},
        ),
        (
            "query($k: String!) { describeKey(input: {keyId: $k}) { keyMetadata { keyId } } }",
            {"k": ""},
        ),
    ],
)
async def test_input_errors_are_graphql_cores(
    one: Deployment, text: str, variables: dict[str, Any]
) -> None:
    answer = await both_ways(one, text, variables)
    assert answer["errors"]


async def test_named_operations_run_by_name(one: Deployment) -> None:
    key = one.keys["symmetric"]["keyId"]
    for name in ("Two", None, "Other"):
        body: dict[str, Any] = {"query": TWO_DESCRIBES, "variables": {"a": key, "b": key}}
        answers = []
        for planned in (False, True):
            one.endpoint.executor.planned = planned
            answers.append(
                (await one.http.post("/graphql", json={**body, "operationName": name})).json()
            )
        assert answers[0] == answers[1]


async def test_a_null_in_a_non_null_member_is_reported_as_graphql_core_does(
    one: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A response that breaks its shape (a bug): the member's error at its path, the nearest
    nullable parent null."""

    async def broken(_services: Any, _call: Any, _operation: Any, _request: Any) -> Any:
        return EncryptResponse(
            ciphertext_blob=None,  # type: ignore[arg-type]
            key_id="k",
            encryption_algorithm=None,  # type: ignore[arg-type]
        )

    monkeypatch.setattr(schema.build, "run", broken)
    monkeypatch.setattr(schema.plan, "run", broken)
    key = one.keys["symmetric"]["keyId"]
    answer = await both_ways(one, TWO_ENCRYPTS, {"a": key, "b": key, "p": PLAINTEXT})
    assert answer["data"] == {"first": None, "second": None}
    assert [error["path"] for error in answer["errors"]] == [
        ["first", "ciphertextBlob"],
        ["second", "ciphertextBlob"],
    ]


def test_documents_of_the_suite_are_collected() -> None:
    """The corpus is read from the files: a document written in a test is in it."""
    assert TWO_ENCRYPTS in suite_documents()
