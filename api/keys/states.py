"""AWS KMS's key state table ("Key states of AWS KMS keys" in its developer guide), as data:
which action works in which key state.

Every operation on a key asks ``require_state(action, key)`` before it does anything, so the rules
live here once rather than as ``if`` chains in each operation.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from api import messages
from api.errors import (
    KeygraphError,
)
from api.keys.model import Key, KeyState, Origin


class Verdict(enum.Enum):
    """A cell of the table. The names are the reference's footnote labels."""

    OK = "ok"
    D1 = "disabled"
    S3 = "pending deletion"
    S4 = "not pending deletion"
    S5 = "pending import"
    S8 = "pending deletion (import)"
    S11 = "unavailable"
    U = "origin not valid"


_MESSAGES: dict[Verdict, Callable[[Key], KeygraphError]] = {
    Verdict.D1: lambda key: messages.DISABLED(arn=key.arn),
    Verdict.S3: lambda key: messages.PENDING_DELETION(arn=key.arn),
    Verdict.S4: lambda key: messages.NOT_PENDING_DELETION(arn=key.arn),
    Verdict.S5: lambda key: messages.PENDING_IMPORT(arn=key.arn),
    Verdict.S8: lambda key: messages.PENDING_DELETION(arn=key.arn),
    Verdict.S11: lambda key: messages.UNAVAILABLE(arn=key.arn),
    Verdict.U: lambda key: messages.ORIGIN_NOT_VALID(arn=key.arn, origin=key.origin.value),
}

OK, D1, S3, S4, S5, S8, S11, U = (
    Verdict.OK, Verdict.D1, Verdict.S3, Verdict.S4, Verdict.S5, Verdict.S8, Verdict.S11, Verdict.U
)  # fmt: skip

_COLUMNS = (
    KeyState.ENABLED,
    KeyState.DISABLED,
    KeyState.PENDING_DELETION,
    KeyState.PENDING_IMPORT,
    KeyState.UNAVAILABLE,
)


def _rows(actions: str, *cells: Verdict) -> dict[str, dict[KeyState, Verdict]]:
    return {action: dict(zip(_COLUMNS, cells, strict=True)) for action in actions.split()}


# Rows of the reference table, columns En, Dis, PDel, PImp, Unav. "n/a" cells of the reference
# (a state the key cannot be in for that action) are written as the state's own error.
TABLE: dict[str, dict[KeyState, Verdict]] = {
    **_rows(
        "Encrypt Decrypt ReEncryptFrom ReEncryptTo GenerateDataKey GenerateDataKeyWithoutPlaintext"
        " GenerateDataKeyPair GenerateDataKeyPairWithoutPlaintext",
        OK, D1, S3, S5, S11,
    ),
    **_rows(
        "Sign Verify GenerateMac VerifyMac DeriveSharedSecret", OK, D1, S3, S5, S11
    ),
    # AWS serves a disabled key's public key (observed behaviour, see the reference).
    **_rows("GetPublicKey", OK, OK, S3, S5, S11),
    **_rows("CreateGrant", OK, D1, S3, S5, OK),
    # GetKeyLastUsage is not in the reference table yet; AWS's model gives it no
    # DisabledException or KMSInvalidStateException, so every state answers it.
    **_rows(
        "DescribeKey GetKeyPolicy PutKeyPolicy ListAliases ListGrants ListKeyPolicies"
        " ListResourceTags DeleteAlias RetireGrant RevokeGrant GetKeyRotationStatus"
        " ListKeyRotations ListRetirableGrants GetKeyLastUsage",
        OK, OK, OK, OK, OK,
    ),
    **_rows("EnableKey DisableKey", OK, OK, S3, S5, OK),
    **_rows(
        "EnableKeyRotation DisableKeyRotation", OK, D1, S3, U, U
    ),
    # Keys with imported material rotate on demand too; such a key waiting for an import
    # answers as for cryptography.
    **_rows("RotateKeyOnDemand", OK, D1, S3, S5, U),
    **_rows("ScheduleKeyDeletion", OK, OK, S3, OK, OK),
    **_rows("CancelKeyDeletion", S4, S4, OK, S4, S4),
    **_rows(
        "TagResource UntagResource UpdateKeyDescription CreateAlias UpdateAlias",
        OK, OK, S3, OK, OK,
    ),
    **_rows(
        "GetParametersForImport ImportKeyMaterial DeleteImportedKeyMaterial", OK, OK, S8, OK, U
    ),
}  # fmt: skip

# Actions that only keys of some origins support, whatever their state.
ORIGINS: dict[str, frozenset[Origin]] = {
    **{
        action: frozenset({Origin.EXTERNAL})
        for action in ("GetParametersForImport", "ImportKeyMaterial", "DeleteImportedKeyMaterial")
    },
    **{
        action: frozenset({Origin.AWS_KMS})
        for action in ("EnableKeyRotation", "DisableKeyRotation")
    },
    "RotateKeyOnDemand": frozenset({Origin.AWS_KMS, Origin.EXTERNAL}),
}


def verdict(action: str, key: Key) -> Verdict:
    if action in ORIGINS and key.origin not in ORIGINS[action]:
        return Verdict.U
    return TABLE[action][key.state]


def require_state(action: str, key: Key) -> None:
    """Raise AWS's error when ``action`` is not allowed on ``key`` in its current state."""
    cell = verdict(action, key)
    if cell is not Verdict.OK:
        raise _MESSAGES[cell](key)
