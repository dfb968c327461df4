"""Encrypt, Decrypt and ReEncrypt with ENCRYPT_DECRYPT keys: AES-256-GCM for symmetric keys
(the blob format of ``api.crypto.envelope``), RSAES-OAEP for RSA keys.

Each operation checks its members first, then the key (state table, usage, algorithm, context),
then honours ``dryRun``, and only then reaches the HSM. Responses name keys by their ARN: the AWS
Encryption SDK checks that, and that Decrypt answers with the ARN it was asked to use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from api import limits, validation
from api.authz.access import usable_key
from api.calls import Call
from api.crypto import checks
from api.crypto.contexts import encryption_context
from api.crypto.encrypters import (
    SYMMETRIC_DEFAULT,
    prepare_decrypter,
    prepare_encrypter,
    require_fits,
)
from api.keys.model import EncryptionAlgorithmSpec, Key
from api.members import dry_run, grant_tokens, key_id, optional_key_id
from api.services import Services
from api.shapes import member


@dataclass(frozen=True, kw_only=True)
class EncryptRequest:
    key_id: str = key_id()
    plaintext: bytes = member(length=(1, limits.PLAINTEXT_BYTES.high), sensitive=True)
    encryption_context: dict[str, str] | None = None
    encryption_algorithm: EncryptionAlgorithmSpec = SYMMETRIC_DEFAULT
    grant_tokens: list[str] | None = grant_tokens()
    dry_run: bool | None = dry_run()


@dataclass(frozen=True)
class Encrypted:
    key: Key
    ciphertext_blob: bytes
    encryption_algorithm: EncryptionAlgorithmSpec


@dataclass(frozen=True, kw_only=True)
class DecryptRequest:
    ciphertext_blob: bytes = member(length=(1, limits.CIPHERTEXT_BYTES.high))
    key_id: str | None = optional_key_id(
        doc="Optional for symmetric ciphertext, which names its key."
    )
    encryption_context: dict[str, str] | None = None
    encryption_algorithm: EncryptionAlgorithmSpec = SYMMETRIC_DEFAULT
    grant_tokens: list[str] | None = grant_tokens()
    dry_run: bool | None = dry_run()


@dataclass(frozen=True)
class Decrypted:
    key: Key
    plaintext: bytes = field(repr=False)
    encryption_algorithm: EncryptionAlgorithmSpec
    key_material_id: str | None


@dataclass(frozen=True, kw_only=True)
class ReEncryptRequest:
    ciphertext_blob: bytes = member(length=(1, limits.CIPHERTEXT_BYTES.high))
    destination_key_id: str = key_id()
    source_key_id: str | None = optional_key_id()
    source_encryption_context: dict[str, str] | None = None
    destination_encryption_context: dict[str, str] | None = None
    source_encryption_algorithm: EncryptionAlgorithmSpec = SYMMETRIC_DEFAULT
    destination_encryption_algorithm: EncryptionAlgorithmSpec = SYMMETRIC_DEFAULT
    grant_tokens: list[str] | None = grant_tokens()
    dry_run: bool | None = dry_run()


@dataclass(frozen=True)
class ReEncrypted:
    source_key: Key
    key: Key
    ciphertext_blob: bytes
    source_encryption_algorithm: EncryptionAlgorithmSpec
    destination_encryption_algorithm: EncryptionAlgorithmSpec
    source_key_material_id: str | None
    destination_key_material_id: str | None


async def encrypt(services: Services, call: Call, request: EncryptRequest) -> Encrypted:
    checks.sized("plaintext", request.plaintext, limits.PLAINTEXT_BYTES)
    context = encryption_context("encryptionContext", request.encryption_context)
    facts = {"kms:EncryptionAlgorithm": request.encryption_algorithm.value}
    key = await checks.request_key(services, call, "Encrypt", request, context=context, facts=facts)
    encrypter = await prepare_encrypter(services, key, request.encryption_algorithm, context)
    require_fits(encrypter, len(request.plaintext))
    checks.stop_if_dry_run(bool(request.dry_run))
    blob = await encrypter.encrypt(request.plaintext)
    return Encrypted(key, blob, encrypter.algorithm)


async def decrypt(services: Services, call: Call, request: DecryptRequest) -> Decrypted:
    checks.sized("ciphertextBlob", request.ciphertext_blob, limits.CIPHERTEXT_BYTES)
    context = encryption_context("encryptionContext", request.encryption_context)
    validation.grant_tokens(request.grant_tokens)
    decrypter = await prepare_decrypter(
        services,
        call,
        "Decrypt",
        request.ciphertext_blob,
        request.key_id,
        request.encryption_algorithm,
        context,
        request.grant_tokens,
    )
    checks.stop_if_dry_run(bool(request.dry_run))
    plaintext = await decrypter.decrypt()
    return Decrypted(decrypter.key, plaintext, decrypter.algorithm, decrypter.material_id)


async def re_encrypt(services: Services, call: Call, request: ReEncryptRequest) -> ReEncrypted:
    """Decrypt under the source key (``ReEncryptFrom``) and encrypt under the destination key
    (``ReEncryptTo``); the plaintext never leaves the service. Two HSM calls for symmetric keys
    on both sides."""
    checks.sized("ciphertextBlob", request.ciphertext_blob, limits.CIPHERTEXT_BYTES)
    source_context = encryption_context(
        "sourceEncryptionContext", request.source_encryption_context
    )
    destination_context = encryption_context(
        "destinationEncryptionContext", request.destination_encryption_context
    )
    validation.grant_tokens(request.grant_tokens)
    decrypter = await prepare_decrypter(
        services,
        call,
        "ReEncryptFrom",
        request.ciphertext_blob,
        request.source_key_id,
        request.source_encryption_algorithm,
        source_context,
        request.grant_tokens,
    )
    destination = await usable_key(
        services,
        call,
        request.destination_key_id,
        "ReEncryptTo",
        context=destination_context,
        facts={
            "kms:EncryptionAlgorithm": request.destination_encryption_algorithm.value,
            "kms:ReEncryptOnSameKey": str(
                request.destination_key_id == decrypter.key.key_id
                or request.destination_key_id == decrypter.key.arn
            ).lower(),
        },
        grant_tokens=request.grant_tokens,
    )
    encrypter = await prepare_encrypter(
        services, destination, request.destination_encryption_algorithm, destination_context
    )
    checks.stop_if_dry_run(bool(request.dry_run))
    blob = await encrypter.encrypt(await decrypter.decrypt())
    return ReEncrypted(
        source_key=decrypter.key,
        key=destination,
        ciphertext_blob=blob,
        source_encryption_algorithm=decrypter.algorithm,
        destination_encryption_algorithm=encrypter.algorithm,
        source_key_material_id=decrypter.material_id,
        destination_key_material_id=encrypter.material_id,
    )
