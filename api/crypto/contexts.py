"""Encryption contexts in requests: checked for shape before any key is looked up, and refused
where AWS refuses them (asymmetric keys have no AAD to bind them to)."""

from __future__ import annotations

from collections.abc import Mapping

from api import limits
from api.crypto.envelope import encode_context
from api.errors import ValidationException
from api.keys.model import Key
from hsm import KeySpec


def _failed(member: str, constraint: str) -> ValidationException:
    return ValidationException(
        f"1 validation error detected: Value at '{member}' failed to satisfy constraint: "
        f"Member must {constraint}"
    )


def encryption_context(member: str, context: Mapping[str, str] | None) -> dict[str, str]:
    """The context of a request, as a plain dict; ``None`` is the empty context."""
    given = dict(context or {})
    try:
        size = len(encode_context(given))
    except UnicodeEncodeError:
        # JSON can carry lone surrogates, which have no UTF-8 form and so no canonical encoding.
        raise _failed(member, "contain only valid Unicode strings") from None
    if size > limits.ENCRYPTION_CONTEXT_BYTES:
        raise _failed(
            member, f"encode to at most {limits.ENCRYPTION_CONTEXT_BYTES} bytes (keys and values)"
        )
    return given


def refuse_context_for_asymmetric(key: Key, context: Mapping[str, str]) -> None:
    if context and key.spec is not KeySpec.SYMMETRIC_DEFAULT:
        raise ValidationException(
            "EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs."
        )
