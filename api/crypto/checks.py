"""Checks the cryptographic operations share, all made before the HSM sees anything.

Member checks run before the key is looked up (grant tokens last, by ``request_key``),
algorithm checks once it is known, and the dry run last, so that a dry run answers exactly as
the real call would up to the HSM. Messages follow AWS's wording and name the member, never its
value: a message, signature or grant token may be a secret.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any, Protocol

from api import limits, messages, validation
from api.authz.access import usable_key
from api.authz.facts import Values
from api.calls import Call
from api.errors import DryRunOperationException
from api.keys.model import Key
from api.services import Services
from api.shapes import member
from api.validation import member_length


def message() -> Any:
    """The ``Message`` member of Sign, Verify, GenerateMac and VerifyMac: 1 to 4096 bytes, as
    secret as any plaintext (AWS's model marks it sensitive)."""
    return member(length=(limits.MESSAGE_BYTES.low, limits.MESSAGE_BYTES.high), sensitive=True)


def sized(member: str, value: bytes, allowed: limits.Range) -> bytes:
    """``value`` if its length is in ``allowed``; AWS words each bound on its own."""
    return member_length(member, value, allowed.high, allowed.low)


class KeyedRequest(Protocol):
    """A request that names its key and may carry grant tokens."""

    @property
    def key_id(self) -> str: ...

    @property
    def grant_tokens(self) -> Sequence[str] | None: ...


async def request_key(
    services: Services,
    call: Call,
    action: str,
    request: KeyedRequest,
    *,
    context: Mapping[str, str] | None = None,
    facts: Values | None = None,
) -> Key:
    """The request's key, allowed for ``action`` and usable now (``usable_key``), once its
    grant tokens are well-formed: AWS refuses a malformed token before it looks the key up."""
    validation.grant_tokens(request.grant_tokens)
    return await usable_key(
        services,
        call,
        request.key_id,
        action,
        context=context,
        facts=facts,
        grant_tokens=request.grant_tokens,
    )


def compatible(key: Key, algorithm: Enum, allowed: Sequence[Enum]) -> None:
    """AWS's answer when an algorithm does not suit the key's spec (ECDSA_SHA_384 on P-256)."""
    if algorithm not in allowed:
        raise messages.ALGORITHM_INCOMPATIBLE(algorithm=algorithm.value, spec=key.spec.value)


def stop_if_dry_run(dry_run: bool) -> None:
    """Called once every check has passed, just before the HSM would be asked."""
    if dry_run:
        raise DryRunOperationException()
