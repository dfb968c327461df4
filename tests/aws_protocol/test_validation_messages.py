"""Every constraint botocore's KMS model declares on an input member, broken through the AWS door
(and through GraphQL where its types let the value through), answers AWS's ValidationException
in AWS's words. The cases and the expected words are generated from the model, not from
keygraph's declarations, so a constraint keygraph forgot or words it differently fails here.

AWS's words, from responses recorded against AWS KMS (LocalStack publishes its KMS tests'
responses recorded against AWS in tests/aws/services/kms/test_kms.snapshot.json):
``1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member
must have value greater than or equal to 1`` (GenerateRandom), ``Value 'HMAC_random' at 'keySpec'
failed to satisfy constraint: Member must satisfy enum value set: [...]`` (CreateKey). A sensitive
member is never quoted (``Value at 'plaintext'``, Encrypt); a blob is quoted as AWS's Java service
prints its buffer (``Value 'java.nio.HeapByteBuffer[pos=0 lim=0 cap=0]'``); a missing required
member is ``Value null at '...' ... Member must not be null``; a list whose items break their
constraints lists every constraint of an item (``Member must satisfy constraint: [Member must have
length less than or equal to 6, Member must have length greater than or equal to 0]``, recorded
from AWS Lambda's CreateFunctionUrlConfig, the same validation framework).

Where AWS's recorded order of an enum's values differs from the model's (AWS's own ordering is
not published), keygraph lists them in the model's order: see README, "Where keygraph differs
from AWS".
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import botocore.session
import httpx
import pytest

from api.differences import DIFFERENCES, Kind, Side
from api.operations import OPERATIONS
from api.shapes import camel, shape_of
from tests.aws_protocol.conftest import AwsCall

MODEL = botocore.session.get_session().get_service_model("kms")
SERVED = {
    operation.name: operation for operation in OPERATIONS if operation.name in MODEL.operation_names
}
UNSERVED = {
    (difference.operation, difference.member)
    for difference in DIFFERENCES
    if difference.side is Side.INPUT and difference.kind is Kind.ABSENT
}
# keygraph never quotes these, though AWS's model does not mark them sensitive: grant tokens are
# bearer secrets, and the import token, signature and MAC are kept out of messages and logs alike
# (README, "Where keygraph differs from AWS").
KEYGRAPH_HIDES = {"ImportToken", "Signature", "Mac", "GrantToken"}
# Constraints keygraph deliberately does not share with AWS (the reason is in the README):
# keygraph's custom key stores are PKCS#11 tokens, whose PINs are not CloudHSM passwords.
NOT_AWS_CONSTRAINTS = {
    ("CreateCustomKeyStore", "KeyStorePassword"),
    ("UpdateCustomKeyStore", "KeyStorePassword"),
}
# CreateCustomKeyStore takes keygraph's own required members (pkcs11ModulePath, tokenLabel: a
# PKCS#11 token rather than a CloudHSM cluster), so no request of AWS's members alone is valid.
NOT_AWS_REQUESTS = {"CreateCustomKeyStore"}
_SAMPLES = ("a", "alias/a", "default", "{}", "arn:aws:iam::111122223333:root", "a" * 64)


@dataclass(frozen=True)
class Case:
    operation: str
    member: str  # AWS's member name
    body: dict[str, Any]  # the AWS JSON request
    message: str  # AWS's words
    graphql: bool  # GraphQL's types let the value through

    def __str__(self) -> str:
        return f"{self.operation}.{self.member}: {self.message[30:90]}"


def _fits(shape: Any, text: str) -> bool:
    low, high = shape.metadata.get("min", 0), shape.metadata.get("max", 1 << 30)
    pattern = shape.metadata.get("pattern")
    return low <= len(text) <= high and (pattern is None or re.fullmatch(pattern, text) is not None)


def _valid(operation: str, shape: Any) -> Any:
    """A value that breaks none of ``shape``'s constraints."""
    kind = shape.type_name
    if getattr(shape, "enum", None):
        served = [value for value in shape.enum if _served_value(operation, shape, value)]
        return served[0]
    if kind == "string":
        return next(text for text in _SAMPLES if _fits(shape, text))
    if kind == "blob":
        return base64.b64encode(b"a" * max(shape.metadata.get("min", 1), 1)).decode()
    if kind in ("integer", "long"):
        return max(shape.metadata.get("min", 1), 1)
    if kind == "list":
        return [_valid(operation, shape.member)] * max(shape.metadata.get("min", 1), 1)
    if kind == "structure":
        return {name: _valid(operation, shape.members[name]) for name in shape.required_members}
    if kind == "map":
        return {"k": "v"}
    return True


def _served_value(operation: str, shape: Any, value: str) -> bool:
    member = next(iter(m for m in _keygraph_enums(operation) if m[0] == shape.name), None)
    return member is None or value in member[1]


def _keygraph_enums(operation: str) -> Iterator[tuple[str, set[str]]]:
    for member in shape_of(SERVED[operation].request):
        ref = member.type.item or member.type
        if ref.enum is not None:
            aws: Any = MODEL.operation_model(operation).input_shape
            aws = aws.members.get(member.wire)
            if aws is not None:
                aws = aws.member if aws.type_name == "list" else aws
                yield aws.name, {item.value for item in ref.enum}


def _quoted(shape: Any, name: str, value: Any) -> str:
    if shape.metadata.get("sensitive") or name in KEYGRAPH_HIDES:
        return "Value"
    if shape.type_name == "blob":
        size = len(base64.b64decode(value))
        return f"Value 'java.nio.HeapByteBuffer[pos=0 lim={size} cap={size}]'"
    if isinstance(value, list):
        return f"Value '[{', '.join(str(item) for item in value)}]'"
    return f"Value '{value}'"


def _length_words(size: int, shape: Any) -> str | None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and size < low:
        return f"Member must have length greater than or equal to {low}"
    if high is not None and size > high:
        return f"Member must have length less than or equal to {high}"
    return None


def _broken(name: str, shape: Any, value: Any) -> list[str]:
    """AWS's constraints that ``value`` breaks, in the order keygraph checks them."""
    found: list[str | None] = []
    kind = shape.type_name
    if kind == "string" and not getattr(shape, "enum", None):
        found.append(_length_words(len(value), shape))
        pattern = shape.metadata.get("pattern")
        if pattern is not None and re.fullmatch(pattern, value) is None:
            found.append(f"Member must satisfy regular expression pattern: {pattern}")
    if kind == "blob":
        found.append(_length_words(len(base64.b64decode(value)), shape))
    if kind in ("integer", "long"):
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if low is not None and value < low:
            found.append(f"Member must have value greater than or equal to {low}")
        elif high is not None and value > high:
            found.append(f"Member must have value less than or equal to {high}")
    if getattr(shape, "enum", None):
        found.append(f"Member must satisfy enum value set: [{', '.join(shape.enum)}]")
    if kind == "list":
        found.append(_length_words(len(value), shape))
        item = shape.member
        if getattr(item, "enum", None) and any(v not in item.enum for v in value):
            found.append(
                "Member must satisfy constraint: [Member must satisfy enum value set: "
                f"[{', '.join(item.enum)}]]"
            )
        elif item.type_name == "string" and any(_length_words(len(v), item) for v in value):
            found.append(
                "Member must satisfy constraint: [Member must have length less than or equal to "
                f"{item.metadata['max']}, Member must have length greater than or equal to "
                f"{item.metadata['min']}]"
            )
    return [
        f"{_quoted(shape, name, value)} at '{camel_of(name)}' failed to satisfy constraint: {c}"
        for c in found
        if c
    ]


def camel_of(name: str) -> str:
    return name[:1].lower() + name[1:]


def _violations(operation: str, shape: Any) -> Iterator[Any]:
    """Values that break each of ``shape``'s constraints in turn."""
    kind, low, high = shape.type_name, shape.metadata.get("min"), shape.metadata.get("max")
    if getattr(shape, "enum", None):
        yield "NOT_AN_AWS_VALUE"
    elif kind == "string":
        if high is not None:
            yield "a" * (high + 1)
        if low:
            yield "a" * (low - 1)
        if shape.metadata.get("pattern"):
            text = "\u2603" * max(low or 1, 1)
            if re.fullmatch(shape.metadata["pattern"], text) is None:
                yield text
    elif kind == "blob":
        if high is not None:
            yield base64.b64encode(b"a" * (high + 1)).decode()
        if low:
            yield ""
    elif kind in ("integer", "long"):
        if low is not None:
            yield low - 1
        if high is not None:
            yield high + 1
    elif kind == "list":
        item = _valid(operation, shape.member)
        if high is not None:
            yield [item] * (high + 1)
        if getattr(shape.member, "enum", None):
            yield ["NOT_AN_AWS_VALUE"]
        elif shape.member.type_name == "string" and shape.member.metadata.get("min"):
            yield [""]


def _cases() -> Iterator[Case]:
    for name in sorted(set(SERVED) - NOT_AWS_REQUESTS):
        aws: Any = MODEL.operation_model(name).input_shape
        served = {member.wire for member in shape_of(SERVED[name].request)}
        members = {
            wire: shape
            for wire, shape in aws.members.items()
            if wire in served
            and (name, wire) not in UNSERVED
            and (name, wire) not in NOT_AWS_CONSTRAINTS
        }
        # keygraph requires some members AWS leaves optional (``api.differences``,
        # Kind.REQUIRED): the baseline gives those too, so that one constraint breaks at a time.
        needed = set(aws.required_members) | {
            member.wire for member in shape_of(SERVED[name].request) if member.required
        }
        base = {wire: _valid(name, members[wire]) for wire in needed if wire in members}
        for wire in aws.required_members:
            if wire in members:
                body = {k: v for k, v in base.items() if k != wire}
                message = (
                    f"1 validation error detected: Value null at '{camel_of(wire)}' failed to "
                    "satisfy constraint: Member must not be null"
                )
                yield Case(name, wire, body, message, graphql=False)
        for wire, shape in members.items():
            for value in _violations(name, shape):
                problems = _broken(wire, shape, value)
                count = len(problems)
                head = "1 validation error" if count == 1 else f"{count} validation errors"
                enum_like = getattr(shape, "enum", None) or getattr(
                    getattr(shape, "member", None), "enum", None
                )
                yield Case(
                    name,
                    wire,
                    {**base, wire: value},
                    f"{head} detected: " + "; ".join(problems),
                    graphql=not enum_like,
                )


CASES = list(_cases())


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_a_broken_constraint_answers_aws_words(
    case: Case, aws_call: AwsCall, client: httpx.AsyncClient
) -> None:
    answer = await aws_call(case.operation, case.body)
    assert answer.status == 400
    assert answer.error == ("ValidationException", case.message)
    if case.graphql:
        assert await _graphql_error(client, case) == ("ValidationException", case.message)


async def _graphql_error(client: httpx.AsyncClient, case: Case) -> tuple[str, str]:
    operation = SERVED[case.operation]
    root = "query" if operation.access.name == "READ" else "mutation"
    document = (
        f"{root}($input: {case.operation}Input!) {{ {operation.field}(input: $input) "
        "{ __typename } }"
    )
    variables = {"input": _graphql_input(case.body)}
    body = (await client.post("/graphql", json={"query": document, "variables": variables})).json()
    (error,) = body["errors"]
    return error["extensions"]["code"], error["message"]


def _graphql_input(value: Any) -> Any:
    """The AWS JSON request as GraphQL variables: camelCase members, the same values."""
    if isinstance(value, dict):
        return {camel(_snake(k)): _graphql_input(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_graphql_input(item) for item in value]
    return value


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_every_constraint_kind_of_the_model_is_exercised() -> None:
    """The generator reaches every kind of constraint the model declares."""
    words = " ".join(case.message for case in CASES)
    for kind in (
        "must not be null",
        "have length less than or equal to",
        "have length greater than or equal to",
        "regular expression pattern",
        "enum value set",
        "have value greater than or equal to",
        "have value less than or equal to",
        "Member must satisfy constraint: [",
    ):
        assert kind in words, kind
