"""The audit trail: every call, allowed or denied, leaves hash-chained events in Postgres.

``events_for_call`` turns a finished call into events, an ``AuditTrail`` writes them, and
``verify_chain`` proves what was written. The trail is one of the running parts
(``services.audit``), so this package sits below ``api.services``; reading the trail is an
operation (``api.operations.audit``).
"""

from api.audit.chain import Break, BrokenEvent, ChainReport, verify_chain
from api.audit.event import OK, AuditEvent, RecordedEvent, events_for_call
from api.audit.trail import (
    AuditBacklogFull,
    AuditEventsLost,
    AuditTrail,
    AuditTrailClosed,
    AuditTrailError,
    AuditTrailUnavailable,
    TrailState,
    TrailStats,
)

__all__ = [
    "OK",
    "AuditBacklogFull",
    "AuditEvent",
    "AuditEventsLost",
    "AuditTrail",
    "AuditTrailClosed",
    "AuditTrailError",
    "AuditTrailUnavailable",
    "Break",
    "BrokenEvent",
    "ChainReport",
    "RecordedEvent",
    "TrailState",
    "TrailStats",
    "events_for_call",
    "verify_chain",
]
