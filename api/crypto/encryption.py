"""Encrypt, Decrypt and ReEncrypt with ENCRYPT_DECRYPT keys: AES-256-GCM for symmetric keys
(the blob format of ``api.crypto.envelope``), RSAES-OAEP for RSA keys.

Each operation checks its members first, then the key (state table, usage, algorithm, context),
then honours ``dryRun``, and only then reaches the HSM. A dry run of Decrypt or ReEncrypt with
``DryRunModifiers: [IGNORE_CIPHERTEXT]`` has no ciphertext to read its key from: it authorizes
the keys it names and stops there. Responses name keys by their ARN: the AWS
Encryption SDK checks that, and that Decrypt answers with the ARN it was asked to use.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from api import limits, messages, validation
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
from api.errors import DryRunOperationException
from api.keys.ids import ANY_FORM
from api.keys.model import EncryptionAlgorithmSpec, Key
from api.members import RecipientInfo, dry_run, grant_tokens, key_id, optional_key_id
from api.services import Services
from api.shapes import constraint_failed, member, validation_error


@dataclass(frozen=True, kw_only=True)
class EncryptRequest:
    key_id: str = key_id(ANY_FORM)
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


class DryRunModifierType(enum.Enum):
    """AWS's modifiers of a dry run: IGNORE_CIPHERTEXT checks authorization without a
    ciphertext."""

    IGNORE_CIPHERTEXT = "IGNORE_CIPHERTEXT"


def _ciphertext() -> Any:
    """``CiphertextBlob``: optional in AWS's model since a dry run with IGNORE_CIPHERTEXT needs
    none; every other call must have it (``_required_blob``)."""
    return member(None, length=(1, limits.CIPHERTEXT_BYTES.high))


@dataclass(frozen=True, kw_only=True)
class DecryptRequest:
    ciphertext_blob: bytes | None = _ciphertext()
    key_id: str | None = optional_key_id(
        ANY_FORM, doc="Optional for symmetric ciphertext, which names its key."
    )
    encryption_context: dict[str, str] | None = None
    encryption_algorithm: EncryptionAlgorithmSpec = SYMMETRIC_DEFAULT
    grant_tokens: list[str] | None = grant_tokens()
    dry_run: bool | None = dry_run()
    dry_run_modifiers: list[DryRunModifierType] | None = None
    recipient: RecipientInfo | None = None


@dataclass(frozen=True)
class Decrypted:
    key: Key
    plaintext: bytes = field(repr=False)
    encryption_algorithm: EncryptionAlgorithmSpec
    key_material_id: str | None


@dataclass(frozen=True, kw_only=True)
class ReEncryptRequest:
    ciphertext_blob: bytes | None = _ciphertext()
    destination_key_id: str = key_id(ANY_FORM)
    source_key_id: str | None = optional_key_id(ANY_FORM)
    source_encryption_context: dict[str, str] | None = None
    destination_encryption_context: dict[str, str] | None = None
    source_encryption_algorithm: EncryptionAlgorithmSpec = SYMMETRIC_DEFAULT
    destination_encryption_algorithm: EncryptionAlgorithmSpec = SYMMETRIC_DEFAULT
    grant_tokens: list[str] | None = grant_tokens()
    dry_run: bool | None = dry_run()
    dry_run_modifiers: list[DryRunModifierType] | None = None


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


def _ignores_ciphertext(
    dry_run: bool | None, modifiers: Sequence[DryRunModifierType] | None
) -> bool:
    """AWS: DryRunModifiers "only applies when DryRun is set to true"."""
    return bool(dry_run) and DryRunModifierType.IGNORE_CIPHERTEXT in (modifiers or ())


def _required_blob(blob: bytes | None) -> bytes:
    if blob is None:
        raise validation_error(
            [constraint_failed("ciphertextBlob", "Member must not be null", "null")]
        )
    return checks.sized("ciphertextBlob", blob, limits.CIPHERTEXT_BYTES)


def _named_key(member: str, key_id: str | None) -> str:
    """Without a ciphertext, the key to authorize must be named."""
    if key_id is None:
        raise messages.IGNORE_CIPHERTEXT_NEEDS_KEY(member=member)
    return key_id


async def _authorized_decryption(
    services: Services,
    call: Call,
    action: str,
    key_id: str,
    algorithm: EncryptionAlgorithmSpec,
    context: Mapping[str, str],
    tokens: Sequence[str] | None,
) -> Key:
    """A dry run without a ciphertext: the decrypting key, allowed and usable, and no more."""
    return await usable_key(
        services,
        call,
        key_id,
        action,
        context=context,
        facts={"kms:EncryptionAlgorithm": algorithm.value},
        grant_tokens=tokens,
    )


async def decrypt(services: Services, call: Call, request: DecryptRequest) -> Decrypted:
    ignored = _ignores_ciphertext(request.dry_run, request.dry_run_modifiers)
    blob = None if ignored else _required_blob(request.ciphertext_blob)
    context = encryption_context("encryptionContext", request.encryption_context)
    validation.grant_tokens(request.grant_tokens)
    if blob is None:
        await _authorized_decryption(
            services,
            call,
            "Decrypt",
            _named_key("KeyId", request.key_id),
            request.encryption_algorithm,
            context,
            request.grant_tokens,
        )
        raise DryRunOperationException()
    decrypter = await prepare_decrypter(
        services,
        call,
        "Decrypt",
        blob,
        request.key_id,
        request.encryption_algorithm,
        context,
        request.grant_tokens,
    )
    checks.stop_if_dry_run(bool(request.dry_run))
    plaintext = await decrypter.decrypt()
    return Decrypted(decrypter.key, plaintext, decrypter.algorithm, decrypter.material_id)


async def _destination_key(
    services: Services,
    call: Call,
    request: ReEncryptRequest,
    source: Key,
    context: Mapping[str, str],
) -> Key:
    """ReEncrypt's destination key, allowed (``ReEncryptTo``) and usable."""
    return await usable_key(
        services,
        call,
        request.destination_key_id,
        "ReEncryptTo",
        context=context,
        facts={
            "kms:EncryptionAlgorithm": request.destination_encryption_algorithm.value,
            "kms:ReEncryptOnSameKey": str(
                request.destination_key_id in (source.key_id, source.arn)
            ).lower(),
        },
        grant_tokens=request.grant_tokens,
    )


async def re_encrypt(services: Services, call: Call, request: ReEncryptRequest) -> ReEncrypted:
    """Decrypt under the source key (``ReEncryptFrom``) and encrypt under the destination key
    (``ReEncryptTo``); the plaintext never leaves the service. Two HSM calls for symmetric keys
    on both sides. A dry run with IGNORE_CIPHERTEXT authorizes both keys and stops."""
    ignored = _ignores_ciphertext(request.dry_run, request.dry_run_modifiers)
    blob = None if ignored else _required_blob(request.ciphertext_blob)
    source_context = encryption_context(
        "sourceEncryptionContext", request.source_encryption_context
    )
    destination_context = encryption_context(
        "destinationEncryptionContext", request.destination_encryption_context
    )
    validation.grant_tokens(request.grant_tokens)
    if blob is None:
        source = await _authorized_decryption(
            services,
            call,
            "ReEncryptFrom",
            _named_key("SourceKeyId", request.source_key_id),
            request.source_encryption_algorithm,
            source_context,
            request.grant_tokens,
        )
        await _destination_key(services, call, request, source, destination_context)
        raise DryRunOperationException()
    decrypter = await prepare_decrypter(
        services,
        call,
        "ReEncryptFrom",
        blob,
        request.source_key_id,
        request.source_encryption_algorithm,
        source_context,
        request.grant_tokens,
    )
    destination = await _destination_key(
        services, call, request, decrypter.key, destination_context
    )
    encrypter = await prepare_encrypter(
        services, destination, request.destination_encryption_algorithm, destination_context
    )
    checks.stop_if_dry_run(bool(request.dry_run))
    return ReEncrypted(
        source_key=decrypter.key,
        key=destination,
        ciphertext_blob=await encrypter.encrypt(await decrypter.decrypt()),
        source_encryption_algorithm=decrypter.algorithm,
        destination_encryption_algorithm=encrypter.algorithm,
        source_key_material_id=decrypter.material_id,
        destination_key_material_id=encrypter.material_id,
    )
