"""Members that many requests repeat, each declared once with AWS's constraints: ``KeyId``,
``GrantTokens``, ``DryRun``, list paging. A request names them rather than restating them."""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from typing import Any

from api import limits
from api.keys.ids import Accepts
from api.shapes import Member, member, shape_of

_ACCEPTS = "keygraph.accepts"


def key_id(accepts: Accepts) -> Any:
    """A required member naming a key (``KeyId``, ``TargetKeyId``, ``DestinationKeyId``) in the
    forms AWS's API reference states for it (``api.keys.ids``: ``ANY_FORM``, ``KEY_ONLY``...)."""
    return _naming_a_key(
        member(length=(limits.KEY_ID_LENGTH.low, limits.KEY_ID_LENGTH.high)), accepts
    )


def optional_key_id(accepts: Accepts, doc: str | None = None) -> Any:
    return _naming_a_key(
        member(None, length=(limits.KEY_ID_LENGTH.low, limits.KEY_ID_LENGTH.high), doc=doc),
        accepts,
    )


def _naming_a_key(field: Any, accepts: Accepts) -> Any:
    return dataclasses.field(
        default=field.default, repr=field.repr, metadata={**field.metadata, _ACCEPTS: accepts}
    )


_KEY_MEMBERS: dict[type, tuple[tuple[Member, Accepts], ...]] = {}


def key_members(request: type) -> tuple[tuple[Member, Accepts], ...]:
    """The members of ``request`` that name a key, each with the forms it accepts (read once:
    every call of the operation asks)."""
    found = _KEY_MEMBERS.get(request)
    if found is None:
        declared = {
            field.name: field.metadata[_ACCEPTS]
            for field in dataclasses.fields(request)
            if _ACCEPTS in field.metadata
        }
        found = _KEY_MEMBERS[request] = tuple(
            (m, declared[m.name]) for m in shape_of(request) if m.name in declared
        )
    return found


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


class KeyEncryptionMechanism(enum.Enum):
    RSAES_OAEP_SHA_256 = "RSAES_OAEP_SHA_256"


@dataclass(frozen=True, kw_only=True)
class RecipientInfo:
    """AWS's ``Recipient``: a Nitro enclave's attestation document, for an answer encrypted to
    the enclave. keygraph takes it only to refuse it (``api.differences``)."""

    key_encryption_algorithm: KeyEncryptionMechanism | None = None
    attestation_document: bytes | None = member(None, length=(1, 262_144))
