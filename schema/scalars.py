"""The scalars of the contract: ``Base64`` for binary values, ``StringMap`` for encryption
contexts, ``DateTime`` for times. Their errors name what is wrong, never the value, which may be a
secret."""

from __future__ import annotations

import binascii
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLScalarType,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    value_from_ast_untyped,
)


def parse_base64(value: object) -> bytes:
    if not isinstance(value, str):
        raise GraphQLError("Base64 value must be a string")
    try:
        return binascii.a2b_base64(value.encode("ascii"), strict_mode=True)
    except (binascii.Error, UnicodeEncodeError):
        raise GraphQLError("Base64 value is not valid base64") from None


def serialize_base64(value: object) -> str:
    if not isinstance(value, bytes):
        raise GraphQLError("Base64 can only serialize bytes")
    return binascii.b2a_base64(value, newline=False).decode("ascii")


def parse_string_map(value: object) -> dict[str, str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise GraphQLError("StringMap value is not a JSON object") from None
    if not isinstance(value, dict):
        raise GraphQLError("StringMap value must be an object of strings")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise GraphQLError("StringMap keys and values must be strings")
    return dict(value)


def _literal(parse: Any) -> Any:
    """A literal in the document, parsed as the same value would be from variables."""

    def parse_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> Any:
        if not isinstance(node, (StringValueNode, ObjectValueNode)):
            raise GraphQLError("a string or object literal is expected")
        return parse(value_from_ast_untyped(node, variables))

    return parse_literal


def parse_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise GraphQLError("DateTime value must be an ISO-8601 string")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise GraphQLError("DateTime value is not ISO-8601") from None


def serialize_datetime(value: object) -> str:
    if not isinstance(value, datetime):
        raise GraphQLError("DateTime can only serialize datetimes")
    return value.isoformat()


def _scalar(
    name: str, description: str, serialize: Callable[[Any], Any], parse: Callable[[Any], Any]
) -> GraphQLScalarType:
    """A scalar that parses a literal in the document as it parses the same value given in
    variables."""
    return GraphQLScalarType(
        name,
        description=description,
        serialize=serialize,
        parse_value=parse,
        parse_literal=_literal(parse),
    )


Base64 = _scalar(
    "Base64",
    "Binary data, base64 with the standard alphabet and padding.",
    serialize_base64,
    parse_base64,
)
StringMap = _scalar(
    "StringMap",
    "A JSON object whose values are strings, such as an encryption context.",
    dict,
    parse_string_map,
)
DateTime = _scalar("DateTime", "Date with time (isoformat)", serialize_datetime, parse_datetime)
