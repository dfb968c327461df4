"""DeriveSharedSecret: ECDH between a KEY_AGREEMENT key's private half (in the HSM) and a peer's
public key.

The peer key is parsed and checked to lie on the key's curve here, so a malformed or foreign key
is the caller's ValidationException and never reaches the HSM.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key

from api import limits, messages
from api.calls import Call
from api.crypto import checks
from api.crypto.material import material_of
from api.keys.ids import ANY_FORM
from api.keys.model import Key, KeyAgreementAlgorithm
from api.members import RecipientInfo, dry_run, grant_tokens, key_id
from api.services import Services
from api.shapes import member


@dataclass(frozen=True, kw_only=True)
class DeriveSharedSecretRequest:
    key_id: str = key_id(ANY_FORM)
    key_agreement_algorithm: KeyAgreementAlgorithm
    public_key: bytes = member(
        length=(limits.PEER_PUBLIC_KEY_BYTES.low, limits.PEER_PUBLIC_KEY_BYTES.high),
        doc="The peer's DER SubjectPublicKeyInfo, on the key's curve.",
    )
    grant_tokens: list[str] | None = grant_tokens()
    dry_run: bool | None = dry_run()
    recipient: RecipientInfo | None = None


@dataclass(frozen=True)
class SharedSecret:
    key: Key
    shared_secret: bytes = field(repr=False)
    key_agreement_algorithm: KeyAgreementAlgorithm


async def derive_shared_secret(
    services: Services, call: Call, request: DeriveSharedSecretRequest
) -> SharedSecret:
    facts = {"kms:KeyAgreementAlgorithm": request.key_agreement_algorithm.value}
    key = await checks.request_key(services, call, "DeriveSharedSecret", request, facts=facts)
    checks.compatible(key, request.key_agreement_algorithm, key.key_agreement_algorithms)
    _require_peer_on_curve(key, request.public_key)
    checks.stop_if_dry_run(bool(request.dry_run))
    material = await material_of(services, key)
    secret = await services.hsm.derive_shared_secret(material.wrapped, request.public_key)
    return SharedSecret(key, secret, request.key_agreement_algorithm)


def _require_peer_on_curve(key: Key, public_key: bytes) -> None:
    # AWS answers an unusable public key with an empty message (recorded against AWS); the
    # reason is the caller's own input, so GraphQL may show it.
    refused = messages.PUBLIC_KEY_UNUSABLE(
        detail=f"The publicKey is not a DER-encoded SubjectPublicKeyInfo of a {key.spec.value} key."
    )
    try:
        peer = load_der_public_key(public_key)
    except ValueError:
        raise refused from None
    if not isinstance(peer, ec.EllipticCurvePublicKey) or peer.curve.name != key.spec.curve:
        raise refused
