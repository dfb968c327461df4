"""The scalars of the contract: ``Base64`` for binary values and ``StringMap`` for encryption
contexts. Their errors name what is wrong, never the value, which may be a secret."""

from __future__ import annotations

import binascii
import json
from typing import NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

Base64 = NewType("Base64", bytes)
StringMap = NewType("StringMap", dict)  # type: ignore[type-arg]


def parse_base64(value: object) -> bytes:
    if not isinstance(value, str):
        raise ValueError("Base64 value must be a string")
    try:
        return binascii.a2b_base64(value.encode("ascii"), strict_mode=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError("Base64 value is not valid base64") from None


def parse_string_map(value: object) -> dict[str, str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValueError("StringMap value is not a JSON object") from None
    if not isinstance(value, dict):
        raise ValueError("StringMap value must be an object of strings")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValueError("StringMap keys and values must be strings")
    return dict(value)


def serialize_base64(value: bytes) -> str:
    return binascii.b2a_base64(value, newline=False).decode("ascii")


SCALARS: dict[object, ScalarDefinition] = {
    Base64: strawberry.scalar(
        name="Base64",
        description="Binary data, base64 with the standard alphabet and padding.",
        serialize=serialize_base64,
        parse_value=parse_base64,
    ),
    StringMap: strawberry.scalar(
        name="StringMap",
        description="A JSON object whose values are strings, such as an encryption context.",
        serialize=dict,
        parse_value=parse_string_map,
    ),
}
