"""AWS KMS's key state table, row by row, with AWS's exact messages.

Written out again here, independently of api/keys/states.py, so that a wrong cell there fails."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from api.errors import KeygraphError
from api.keys.model import Key, KeyState, KeyUsage, Origin
from api.keys.states import TABLE, require_state
from hsm import KeySpec

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
ARN = f"arn:aws:kms:us-east-1:111122223333:key/{KEY_ID}"
STATES = ["Enabled", "Disabled", "PendingDeletion", "PendingImport", "Unavailable"]
ok = None
D1 = ("DisabledException", f"{ARN} is disabled.")
S3 = ("KMSInvalidStateException", f"{ARN} is pending deletion.")
S4 = ("KMSInvalidStateException", f"{ARN} is not pending deletion.")
S5 = ("KMSInvalidStateException", f"{ARN} is pending import.")
S11 = ("KMSInvalidStateException", f"{ARN} is unavailable.")


def U(origin: str) -> tuple[str, str]:
    return (
        "UnsupportedOperationException",
        f"{ARN} origin is {origin} which is not valid for this operation.",
    )


# The origin a key in each state has in these rows: PendingImport keys are EXTERNAL, Unavailable
# keys live in a custom key store; the others are AWS_KMS keys.
ORIGIN = {
    "Enabled": "AWS_KMS",
    "Disabled": "AWS_KMS",
    "PendingDeletion": "AWS_KMS",
    "PendingImport": "EXTERNAL",
    "Unavailable": "AWS_CLOUDHSM",
}
CRYPTO = (ok, D1, S3, S5, S11)
ALWAYS = (ok, ok, ok, ok, ok)
REFERENCE = {
    **dict.fromkeys(
        ["Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GenerateDataKey",
         "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair",
         "GenerateDataKeyPairWithoutPlaintext"], CRYPTO),
    **dict.fromkeys(["Sign", "Verify", "GenerateMac", "VerifyMac"], CRYPTO),
    "GetPublicKey": (ok, ok, S3, S5, S11),
    "CreateGrant": (ok, D1, S3, S5, ok),
    **dict.fromkeys(
        ["DescribeKey", "GetKeyPolicy", "PutKeyPolicy", "ListAliases", "ListGrants",
         "ListKeyPolicies", "ListResourceTags", "DeleteAlias", "RetireGrant", "RevokeGrant"],
        ALWAYS),
    **dict.fromkeys(["EnableKey", "DisableKey"], (ok, ok, S3, S5, ok)),
    **dict.fromkeys(["EnableKeyRotation", "DisableKeyRotation"],
                    (ok, D1, S3, U("EXTERNAL"), U("AWS_CLOUDHSM"))),
    "ScheduleKeyDeletion": (ok, ok, S3, ok, ok),
    "CancelKeyDeletion": (S4, S4, ok, S4, S4),
    **dict.fromkeys(["TagResource", "UntagResource", "UpdateKeyDescription", "CreateAlias"],
                    (ok, ok, S3, ok, ok)),
}  # fmt: skip


def key_in(state: str, origin: str | None = None) -> Key:
    return Key(
        key_id=KEY_ID, account_id="111122223333", region="us-east-1", description="",
        spec=KeySpec.SYMMETRIC_DEFAULT, usage=KeyUsage.ENCRYPT_DECRYPT,
        origin=Origin(origin or ORIGIN[state]), state=KeyState(state),
        created_at=datetime(2026, 1, 1, tzinfo=UTC), current_material_id=None,
        deletion_date=None, pending_window_days=None, custom_key_store_id=None,
        expiration_model=None, valid_to=None, rotation_period_days=None,
        next_rotation_at=None, version=1,
    )  # fmt: skip


CASES = [
    (action, state, expected)
    for action, row in REFERENCE.items()
    for state, expected in zip(STATES, row, strict=True)
]


@pytest.mark.parametrize(("action", "state", "expected"), CASES)
def test_reference_cell(action: str, state: str, expected: tuple[str, str] | None) -> None:
    key = key_in(state)
    if expected is None:
        require_state(action, key)
        return
    with pytest.raises(KeygraphError) as raised:
        require_state(action, key)
    assert (raised.value.code, raised.value.message) == expected


@pytest.mark.parametrize("action", ["GetParametersForImport", "ImportKeyMaterial"])
def test_import_needs_an_external_key(action: str) -> None:
    for state in ("Enabled", "Disabled", "PendingImport"):
        require_state(action, key_in(state, "EXTERNAL"))
    with pytest.raises(KeygraphError) as raised:
        require_state(action, key_in("PendingDeletion", "EXTERNAL"))
    assert (raised.value.code, raised.value.message) == S3
    for state in ("Enabled", "Disabled"):
        with pytest.raises(KeygraphError) as raised:
            require_state(action, key_in(state, "AWS_KMS"))
        assert (raised.value.code, raised.value.message) == U("AWS_KMS")


def test_every_action_of_the_reference_is_in_the_table() -> None:
    assert set(REFERENCE) <= set(TABLE)
