"""Checks the cryptographic operations share, all made before the HSM sees anything.

Member checks run before the key is looked up, algorithm checks once it is known, and the dry
run last, so that a dry run answers exactly as the real call would up to the HSM. Messages follow
AWS's wording and name the member, never its value: a message, signature or grant token may be a
secret.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any

from api import limits
from api.errors import DryRunOperationException, InvalidKeyUsageException
from api.keys.model import Key
from api.shapes import member
from api.validation import member_length


def message() -> Any:
    """The ``Message`` member of Sign, Verify, GenerateMac and VerifyMac: 1 to 4096 bytes, as
    secret as any plaintext (AWS's model marks it sensitive)."""
    return member(length=(limits.MESSAGE_BYTES.low, limits.MESSAGE_BYTES.high), sensitive=True)


def sized(member: str, value: bytes, allowed: limits.Range) -> bytes:
    """``value`` if its length is in ``allowed``; AWS words each bound on its own."""
    return member_length(member, value, allowed.high, allowed.low)


def compatible(key: Key, algorithm: Enum, allowed: Sequence[Enum]) -> None:
    """AWS's answer when an algorithm does not suit the key's spec (ECDSA_SHA_384 on P-256)."""
    if algorithm not in allowed:
        raise InvalidKeyUsageException(
            f"Algorithm {algorithm.value} is incompatible with key spec {key.spec.value}."
        )


def stop_if_dry_run(dry_run: bool) -> None:
    """Called once every check has passed, just before the HSM would be asked."""
    if dry_run:
        raise DryRunOperationException()
