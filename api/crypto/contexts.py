"""Encryption contexts in requests: checked for shape before any key is looked up, and refused
where AWS refuses them (asymmetric keys have no AAD to bind them to)."""

from __future__ import annotations

from collections.abc import Mapping

from api import limits, messages
from api.crypto.envelope import encode_context
from api.keys.model import Key
from hsm import KeySpec


def encryption_context(member: str, context: Mapping[str, str] | None) -> dict[str, str]:
    """The context of a request, as a plain dict; ``None`` is the empty context."""
    given = dict(context or {})
    try:
        size = len(encode_context(given))
    except UnicodeEncodeError:
        # JSON can carry lone surrogates, which have no UTF-8 form and so no canonical encoding.
        raise messages.CONTEXT_NOT_UNICODE(member=member) from None
    if size > limits.ENCRYPTION_CONTEXT_BYTES:
        raise messages.CONTEXT_TOO_LARGE(member=member, limit=limits.ENCRYPTION_CONTEXT_BYTES)
    return given


def refuse_context_for_asymmetric(key: Key, context: Mapping[str, str]) -> None:
    if context and key.spec is not KeySpec.SYMMETRIC_DEFAULT:
        raise messages.CONTEXT_FOR_ASYMMETRIC()
