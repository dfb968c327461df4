"""The members of the grant operations, checked in AWS's order: the API model's lengths and
patterns first (``ValidationException`` naming the member), then AWS's own rules.

Which operations a grant may allow depends on the key: an operation the key cannot perform is
refused, as is a grant of CreateGrant alone; constraints are refused on operations that take no
encryption context (every operation of an asymmetric or HMAC key).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from api import limits, messages
from api.errors import (
    ValidationException,
)
from api.grants.model import CONTEXT_OPERATIONS, GrantConstraints, GrantOperation
from api.keys.model import Key, KeyUsage
from api.pages import invalid_marker
from api.shapes import constraint_failed, pattern_constraint, validation_error
from api.validation import member_length
from hsm import KeySpec

# AWS's limits for grants (the API model's lengths and the service's quotas).
GRANTS_PER_KEY = 50_000
GRANTS_PAGE_DEFAULT = 50
GRANTS_PAGE_MAX = 100
PRINCIPAL_LENGTH = limits.Range(1, 256)
GRANT_NAME_LENGTH = limits.Range(1, 256)
GRANT_ID_LENGTH = limits.Range(1, 128)
CONSTRAINT_PAIRS_MAX = 8
CONSTRAINT_VALUE_MAX = 384

# The API model's patterns for PrincipalIdType and GrantNameType.
PRINCIPAL_PATTERN = r"^[\w+=,.@:/-]+$"
GRANT_NAME_PATTERN = "^[a-zA-Z0-9:/_-]+$"
# Java's \w, as AWS's patterns mean it: ASCII letters, digits and underscore.
_PRINCIPAL = re.compile(PRINCIPAL_PATTERN, re.ASCII)
_GRANT_NAME = re.compile(GRANT_NAME_PATTERN)
# What a grantee or retiring principal must be: an IAM identity's ARN, as key policies name them.
_NAME = r"[\w+=,.@-]+"
_PRINCIPAL_ARN = re.compile(
    rf"arn:aws:iam::\d{{12}}:(root|(user|role)/({_NAME}/)*{_NAME})"
    rf"|arn:aws:sts::\d{{12}}:(assumed-role/{_NAME}/{_NAME}|federated-user/{_NAME})",
    re.ASCII,
)
_GRANT_ID = re.compile(r"[0-9a-f]{64}")

_EVERY_KEY = frozenset(
    {GrantOperation.CREATE_GRANT, GrantOperation.RETIRE_GRANT, GrantOperation.DESCRIBE_KEY}
)
_PUBLIC_KEY = frozenset({GrantOperation.GET_PUBLIC_KEY})
_RSA_ENCRYPTION = frozenset(
    {
        GrantOperation.ENCRYPT,
        GrantOperation.DECRYPT,
        GrantOperation.RE_ENCRYPT_FROM,
        GrantOperation.RE_ENCRYPT_TO,
    }
)
# The operations each kind of key can perform, besides those of every key.
_BY_USAGE: dict[KeyUsage, frozenset[GrantOperation]] = {
    KeyUsage.ENCRYPT_DECRYPT: _RSA_ENCRYPTION | _PUBLIC_KEY,
    KeyUsage.SIGN_VERIFY: frozenset({GrantOperation.SIGN, GrantOperation.VERIFY}) | _PUBLIC_KEY,
    KeyUsage.GENERATE_VERIFY_MAC: frozenset(
        {GrantOperation.GENERATE_MAC, GrantOperation.VERIFY_MAC}
    ),
    KeyUsage.KEY_AGREEMENT: frozenset({GrantOperation.DERIVE_SHARED_SECRET}) | _PUBLIC_KEY,
}


def _pattern(member: str, value: str, pattern: re.Pattern[str]) -> None:
    if not pattern.fullmatch(value):
        raise validation_error(
            [constraint_failed(member, pattern_constraint(pattern.pattern), f"'{value}'")]
        )


def principal_shape(member: str, value: str) -> str:
    """The API model's check of a PrincipalIdType member (a ListGrants filter needs no more)."""
    member_length(member, value, PRINCIPAL_LENGTH.high, PRINCIPAL_LENGTH.low)
    _pattern(member, value, _PRINCIPAL)
    return value


def principal(member: str, value: str) -> str:
    """A grantee or retiring principal: an IAM user, role, account root or STS session ARN."""
    principal_shape(member, value)
    if not _PRINCIPAL_ARN.fullmatch(value):
        raise messages.GRANT_PRINCIPAL_ARN(value=value)
    return value


def grant_name(name: str) -> str:
    member_length("name", name, GRANT_NAME_LENGTH.high, GRANT_NAME_LENGTH.low)
    _pattern("name", name, _GRANT_NAME)
    return name


def grant_operations(operations: Collection[GrantOperation]) -> frozenset[GrantOperation]:
    """The operations of a new grant: at least one, and more than CreateGrant alone."""
    given = frozenset(operations)
    if not given:
        raise validation_error(
            [
                constraint_failed(
                    "operations", "Member must have length greater than or equal to 1", "'[]'"
                )
            ]
        )
    if given == {GrantOperation.CREATE_GRANT}:
        raise messages.GRANT_ONLY_CREATE_GRANT()
    return given


def _context_map(member: str, pairs: Mapping[str, str] | None) -> None:
    """At most 8 pairs, values of at most 384 characters; values are never quoted back."""
    if pairs is None:
        return
    if len(pairs) > CONSTRAINT_PAIRS_MAX:
        raise messages.GRANT_CONTEXT_PAIRS(member=member, limit=CONSTRAINT_PAIRS_MAX)
    if any(len(value) > CONSTRAINT_VALUE_MAX for value in pairs.values()):
        raise messages.GRANT_CONTEXT_VALUES(member=member, limit=CONSTRAINT_VALUE_MAX)


def grant_constraints(constraints: GrantConstraints | None) -> GrantConstraints | None:
    """The constraints of a new grant; given with neither map, it has none."""
    if constraints is None:
        return None
    equals, subset = constraints.encryption_context_equals, constraints.encryption_context_subset
    _context_map("constraints.encryptionContextEquals", equals)
    _context_map("constraints.encryptionContextSubset", subset)
    return GrantConstraints.of(equals=equals, subset=subset, source_arn=constraints.source_arn)


def grant_id(value: str) -> str:
    """A GrantId: the model's length, then keygraph's form (AWS's: 64 hexadecimal digits)."""
    member_length("grantId", value, GRANT_ID_LENGTH.high, GRANT_ID_LENGTH.low)
    if not _GRANT_ID.fullmatch(value):
        raise messages.INVALID_GRANT_ID()
    return value


def grant_marker(marker: str | None) -> str | None:
    """A ListGrants or ListRetirableGrants Marker: the last grant id of the previous page."""
    if marker is None:
        return None
    member_length("marker", marker, limits.MARKER_LENGTH.high, limits.MARKER_LENGTH.low)
    if not _GRANT_ID.fullmatch(marker):
        raise invalid_marker()
    return marker


def operations_for(key: Key) -> frozenset[GrantOperation]:
    """What a grant on ``key`` may allow: the operations the key itself can perform."""
    if key.spec is KeySpec.SYMMETRIC_DEFAULT:
        return _EVERY_KEY | CONTEXT_OPERATIONS
    return _EVERY_KEY | _BY_USAGE[key.usage]


def _takes_context(key: Key, operation: GrantOperation) -> bool:
    return key.spec is KeySpec.SYMMETRIC_DEFAULT and operation in CONTEXT_OPERATIONS


def require_suitable(
    key: Key, operations: frozenset[GrantOperation], constraints: GrantConstraints | None
) -> None:
    """AWS's refusals of a grant that does not fit its key; checked once the key is known."""
    allowed = operations_for(key)
    for operation in GrantOperation:
        if operation in operations and operation not in allowed:
            raise messages.GRANT_OPERATION_NOT_FOR_KEY(
                operation=operation.value, arn=key.arn, spec=key.spec.value, usage=key.usage.value
            )
    if constraints is None:
        return
    for operation in GrantOperation:
        if operation in operations - _EVERY_KEY and not _takes_context(key, operation):
            raise messages.GRANT_CONSTRAINTS_NOT_FOR_OPERATION(
                operation=operation.value, arn=key.arn
            )


def principal_or_service(
    names: tuple[str, str], principal_arn: str | None, service: str | None
) -> str | None:
    """A principal member and its service principal twin (``GranteePrincipal`` and
    ``GranteeServicePrincipal``): not both, in the API reference's words; the principal checked
    as ``principal`` checks it, or the service principal (its pattern is the model's)."""
    if principal_arn is not None and service is not None:
        raise one_of(names, needed=False)
    if principal_arn is not None:
        return principal(names[0][:1].lower() + names[0][1:], principal_arn)
    return service


def required_principal_or_service(
    names: tuple[str, str], principal_arn: str | None, service: str | None
) -> str:
    """``principal_or_service`` where one of the two is required."""
    if principal_arn is not None and service is None:
        return principal(names[0][:1].lower() + names[0][1:], principal_arn)
    if service is not None and principal_arn is None:
        return service
    raise one_of(names, needed=True)


def one_of(names: tuple[str, str], *, needed: bool) -> ValidationException:
    """The API reference's words for a pair of members of which at most (``needed``: exactly)
    one may be given."""
    first, second = names
    verb = "must" if needed else "can"
    return messages.ONE_OF_PAIR(verb=verb, first=first, second=second)


def service_grant(
    retiring: str | None, retiring_service: str | None, constraints: GrantConstraints | None
) -> None:
    """What CreateGrant asks of a grant to a service principal, in the API reference's words."""
    if constraints is None or constraints.source_arn is None:
        raise messages.SERVICE_GRANT_SOURCE_ARN()
    if retiring is None and retiring_service is None:
        raise messages.SERVICE_GRANT_RETIRING()
