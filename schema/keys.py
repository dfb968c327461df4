"""Keys over GraphQL: KeyMetadata, the navigable Key, and the core key operations.

Resolvers are thin: they turn an input into an ``api`` request, call the operation, and shape the
result. Operations whose AWS response is empty return the key's metadata after the change.
"""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.keys import create, lifecycle
from api.keys.model import Key as ApiKey
from api.keys.tags import Tag as ApiTag
from schema.context import Context
from schema.enums import (
    EncryptionAlgorithmSpec,
    ExpirationModelType,
    KeyAgreementAlgorithmSpec,
    KeySpec,
    KeyState,
    KeyUsageType,
    MacAlgorithmSpec,
    OriginType,
    SigningAlgorithmSpec,
)

GraphQLInfo = Info[Context, None]


@strawberry.type(description="A key's metadata, as AWS's DescribeKey returns it.")
class KeyMetadata:
    aws_account_id: str = strawberry.field(name="awsAccountId")
    key_id: str
    arn: str
    creation_date: datetime
    enabled: bool
    description: str
    key_usage: KeyUsageType
    key_state: KeyState
    deletion_date: datetime | None
    valid_to: datetime | None
    origin: OriginType
    custom_key_store_id: str | None
    expiration_model: ExpirationModelType | None
    key_manager: str
    key_spec: KeySpec
    customer_master_key_spec: KeySpec = strawberry.field(
        deprecation_reason="Use keySpec, as AWS does."
    )
    encryption_algorithms: list[EncryptionAlgorithmSpec]
    signing_algorithms: list[SigningAlgorithmSpec]
    mac_algorithms: list[MacAlgorithmSpec]
    key_agreement_algorithms: list[KeyAgreementAlgorithmSpec]
    multi_region: bool
    pending_deletion_window_in_days: int | None
    current_key_material_id: str | None

    @classmethod
    def of(cls, key: ApiKey) -> KeyMetadata:
        return cls(
            aws_account_id=key.account_id,
            key_id=key.key_id,
            arn=key.arn,
            creation_date=key.created_at,
            enabled=key.enabled,
            description=key.description,
            key_usage=key.usage,
            key_state=key.state,
            deletion_date=key.deletion_date,
            valid_to=key.valid_to,
            origin=key.origin,
            custom_key_store_id=key.custom_key_store_id,
            expiration_model=key.expiration_model,
            key_manager="CUSTOMER",
            key_spec=key.spec,
            customer_master_key_spec=key.spec,
            encryption_algorithms=list(key.encryption_algorithms),
            signing_algorithms=list(key.signing_algorithms),
            mac_algorithms=list(key.mac_algorithms),
            key_agreement_algorithms=list(key.key_agreement_algorithms),
            multi_region=False,
            pending_deletion_window_in_days=key.pending_window_days,
            current_key_material_id=key.current_material_id,
        )


@strawberry.input(description="A tag as AWS spells it.")
class TagInput:
    tag_key: str
    tag_value: str


@strawberry.input
class CreateKeyInput:
    description: str = ""
    key_usage: KeyUsageType | None = None
    key_spec: KeySpec = KeySpec.SYMMETRIC_DEFAULT
    customer_master_key_spec: KeySpec | None = strawberry.field(
        default=None, deprecation_reason="Use keySpec."
    )
    origin: OriginType = OriginType.AWS_KMS
    custom_key_store_id: str | None = None
    policy: str | None = None
    bypass_policy_lockout_safety_check: bool = False
    tags: list[TagInput] = strawberry.field(default_factory=list)


@strawberry.type
class CreateKeyResult:
    key_metadata: KeyMetadata


@strawberry.input
class KeyIdInput:
    """Base of the inputs whose only member is the key."""

    key_id: str


@strawberry.input
class DescribeKeyInput(KeyIdInput):
    grant_tokens: list[str] | None = None


@strawberry.type
class DescribeKeyResult:
    key_metadata: KeyMetadata


@strawberry.type(description="The key after the change (AWS's response has no members).")
class KeyChangeResult:
    key_metadata: KeyMetadata


@strawberry.input
class EnableKeyInput(KeyIdInput):
    pass


@strawberry.type
class EnableKeyResult(KeyChangeResult):
    pass


@strawberry.input
class DisableKeyInput(KeyIdInput):
    pass


@strawberry.type
class DisableKeyResult(KeyChangeResult):
    pass


@strawberry.input
class UpdateKeyDescriptionInput:
    key_id: str
    description: str


@strawberry.type
class UpdateKeyDescriptionResult(KeyChangeResult):
    pass


async def create_key_resolver(
    info: GraphQLInfo, input: CreateKeyInput | None = None
) -> CreateKeyResult:
    given = input or CreateKeyInput()
    request = create.CreateKeyRequest(
        description=given.description,
        key_usage=given.key_usage,
        key_spec=given.customer_master_key_spec or given.key_spec,
        origin=given.origin,
        custom_key_store_id=given.custom_key_store_id,
        policy=given.policy,
        bypass_policy_lockout_safety_check=given.bypass_policy_lockout_safety_check,
        tags=[ApiTag(tag.tag_key, tag.tag_value) for tag in given.tags],
    )
    context = info.context
    key = await create.create_key(context.services, context.call(info), request)
    return CreateKeyResult(key_metadata=KeyMetadata.of(key))


async def describe_key_resolver(info: GraphQLInfo, input: DescribeKeyInput) -> DescribeKeyResult:
    context = info.context
    key = await lifecycle.describe_key(context.services, context.call(info), input.key_id)
    return DescribeKeyResult(key_metadata=KeyMetadata.of(key))


async def enable_key_resolver(info: GraphQLInfo, input: EnableKeyInput) -> EnableKeyResult:
    context = info.context
    key = await lifecycle.enable_key(context.services, context.call(info), input.key_id)
    return EnableKeyResult(key_metadata=KeyMetadata.of(key))


async def disable_key_resolver(info: GraphQLInfo, input: DisableKeyInput) -> DisableKeyResult:
    context = info.context
    key = await lifecycle.disable_key(context.services, context.call(info), input.key_id)
    return DisableKeyResult(key_metadata=KeyMetadata.of(key))


async def update_key_description_resolver(
    info: GraphQLInfo, input: UpdateKeyDescriptionInput
) -> UpdateKeyDescriptionResult:
    context = info.context
    key = await lifecycle.update_key_description(
        context.services, context.call(info), input.key_id, input.description
    )
    return UpdateKeyDescriptionResult(key_metadata=KeyMetadata.of(key))


@strawberry.type
class KeysQuery:
    describe_key: DescribeKeyResult = strawberry.field(resolver=describe_key_resolver)


@strawberry.type
class KeysMutation:
    create_key: CreateKeyResult = strawberry.field(resolver=create_key_resolver)
    enable_key: EnableKeyResult = strawberry.field(resolver=enable_key_resolver)
    disable_key: DisableKeyResult = strawberry.field(resolver=disable_key_resolver)
    update_key_description: UpdateKeyDescriptionResult = strawberry.field(
        resolver=update_key_description_resolver
    )
