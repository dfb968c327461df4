"""Encrypt, Decrypt and ReEncrypt: the requests are ``api.crypto.encryption``'s (AWS's members),
the responses AWS's, every ``KeyId`` the key ARN as AWS answers."""

from __future__ import annotations

from dataclasses import dataclass

from api.calls import Call
from api.crypto import encryption
from api.crypto.encryption import DecryptRequest, EncryptRequest, ReEncryptRequest
from api.keys.model import EncryptionAlgorithmSpec
from api.operation import compute
from api.services import Services
from api.shapes import member, project


@dataclass(frozen=True, kw_only=True)
class EncryptResponse:
    ciphertext_blob: bytes
    key_id: str = member(doc="The key ARN.")
    encryption_algorithm: EncryptionAlgorithmSpec


@dataclass(frozen=True, kw_only=True)
class DecryptResponse:
    key_id: str = member(doc="The key ARN.")
    plaintext: bytes = member(sensitive=True)
    encryption_algorithm: EncryptionAlgorithmSpec
    key_material_id: str | None = member(
        doc="The material version that decrypted (symmetric keys only)."
    )


@dataclass(frozen=True, kw_only=True)
class ReEncryptResponse:
    ciphertext_blob: bytes
    source_key_id: str = member(doc="The source key ARN.")
    key_id: str = member(doc="The destination key ARN.")
    source_encryption_algorithm: EncryptionAlgorithmSpec
    destination_encryption_algorithm: EncryptionAlgorithmSpec
    source_key_material_id: str | None
    destination_key_material_id: str | None


async def encrypt(services: Services, call: Call, request: EncryptRequest) -> EncryptResponse:
    done = await encryption.encrypt(services, call, request)
    return project(EncryptResponse, done, key_id=done.key.arn)


async def decrypt(services: Services, call: Call, request: DecryptRequest) -> DecryptResponse:
    done = await encryption.decrypt(services, call, request)
    return project(DecryptResponse, done, key_id=done.key.arn)


async def re_encrypt(
    services: Services, call: Call, request: ReEncryptRequest
) -> ReEncryptResponse:
    done = await encryption.re_encrypt(services, call, request)
    return project(ReEncryptResponse, done, source_key_id=done.source_key.arn, key_id=done.key.arn)


# Cryptographic operations change nothing: their audit events are batched.
OPERATIONS = (
    compute("Encrypt", encrypt),
    compute("Decrypt", decrypt),
    compute("ReEncrypt", re_encrypt, actions=("kms:ReEncryptFrom", "kms:ReEncryptTo")),
)
