"""GetKeyLastUsage: the last successful cryptographic operation performed with a key.

The answer is read from the audit trail rather than kept apart. Every call of every replica is
already recorded there, one event per authorization decision, with its request id and outcome
(``api.audit``), so tracking last use writes nothing on the request path: an Encrypt costs what
it cost before, plus, in the audit trail's background batch, one entry in the partial index that
migration 0011 adds for successful uses. Reading it is one probe of that index
(``db.key_usage``), correct across replicas because they share the trail, and as fresh as the
trail's batches (``flush_interval``, 50 ms by default): AWS documents the operation as eventually
consistent too.

The answer's members as AWS defines them: ``KeyLastUsage`` is present and empty when the key has
not been used since tracking began; ``CloudTrailEventId`` is the use's audit event (its ``seq``,
as the ``auditEvents`` query shows it) and ``KmsRequestId`` its request id; ReEncrypt counts as a
use of both its keys. Tracking began when the audit trail did (its first event), or when the key
was created, whichever is later.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from api.authz.access import readable_key
from api.calls import Call
from api.operation import read
from api.operations.structures import KeyRequest
from api.services import Services
from db import key_usage


class KeyLastUsageTrackingOperation(enum.Enum):
    """The operations AWS tracks, spelled as AWS spells them (Encapsulate and Decapsulate are
    ML-KEM operations, which keygraph does not serve)."""

    DECRYPT = "Decrypt"
    DERIVE_SHARED_SECRET = "DeriveSharedSecret"  # noqa: S105 - an operation name
    ENCRYPT = "Encrypt"
    GENERATE_DATA_KEY = "GenerateDataKey"
    GENERATE_DATA_KEY_PAIR = "GenerateDataKeyPair"
    GENERATE_DATA_KEY_PAIR_WITHOUT_PLAINTEXT = "GenerateDataKeyPairWithoutPlaintext"
    GENERATE_DATA_KEY_WITHOUT_PLAINTEXT = "GenerateDataKeyWithoutPlaintext"
    GENERATE_MAC = "GenerateMac"
    RE_ENCRYPT = "ReEncrypt"
    SIGN = "Sign"
    VERIFY = "Verify"
    VERIFY_MAC = "VerifyMac"


# The audit trail records decisions by catalog action: ReEncrypt decides twice, one per key.
_BY_ACTION: dict[str, KeyLastUsageTrackingOperation] = {
    "kms:ReEncryptFrom": KeyLastUsageTrackingOperation.RE_ENCRYPT,
    "kms:ReEncryptTo": KeyLastUsageTrackingOperation.RE_ENCRYPT,
} | {
    action: KeyLastUsageTrackingOperation(action.removeprefix("kms:"))
    for action in key_usage.TRACKED_ACTIONS
    if action not in ("kms:ReEncryptFrom", "kms:ReEncryptTo")
}


@dataclass(frozen=True, kw_only=True)
class KeyLastUsageData:
    """The last successful use; every member absent when there is none since tracking began."""

    operation: KeyLastUsageTrackingOperation | None = None
    timestamp: datetime | None = None
    cloud_trail_event_id: str | None = None
    kms_request_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class GetKeyLastUsageResponse:
    key_id: str
    key_last_usage: KeyLastUsageData
    tracking_start_date: datetime
    key_creation_date: datetime


def _usage(used: key_usage.LastUse | None) -> KeyLastUsageData:
    if used is None:
        return KeyLastUsageData()
    return KeyLastUsageData(
        operation=_BY_ACTION[used.action],
        timestamp=used.event_time,
        cloud_trail_event_id=str(used.seq),
        kms_request_id=used.request_id,
    )


async def get_key_last_usage(
    services: Services, call: Call, request: KeyRequest
) -> GetKeyLastUsageResponse:
    key = await readable_key(services, call, request.key_id, "GetKeyLastUsage")
    async with services.pool.acquire() as conn:
        used = await key_usage.last_use(conn, key.arn)
        started = await key_usage.trail_start(conn)
    return GetKeyLastUsageResponse(
        key_id=key.key_id,
        key_last_usage=_usage(used),
        tracking_start_date=max(key.created_at, started or key.created_at),
        key_creation_date=key.created_at,
    )


OPERATIONS = (read("GetKeyLastUsage", get_key_last_usage),)
