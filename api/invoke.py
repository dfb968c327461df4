"""The pipeline every operation runs through, whichever door it came in by.

A door turns its request into the operation's request dataclass and names the caller; from there
everything is here, once: the ``Call`` (who, from where, when), validation of the request against
its shape and of the forms its keys are named in, the handler (which resolves keys, and so
authorizes and throttles, through ``api.authz``), the outcome, the audit events (written before
answering or batched, as the operation declares), the metrics, and the error as the caller sees it
(``fault``: AWS's code, message, HTTP status, and when to retry).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg

from api.audit import AuditBacklogFull, AuditEvent, AuditTrailUnavailable, events_for_call
from api.calls import Call, Door, Scope
from api.differences import refuse_unserved_members, refuse_unserved_values
from api.errors import KeygraphError, KMSInternalException, ValidationException
from api.operation import Audit, Operation
from api.principals import Principal
from api.services import Services
from api.shapes import validate
from hsm import HsmUnavailable

log = logging.getLogger("keygraph.errors")

R = TypeVar("R")

OK = "ok"
INTERNAL_ERROR = "InternalError"
INTERNAL_MESSAGE = "An internal error occurred."
HSM_UNAVAILABLE_MESSAGE = "The HSM cannot be reached right now. Try again later."
DATABASE_UNAVAILABLE_MESSAGE = "The database cannot be reached right now. Try again later."
UNSTORABLE_TEXT_MESSAGE = "The request holds a character that cannot be stored (such as NUL)."
# A dependency out of reach is the service's failure and passes: HTTP 503 with ``Retry-After``,
# which AWS SDKs and HTTP clients retry. KMSInternalException rather than
# DependencyTimeoutException: every KMS operation models the former (14 of 56 do not model the
# latter, and authentication has no operation at all), and a refused connection is no timeout.
UNAVAILABLE_STATUS = 503
RETRY_AFTER_SECONDS = 1
# What Postgres out of reach looks like to asyncpg: the socket refused, reset or timed out
# (``OSError``, which includes ``TimeoutError`` of a pool acquire or a command), the session cut
# (class 08, ``ConnectionDoesNotExistError``), the server shutting down or starting (57P0x), or
# out of connections or memory (class 53); or the audit trail not written in time for a change.
_DATABASE_UNAVAILABLE = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,
    asyncpg.InsufficientResourcesError,
    AuditTrailUnavailable,
)
# Text Postgres refuses to hold (NUL, which no text or jsonb value may contain): the caller's
# input, refused by the database after every shape check passed it.
_UNSTORABLE_TEXT = (asyncpg.CharacterNotInRepertoireError, asyncpg.UntranslatableCharacterError)


@dataclass(frozen=True)
class Caller:
    """Who makes a request and from where, as the door that received it saw them."""

    principal: Principal
    request_id: str = ""
    source_ip: str | None = None
    # ``kms:ViaService``: only from a trusted header (``Settings.via_service_header``).
    via_service: str | None = None
    door: Door = Door.GRAPHQL


@dataclass(frozen=True)
class Fault:
    """A failure as the caller sees it: AWS's exception name, its message, the HTTP status an
    AWS-protocol door answers with."""

    code: str
    message: str
    status: int
    # keygraph's explanation where AWS's message is empty (``KeygraphError.detail``).
    detail: str | None = None
    # Seconds after which to try again (``Retry-After``): set for a dependency out of reach.
    retry_after: int | None = None


def new_call(services: Services, caller: Caller) -> Call:
    settings = services.settings
    return Call(
        principal=caller.principal,
        scope=Scope(settings.account_id, settings.region),
        now=services.clock(),
        request_id=caller.request_id,
        source_ip=caller.source_ip,
        via_service=caller.via_service,
        door=caller.door,
    )


async def invoke(
    services: Services, caller: Caller, operation: Operation[Any, R], request: Any
) -> R:
    """Run ``operation`` for ``caller`` as a call of its own: validated, handled, audited and
    counted. Raises what the handler raised; ``fault`` says how to present it."""
    return await run(services, new_call(services, caller), operation, request)


async def run(
    services: Services,
    call: Call,
    operation: Operation[Any, R],
    request: Any,
    *,
    events: list[AuditEvent] | None = None,
) -> R:
    """``invoke`` with the call already made (a batch makes one per item, and collects their
    audit events in ``events`` to append them to the trail in one go: ``append_events``)."""
    started = time.perf_counter()
    try:
        refuse_unserved_values(request)
        validate(request)
        refuse_unserved_members(operation.name, request)
        operation.admit_keys(request)
        response = await operation.handler(services, call, request)
    except Exception as exc:
        await finish(services, call, operation, outcome_of(exc), started, events)
        raise
    await finish(services, call, operation, OK, started, events)
    return response


async def nested(services: Services, parent: Call, operation: Operation[Any, R], request: Any) -> R:
    """Run ``operation`` as part of another call (the graph's ``Key.aliases`` inside
    ``listKeys``): a call of its own, validated, authorized, audited and counted like any, made
    by the same caller at the same time, sharing the parent's batched loaders so that a page of
    keys costs one statement per nested field."""
    return await run(services, dataclasses.replace(parent, decisions=[]), operation, request)


async def finish(
    services: Services,
    call: Call,
    operation: Operation[Any, Any],
    outcome: str,
    started: float,
    collected: list[AuditEvent] | None = None,
) -> None:
    """Count the call and hand its events to the trail, or add them to ``collected`` (a
    batch's, appended when the batch ends)."""
    services.metrics.observe_operation(operation.field, outcome, time.perf_counter() - started)
    if operation.audit is Audit.NONE:
        return
    events = events_for_call(call, operation.audit_action, None, outcome)
    if collected is not None:
        collected.extend(events)
        return
    await append_events(services, operation, events)


async def append_events(
    services: Services, operation: Operation[Any, Any], events: list[AuditEvent]
) -> None:
    """Hand ``events`` to the trail: a change's are written before the caller hears back, the
    rest go in the next batch (or now, when the backlog is full)."""
    if operation.audit is Audit.BATCHED:
        try:
            services.audit.record(events)
            return
        except AuditBacklogFull:
            pass
    await services.audit.record_durably(events)


def outcome_of(exc: BaseException) -> str:
    """The outcome an audit event and a metric record: the AWS code the caller sees."""
    return fault(exc, log_internal=False).code


def fault(exc: BaseException, *, log_internal: bool = True) -> Fault:
    """``exc`` as the caller sees it: a KeygraphError as it is; the HSM or Postgres out of reach as
    AWS's retryable ``KMSInternalException`` (503, retry after a second); text Postgres cannot
    hold as the caller's ``ValidationException``; anything else masked as ``InternalError`` (a
    bug: logged, never shown)."""
    if isinstance(exc, KeygraphError):
        status = 500 if exc.code == INTERNAL_ERROR else 400
        return Fault(exc.code, exc.message, status, exc.detail)
    if isinstance(exc, HsmUnavailable):
        return _unavailable("HSM", exc, HSM_UNAVAILABLE_MESSAGE, log_internal)
    if isinstance(exc, _DATABASE_UNAVAILABLE):
        return _unavailable("database", exc, DATABASE_UNAVAILABLE_MESSAGE, log_internal)
    if isinstance(exc, _UNSTORABLE_TEXT):
        return Fault(ValidationException.code, UNSTORABLE_TEXT_MESSAGE, 400)
    if log_internal:
        log.error("unexpected error", exc_info=exc)
    return Fault(INTERNAL_ERROR, INTERNAL_MESSAGE, 500)


def _unavailable(name: str, exc: BaseException, message: str, log_internal: bool) -> Fault:
    """A dependency out of reach: logged by kind only (a driver's message may name hosts)."""
    if log_internal:
        log.warning("%s unavailable: %s", name, type(exc).__name__)
    return Fault(
        KMSInternalException.code, message, UNAVAILABLE_STATUS, retry_after=RETRY_AFTER_SECONDS
    )
