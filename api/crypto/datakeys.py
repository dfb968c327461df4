"""GenerateDataKey(WithoutPlaintext) and GenerateDataKeyPair(WithoutPlaintext).

A data key is random bytes from the HSM; a data key pair is a new asymmetric key pair (see
``api.crypto.keypairs``). Either way the secret is returned encrypted under a symmetric KMS key
exactly as Encrypt would encrypt it, with the request's encryption context, so Decrypt (with no
key id) recovers it. The WithoutPlaintext variants run the same code and drop the plaintext.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from api import limits, validation
from api.authz.access import usable_key
from api.authz.facts import Values
from api.calls import Call
from api.crypto import checks
from api.crypto.contexts import encryption_context
from api.crypto.encrypters import SYMMETRIC_DEFAULT, Encrypter, prepare_encrypter
from api.crypto.keypairs import new_key_pair
from api.errors import InvalidKeyUsageException, ValidationException
from api.keys.model import Key
from api.members import dry_run, grant_tokens, key_id
from api.services import Services
from api.shapes import member
from hsm import KeySpec


class DataKeySpec(enum.Enum):
    AES_256 = "AES_256"
    AES_128 = "AES_128"

    @property
    def size(self) -> int:
        return 32 if self is DataKeySpec.AES_256 else 16


class DataKeyPairSpec(enum.Enum):
    RSA_2048 = "RSA_2048"
    RSA_3072 = "RSA_3072"
    RSA_4096 = "RSA_4096"
    ECC_NIST_P256 = "ECC_NIST_P256"
    ECC_NIST_P384 = "ECC_NIST_P384"
    ECC_NIST_P521 = "ECC_NIST_P521"
    ECC_SECG_P256K1 = "ECC_SECG_P256K1"

    @property
    def key_spec(self) -> KeySpec:
        return KeySpec(self.value)


@dataclass(frozen=True, kw_only=True)
class GenerateDataKeyRequest:
    key_id: str = key_id()
    # Exactly one of the two: a rule of the operation, not of the model.
    key_spec: DataKeySpec | None = None
    number_of_bytes: int | None = member(
        None, value=(limits.DATA_KEY_BYTES.low, limits.DATA_KEY_BYTES.high)
    )
    encryption_context: dict[str, str] | None = None
    grant_tokens: list[str] | None = grant_tokens()
    dry_run: bool | None = dry_run()


# AWS's shapes for the two operations are the same; doors name their types after the class.
class GenerateDataKeyWithoutPlaintextRequest(GenerateDataKeyRequest):
    pass


@dataclass(frozen=True)
class EncryptedDataKey:
    key: Key
    ciphertext_blob: bytes
    key_material_id: str | None


@dataclass(frozen=True)
class DataKey:
    encrypted: EncryptedDataKey
    plaintext: bytes = field(repr=False)


@dataclass(frozen=True, kw_only=True)
class GenerateDataKeyPairRequest:
    key_id: str = key_id()
    key_pair_spec: DataKeyPairSpec
    encryption_context: dict[str, str] | None = None
    grant_tokens: list[str] | None = grant_tokens()
    dry_run: bool | None = dry_run()


# As for GenerateDataKeyWithoutPlaintextRequest: the same shape under its own name.
class GenerateDataKeyPairWithoutPlaintextRequest(GenerateDataKeyPairRequest):
    pass


@dataclass(frozen=True)
class EncryptedDataKeyPair:
    key: Key
    private_key_ciphertext_blob: bytes
    public_key: bytes
    key_pair_spec: DataKeyPairSpec
    key_material_id: str | None


@dataclass(frozen=True)
class DataKeyPair:
    encrypted: EncryptedDataKeyPair
    private_key_plaintext: bytes = field(repr=False)


async def generate_data_key(
    services: Services, call: Call, request: GenerateDataKeyRequest
) -> DataKey:
    return await _data_key(services, call, request, "GenerateDataKey")


async def generate_data_key_without_plaintext(
    services: Services, call: Call, request: GenerateDataKeyRequest
) -> EncryptedDataKey:
    return (await _data_key(services, call, request, "GenerateDataKeyWithoutPlaintext")).encrypted


async def generate_data_key_pair(
    services: Services, call: Call, request: GenerateDataKeyPairRequest
) -> DataKeyPair:
    return await _data_key_pair(services, call, request, "GenerateDataKeyPair")


async def generate_data_key_pair_without_plaintext(
    services: Services, call: Call, request: GenerateDataKeyPairRequest
) -> EncryptedDataKeyPair:
    action = "GenerateDataKeyPairWithoutPlaintext"
    return (await _data_key_pair(services, call, request, action)).encrypted


def _data_key_size(request: GenerateDataKeyRequest) -> int:
    if request.key_spec is not None and request.number_of_bytes is None:
        return request.key_spec.size
    if request.number_of_bytes is not None and request.key_spec is None:
        return request.number_of_bytes
    raise ValidationException("Please specify either number of bytes or key spec.")


async def _parent(
    services: Services,
    call: Call,
    action: str,
    key_id: str,
    context: Mapping[str, str] | None,
    grant_tokens: Sequence[str] | None,
    facts: Values | None = None,
) -> Encrypter:
    """The symmetric key that will encrypt the data key, checked as Encrypt would check it."""
    checked_context = encryption_context("encryptionContext", context)
    validation.grant_tokens(grant_tokens)
    key = await usable_key(
        services,
        call,
        key_id,
        action,
        context=checked_context,
        facts=facts,
        grant_tokens=grant_tokens,
    )
    if key.spec is not KeySpec.SYMMETRIC_DEFAULT:
        raise InvalidKeyUsageException("You cannot generate a data key with an asymmetric CMK")
    return await prepare_encrypter(services, key, SYMMETRIC_DEFAULT, checked_context)


async def _data_key(
    services: Services, call: Call, request: GenerateDataKeyRequest, action: str
) -> DataKey:
    size = _data_key_size(request)
    encrypter = await _parent(
        services, call, action, request.key_id, request.encryption_context, request.grant_tokens
    )
    checks.stop_if_dry_run(bool(request.dry_run))
    plaintext = await services.hsm.generate_random(size)
    blob = await encrypter.encrypt(plaintext)
    return DataKey(EncryptedDataKey(encrypter.key, blob, encrypter.material_id), plaintext)


async def _data_key_pair(
    services: Services, call: Call, request: GenerateDataKeyPairRequest, action: str
) -> DataKeyPair:
    encrypter = await _parent(
        services,
        call,
        action,
        request.key_id,
        request.encryption_context,
        request.grant_tokens,
        {"kms:DataKeyPairSpec": request.key_pair_spec.value},
    )
    checks.stop_if_dry_run(bool(request.dry_run))
    pair = await new_key_pair(services, request.key_pair_spec.key_spec)
    blob = await encrypter.encrypt(pair.private_key_der)
    encrypted = EncryptedDataKeyPair(
        encrypter.key, blob, pair.public_key_der, request.key_pair_spec, encrypter.material_id
    )
    return DataKeyPair(encrypted, pair.private_key_der)
