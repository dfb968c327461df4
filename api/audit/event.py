"""What the audit trail records about a call: one event per authorization decision.

An event names who asked for what on which key, by which door (GraphQL or AWS's protocol), what
decided and how the call ended, and what the operation noted (``detail``: the checker's warnings
about a policy it stored), and nothing else: no request parameter, plaintext, ciphertext or
token is ever part of one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from api.calls import Call, Door
from api.catalog import DEFAULT_SERVICE
from api.decisions import Outcome
from api.shapes import project
from db.audit import AuditEntry

# The outcome of a call that succeeded; a failed call's outcome is its AWS error code.
OK = "ok"
# A decision's resource when the action has no key.
NO_RESOURCE = "*"


@dataclass(frozen=True)
class AuditEvent:
    time: datetime
    request_id: str
    principal_arn: str
    source_ip: str | None
    door: Door | None  # None: recorded before keygraph recorded doors (migration 0008)
    action: str  # "kms:Encrypt"
    key_arn: str | None
    decision: Outcome | None  # None: the call failed before it was authorized
    decided_by: str | None  # e.g. 'KeyPolicy Statement[0] (Sid "x")' or 'Grant <id>'
    outcome: str  # OK or the AWS error code
    # What the operation noted, one line each (``Call.notes``); None: nothing, or recorded before
    # keygraph recorded details (migration 0012).
    detail: str | None = None


@dataclass(frozen=True)
class RecordedEvent:
    """An event as read back, with its place in the trail."""

    seq: int
    event: AuditEvent


def qualified(action: str) -> str:
    """``Encrypt`` and ``kms:Encrypt`` both name ``kms:Encrypt``, as in a policy."""
    return action if ":" in action else f"{DEFAULT_SERVICE}:{action}"


def events_for_call(call: Call, action: str, key_arn: str | None, outcome: str) -> list[AuditEvent]:
    """The events of a finished call: one per decision it made (ReEncrypt makes two, on two keys),
    or, when it failed before any authorization, one naming ``action`` and ``key_arn``. Each
    carries the call's notes."""
    detail = "\n".join(call.notes) or None
    if not call.decisions:
        return [
            AuditEvent(
                time=call.now,
                request_id=call.request_id,
                principal_arn=call.principal.arn,
                source_ip=call.source_ip,
                door=call.door,
                action=qualified(action),
                key_arn=key_arn,
                decision=None,
                decided_by=None,
                outcome=outcome,
                detail=detail,
            )
        ]
    return [
        AuditEvent(
            time=call.now,
            request_id=call.request_id,
            principal_arn=decision.principal_arn,
            source_ip=call.source_ip,
            door=call.door,
            action=decision.action,
            key_arn=None if decision.resource == NO_RESOURCE else decision.resource,
            decision=decision.outcome,
            decided_by=decision.decided_by,
            outcome=outcome,
            detail=detail,
        )
        for decision in call.decisions
    ]


def _storable(text: str) -> str:
    """Postgres text holds neither NUL nor lone surrogates; a caller-supplied string (a malformed
    key id, a request id header) must not make a batch unwritable, so both become U+FFFD."""
    if text.isascii() and "\x00" not in text:
        return text
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")


def _optional(text: str | None) -> str | None:
    return None if text is None else _storable(text)


def to_entry(event: AuditEvent) -> AuditEntry:
    """The event as stored and hashed."""
    return AuditEntry(
        event_time=event.time,
        request_id=_storable(event.request_id),
        principal_arn=_storable(event.principal_arn),
        source_ip=_optional(event.source_ip),
        action=_storable(event.action),
        key_arn=_optional(event.key_arn),
        decision=None if event.decision is None else event.decision.value,
        decided_by=_optional(event.decided_by),
        outcome=_storable(event.outcome),
        door=None if event.door is None else event.door.value,
        detail=_optional(event.detail),
    )


def from_entry(entry: AuditEntry) -> AuditEvent:
    decision = None if entry.decision is None else Outcome(entry.decision)
    door = None if entry.door is None else Door(entry.door)
    return project(AuditEvent, entry, time=entry.event_time, decision=decision, door=door)
