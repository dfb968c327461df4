"""GenerateDataKey(WithoutPlaintext) and GenerateDataKeyPair(WithoutPlaintext).

A data key is random bytes from the HSM; a data key pair is a new asymmetric key pair (see
``api.crypto.keypairs``). Either way the secret is returned encrypted under a symmetric KMS key
exactly as Encrypt would encrypt it, with the request's encryption context, so Decrypt (with no
key id) recovers it. The WithoutPlaintext variants run the same code; their responses drop the
plaintext.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from api import limits, messages
from api.authz.facts import Values
from api.calls import Call
from api.crypto import checks
from api.crypto.contexts import encryption_context
from api.crypto.encrypters import SYMMETRIC_DEFAULT, Encrypter, prepare_encrypter
from api.crypto.keypairs import new_key_pair
from api.keys.ids import ANY_FORM
from api.keys.model import Key
from api.members import dry_run, grant_tokens, key_id
from api.services import Services
from api.shapes import member
from hsm import KeySpec, OfKeySpec


class DataKeySpec(enum.Enum):
    AES_256 = "AES_256"
    AES_128 = "AES_128"

    @property
    def size(self) -> int:
        return 32 if self is DataKeySpec.AES_256 else 16


class DataKeyPairSpec(OfKeySpec):
    RSA_2048 = "RSA_2048"
    RSA_3072 = "RSA_3072"
    RSA_4096 = "RSA_4096"
    ECC_NIST_P256 = "ECC_NIST_P256"
    ECC_NIST_P384 = "ECC_NIST_P384"
    ECC_NIST_P521 = "ECC_NIST_P521"
    ECC_SECG_P256K1 = "ECC_SECG_P256K1"


@dataclass(frozen=True, kw_only=True)
class GenerateDataKeyRequest:
    """GenerateDataKey's request, and GenerateDataKeyWithoutPlaintext's: AWS's shapes are the
    same."""

    key_id: str = key_id(ANY_FORM)
    # Exactly one of the two: a rule of the operation, not of the model.
    key_spec: DataKeySpec | None = None
    number_of_bytes: int | None = member(
        None, value=(limits.DATA_KEY_BYTES.low, limits.DATA_KEY_BYTES.high)
    )
    encryption_context: dict[str, str] | None = None
    grant_tokens: list[str] | None = grant_tokens()
    dry_run: bool | None = dry_run()


@dataclass(frozen=True)
class DataKey:
    key: Key
    ciphertext_blob: bytes
    plaintext: bytes = field(repr=False)
    key_material_id: str | None


@dataclass(frozen=True, kw_only=True)
class GenerateDataKeyPairRequest:
    """GenerateDataKeyPair's request, and GenerateDataKeyPairWithoutPlaintext's: AWS's shapes
    are the same."""

    key_id: str = key_id(ANY_FORM)
    key_pair_spec: DataKeyPairSpec
    encryption_context: dict[str, str] | None = None
    grant_tokens: list[str] | None = grant_tokens()
    dry_run: bool | None = dry_run()


@dataclass(frozen=True)
class DataKeyPair:
    key: Key
    private_key_ciphertext_blob: bytes
    private_key_plaintext: bytes = field(repr=False)
    public_key: bytes
    key_pair_spec: DataKeyPairSpec
    key_material_id: str | None


async def generate_data_key(
    services: Services, call: Call, request: GenerateDataKeyRequest, action: str
) -> DataKey:
    """A data key for ``action``: GenerateDataKey, or GenerateDataKeyWithoutPlaintext, whose
    response leaves the plaintext out."""
    size = _data_key_size(request)
    encrypter = await _parent(services, call, action, request)
    checks.stop_if_dry_run(bool(request.dry_run))
    plaintext = await services.hsm.generate_random(size)
    blob = await encrypter.encrypt(plaintext)
    return DataKey(encrypter.key, blob, plaintext, encrypter.material_id)


async def generate_data_key_pair(
    services: Services, call: Call, request: GenerateDataKeyPairRequest, action: str
) -> DataKeyPair:
    """A data key pair for ``action``: GenerateDataKeyPair, or
    GenerateDataKeyPairWithoutPlaintext, whose response leaves the private key out."""
    spec = request.key_pair_spec
    encrypter = await _parent(services, call, action, request, {"kms:DataKeyPairSpec": spec.value})
    checks.stop_if_dry_run(bool(request.dry_run))
    pair = await new_key_pair(services, spec.key_spec)
    blob = await encrypter.encrypt(pair.private_key_der)
    return DataKeyPair(
        encrypter.key, blob, pair.private_key_der, pair.public_key_der, spec, encrypter.material_id
    )


def _data_key_size(request: GenerateDataKeyRequest) -> int:
    if request.key_spec is not None and request.number_of_bytes is None:
        return request.key_spec.size
    if request.number_of_bytes is not None and request.key_spec is None:
        return request.number_of_bytes
    raise messages.DATA_KEY_SIZE_EITHER()


async def _parent(
    services: Services,
    call: Call,
    action: str,
    request: GenerateDataKeyRequest | GenerateDataKeyPairRequest,
    facts: Values | None = None,
) -> Encrypter:
    """The symmetric key that will encrypt the data key, checked as Encrypt would check it."""
    context = encryption_context("encryptionContext", request.encryption_context)
    key = await checks.request_key(services, call, action, request, context=context, facts=facts)
    if key.spec is not KeySpec.SYMMETRIC_DEFAULT:
        raise messages.DATA_KEY_ASYMMETRIC()
    return await prepare_encrypter(services, key, SYMMETRIC_DEFAULT, context)
