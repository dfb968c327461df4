"""A property-based fuzzer of both doors of a served keygraph: whatever a token holder sends, the
answer is never a 500 or ``InternalError``, and the server stays up.

GraphQL documents are built from the schema itself (``schema/schema.graphql``): one or two root
fields of ``Query`` or ``Mutation``, their arguments as variables whose values follow the
argument's type most of the time and break it some of the time, and a selection of the return
type's fields. AWS requests name a random target (mostly a real one) with a body built from
botocore's KMS model of that action's input, in the same way. Strings come from the keys made
for the run (ids, ARNs, an alias) or are arbitrary text, NUL and lone surrogates included.

Bounded (``max_examples`` per door, no per-example deadline): a few seconds each.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
    get_named_type,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.operations import OPERATIONS
from aws.routes import routes
from tests.aws.door import AwsServer
from tests.hardening.doors import Answer, Doors

pytestmark = pytest.mark.slow

SCHEMA: GraphQLSchema = build_schema(
    (Path(__file__).resolve().parents[2] / "schema" / "schema.graphql").read_text("utf-8")
)
KMS = botocore.session.get_session().get_service_model("kms")
TARGETS = sorted(routes(OPERATIONS))
FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MAX_DEPTH = 3

# Arbitrary text: mostly printable, sometimes long, sometimes any code point (surrogates too) or
# a few of the characters that break things (NUL, a lone surrogate, separators).
TEXT = st.one_of(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40),
    st.text(max_size=3000),
    st.text(st.characters(codec=None), max_size=20),
    st.text(st.sampled_from("\x00\ud800\udfff/:*aZ-_."), max_size=8),
)
# Mostly in the ranges AWS's members have, sometimes far outside them.
NUMBERS = st.one_of(st.integers(0, 1000), st.integers(0, 1000), st.integers(-(2**40), 2**40))
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


@pytest.fixture(scope="module")
def names(doors: Doors) -> list[str]:
    """What a string may be besides arbitrary text: keys of every kind, their ARNs, an alias, a
    ciphertext, so that the fuzzer's calls reach past the key lookup."""
    found: list[str] = ["alias/fuzz", "default", "*", "kms:Encrypt"]
    for spec, usage in (
        ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"),
        ("RSA_2048", "ENCRYPT_DECRYPT"),
        ("ECC_NIST_P256", "SIGN_VERIFY"),
        ("HMAC_256", "GENERATE_VERIFY_MAC"),
    ):
        made = doors.aws("CreateKey", {"KeySpec": spec, "KeyUsage": usage})
        metadata = made.body["KeyMetadata"]
        found += [metadata["KeyId"], metadata["Arn"]]
    assert (
        doors.aws("CreateAlias", {"AliasName": "alias/fuzz", "TargetKeyId": found[4]}).code is None
    )
    encrypted = doors.aws("Encrypt", {"KeyId": found[4], "Plaintext": "ZnV6eg=="})
    found.append(encrypted.body["CiphertextBlob"])
    return found


def strings(names: list[str]) -> st.SearchStrategy[str]:
    """Names twice as often as arbitrary text: a call with a real key gets further."""
    return st.one_of(st.sampled_from(names), st.sampled_from(names), TEXT)


def junk(data: st.DataObject) -> bool:
    """One value in twenty is anything at all, whatever its type says."""
    return data.draw(st.integers(0, 19)) == 0


def blobs() -> st.SearchStrategy[Any]:
    """Base64 of random bytes mostly; sometimes not base64 at all."""
    encoded = st.binary(max_size=300).map(lambda raw: base64.b64encode(raw).decode())
    return st.one_of(encoded, encoded, TEXT)


def input_value(data: st.DataObject, kind: GraphQLInputType, names: list[str], depth: int) -> Any:
    """A variable value of ``kind`` (or junk): required fields always, others one time in four."""
    if junk(data):
        return data.draw(ANY_JSON)
    if isinstance(kind, GraphQLNonNull):
        return input_value(data, kind.of_type, names, depth)
    if isinstance(kind, GraphQLList):
        size = data.draw(st.integers(0, 3 if depth < MAX_DEPTH else 0))
        return [input_value(data, kind.of_type, names, depth + 1) for _ in range(size)]
    if isinstance(kind, GraphQLInputObjectType):
        value = {}
        for name, field in kind.fields.items():
            required = isinstance(field.type, GraphQLNonNull)
            if depth < MAX_DEPTH and (required or data.draw(st.integers(0, 3)) == 0):
                value[name] = input_value(data, field.type, names, depth + 1)
        return value
    if isinstance(kind, GraphQLEnumType):
        known = st.sampled_from(sorted(kind.values))
        return data.draw(st.one_of(known, known, known, TEXT))
    assert isinstance(kind, GraphQLScalarType)
    scalar = {
        "String": strings(names),
        "ID": strings(names),
        "Int": NUMBERS,
        "Float": st.floats(allow_nan=False),
        "Boolean": st.booleans(),
        "Base64": st.one_of(blobs(), st.sampled_from(names)),
        "DateTime": st.one_of(st.datetimes().map(lambda moment: moment.isoformat()), TEXT),
        "StringMap": st.dictionaries(TEXT, TEXT, max_size=3),
    }
    return data.draw(scalar.get(kind.name, ANY_JSON))


def selection(data: st.DataObject, kind: GraphQLOutputType, depth: int) -> str:
    """A selection set of ``kind``'s fields (only those without required arguments)."""
    named = get_named_type(kind)
    if not isinstance(named, (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType)):
        return ""
    if isinstance(named, GraphQLUnionType) or depth >= MAX_DEPTH:
        return " { __typename }"
    fields = {
        name: field
        for name, field in named.fields.items()
        if not any(isinstance(arg.type, GraphQLNonNull) for arg in field.args.values())
    }
    chosen = data.draw(
        st.lists(st.sampled_from(sorted(fields)), min_size=1, max_size=4, unique=True)
    )
    return (
        " { "
        + " ".join(name + selection(data, fields[name].type, depth + 1) for name in chosen)
        + " }"
    )


def graphql_request(data: st.DataObject, names: list[str]) -> dict[str, Any]:
    """A document of one or two root fields, each argument a variable of its type."""
    root = data.draw(st.sampled_from(["query", "mutation"]))
    kind = SCHEMA.query_type if root == "query" else SCHEMA.mutation_type
    assert kind is not None
    chosen = data.draw(st.lists(st.sampled_from(sorted(kind.fields)), min_size=1, max_size=2))
    declared: list[str] = []
    variables: dict[str, Any] = {}
    selections = []
    for index, name in enumerate(chosen):
        field: GraphQLField = kind.fields[name]
        passed = []
        for arg_name, arg in field.args.items():
            variable = f"v{index}_{arg_name}"
            declared.append(f"${variable}: {arg.type}")
            variables[variable] = input_value(data, arg.type, names, 0)
            passed.append(f"{arg_name}: ${variable}")
        arguments = f"({', '.join(passed)})" if passed else ""
        selections.append(f"f{index}: {name}{arguments}{selection(data, field.type, 0)}")
    header = f"({', '.join(declared)})" if declared else ""
    return {"query": f"{root} Fuzz{header} {{ {' '.join(selections)} }}", "variables": variables}


def shape_value(data: st.DataObject, shape: Any, names: list[str], depth: int) -> Any:
    """A value of botocore's ``shape`` (or junk): required members always, others one time in
    four."""
    if junk(data):
        return data.draw(ANY_JSON)
    kind = shape.type_name
    if kind == "structure":
        members = shape.members.items() if depth < MAX_DEPTH else ()
        return {
            name: shape_value(data, member, names, depth + 1)
            for name, member in members
            if name in shape.required_members or data.draw(st.integers(0, 3)) == 0
        }
    if kind == "list":
        size = data.draw(st.integers(0, 3 if depth < MAX_DEPTH else 0))
        return [shape_value(data, shape.member, names, depth + 1) for _ in range(size)]
    if kind == "map":
        return data.draw(st.dictionaries(TEXT, strings(names), max_size=3))
    if kind == "string":
        if shape.enum:
            known = st.sampled_from(shape.enum)
            return data.draw(st.one_of(known, known, known, strings(names)))
        return data.draw(strings(names))
    if kind == "blob":
        return data.draw(st.one_of(blobs(), st.sampled_from(names)))
    if kind in ("integer", "long"):
        return data.draw(NUMBERS)
    if kind == "boolean":
        return data.draw(st.booleans())
    if kind == "timestamp":
        return data.draw(st.one_of(st.floats(0, 2e9), TEXT))
    return data.draw(ANY_JSON)


def aws_request(data: st.DataObject, names: list[str]) -> tuple[str, Any]:
    """A target (mostly one keygraph serves) and a body from its input shape, or anything."""
    unknown = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=30)
    target = data.draw(st.one_of(st.sampled_from(TARGETS), st.sampled_from(TARGETS), unknown))
    action = target.removeprefix("TrentService.")
    if action in KMS.operation_names and data.draw(st.integers(0, 9)) > 0:
        shape = KMS.operation_model(action).input_shape
        return action, shape_value(data, shape, names, 0) if shape is not None else {}
    return action, data.draw(st.one_of(ANY_JSON, st.binary(max_size=200)))


def codes(body: Any) -> Iterator[str]:
    """Every error code in an answer: GraphQL's and batch entries' ``code``, AWS's ``__type``."""
    if isinstance(body, dict):
        for name, value in body.items():
            if name in ("code", "__type") and isinstance(value, str):
                yield value
            yield from codes(value)
    elif isinstance(body, list):
        for item in body:
            yield from codes(item)


def assert_coded(answer: Answer) -> None:
    assert answer.status < 500, answer
    assert "InternalError" not in set(codes(answer.body)), answer


@FUZZ
@given(data=st.data())
def test_graphql_never_answers_an_internal_error(
    doors: Doors, names: list[str], data: st.DataObject
) -> None:
    assert_coded(doors.graphql_body(graphql_request(data, names)))


@FUZZ
@given(data=st.data())
def test_the_aws_door_never_answers_an_internal_error(
    doors: Doors, names: list[str], data: st.DataObject
) -> None:
    action, body = aws_request(data, names)
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
    assert_coded(doors.aws(action, body))


def test_the_server_is_healthy_after_the_fuzzing(doors: Doors, hardened: AwsServer) -> None:
    assert doors.healthy()
    assert hardened.replica.process.poll() is None
    assert "unexpected error" not in hardened.replica.output()
