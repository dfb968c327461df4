"""Structures that several operations share, as AWS's model has them: ``KeyMetadata``.

Declared once here; members that requests repeat are in ``api.members``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from api import members as aws
from api.calls import Call, Door
from api.catalog.levels import AccessLevel, OperationType
from api.decisions import Outcome, Source
from api.keys.ids import ANY_FORM, KEY_ONLY
from api.keys.model import (
    CustomerMasterKeySpec,
    EncryptionAlgorithmSpec,
    ExpirationModel,
    Key,
    KeyAgreementAlgorithm,
    KeyState,
    KeyUsage,
    Origin,
)
from api.policy import FindingCode, PolicyWarning
from api.principals import PrincipalKind
from api.shapes import member, name_shapes, project, spell_by_name
from hsm import KeySpec, MacAlgorithm, SigningAlgorithm, WrappingAlgorithm

T = TypeVar("T")


class KeyManager(enum.Enum):
    """Who manages a key: keygraph's keys are all its customers' (AWS manages none here)."""

    AWS = "AWS"
    CUSTOMER = "CUSTOMER"


# AWS's names for enums whose Python names say it differently; doors name their types so.
name_shapes(
    {
        KeyUsage: "KeyUsageType",
        Origin: "OriginType",
        ExpirationModel: "ExpirationModelType",
        KeyAgreementAlgorithm: "KeyAgreementAlgorithmSpec",
        MacAlgorithm: "MacAlgorithmSpec",
        SigningAlgorithm: "SigningAlgorithmSpec",
        WrappingAlgorithm: "AlgorithmSpec",
        Outcome: "AccessDecision",
        Source: "AccessSource",
        PrincipalKind: "PrincipalType",
        KeyManager: "KeyManagerType",
        FindingCode: "PolicyWarningCode",
    }
)
# keygraph's own enums (values that are prose or lower case): spelled by member name.
spell_by_name(AccessLevel, OperationType, PrincipalKind, Door)


@dataclass(frozen=True, kw_only=True)
class KeyMetadata:
    aws_account_id: str = member(wire="AWSAccountId")
    key_id: str
    arn: str
    creation_date: datetime
    enabled: bool
    description: str
    key_usage: KeyUsage
    key_state: KeyState
    deletion_date: datetime | None
    valid_to: datetime | None
    origin: Origin
    custom_key_store_id: str | None
    expiration_model: ExpirationModel | None
    key_manager: KeyManager
    key_spec: KeySpec
    customer_master_key_spec: CustomerMasterKeySpec | None = member(
        None, deprecated="Use keySpec, as AWS does."
    )
    # Each list is absent, as AWS has it, unless the key's usage is the one it serves.
    encryption_algorithms: list[EncryptionAlgorithmSpec] | None = member(
        doc="Present only for ENCRYPT_DECRYPT keys."
    )
    signing_algorithms: list[SigningAlgorithm] | None = member(
        doc="Present only for SIGN_VERIFY keys."
    )
    mac_algorithms: list[MacAlgorithm] | None = member(
        doc="Present only for GENERATE_VERIFY_MAC keys."
    )
    key_agreement_algorithms: list[KeyAgreementAlgorithm] | None = member(
        doc="Present only for KEY_AGREEMENT keys."
    )
    multi_region: bool
    # AWS: "present only when the KeyState of the KMS key is PendingReplicaDeletion" (a
    # multi-Region primary key waiting for its replicas); a single-Region key scheduled for
    # deletion shows only its DeletionDate. keygraph has no multi-Region keys.
    pending_deletion_window_in_days: int | None = member(
        doc="Present only for a multi-Region primary key in PendingReplicaDeletion: never here."
    )
    current_key_material_id: str | None = member(
        doc="Present only for symmetric encryption keys of origin AWS_KMS or EXTERNAL."
    )

    @classmethod
    def of(cls, key: Key) -> KeyMetadata:
        return project(
            cls,
            key,
            aws_account_id=key.account_id,
            creation_date=key.created_at,
            key_usage=key.usage,
            key_state=key.state,
            key_manager=KeyManager.CUSTOMER,
            key_spec=key.spec,
            customer_master_key_spec=CustomerMasterKeySpec.of(key.spec),
            encryption_algorithms=_present(key.encryption_algorithms),
            signing_algorithms=_present(key.signing_algorithms),
            mac_algorithms=_present(key.mac_algorithms),
            key_agreement_algorithms=_present(key.key_agreement_algorithms),
            multi_region=False,
            pending_deletion_window_in_days=None,
            current_key_material_id=key.current_material_id if _versioned(key) else None,
        )


def _versioned(key: Key) -> bool:
    """Whether AWS names the key's current material: symmetric encryption keys whose material
    KMS holds or imported (AWS_KMS, EXTERNAL), not asymmetric, HMAC or custom key store keys."""
    return key.spec is KeySpec.SYMMETRIC_DEFAULT and key.origin is not Origin.AWS_CLOUDHSM


def _present(items: Iterable[T]) -> list[T] | None:
    """A list AWS sends only when it applies: absent rather than empty."""
    return list(items) or None


@dataclass(frozen=True, kw_only=True)
class KeyMetadataResponse:
    """The response of every operation that answers with the key's metadata."""

    key_metadata: KeyMetadata

    @classmethod
    def of(cls, key: Key) -> KeyMetadataResponse:
        return cls(key_metadata=KeyMetadata.of(key))


@dataclass(frozen=True, kw_only=True)
class PolicyStoredResponse(KeyMetadataResponse):
    """The response of the operations that store a key policy (CreateKey, PutKeyPolicy): the
    key's metadata and what the checker found in the policy stored anyway
    (``KEYGRAPH_POLICY_CHECK=warn``). GraphQL only: AWS's responses have no such member."""

    warnings: list[PolicyWarning] = member(
        doc="What keygraph's checker found in the policy stored, empty when nothing; AWS stores "
        "such a policy without a word (KEYGRAPH_POLICY_CHECK=warn)."
    )

    @classmethod
    def stored(
        cls, call: Call, key: Key, warnings: Iterable[PolicyWarning]
    ) -> PolicyStoredResponse:
        """The answer once the policy is stored; the warnings go into the call's audit events
        too, the only place the AWS door's callers can find them."""
        found = list(warnings)
        for warning in found:
            call.note(warning.text)
        return cls(key_metadata=KeyMetadata.of(key), warnings=found)


@dataclass(frozen=True, kw_only=True)
class KeyArnResponse:
    """The response of operations that answer with the key's ARN alone."""

    key_id: str = member(doc="The key's ARN.")


@dataclass(frozen=True, kw_only=True)
class KeyRequest:
    """A request whose only member is the key; the request of every operation that takes
    only a ``KeyId`` (EnableKey, DisableKeyRotation...), which AWS's reference has named by key
    id or key ARN only."""

    key_id: str = aws.key_id(KEY_ONLY)


@dataclass(frozen=True, kw_only=True)
class KeyPageRequest(KeyRequest):
    """A page of one key's list (ListResourceTags, ListKeyPolicies)."""

    limit: int | None = aws.limit()
    marker: str | None = aws.marker()


@dataclass(frozen=True, kw_only=True)
class KeyTokensRequest(KeyRequest):
    """A key and the grant tokens that may allow the call (DescribeKey, GetPublicKey), named in
    any of the four forms."""

    key_id: str = aws.key_id(ANY_FORM)
    grant_tokens: list[str] | None = aws.grant_tokens()
