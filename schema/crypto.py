"""Encryption over GraphQL: encrypt, decrypt, reEncrypt, the data key operations and
generateRandom. All are Write actions of the catalog, hence Mutation fields.

Resolvers only translate: input to an ``api`` request, result to AWS's response members, with
every ``keyId`` the key ARN as AWS answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from api.calls import Call
from api.crypto import datakeys, encryption, randomness
from api.services import Services
from schema.enums import DataKeyPairSpec, DataKeySpec, EncryptionAlgorithmSpec
from schema.keys import GraphQLInfo

if TYPE_CHECKING:
    # mypy cannot use the result of strawberry.scalar as a type; at run time the schema maps
    # these NewTypes to the Base64 and StringMap scalars.
    Base64 = bytes
    StringMap = dict[str, str]
else:
    from schema.scalars import Base64, StringMap

SYMMETRIC_DEFAULT = EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT


@strawberry.input
class EncryptInput:
    key_id: str
    plaintext: Base64
    encryption_context: StringMap | None = None
    encryption_algorithm: EncryptionAlgorithmSpec = SYMMETRIC_DEFAULT
    grant_tokens: list[str] | None = None
    dry_run: bool | None = None


@strawberry.type
class EncryptResult:
    ciphertext_blob: Base64
    key_id: str = strawberry.field(description="The key ARN.")
    encryption_algorithm: EncryptionAlgorithmSpec


@strawberry.input
class DecryptInput:
    ciphertext_blob: Base64
    key_id: str | None = strawberry.field(
        default=None, description="Optional for symmetric ciphertext, which names its key."
    )
    encryption_context: StringMap | None = None
    encryption_algorithm: EncryptionAlgorithmSpec = SYMMETRIC_DEFAULT
    grant_tokens: list[str] | None = None
    dry_run: bool | None = None


@strawberry.type
class DecryptResult:
    key_id: str = strawberry.field(description="The key ARN.")
    plaintext: Base64
    encryption_algorithm: EncryptionAlgorithmSpec
    key_material_id: str | None = strawberry.field(
        description="The material version that decrypted (symmetric keys only)."
    )


@strawberry.input
class ReEncryptInput:
    ciphertext_blob: Base64
    destination_key_id: str
    source_key_id: str | None = None
    source_encryption_context: StringMap | None = None
    destination_encryption_context: StringMap | None = None
    source_encryption_algorithm: EncryptionAlgorithmSpec = SYMMETRIC_DEFAULT
    destination_encryption_algorithm: EncryptionAlgorithmSpec = SYMMETRIC_DEFAULT
    grant_tokens: list[str] | None = None
    dry_run: bool | None = None


@strawberry.type
class ReEncryptResult:
    ciphertext_blob: Base64
    source_key_id: str = strawberry.field(description="The source key ARN.")
    key_id: str = strawberry.field(description="The destination key ARN.")
    source_encryption_algorithm: EncryptionAlgorithmSpec
    destination_encryption_algorithm: EncryptionAlgorithmSpec
    source_key_material_id: str | None
    destination_key_material_id: str | None


@strawberry.input
class GenerateDataKeyInput:
    key_id: str
    key_spec: DataKeySpec | None = None
    number_of_bytes: int | None = None
    encryption_context: StringMap | None = None
    grant_tokens: list[str] | None = None
    dry_run: bool | None = None

    def request(self) -> datakeys.DataKeyRequest:
        return datakeys.DataKeyRequest(
            key_id=self.key_id,
            key_spec=self.key_spec,
            number_of_bytes=self.number_of_bytes,
            encryption_context=self.encryption_context,
            grant_tokens=self.grant_tokens,
            dry_run=bool(self.dry_run),
        )


@strawberry.type
class GenerateDataKeyWithoutPlaintextResult:
    ciphertext_blob: Base64
    key_id: str = strawberry.field(description="The key ARN.")
    key_material_id: str | None

    @classmethod
    def of(cls, data_key: datakeys.EncryptedDataKey) -> GenerateDataKeyWithoutPlaintextResult:
        return cls(
            ciphertext_blob=Base64(data_key.ciphertext_blob),
            key_id=data_key.key.arn,
            key_material_id=data_key.key_material_id,
        )


@strawberry.type
class GenerateDataKeyResult:
    ciphertext_blob: Base64
    plaintext: Base64
    key_id: str = strawberry.field(description="The key ARN.")
    key_material_id: str | None


@strawberry.input
class GenerateDataKeyWithoutPlaintextInput(GenerateDataKeyInput):
    pass


@strawberry.input
class GenerateDataKeyPairInput:
    key_id: str
    key_pair_spec: DataKeyPairSpec
    encryption_context: StringMap | None = None
    grant_tokens: list[str] | None = None
    dry_run: bool | None = None

    def request(self) -> datakeys.DataKeyPairRequest:
        return datakeys.DataKeyPairRequest(
            key_id=self.key_id,
            key_pair_spec=self.key_pair_spec,
            encryption_context=self.encryption_context,
            grant_tokens=self.grant_tokens,
            dry_run=bool(self.dry_run),
        )


@strawberry.input
class GenerateDataKeyPairWithoutPlaintextInput(GenerateDataKeyPairInput):
    pass


@strawberry.type
class GenerateDataKeyPairWithoutPlaintextResult:
    private_key_ciphertext_blob: Base64 = strawberry.field(
        description="The PKCS#8 private key, encrypted as Encrypt would under the key."
    )
    public_key: Base64 = strawberry.field(description="DER SubjectPublicKeyInfo.")
    key_id: str = strawberry.field(description="The key ARN.")
    key_pair_spec: DataKeyPairSpec
    key_material_id: str | None

    @classmethod
    def of(cls, pair: datakeys.EncryptedDataKeyPair) -> GenerateDataKeyPairWithoutPlaintextResult:
        return cls(
            private_key_ciphertext_blob=Base64(pair.private_key_ciphertext_blob),
            public_key=Base64(pair.public_key),
            key_id=pair.key.arn,
            key_pair_spec=pair.key_pair_spec,
            key_material_id=pair.key_material_id,
        )


@strawberry.type
class GenerateDataKeyPairResult:
    private_key_ciphertext_blob: Base64 = strawberry.field(
        description="The PKCS#8 private key, encrypted as Encrypt would under the key."
    )
    private_key_plaintext: Base64 = strawberry.field(description="PKCS#8 DER.")
    public_key: Base64 = strawberry.field(description="DER SubjectPublicKeyInfo.")
    key_id: str = strawberry.field(description="The key ARN.")
    key_pair_spec: DataKeyPairSpec
    key_material_id: str | None


@strawberry.input
class GenerateRandomInput:
    number_of_bytes: int | None = None


@strawberry.type
class GenerateRandomResult:
    plaintext: Base64


async def encrypt_resolver(info: GraphQLInfo, input: EncryptInput) -> EncryptResult:
    return await perform_encrypt(info.context.services, info.context.call(info), input)


async def perform_encrypt(services: Services, call: Call, input: EncryptInput) -> EncryptResult:
    request = encryption.EncryptRequest(
        key_id=input.key_id,
        plaintext=input.plaintext,
        encryption_context=input.encryption_context,
        encryption_algorithm=input.encryption_algorithm,
        grant_tokens=input.grant_tokens,
        dry_run=bool(input.dry_run),
    )
    encrypted = await encryption.encrypt(services, call, request)
    return EncryptResult(
        ciphertext_blob=Base64(encrypted.ciphertext_blob),
        key_id=encrypted.key.arn,
        encryption_algorithm=encrypted.encryption_algorithm,
    )


async def decrypt_resolver(info: GraphQLInfo, input: DecryptInput) -> DecryptResult:
    return await perform_decrypt(info.context.services, info.context.call(info), input)


async def perform_decrypt(services: Services, call: Call, input: DecryptInput) -> DecryptResult:
    request = encryption.DecryptRequest(
        ciphertext_blob=input.ciphertext_blob,
        key_id=input.key_id,
        encryption_context=input.encryption_context,
        encryption_algorithm=input.encryption_algorithm,
        grant_tokens=input.grant_tokens,
        dry_run=bool(input.dry_run),
    )
    decrypted = await encryption.decrypt(services, call, request)
    return DecryptResult(
        key_id=decrypted.key.arn,
        plaintext=Base64(decrypted.plaintext),
        encryption_algorithm=decrypted.encryption_algorithm,
        key_material_id=decrypted.key_material_id,
    )


async def re_encrypt_resolver(info: GraphQLInfo, input: ReEncryptInput) -> ReEncryptResult:
    context = info.context
    request = encryption.ReEncryptRequest(
        ciphertext_blob=input.ciphertext_blob,
        destination_key_id=input.destination_key_id,
        source_key_id=input.source_key_id,
        source_encryption_context=input.source_encryption_context,
        destination_encryption_context=input.destination_encryption_context,
        source_encryption_algorithm=input.source_encryption_algorithm,
        destination_encryption_algorithm=input.destination_encryption_algorithm,
        grant_tokens=input.grant_tokens,
        dry_run=bool(input.dry_run),
    )
    result = await encryption.re_encrypt(context.services, context.call(info), request)
    return ReEncryptResult(
        ciphertext_blob=Base64(result.ciphertext_blob),
        source_key_id=result.source_key.arn,
        key_id=result.key.arn,
        source_encryption_algorithm=result.source_encryption_algorithm,
        destination_encryption_algorithm=result.destination_encryption_algorithm,
        source_key_material_id=result.source_key_material_id,
        destination_key_material_id=result.destination_key_material_id,
    )


async def generate_data_key_resolver(
    info: GraphQLInfo, input: GenerateDataKeyInput
) -> GenerateDataKeyResult:
    return await perform_generate_data_key(info.context.services, info.context.call(info), input)


async def perform_generate_data_key(
    services: Services, call: Call, input: GenerateDataKeyInput
) -> GenerateDataKeyResult:
    data_key = await datakeys.generate_data_key(services, call, input.request())
    return GenerateDataKeyResult(
        ciphertext_blob=Base64(data_key.encrypted.ciphertext_blob),
        plaintext=Base64(data_key.plaintext),
        key_id=data_key.encrypted.key.arn,
        key_material_id=data_key.encrypted.key_material_id,
    )


async def generate_data_key_without_plaintext_resolver(
    info: GraphQLInfo, input: GenerateDataKeyWithoutPlaintextInput
) -> GenerateDataKeyWithoutPlaintextResult:
    context = info.context
    encrypted = await datakeys.generate_data_key_without_plaintext(
        context.services, context.call(info), input.request()
    )
    return GenerateDataKeyWithoutPlaintextResult.of(encrypted)


async def generate_data_key_pair_resolver(
    info: GraphQLInfo, input: GenerateDataKeyPairInput
) -> GenerateDataKeyPairResult:
    context = info.context
    pair = await datakeys.generate_data_key_pair(
        context.services, context.call(info), input.request()
    )
    encrypted = pair.encrypted
    return GenerateDataKeyPairResult(
        private_key_ciphertext_blob=Base64(encrypted.private_key_ciphertext_blob),
        private_key_plaintext=Base64(pair.private_key_plaintext),
        public_key=Base64(encrypted.public_key),
        key_id=encrypted.key.arn,
        key_pair_spec=encrypted.key_pair_spec,
        key_material_id=encrypted.key_material_id,
    )


async def generate_data_key_pair_without_plaintext_resolver(
    info: GraphQLInfo, input: GenerateDataKeyPairWithoutPlaintextInput
) -> GenerateDataKeyPairWithoutPlaintextResult:
    context = info.context
    encrypted = await datakeys.generate_data_key_pair_without_plaintext(
        context.services, context.call(info), input.request()
    )
    return GenerateDataKeyPairWithoutPlaintextResult.of(encrypted)


async def generate_random_resolver(
    info: GraphQLInfo, input: GenerateRandomInput | None = None
) -> GenerateRandomResult:
    given = input or GenerateRandomInput()
    random = await randomness.generate_random(
        info.context.services, info.context.call(info), given.number_of_bytes
    )
    return GenerateRandomResult(plaintext=Base64(random))


@strawberry.type
class EncryptionMutation:
    encrypt: EncryptResult = strawberry.field(resolver=encrypt_resolver)
    decrypt: DecryptResult = strawberry.field(resolver=decrypt_resolver)
    re_encrypt: ReEncryptResult = strawberry.field(resolver=re_encrypt_resolver)
    generate_data_key: GenerateDataKeyResult = strawberry.field(resolver=generate_data_key_resolver)
    generate_data_key_without_plaintext: GenerateDataKeyWithoutPlaintextResult = strawberry.field(
        resolver=generate_data_key_without_plaintext_resolver
    )
    generate_data_key_pair: GenerateDataKeyPairResult = strawberry.field(
        resolver=generate_data_key_pair_resolver
    )
    generate_data_key_pair_without_plaintext: GenerateDataKeyPairWithoutPlaintextResult = (
        strawberry.field(resolver=generate_data_key_pair_without_plaintext_resolver)
    )
    generate_random: GenerateRandomResult = strawberry.field(resolver=generate_random_resolver)
