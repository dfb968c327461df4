"""Checks of request members shared by the key operations; each message names the member."""

from __future__ import annotations

from collections.abc import Sized
from typing import TypeVar

from api import limits
from api.errors import ValidationException

S = TypeVar("S", bound=Sized)


def member_range(member: str, value: int, allowed: limits.Range) -> int:
    """AWS's words for a number out of range name the bound it crossed."""
    if value not in allowed:
        bound = (
            f"greater than or equal to {allowed.low}"
            if value < allowed.low
            else f"less than or equal to {allowed.high}"
        )
        raise ValidationException(
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
            f"constraint: Member must have value {bound}"
        )
    return value


def member_length(member: str, value: S, high: int, low: int = 0) -> S:
    """AWS's words for a string or blob out of range name the bound it crossed."""
    if not low <= len(value) <= high:
        bound = (
            f"greater than or equal to {low}"
            if len(value) < low
            else f"less than or equal to {high}"
        )
        raise ValidationException(
            f"1 validation error detected: Value at '{member}' failed to satisfy constraint: "
            f"Member must have length {bound}"
        )
    return value
