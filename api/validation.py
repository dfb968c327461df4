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
from api.shapes import (
    constraint_failed,
    item_constraint,
    length_constraint,
    rendered,
    validation_error,
    value_constraint,
)

S = TypeVar("S", bound=Sized)


def member_range(member: str, value: int, allowed: limits.Range) -> int:
    """AWS's words for a number out of range name the bound it crossed."""
    broken = value_constraint(value, allowed.low, allowed.high)
    if broken is not None:
        raise validation_error([constraint_failed(member, broken, rendered(value))])
    return value


def member_length(member: str, value: S, high: int, low: int = 0, *, quoted: bool = False) -> S:
    """AWS's words for a string or blob out of range name the bound it crossed; they quote the
    value where the caller says it is no secret (AWS quotes every member its model does not mark
    sensitive)."""
    broken = length_constraint(len(value), low, high)
    if broken is not None:
        shown = rendered(value) if quoted else None
        raise validation_error([constraint_failed(member, broken, shown)])
    return value


def grant_tokens(tokens: Sequence[str] | None) -> tuple[str, ...]:
    """A request's GrantTokens, checked before any key is looked up: by the cryptographic
    operations for AWS's order of refusals, and by ``api.grants.tokens`` before it reads them.
    Grant tokens are keygraph's secrets, so the message never quotes them."""
    given = tuple(tokens or ())
    broken = length_constraint(len(given), 0, limits.GRANT_TOKENS_MAX)
    allowed = limits.GRANT_TOKEN_LENGTH
    if broken is None and any(len(token) not in allowed for token in given):
        broken = item_constraint(
            [
                f"Member must have length less than or equal to {allowed.high}",
                f"Member must have length greater than or equal to {allowed.low}",
            ]
        )
    if broken is not None:
        raise validation_error([constraint_failed("grantTokens", broken, None)])
    return given
