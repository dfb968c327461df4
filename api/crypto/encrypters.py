"""The two directions of an encryption key, checked and ready for the HSM.

Encrypt, Decrypt, ReEncrypt and the data key operations first build an ``Encrypter`` or a
``Decrypter``: the key resolved and allowed, the algorithm fitted to its spec, the context
allowed, the material fetched, the blob's header read. Only then do they honour ``dryRun`` and
make the one HSM call, so a dry run answers exactly as the real call would up to the HSM.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import hsm
from api import limits, messages
from api.authz.access import usable_key
from api.calls import Call
from api.crypto import checks, envelope
from api.crypto.ciphers import SymmetricKey, symmetric_key
from api.crypto.contexts import refuse_context_for_asymmetric
from api.crypto.material import Material, material_of
from api.errors import (
    InvalidCiphertextException,
    NotFoundException,
)
from api.keys.model import EncryptionAlgorithmSpec, Key
from api.services import Services
from hsm import EncryptionAlgorithm, KeySpec

SYMMETRIC_DEFAULT = EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT


class _Prepared(Protocol):
    """What either direction reports: the key, the algorithm and the material version used."""

    @property
    def key(self) -> Key: ...

    @property
    def algorithm(self) -> EncryptionAlgorithmSpec: ...

    @property
    def material_id(self) -> str | None: ...


class Encrypter(_Prepared, Protocol):
    @property
    def largest_plaintext(self) -> int: ...

    async def encrypt(self, plaintext: bytes) -> bytes:
        """The ciphertext blob: one HSM call for a symmetric key, none for RSA (public key)."""


class Decrypter(_Prepared, Protocol):
    async def decrypt(self) -> bytes:
        """The plaintext (one HSM call); ``InvalidCiphertextException`` for any damage."""


@dataclass(frozen=True)
class _SymmetricDirection:
    """What a symmetric key's encrypter and decrypter share: the key, its material and the
    context that the blob's AAD binds."""

    symmetric: SymmetricKey
    context: Mapping[str, str]

    @property
    def key(self) -> Key:
        return self.symmetric.key

    @property
    def algorithm(self) -> EncryptionAlgorithmSpec:
        return SYMMETRIC_DEFAULT

    @property
    def material_id(self) -> str | None:
        return self.symmetric.material_id


@dataclass(frozen=True)
class SymmetricEncrypter(_SymmetricDirection):
    @property
    def largest_plaintext(self) -> int:
        return limits.PLAINTEXT_BYTES.high

    async def encrypt(self, plaintext: bytes) -> bytes:
        require_fits(self, len(plaintext))
        symmetric = self.symmetric
        return await envelope.seal(
            symmetric.cipher,
            self.key.uuid,
            symmetric.blob_material_id,
            plaintext,
            self.context,
        )


@dataclass(frozen=True)
class SymmetricDecrypter(_SymmetricDirection):
    parsed: envelope.Envelope = field(repr=False)

    async def decrypt(self) -> bytes:
        return await envelope.unseal(self.symmetric.cipher, self.parsed, self.context)


@dataclass(frozen=True)
class _RsaDirection:
    """What an RSA key's encrypter and decrypter share: RSAES-OAEP in the HSM, and no material
    version to report (AWS reports none for asymmetric keys)."""

    hsm: hsm.Hsm
    key: Key
    material: Material
    algorithm: EncryptionAlgorithmSpec

    @property
    def material_id(self) -> str | None:
        return None

    @property
    def oaep(self) -> EncryptionAlgorithm:
        return EncryptionAlgorithm(self.algorithm.value)


@dataclass(frozen=True)
class RsaEncrypter(_RsaDirection):
    @property
    def largest_plaintext(self) -> int:
        return limits.RSA_PLAINTEXT_MAX[(self.key.spec.value, self.algorithm.value)]

    async def encrypt(self, plaintext: bytes) -> bytes:
        require_fits(self, len(plaintext))
        return await self.hsm.rsa_encrypt(self.material.wrapped, plaintext, self.oaep)


@dataclass(frozen=True)
class RsaDecrypter(_RsaDirection):
    ciphertext: bytes = field(repr=False)

    async def decrypt(self) -> bytes:
        try:
            return await self.hsm.rsa_decrypt(self.material.wrapped, self.ciphertext, self.oaep)
        except hsm.InvalidCiphertext:
            raise InvalidCiphertextException() from None


def require_fits(encrypter: Encrypter, size: int) -> None:
    """AWS's refusal of a plaintext too large for the key spec and algorithm."""
    if size > encrypter.largest_plaintext:
        raise messages.PLAINTEXT_TOO_LARGE(
            algorithm=encrypter.algorithm.value,
            spec=encrypter.key.spec.value,
            largest=encrypter.largest_plaintext,
        )


def _fitted(key: Key, algorithm: EncryptionAlgorithmSpec, context: Mapping[str, str]) -> None:
    checks.compatible(key, algorithm, key.encryption_algorithms)
    refuse_context_for_asymmetric(key, context)


async def prepare_encrypter(
    services: Services,
    key: Key,
    algorithm: EncryptionAlgorithmSpec,
    context: Mapping[str, str],
) -> Encrypter:
    """An encrypter for ``key``, which ``usable_key`` has already allowed for the action."""
    _fitted(key, algorithm, context)
    if key.spec is KeySpec.SYMMETRIC_DEFAULT:
        return SymmetricEncrypter(await symmetric_key(services, key), context)
    return RsaEncrypter(services.hsm, key, await material_of(services, key), algorithm)


async def prepare_decrypter(
    services: Services,
    call: Call,
    action: str,
    blob: bytes,
    key_id: str | None,
    algorithm: EncryptionAlgorithmSpec,
    context: Mapping[str, str],
    grant_tokens: Sequence[str] | None = None,
) -> Decrypter:
    """A decrypter for ``blob``. A symmetric blob names its key; ``key_id``, when given, must
    name the same key (``IncorrectKeyException``). An RSA ciphertext names nothing, so it needs
    ``key_id``."""
    access = _DecryptAccess(action, context, algorithm, grant_tokens)
    if key_id is None:
        parsed = envelope.parse(blob)
        key = await _key_of_blob(services, call, access, parsed)
        _fitted(key, algorithm, context)
    else:
        key = await access.key(services, call, key_id)
        _fitted(key, algorithm, context)
        if key.spec is not KeySpec.SYMMETRIC_DEFAULT:
            material = await material_of(services, key)
            return RsaDecrypter(services.hsm, key, material, algorithm, blob)
        parsed = envelope.parse(blob)
        if parsed.key_uuid != key.uuid:
            # AWS's wording, "CMK" and all (as CloudTrail records it and AWS-recorded responses
            # show), although its documentation now says "KMS key".
            raise messages.INCORRECT_KEY()
    symmetric = await symmetric_key(services, key, parsed.material_id)
    return SymmetricDecrypter(symmetric, context, parsed)


@dataclass(frozen=True)
class _DecryptAccess:
    """What authorizing a decryption needs besides the key."""

    action: str
    context: Mapping[str, str]
    algorithm: EncryptionAlgorithmSpec
    grant_tokens: Sequence[str] | None

    async def key(self, services: Services, call: Call, key_id: str) -> Key:
        return await usable_key(
            services,
            call,
            key_id,
            self.action,
            context=self.context,
            facts={"kms:EncryptionAlgorithm": self.algorithm.value},
            grant_tokens=self.grant_tokens,
        )


async def _key_of_blob(
    services: Services, call: Call, access: _DecryptAccess, parsed: envelope.Envelope
) -> Key:
    """The key a blob names; a blob naming no key is a damaged blob, and says no more."""
    try:
        return await access.key(services, call, str(parsed.key_uuid))
    except NotFoundException:
        raise InvalidCiphertextException() from None
