"""auditEvents: reading the trail, page by page, by an account's root principal only.

An account's root sees the events whose principal or key belongs to its account: its own calls,
and other accounts' calls on its keys. Nobody else reads the trail; in IAM terms the root is the
account's owner, and the trail is the owner's record of what was done with its keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from api.audit.event import RecordedEvent, from_entry, qualified
from api.authz.decision import Outcome
from api.calls import Call
from api.errors import AccessDeniedException, ValidationException
from api.keys.ids import AliasRef, parse_key_ref
from api.keys.model import key_arn
from api.pages import Page, fetch_size, invalid_marker, page_of, page_size
from api.principals import PrincipalKind
from api.services import Services
from api.shapes import member
from db import audit as rows
from db.audit import AuditRow

# A marker is the seq of the last event of the page before, as bigint allows.
_MARKER = re.compile(r"^(0|[1-9][0-9]{0,18})$")
_SEQ_MAX = 2**63 - 1


@dataclass(frozen=True, kw_only=True)
class AuditEventFilter:
    """Each field set narrows the events; the time bounds are inclusive."""

    key_id: str | None = member(None, doc="A key id or key ARN.")
    principal: str | None = member(None, doc="A principal's ARN.")
    action: str | None = member(None, doc='An action: "kms:Encrypt" or "Encrypt".')
    decision: Outcome | None = None
    from_: datetime | None = None  # ``from`` to callers: a Python keyword
    to: datetime | None = None


def _reader_account(call: Call) -> str:
    principal = call.principal
    if principal.kind is not PrincipalKind.ROOT:
        raise AccessDeniedException(
            f"User: {principal.arn} is not authorized to read the audit trail: "
            "only an account's root principal may"
        )
    return principal.account_id


def _after(marker: str | None) -> int:
    if marker is None:
        return 0
    if not _MARKER.match(marker) or int(marker) > _SEQ_MAX:
        raise invalid_marker()
    return int(marker)


def _key_arn(call: Call, key_id: str) -> str:
    """The ARN of the key ``key_id`` names, read without the database: a deleted key's events
    stay readable. An alias is refused: its target changes, its events would not be the key's."""
    ref = parse_key_ref(call.scope, key_id)
    if isinstance(ref, AliasRef):
        raise ValidationException(
            f"keyId '{key_id}' names an alias; the audit trail is filtered by key id or key ARN"
        )
    return key_arn(call.scope.region, call.scope.account_id, str(ref))


def _recorded(row: AuditRow) -> RecordedEvent:
    return RecordedEvent(row.seq, from_entry(row.link.entry))


async def audit_events(
    services: Services,
    call: Call,
    where: AuditEventFilter,
    limit: int | None = None,
    marker: str | None = None,
) -> Page[RecordedEvent]:
    """Matching events in the order they were written; ``marker`` resumes after a page."""
    account = _reader_account(call)
    size = page_size(limit)
    after = _after(marker)
    query = rows.EventFilter(
        account=account,
        key_arn=None if where.key_id is None else _key_arn(call, where.key_id),
        principal_arn=where.principal,
        action=None if where.action is None else qualified(where.action),
        decision=None if where.decision is None else where.decision.value,
        time_from=where.from_,
        time_to=where.to,
    )
    async with services.pool.acquire() as conn:
        found = await rows.find_events(conn, query, after, fetch_size(size))
    return page_of([_recorded(row) for row in found], size, lambda event: str(event.seq))
