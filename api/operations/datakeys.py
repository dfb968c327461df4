"""GenerateDataKey, GenerateDataKeyPair, their WithoutPlaintext variants, and GenerateRandom.

The data key requests are ``api.crypto.datakeys``'s (AWS's members; a WithoutPlaintext variant
takes the same request as its operation); GenerateRandom's is declared here, its domain function
taking only the byte count. Every ``KeyId`` answered is the key ARN, as AWS answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from api import limits
from api.calls import Call
from api.crypto import datakeys, randomness
from api.crypto.datakeys import DataKeyPairSpec, GenerateDataKeyPairRequest, GenerateDataKeyRequest
from api.members import RecipientInfo
from api.operation import compute
from api.operations.keys import CUSTOM_KEY_STORE_ID_LENGTH
from api.services import Services
from api.shapes import member, project

_ENCRYPTED_PRIVATE_KEY = "The PKCS#8 private key, encrypted as Encrypt would under the key."
_PUBLIC_KEY = "DER SubjectPublicKeyInfo."


@dataclass(frozen=True, kw_only=True)
class GenerateDataKeyResponse:
    ciphertext_blob: bytes
    plaintext: bytes = member(sensitive=True)
    key_id: str = member(doc="The key ARN.")
    key_material_id: str | None


@dataclass(frozen=True, kw_only=True)
class GenerateDataKeyWithoutPlaintextResponse:
    ciphertext_blob: bytes
    key_id: str = member(doc="The key ARN.")
    key_material_id: str | None


@dataclass(frozen=True, kw_only=True)
class GenerateDataKeyPairResponse:
    private_key_ciphertext_blob: bytes = member(doc=_ENCRYPTED_PRIVATE_KEY)
    private_key_plaintext: bytes = member(sensitive=True, doc="PKCS#8 DER.")
    public_key: bytes = member(doc=_PUBLIC_KEY)
    key_id: str = member(doc="The key ARN.")
    key_pair_spec: DataKeyPairSpec
    key_material_id: str | None


@dataclass(frozen=True, kw_only=True)
class GenerateDataKeyPairWithoutPlaintextResponse:
    private_key_ciphertext_blob: bytes = member(doc=_ENCRYPTED_PRIVATE_KEY)
    public_key: bytes = member(doc=_PUBLIC_KEY)
    key_id: str = member(doc="The key ARN.")
    key_pair_spec: DataKeyPairSpec
    key_material_id: str | None


@dataclass(frozen=True, kw_only=True)
class GenerateDataKeyRecipientRequest(GenerateDataKeyRequest):
    """GenerateDataKey's request: GenerateDataKeyWithoutPlaintext's and ``Recipient``."""

    recipient: RecipientInfo | None = None


@dataclass(frozen=True, kw_only=True)
class GenerateDataKeyPairRecipientRequest(GenerateDataKeyPairRequest):
    """GenerateDataKeyPair's request: GenerateDataKeyPairWithoutPlaintext's and ``Recipient``."""

    recipient: RecipientInfo | None = None


@dataclass(frozen=True, kw_only=True)
class GenerateRandomRequest:
    # Optional in AWS's model; the service answers "NumberOfBytes is required." without it.
    number_of_bytes: int | None = member(
        None, value=(limits.RANDOM_BYTES.low, limits.RANDOM_BYTES.high)
    )
    custom_key_store_id: str | None = member(
        None,
        length=(1, CUSTOM_KEY_STORE_ID_LENGTH),
        doc="Random bytes from this custom key store's token.",
    )
    recipient: RecipientInfo | None = None


@dataclass(frozen=True, kw_only=True)
class GenerateRandomResponse:
    plaintext: bytes = member(sensitive=True)


async def generate_data_key(
    services: Services, call: Call, request: GenerateDataKeyRecipientRequest
) -> GenerateDataKeyResponse:
    made = await datakeys.generate_data_key(services, call, request, "GenerateDataKey")
    return project(GenerateDataKeyResponse, made, key_id=made.key.arn)


async def generate_data_key_without_plaintext(
    services: Services, call: Call, request: GenerateDataKeyRequest
) -> GenerateDataKeyWithoutPlaintextResponse:
    action = "GenerateDataKeyWithoutPlaintext"
    made = await datakeys.generate_data_key(services, call, request, action)
    return project(GenerateDataKeyWithoutPlaintextResponse, made, key_id=made.key.arn)


async def generate_data_key_pair(
    services: Services, call: Call, request: GenerateDataKeyPairRecipientRequest
) -> GenerateDataKeyPairResponse:
    made = await datakeys.generate_data_key_pair(services, call, request, "GenerateDataKeyPair")
    return project(GenerateDataKeyPairResponse, made, key_id=made.key.arn)


async def generate_data_key_pair_without_plaintext(
    services: Services, call: Call, request: GenerateDataKeyPairRequest
) -> GenerateDataKeyPairWithoutPlaintextResponse:
    action = "GenerateDataKeyPairWithoutPlaintext"
    made = await datakeys.generate_data_key_pair(services, call, request, action)
    return project(GenerateDataKeyPairWithoutPlaintextResponse, made, key_id=made.key.arn)


async def generate_random(
    services: Services, call: Call, request: GenerateRandomRequest
) -> GenerateRandomResponse:
    plaintext = await randomness.generate_random(
        services, call, request.number_of_bytes, request.custom_key_store_id
    )
    return GenerateRandomResponse(plaintext=plaintext)


# Cryptographic operations change nothing: their audit events are batched.
OPERATIONS = (
    compute("GenerateDataKey", generate_data_key),
    compute("GenerateDataKeyWithoutPlaintext", generate_data_key_without_plaintext),
    compute("GenerateDataKeyPair", generate_data_key_pair),
    compute("GenerateDataKeyPairWithoutPlaintext", generate_data_key_pair_without_plaintext),
    compute("GenerateRandom", generate_random),
)
