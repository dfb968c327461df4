"""Members that many requests repeat, each declared once with AWS's constraints: ``KeyId``,
``GrantTokens``, ``DryRun``, list paging. A request names them rather than restating them."""

from __future__ import annotations

from typing import Any

from api import limits
from api.shapes import member


def key_id() -> Any:
    """A required ``KeyId``: key id, key ARN, alias name or alias ARN."""
    return member(length=(limits.KEY_ID_LENGTH.low, limits.KEY_ID_LENGTH.high))


def optional_key_id(doc: str | None = None) -> Any:
    return member(None, length=(limits.KEY_ID_LENGTH.low, limits.KEY_ID_LENGTH.high), doc=doc)


def grant_tokens() -> Any:
    return member(
        None,
        length=(0, limits.GRANT_TOKENS_MAX),
        item_length=(limits.GRANT_TOKEN_LENGTH.low, limits.GRANT_TOKEN_LENGTH.high),
    )


def dry_run() -> Any:
    return member(None)


def limit() -> Any:
    """A list call's ``Limit``."""
    return member(None, value=(limits.LIST_LIMIT.low, limits.LIST_LIMIT.high))


def marker() -> Any:
    """A list call's ``Marker``."""
    return member(
        None,
        length=(limits.MARKER_LENGTH.low, limits.MARKER_LENGTH.high),
        pattern="[\\u0020-\\u00FF]*",
    )
