"""One call of an operation: who makes it, from where, in which scope, and when.

A call also collects the authorization decisions made while it runs (``decisions``), and what
the operation wants its audit events to say besides (``notes``: the warnings of a policy stored
despite them): the pipeline hands both to the audit trail with the call's outcome once the
operation has finished.
Operations run inside it (the graph's nested fields) share its batched loaders (``loader``); the
calls of one batch (``api.batching``) share the decisions they make (``shared_decisions``).
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

from api.decisions import Decision
from api.loaders import Batch, Loader, T
from api.principals import Principal

# A decision being made, or made, by what decides it; ``None`` once the one making it failed (so
# each item alike makes its own).
SharedDecisions = dict[Hashable, "asyncio.Future[Decision | None]"]


class Door(enum.Enum):
    """The protocol a call came in by: the audit trail records it, so an event says how a caller
    reached keygraph."""

    GRAPHQL = "graphql"
    AWS = "aws"


@dataclass(frozen=True)
class Scope:
    """The account and region a deployment serves; every ARN it accepts is inside it."""

    account_id: str
    region: str


@dataclass(frozen=True)
class Call:
    principal: Principal
    scope: Scope
    now: datetime
    request_id: str = ""
    # The client's address as the server saw it (``aws:SourceIp``).
    source_ip: str | None = None
    # The service that made the call on a principal's behalf (``kms:ViaService``): only from a
    # trusted header, see ``Settings.via_service_header``.
    via_service: str | None = None
    door: Door = Door.GRAPHQL
    decisions: list[Decision] = field(default_factory=list, compare=False)
    notes: list[str] = field(default_factory=list, compare=False)
    # The decisions the calls of one batch share, by what decides them: items alike are
    # decided once (``api.authz.authorize``). None outside a batch.
    shared_decisions: SharedDecisions | None = field(default=None, compare=False, repr=False)
    _loaders: dict[Any, Loader[Any]] = field(default_factory=dict, compare=False, repr=False)

    def record(self, decision: Decision) -> None:
        self.decisions.append(decision)

    def note(self, line: str) -> None:
        """Add a line to the detail of the call's audit events."""
        self.notes.append(line)

    def loader(self, pool: asyncpg.Pool, batch: Batch[T]) -> Loader[T]:
        """The call's loader of ``batch``: loads made together go out as one statement."""
        loader = self._loaders.get(batch)
        if loader is None:
            loader = self._loaders[batch] = Loader(pool, batch)
        return loader
