"""Checks of request members shared by the key operations; each message names the member."""

from __future__ import annotations

from api import limits
from api.errors import ValidationException


def member_range(member: str, value: int, allowed: limits.Range) -> int:
    if value not in allowed:
        raise ValidationException(
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
            f"constraint: Member must have value between {allowed.low} and {allowed.high}"
        )
    return value


def member_length(member: str, value: str, high: int, low: int = 0) -> str:
    if not low <= len(value) <= high:
        raise ValidationException(
            f"1 validation error detected: Value at '{member}' failed to satisfy constraint: "
            f"Member must have length between {low} and {high}"
        )
    return value
