"""What a grant is, and the one question authorization asks it: does it permit this request?

A grant lets its grantee principal perform some operations on one key. Its constraints, when it
has any, restrict the cryptographic operations that take an encryption context: Equals wants the
request's context to be exactly the map, Subset wants the map inside the request's context, and
with both given both must hold. As in AWS, a constraint's keys match case-insensitively and its
values exactly; the operations without a context (DescribeKey, RetireGrant, CreateGrant) are not
restricted by them.

A grant's grantee or retiring principal may also be an AWS service principal
(``dynamodb.amazonaws.com``, CreateGrant's ``GranteeServicePrincipal`` and
``RetiringServicePrincipal``): the name is stored where the IAM principal's ARN would be, and
which of the two it is follows from its form (an ARN has colons, a service principal name never
does). keygraph has no service principals among its callers, and a request that a trusted front
service passes on (``kms:ViaService``) is still the calling principal's, so no call is ever a
service principal's: such a grant is stored, listed and revoked, and permits nothing. A
``SourceArn`` constraint (``aws:SourceArn``, the AWS resource a service acts for) is stored and
listed the same way; no keygraph request has a source ARN, so a grant that has one permits
nothing either.
"""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from api.shapes import member

# The API model's ServicePrincipalType and GrantConstraintSourceArnType.
SERVICE_PRINCIPAL_LENGTH = (1, 128)
SERVICE_PRINCIPAL_PATTERN = r"^([A-Za-z0-9\-]+)\.([A-Za-z0-9\-]+)(\.[A-Za-z0-9\-]+)+$"
SOURCE_ARN_LENGTH = (20, 512)
SOURCE_ARN_PATTERN = r"^arn:aws[a-z0-9-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{12}:.+$"
_SERVICE_PRINCIPAL = re.compile(SERVICE_PRINCIPAL_PATTERN)


def is_service_principal(name: str | None) -> bool:
    """Whether a stored grantee or retiring principal is a service principal's name."""
    return name is not None and _SERVICE_PRINCIPAL.fullmatch(name) is not None


class GrantOperation(enum.Enum):
    """The operations a grant can allow, spelled as AWS spells them. ReEncrypt is two of them:
    ReEncryptFrom on the source key, ReEncryptTo on the destination key."""

    DECRYPT = "Decrypt"
    ENCRYPT = "Encrypt"
    GENERATE_DATA_KEY = "GenerateDataKey"
    GENERATE_DATA_KEY_WITHOUT_PLAINTEXT = "GenerateDataKeyWithoutPlaintext"
    RE_ENCRYPT_FROM = "ReEncryptFrom"
    RE_ENCRYPT_TO = "ReEncryptTo"
    SIGN = "Sign"
    VERIFY = "Verify"
    GET_PUBLIC_KEY = "GetPublicKey"
    CREATE_GRANT = "CreateGrant"
    RETIRE_GRANT = "RetireGrant"
    DESCRIBE_KEY = "DescribeKey"
    GENERATE_DATA_KEY_PAIR = "GenerateDataKeyPair"
    GENERATE_DATA_KEY_PAIR_WITHOUT_PLAINTEXT = "GenerateDataKeyPairWithoutPlaintext"
    GENERATE_MAC = "GenerateMac"
    VERIFY_MAC = "VerifyMac"
    DERIVE_SHARED_SECRET = "DeriveSharedSecret"  # noqa: S105 - an operation name


# The operations whose requests carry an encryption context (on a symmetric key): the only ones
# a grant's constraints restrict.
CONTEXT_OPERATIONS = frozenset(
    {
        GrantOperation.DECRYPT,
        GrantOperation.ENCRYPT,
        GrantOperation.GENERATE_DATA_KEY,
        GrantOperation.GENERATE_DATA_KEY_WITHOUT_PLAINTEXT,
        GrantOperation.RE_ENCRYPT_FROM,
        GrantOperation.RE_ENCRYPT_TO,
        GrantOperation.GENERATE_DATA_KEY_PAIR,
        GrantOperation.GENERATE_DATA_KEY_PAIR_WITHOUT_PLAINTEXT,
    }
)
_CONTEXT_ACTIONS = frozenset(operation.value for operation in CONTEXT_OPERATIONS)


def _folded(pairs: Mapping[str, str]) -> frozenset[tuple[str, str]]:
    """Pairs as a constraint compares them: keys without case, values as they are."""
    return frozenset((key.casefold(), value) for key, value in pairs.items())


def _copy(mapping: Mapping[str, str] | None) -> dict[str, str] | None:
    return None if mapping is None else dict(mapping)


@dataclass(frozen=True, kw_only=True)
class GrantConstraints:
    """AWS's GrantConstraints, as CreateGrant takes them and ListGrants shows them: the
    encryption context a grant requires. A grant has constraints only when at least one of the
    two is set (``of``).

    Grants are values (a retried CreateGrant compares them, caches hold them), so constraints
    hash by their pairs, whatever order they were given in."""

    encryption_context_subset: dict[str, str] | None = None
    encryption_context_equals: dict[str, str] | None = None
    source_arn: str | None = member(None, length=SOURCE_ARN_LENGTH, pattern=SOURCE_ARN_PATTERN)

    def __hash__(self) -> int:
        return hash(
            (
                *(
                    None if pairs is None else frozenset(pairs.items())
                    for pairs in (self.encryption_context_subset, self.encryption_context_equals)
                ),
                self.source_arn,
            )
        )

    @classmethod
    def of(
        cls,
        equals: Mapping[str, str] | None = None,
        subset: Mapping[str, str] | None = None,
        source_arn: str | None = None,
    ) -> GrantConstraints | None:
        if equals is None and subset is None and source_arn is None:
            return None
        return cls(
            encryption_context_subset=_copy(subset),
            encryption_context_equals=_copy(equals),
            source_arn=source_arn,
        )

    # The short names ``api.grants.store`` and the old GraphQL layer read.
    @property
    def equals(self) -> dict[str, str] | None:
        return self.encryption_context_equals

    @property
    def subset(self) -> dict[str, str] | None:
        return self.encryption_context_subset

    @property
    def types(self) -> tuple[str, ...]:
        """The constraint types present, by AWS's names (``kms:GrantConstraintType``)."""
        return tuple(
            name
            for name, pairs in (
                ("EncryptionContextEquals", self.encryption_context_equals),
                ("EncryptionContextSubset", self.encryption_context_subset),
            )
            if pairs is not None
        )

    def hold_for(self, context: Mapping[str, str] | None) -> bool:
        given = _folded(context or {})
        if self.encryption_context_equals is not None:
            wanted = _folded(self.encryption_context_equals)
            if given != wanted or len(context or {}) != len(self.encryption_context_equals):
                return False
        if self.encryption_context_subset is not None:
            return _folded(self.encryption_context_subset) <= given
        return True

    def as_strict_as(self, parent: GrantConstraints | None) -> bool:
        """Whether every context these constraints admit, ``parent`` admits too: what a grant
        created under a grant's CreateGrant permission must satisfy."""
        if parent is None:
            return True
        if parent.source_arn is not None and self.source_arn != parent.source_arn:
            return False
        if parent.encryption_context_equals is not None and (
            self.encryption_context_equals is None
            or _folded(self.encryption_context_equals) != _folded(parent.encryption_context_equals)
        ):
            return False
        if parent.encryption_context_subset is not None:
            required = _folded(parent.encryption_context_subset)
            return any(
                pairs is not None and required <= _folded(pairs)
                for pairs in (self.encryption_context_equals, self.encryption_context_subset)
            )
        return True


@dataclass(frozen=True)
class Grant:
    """One grant as stored. ``operations`` holds AWS's operation names (``"Encrypt"``), which are
    also the catalog's action names that authorization asks about."""

    grant_id: str
    key_uuid: uuid.UUID
    key_arn: str
    name: str | None
    grantee_principal: str
    retiring_principal: str | None
    operations: frozenset[str]
    constraints: GrantConstraints | None
    issuing_account: str
    created_at: datetime

    @property
    def grantee_service_principal(self) -> str | None:
        return self.grantee_principal if is_service_principal(self.grantee_principal) else None

    @property
    def retiring_service_principal(self) -> str | None:
        return self.retiring_principal if is_service_principal(self.retiring_principal) else None

    def permits(self, principal_arn: str, action: str, context: Mapping[str, str] | None) -> bool:
        """Whether this grant allows ``principal_arn`` to perform ``action`` (a catalog action
        name, ``"Encrypt"``) with the request's encryption ``context``."""
        if principal_arn != self.grantee_principal or action not in self.operations:
            return False
        if self.constraints is None:
            return True
        if self.constraints.source_arn is not None:
            return False  # no keygraph request is made on behalf of an AWS resource
        return action not in _CONTEXT_ACTIONS or self.constraints.hold_for(context)

    def covers(self, operations: frozenset[str], constraints: GrantConstraints | None) -> bool:
        """Whether a grant of ``operations`` and ``constraints`` is as narrow as this one or
        narrower: the grants this grant's grantee may create with its CreateGrant permission."""
        if not operations <= self.operations:
            return False
        if constraints is None:
            return self.constraints is None
        return constraints.as_strict_as(self.constraints)

    def repeats(self, other: Grant) -> bool:
        """Whether a named CreateGrant that would make ``other`` is a retry of this grant: same
        key, name and parameters (ids, tokens and times aside)."""
        return (
            self.key_uuid == other.key_uuid
            and self.name == other.name
            and self.grantee_principal == other.grantee_principal
            and self.retiring_principal == other.retiring_principal
            and self.operations == other.operations
            and self.constraints == other.constraints
            and self.issuing_account == other.issuing_account
        )
