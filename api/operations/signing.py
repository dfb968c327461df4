"""Sign, Verify, GenerateMac, VerifyMac, DeriveSharedSecret and GetPublicKey.

The requests of the first five are their ``api.crypto`` modules' (AWS's members); GetPublicKey's
is declared here, its domain function taking the key id and grant tokens. Every ``KeyId``
answered is the key ARN, as AWS answers. A signature or MAC that does not verify is an error
(``KMSInvalidSignatureException``, ``KMSInvalidMacException``), never a ``false`` result: AWS
answers so, and so ``signatureValid`` and ``macValid`` are always true.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.calls import Call
from api.crypto import agreement, macs, public_keys, signing
from api.crypto.agreement import DeriveSharedSecretRequest
from api.crypto.macs import GenerateMacRequest, VerifyMacRequest
from api.crypto.signing import SignRequest, VerifyRequest
from api.keys.model import (
    CustomerMasterKeySpec,
    EncryptionAlgorithmSpec,
    KeyAgreementAlgorithm,
    KeyUsage,
    Origin,
)
from api.operation import compute, read
from api.operations.structures import KeyTokensRequest
from api.services import Services
from api.shapes import member, project
from hsm import KeySpec, MacAlgorithm, SigningAlgorithm


@dataclass(frozen=True, kw_only=True)
class SignResponse:
    key_id: str = member(doc="The key ARN.")
    signature: bytes = member(
        doc="PSS or PKCS#1 v1.5 signature for RSA keys; DER-encoded ECDSA for ECC keys."
    )
    signing_algorithm: SigningAlgorithm


@dataclass(frozen=True, kw_only=True)
class VerifyResponse:
    """A signature that does not verify is KMSInvalidSignatureException."""

    key_id: str = member(doc="The key ARN.")
    signature_valid: bool
    signing_algorithm: SigningAlgorithm


@dataclass(frozen=True, kw_only=True)
class GenerateMacResponse:
    key_id: str = member(doc="The key ARN.")
    mac: bytes
    mac_algorithm: MacAlgorithm


@dataclass(frozen=True, kw_only=True)
class VerifyMacResponse:
    """A MAC that does not verify is KMSInvalidMacException."""

    key_id: str = member(doc="The key ARN.")
    mac_valid: bool
    mac_algorithm: MacAlgorithm


@dataclass(frozen=True, kw_only=True)
class DeriveSharedSecretResponse:
    key_id: str = member(doc="The key ARN.")
    shared_secret: bytes = member(sensitive=True, doc="The raw ECDH shared secret (x).")
    key_agreement_algorithm: KeyAgreementAlgorithm
    key_origin: Origin


@dataclass(frozen=True, kw_only=True)
class GetPublicKeyResponse:
    key_id: str = member(doc="The key ARN.")
    public_key: bytes = member(doc="DER SubjectPublicKeyInfo.")
    key_spec: KeySpec
    customer_master_key_spec: CustomerMasterKeySpec | None = member(
        None, deprecated="Use keySpec, as AWS does."
    )
    key_usage: KeyUsage
    # AWS answers each list only for the usage it belongs to; an empty one is absent.
    encryption_algorithms: list[EncryptionAlgorithmSpec] | None = member(
        doc="Only for ENCRYPT_DECRYPT keys, as in AWS."
    )
    signing_algorithms: list[SigningAlgorithm] | None = member(
        doc="Only for SIGN_VERIFY keys, as in AWS."
    )
    key_agreement_algorithms: list[KeyAgreementAlgorithm] | None = member(
        doc="Only for KEY_AGREEMENT keys, as in AWS."
    )


async def sign(services: Services, call: Call, request: SignRequest) -> SignResponse:
    signed = await signing.sign(services, call, request)
    return project(SignResponse, signed, key_id=signed.key.arn)


async def verify(services: Services, call: Call, request: VerifyRequest) -> VerifyResponse:
    key = await signing.verify(services, call, request)
    return VerifyResponse(
        key_id=key.arn, signature_valid=True, signing_algorithm=request.signing_algorithm
    )


async def generate_mac(
    services: Services, call: Call, request: GenerateMacRequest
) -> GenerateMacResponse:
    made = await macs.generate_mac(services, call, request)
    return project(GenerateMacResponse, made, key_id=made.key.arn)


async def verify_mac(
    services: Services, call: Call, request: VerifyMacRequest
) -> VerifyMacResponse:
    key = await macs.verify_mac(services, call, request)
    return VerifyMacResponse(key_id=key.arn, mac_valid=True, mac_algorithm=request.mac_algorithm)


async def derive_shared_secret(
    services: Services, call: Call, request: DeriveSharedSecretRequest
) -> DeriveSharedSecretResponse:
    derived = await agreement.derive_shared_secret(services, call, request)
    key = derived.key
    return project(DeriveSharedSecretResponse, derived, key_id=key.arn, key_origin=key.origin)


async def get_public_key(
    services: Services, call: Call, request: KeyTokensRequest
) -> GetPublicKeyResponse:
    found = await public_keys.get_public_key(services, call, request.key_id, request.grant_tokens)
    key = found.key
    return GetPublicKeyResponse(
        key_id=key.arn,
        public_key=found.public_key,
        key_spec=key.spec,
        customer_master_key_spec=CustomerMasterKeySpec.of(key.spec),
        key_usage=key.usage,
        encryption_algorithms=list(key.encryption_algorithms) or None,
        signing_algorithms=list(key.signing_algorithms) or None,
        key_agreement_algorithms=list(key.key_agreement_algorithms) or None,
    )


# Cryptographic operations change nothing: their audit events are batched, GetPublicKey's as
# every read's.
OPERATIONS = (
    compute("Sign", sign),
    compute("Verify", verify),
    compute("GenerateMac", generate_mac),
    compute("VerifyMac", verify_mac),
    compute("DeriveSharedSecret", derive_shared_secret),
    read("GetPublicKey", get_public_key),
)
