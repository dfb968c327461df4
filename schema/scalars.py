"""The scalars of the contract: ``Base64`` for binary values and ``StringMap`` for encryption
contexts. Their errors name what is wrong, never the value, which may be a secret."""

from __future__ import annotations

import binascii
import json
from typing import NewType

import strawberry

Base64 = strawberry.scalar(
    NewType("Base64", bytes),
    name="Base64",
    description="Binary data, base64 with the standard alphabet and padding.",
    serialize=lambda value: binascii.b2a_base64(value, newline=False).decode("ascii"),
    parse_value=lambda value: parse_base64(value),
)

StringMap = strawberry.scalar(
    NewType("StringMap", dict),
    name="StringMap",
    description="A JSON object whose values are strings, such as an encryption context.",
    serialize=lambda value: dict(value),
    parse_value=lambda value: parse_string_map(value),
)


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
