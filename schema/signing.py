"""Signatures, MACs, key agreement and public keys over GraphQL: sign, verify, getPublicKey,
generateMac, verifyMac, deriveSharedSecret.

Resolvers only translate: input to an ``api`` request, result to AWS's response members, with
``keyId`` always the key ARN as AWS answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from api.calls import Call
from api.crypto import agreement, macs, public_keys, signing
from api.services import Services
from schema.enums import (
    EncryptionAlgorithmSpec,
    KeyAgreementAlgorithmSpec,
    KeySpec,
    KeyUsageType,
    MacAlgorithmSpec,
    MessageType,
    OriginType,
    SigningAlgorithmSpec,
)
from schema.keys import GraphQLInfo

if TYPE_CHECKING:
    # mypy cannot use the result of strawberry.scalar as a type; at run time the schema maps
    # this NewType to the Base64 scalar.
    Base64 = bytes
else:
    from schema.scalars import Base64


@strawberry.input
class SignInput:
    key_id: str
    message: Base64
    message_type: MessageType = MessageType.RAW
    signing_algorithm: SigningAlgorithmSpec
    grant_tokens: list[str] | None = None
    dry_run: bool | None = None


@strawberry.type
class SignResult:
    key_id: str = strawberry.field(description="The key ARN.")
    signature: Base64 = strawberry.field(
        description="PSS or PKCS#1 v1.5 signature for RSA keys; DER-encoded ECDSA for ECC keys."
    )
    signing_algorithm: SigningAlgorithmSpec


@strawberry.input
class VerifyInput:
    key_id: str
    message: Base64
    message_type: MessageType = MessageType.RAW
    signature: Base64
    signing_algorithm: SigningAlgorithmSpec
    grant_tokens: list[str] | None = None
    dry_run: bool | None = None


@strawberry.type(description="A signature that does not verify is KMSInvalidSignatureException.")
class VerifyResult:
    key_id: str = strawberry.field(description="The key ARN.")
    signature_valid: bool
    signing_algorithm: SigningAlgorithmSpec


@strawberry.input
class GetPublicKeyInput:
    key_id: str
    grant_tokens: list[str] | None = None


@strawberry.type
class GetPublicKeyResult:
    key_id: str = strawberry.field(description="The key ARN.")
    public_key: Base64 = strawberry.field(description="DER SubjectPublicKeyInfo.")
    key_spec: KeySpec
    customer_master_key_spec: KeySpec = strawberry.field(
        deprecation_reason="Use keySpec, as AWS does."
    )
    key_usage: KeyUsageType
    encryption_algorithms: list[EncryptionAlgorithmSpec] | None = strawberry.field(
        description="Only for ENCRYPT_DECRYPT keys, as in AWS."
    )
    signing_algorithms: list[SigningAlgorithmSpec] | None = strawberry.field(
        description="Only for SIGN_VERIFY keys, as in AWS."
    )
    key_agreement_algorithms: list[KeyAgreementAlgorithmSpec] | None = strawberry.field(
        description="Only for KEY_AGREEMENT keys, as in AWS."
    )


@strawberry.input
class GenerateMacInput:
    key_id: str
    message: Base64
    mac_algorithm: MacAlgorithmSpec
    grant_tokens: list[str] | None = None
    dry_run: bool | None = None


@strawberry.type
class GenerateMacResult:
    key_id: str = strawberry.field(description="The key ARN.")
    mac: Base64
    mac_algorithm: MacAlgorithmSpec


@strawberry.input
class VerifyMacInput:
    key_id: str
    message: Base64
    mac_algorithm: MacAlgorithmSpec
    mac: Base64
    grant_tokens: list[str] | None = None
    dry_run: bool | None = None


@strawberry.type(description="A MAC that does not verify is KMSInvalidMacException.")
class VerifyMacResult:
    key_id: str = strawberry.field(description="The key ARN.")
    mac_valid: bool
    mac_algorithm: MacAlgorithmSpec


@strawberry.input
class DeriveSharedSecretInput:
    key_id: str
    key_agreement_algorithm: KeyAgreementAlgorithmSpec
    public_key: Base64 = strawberry.field(
        description="The peer's DER SubjectPublicKeyInfo, on the key's curve."
    )
    grant_tokens: list[str] | None = None
    dry_run: bool | None = None


@strawberry.type
class DeriveSharedSecretResult:
    key_id: str = strawberry.field(description="The key ARN.")
    shared_secret: Base64 = strawberry.field(description="The raw ECDH shared secret (x).")
    key_agreement_algorithm: KeyAgreementAlgorithmSpec
    key_origin: OriginType


async def sign_resolver(info: GraphQLInfo, input: SignInput) -> SignResult:
    return await perform_sign(info.context.services, info.context.call(info), input)


async def perform_sign(services: Services, call: Call, input: SignInput) -> SignResult:
    signed = await signing.sign(
        services,
        call,
        signing.SignRequest(
            key_id=input.key_id,
            message=input.message,
            message_type=input.message_type,
            signing_algorithm=input.signing_algorithm,
            grant_tokens=tuple(input.grant_tokens or ()),
            dry_run=bool(input.dry_run),
        ),
    )
    return SignResult(
        key_id=signed.key.arn,
        signature=signed.signature,
        signing_algorithm=signed.signing_algorithm,
    )


async def verify_resolver(info: GraphQLInfo, input: VerifyInput) -> VerifyResult:
    context = info.context
    key = await signing.verify(
        context.services,
        context.call(info),
        signing.VerifyRequest(
            key_id=input.key_id,
            message=input.message,
            message_type=input.message_type,
            signature=input.signature,
            signing_algorithm=input.signing_algorithm,
            grant_tokens=tuple(input.grant_tokens or ()),
            dry_run=bool(input.dry_run),
        ),
    )
    return VerifyResult(
        key_id=key.arn, signature_valid=True, signing_algorithm=input.signing_algorithm
    )


async def get_public_key_resolver(
    info: GraphQLInfo, input: GetPublicKeyInput
) -> GetPublicKeyResult:
    context = info.context
    found = await public_keys.get_public_key(
        context.services, context.call(info), input.key_id, input.grant_tokens
    )
    key = found.key
    return GetPublicKeyResult(
        key_id=key.arn,
        public_key=found.public_key,
        key_spec=key.spec,
        customer_master_key_spec=key.spec,
        key_usage=key.usage,
        encryption_algorithms=list(key.encryption_algorithms) or None,
        signing_algorithms=list(key.signing_algorithms) or None,
        key_agreement_algorithms=list(key.key_agreement_algorithms) or None,
    )


async def generate_mac_resolver(info: GraphQLInfo, input: GenerateMacInput) -> GenerateMacResult:
    context = info.context
    made = await macs.generate_mac(
        context.services,
        context.call(info),
        macs.GenerateMacRequest(
            key_id=input.key_id,
            message=input.message,
            mac_algorithm=input.mac_algorithm,
            grant_tokens=tuple(input.grant_tokens or ()),
            dry_run=bool(input.dry_run),
        ),
    )
    return GenerateMacResult(key_id=made.key.arn, mac=made.mac, mac_algorithm=made.mac_algorithm)


async def verify_mac_resolver(info: GraphQLInfo, input: VerifyMacInput) -> VerifyMacResult:
    context = info.context
    key = await macs.verify_mac(
        context.services,
        context.call(info),
        macs.VerifyMacRequest(
            key_id=input.key_id,
            message=input.message,
            mac_algorithm=input.mac_algorithm,
            mac=input.mac,
            grant_tokens=tuple(input.grant_tokens or ()),
            dry_run=bool(input.dry_run),
        ),
    )
    return VerifyMacResult(key_id=key.arn, mac_valid=True, mac_algorithm=input.mac_algorithm)


async def derive_shared_secret_resolver(
    info: GraphQLInfo, input: DeriveSharedSecretInput
) -> DeriveSharedSecretResult:
    context = info.context
    derived = await agreement.derive_shared_secret(
        context.services,
        context.call(info),
        agreement.DeriveSharedSecretRequest(
            key_id=input.key_id,
            key_agreement_algorithm=input.key_agreement_algorithm,
            public_key=input.public_key,
            grant_tokens=tuple(input.grant_tokens or ()),
            dry_run=bool(input.dry_run),
        ),
    )
    return DeriveSharedSecretResult(
        key_id=derived.key.arn,
        shared_secret=derived.shared_secret,
        key_agreement_algorithm=derived.key_agreement_algorithm,
        key_origin=derived.key.origin,
    )


@strawberry.type
class SigningQuery:
    get_public_key: GetPublicKeyResult = strawberry.field(resolver=get_public_key_resolver)


@strawberry.type
class SigningMutation:
    sign: SignResult = strawberry.field(resolver=sign_resolver)
    verify: VerifyResult = strawberry.field(resolver=verify_resolver)
    generate_mac: GenerateMacResult = strawberry.field(resolver=generate_mac_resolver)
    verify_mac: VerifyMacResult = strawberry.field(resolver=verify_mac_resolver)
    derive_shared_secret: DeriveSharedSecretResult = strawberry.field(
        resolver=derive_shared_secret_resolver
    )
