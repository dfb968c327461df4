"""Sign and Verify with asymmetric SIGN_VERIFY keys: RSASSA-PSS, RSASSA-PKCS1-v1_5, ECDSA and
Ed25519 (PureEdDSA over a RAW message, Ed25519ph over a SHA-512 DIGEST).

The private-key operation runs in the HSM; Verify needs no secret and is checked against the
stored public key. Every refusal that depends only on the request or the key (sizes, the
algorithm's fit to the spec, a DIGEST of the wrong length) is decided here, before the HSM.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import hsm
from api import limits, messages
from api.calls import Call
from api.crypto import checks
from api.crypto.material import Material, material_of
from api.errors import KMSInvalidSignatureException
from api.keys.ids import ANY_FORM
from api.keys.model import Key
from api.members import dry_run, grant_tokens, key_id
from api.services import Services
from api.shapes import member
from hsm import MessageType, SigningAlgorithm


@dataclass(frozen=True, kw_only=True)
class SignRequest:
    key_id: str = key_id(ANY_FORM)
    message: bytes = checks.message()
    message_type: MessageType = MessageType.RAW
    signing_algorithm: SigningAlgorithm
    grant_tokens: list[str] | None = grant_tokens()
    dry_run: bool | None = dry_run()


# Not a subclass of SignRequest: AWS's Verify has ``Signature`` before ``SigningAlgorithm``.
@dataclass(frozen=True, kw_only=True)
class VerifyRequest:
    key_id: str = key_id(ANY_FORM)
    message: bytes = checks.message()
    message_type: MessageType = MessageType.RAW
    signature: bytes = member(
        length=(limits.SIGNATURE_BYTES.low, limits.SIGNATURE_BYTES.high), sensitive=True
    )
    signing_algorithm: SigningAlgorithm
    grant_tokens: list[str] | None = grant_tokens()
    dry_run: bool | None = dry_run()


@dataclass(frozen=True)
class Signature:
    key: Key
    signature: bytes = field(repr=False)
    signing_algorithm: SigningAlgorithm


async def sign(services: Services, call: Call, request: SignRequest) -> Signature:
    key, material = await _signing_key(services, call, "Sign", request)
    signature = await services.hsm.sign(
        material.wrapped, request.message, request.signing_algorithm, request.message_type
    )
    return Signature(key, signature, request.signing_algorithm)


async def verify(services: Services, call: Call, request: VerifyRequest) -> Key:
    """The key that verified the signature; a signature that does not verify raises
    ``KMSInvalidSignatureException`` (AWS never answers "invalid" with a result)."""
    key, material = await _signing_key(services, call, "Verify", request)
    try:
        await services.hsm.verify(
            material.wrapped,
            request.message,
            request.signature,
            request.signing_algorithm,
            request.message_type,
        )
    except hsm.InvalidSignature:
        raise KMSInvalidSignatureException() from None
    return key


async def _signing_key(
    services: Services, call: Call, action: str, request: SignRequest | VerifyRequest
) -> tuple[Key, Material]:
    algorithm = request.signing_algorithm
    facts = {"kms:SigningAlgorithm": algorithm.value, "kms:MessageType": request.message_type.value}
    key = await checks.request_key(services, call, action, request, facts=facts)
    checks.compatible(key, algorithm, key.signing_algorithms)
    if request.message_type not in algorithm.message_types:
        raise messages.MESSAGE_TYPE_INCOMPATIBLE(
            message_type=request.message_type.value, algorithm=algorithm.value
        )
    digest_size = algorithm.hash.digest_size
    if request.message_type is MessageType.DIGEST and len(request.message) != digest_size:
        raise messages.DIGEST_LENGTH(algorithm=algorithm.value)
    prehash = algorithm is SigningAlgorithm.ED25519_PH_SHA_512
    if prehash and not services.hsm.capabilities.eddsa_prehash:
        raise messages.ED25519PH_UNSUPPORTED()
    checks.stop_if_dry_run(bool(request.dry_run))
    return key, await material_of(services, key)
