"""Browser sessions: what a browser holds instead of a token.

A bearer token lives for months and is meant for programs; a page that kept one (localStorage)
would hand it to any script that runs there. Signing in (``POST /session``) exchanges a token, or
an access key and its secret, for a session: an opaque id of 256 random bits in an ``HttpOnly``
cookie that scripts cannot read, ending after ``KEYGRAPH_SESSION_IDLE_SECONDS`` without use and
``KEYGRAPH_SESSION_MAX_SECONDS`` after sign-in whatever happens, and at once on sign-out or when
its principal, or the token or access key it was signed in with, is revoked.

Sessions are rows in Postgres (``db.sessions``, only SHA-256 of the id), so they survive a
restart and every replica knows them. Nothing caches a session: a request signed in by cookie
reads its row (one primary-key lookup, joined to its principal and credential), so a revoked
session, principal or credential is refused by every replica from its next request, with no
notification to miss.
Browsers call at a person's pace, not a program's, so the read costs little where bearer tokens,
which carry the hot path, keep their cache (``api.authentication``). Each use is written back at
most once a minute (``touch_interval``), not on every request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from api.access_keys import signing_key
from api.audit import OK, AuditEvent
from api.calls import Door
from api.principals import Principal, principal_of
from api.settings import Settings
from db import sessions as rows

if TYPE_CHECKING:
    from api.services import Services

SESSION_COOKIE = "keygraph_session"
# What a session id looks like: ``secrets.token_urlsafe(32)``. Anything else is refused unread.
_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{43}$")
# A use is written back at most this often (and at most every half idle time, when shorter).
_TOUCH_SECONDS = 60.0
# Compared against when an access key is unknown, so a miss costs a comparison too.
_ABSENT_SECRET = b"absent"

CREATE_SESSION = "keygraph:CreateSession"
DELETE_SESSION = "keygraph:DeleteSession"


@dataclass(frozen=True)
class Requester:
    """Where a sign-in or sign-out came from, for its audit event."""

    request_id: str
    source_ip: str | None


@dataclass(frozen=True)
class Credential:
    """What a session was signed in with, by its public id: a bearer token (``token_id``) or an
    access key (``access_key_id``). The session ends when that credential is revoked."""

    token_id: str | None = None
    access_key_id: str | None = None

    def __str__(self) -> str:
        """As the sign-in's audit event names it."""
        return f"token {self.token_id}" if self.token_id else f"access key {self.access_key_id}"


@dataclass(frozen=True)
class IssuedSession:
    """A new session as handed out once: ``session_id`` goes into the cookie and nowhere else."""

    session_id: str = field(repr=False)
    principal: Principal
    expires_at: datetime


def _hash(session_id: str) -> bytes:
    return hashlib.sha256(session_id.encode("ascii")).digest()


def touch_interval(settings: Settings) -> timedelta:
    """How long after its last recorded use a session's use is recorded again."""
    return timedelta(seconds=min(_TOUCH_SECONDS, settings.session_idle_seconds / 2))


async def create_session(
    services: Services, principal: Principal, credential: Credential, requester: Requester
) -> IssuedSession | None:
    """A new session for ``principal``, signed in with ``credential`` and audited as
    ``keygraph:CreateSession`` naming it (by its public id, never a secret); ``None`` when the
    principal was revoked since it authenticated. The principal's ended sessions are forgotten
    on the way."""
    settings = services.settings
    now = services.clock()
    session_id = secrets.token_urlsafe(32)
    expires_at = now + timedelta(seconds=settings.session_max_seconds)
    idle_expires_at = min(now + timedelta(seconds=settings.session_idle_seconds), expires_at)
    async with services.pool.acquire() as conn, conn.transaction():
        row = await rows.insert_session(
            conn,
            id_hash=_hash(session_id),
            principal_arn=principal.arn,
            token_id=credential.token_id,
            access_key_id=credential.access_key_id,
            now=now,
            idle_expires_at=idle_expires_at,
            expires_at=expires_at,
        )
        if row is not None:
            await rows.delete_ended_sessions(conn, row.id, now)
    if row is None:
        return None
    await _audit(services, principal, CREATE_SESSION, now, str(credential), requester)
    return IssuedSession(session_id=session_id, principal=principal_of(row), expires_at=expires_at)


async def session_principal(services: Services, session_id: str) -> Principal | None:
    """The live principal of the live session ``session_id`` names, or ``None`` (malformed,
    unknown, revoked, expired, its principal or its credential revoked); records the use when
    it is due."""
    if _SESSION_ID.fullmatch(session_id) is None:
        return None
    id_hash = _hash(session_id)
    now = services.clock()
    async with services.pool.acquire() as conn:
        row = await rows.find_live_session(conn, id_hash, now)
        if row is None:
            return None
        if now - row.last_seen_at >= touch_interval(services.settings):
            idle = timedelta(seconds=services.settings.session_idle_seconds)
            await rows.touch_session(conn, id_hash, now, now + idle)
    return principal_of(row.principal)


async def end_session(
    services: Services, session_id: str, principal: Principal, requester: Requester
) -> None:
    """Revoke the session (sign-out), audited as ``keygraph:DeleteSession`` when it was live."""
    if _SESSION_ID.fullmatch(session_id) is None:
        return
    now = services.clock()
    async with services.pool.acquire() as conn:
        revoked = await rows.revoke_session(conn, _hash(session_id), now)
    if revoked:
        await _audit(services, principal, DELETE_SESSION, now, None, requester)


async def access_key_holder(
    services: Services, access_key_id: str, secret_access_key: str
) -> Principal | None:
    """The live principal whose active access key ``access_key_id`` has this secret; compared
    in constant time."""
    key = await signing_key(services, access_key_id)
    expected = key.secret.encode("ascii") if key is not None else _ABSENT_SECRET
    given = secret_access_key.encode("utf-8", "replace")
    if not hmac.compare_digest(given, expected) or key is None:
        return None
    return key.principal


async def _audit(
    services: Services,
    principal: Principal,
    action: str,
    now: datetime,
    detail: str | None,
    requester: Requester,
) -> None:
    """One event, written before the caller hears back (a change of who holds access). The
    door is GraphQL's: a session signs in the GraphQL door and its IDE, never the AWS door."""
    event = AuditEvent(
        time=now,
        request_id=requester.request_id,
        principal_arn=principal.arn,
        source_ip=requester.source_ip,
        door=Door.GRAPHQL,
        action=action,
        key_arn=None,
        decision=None,
        decided_by=None,
        outcome=OK,
        detail=detail,
    )
    await services.audit.record_durably([event])
