"""Checks of request members that operations make by hand, in AWS's words, naming the member.

``api.shapes`` validates every request against its model constraints once, in the pipeline; these
are for the rules that come on top (a member the service bounds more narrowly than the model, a
default that must still lie in range) and for values that are not a request's own members (a List
call's Limit as ``api.pages`` sizes it). They sit below every domain package, which all use them.
"""

from __future__ import annotations

from collections.abc import Sequence, Sized
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


def _failed(member: str, constraint: str) -> ValidationException:  # for list-member rules
    return ValidationException(
        f"1 validation error detected: Value at '{member}' failed to satisfy constraint: "
        f"Member must {constraint}"
    )


def grant_tokens(tokens: Sequence[str] | None) -> tuple[str, ...]:
    """A request's GrantTokens, checked before any key is looked up: by the cryptographic
    operations for AWS's order of refusals, and by ``api.grants.tokens`` before it reads them."""
    given = tuple(tokens or ())
    if len(given) > limits.GRANT_TOKENS_MAX:
        raise _failed("grantTokens", f"have length less than or equal to {limits.GRANT_TOKENS_MAX}")
    allowed = limits.GRANT_TOKEN_LENGTH
    if any(len(token) not in allowed for token in given):
        raise _failed(
            "grantTokens",
            f"satisfy constraint: [Member must have length between {allowed.low} and "
            f"{allowed.high}]",
        )
    return given
