"""GetPublicKey: the DER SubjectPublicKeyInfo of an asymmetric key, and what it may be used for.

The public half is stored beside the wrapped private key, so no HSM call is needed. AWS serves it
for a Disabled key too (the state table says so). It is read through the call's batched loader:
the graph's ``Key.publicKey`` runs GetPublicKey once per key of a ``listKeys`` page, within the
listing's call, and the page then reads every public key in one statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from api import messages, validation
from api.authz.access import usable_key
from api.calls import Call
from api.keys.model import Key
from api.services import Services
from db.keys import public_keys_for_keys


@dataclass(frozen=True)
class PublicKey:
    key: Key
    public_key: bytes


async def get_public_key(
    services: Services, call: Call, key_id: str, grant_tokens: Sequence[str] | None = None
) -> PublicKey:
    validation.grant_tokens(grant_tokens)
    key = await usable_key(services, call, key_id, "GetPublicKey", grant_tokens=grant_tokens)
    # The usage table lets ENCRYPT_DECRYPT through for RSA keys; a symmetric key has that usage
    # too but no public half.
    if not key.spec.is_asymmetric:
        raise messages.NO_PUBLIC_KEY_SPEC(arn=key.arn, spec=key.spec.value)
    public = await call.loader(services.pool, public_keys_for_keys).load(key.uuid)
    if public is None:
        raise messages.NO_STORED_PUBLIC_KEY(arn=key.arn)
    return PublicKey(key, public)
