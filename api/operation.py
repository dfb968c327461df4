"""What an operation is: one declaration that every door serves and the pipeline runs.

An ``Operation`` names its AWS action, its request and response shapes (``api.shapes``), the
handler that does the work, the catalog actions it authorizes, whether it only reads (a GraphQL
Query) or changes something (a Mutation), and whether its audit events must be written before it
answers. ``api.operations`` lists them all; doors derive their types and routes from that list
and write no code for any one operation.
"""

from __future__ import annotations

import enum
import inspect
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from api.keys.ids import Accepts
from api.members import key_members
from api.shapes import Member, shape_of

if TYPE_CHECKING:
    from api.calls import Call
    from api.services import Services

Q = TypeVar("Q")
R = TypeVar("R")

Handler = Callable[["Services", "Call", Q], Awaitable[R]]


class Audit(enum.Enum):
    """When a call's events reach the trail: before it answers (changes), in the next batch
    (cryptographic and read calls: see ``api.audit.trail`` for what a crash can lose), or never
    (the caller's own identity and the public catalog)."""

    DURABLE = "durable"
    BATCHED = "batched"
    NONE = "none"


class Access(enum.Enum):
    """Whether an operation only reads (AWS's Read and List access levels: a GraphQL Query) or
    changes or computes something (Write, Permissions management, Tagging: a Mutation)."""

    READ = "read"
    WRITE = "write"


@dataclass(frozen=True, eq=False)
class Operation(Generic[Q, R]):
    name: str  # AWS's action name: Encrypt, CreateKey; keygraph's own in the same style
    request: type[Q]
    response: Any  # a response dataclass; for a flat operation, any shape type
    handler: Handler[Q, R]
    access: Access
    audit: Audit
    # The actions authorization decides on; the first names the operation in the audit trail.
    # ``kms:`` actions are the catalog's; keygraph's own are ``keygraph:``.
    actions: tuple[str, ...]
    description: str = ""
    # keygraph's own reads of the catalog and the caller (``privileges(filter:)``,
    # ``whoami``) take the request's members as the field's arguments and answer with the
    # response itself, which may then be a list or optional (``list[Privilege]``).
    flat: bool = False

    @property
    def field(self) -> str:
        """The operation's name in lowerCamelCase: its GraphQL root field and metrics label."""
        return camel_action(self.name)

    @property
    def audit_action(self) -> str:
        return self.actions[0]

    @property
    def has_required_members(self) -> bool:
        return any(member.required for member in shape_of(self.request))

    @property
    def key_members(self) -> tuple[tuple[Member, Accepts], ...]:
        """The request's members that name a key, each with the forms AWS's API reference
        accepts in it for this operation (key id, key ARN, alias name, alias ARN)."""
        return key_members(self.request)

    def admit_keys(self, request: Q) -> None:
        """Refuse a request that names a key in a form this operation does not take, with
        AWS's answer for that member: once the request is valid, before the handler runs."""
        for member, accepts in self.key_members:
            text = getattr(request, member.name)
            if text is not None:
                accepts.admit(text)


def camel_action(name: str) -> str:
    """``GenerateDataKey`` → ``generateDataKey``."""
    return name[:1].lower() + name[1:]


def declare(
    name: str,
    handler: Handler[Any, Any],
    *,
    access: Access,
    audit: Audit | None = None,
    actions: tuple[str, ...] | None = None,
    description: str = "",
    flat: bool = False,
) -> Operation[Any, Any]:
    """An operation whose request and response are its handler's parameter and return types;
    by default it authorizes ``kms:<name>``, and a write is audited durably, a read batched."""
    hints = typing.get_type_hints(handler)
    request = hints[list(inspect.signature(handler).parameters)[-1]]
    if audit is None:
        audit = Audit.BATCHED if access is Access.READ else Audit.DURABLE
    return Operation(
        name=name,
        request=request,
        response=hints["return"],
        handler=handler,
        access=access,
        audit=audit,
        actions=actions or (f"kms:{name}",),
        description=description,
        flat=flat,
    )


def read(name: str, handler: Handler[Any, Any], **options: Any) -> Operation[Any, Any]:
    """A Read or List operation: a Query, its events batched."""
    return declare(name, handler, access=Access.READ, **options)


def change(name: str, handler: Handler[Any, Any], **options: Any) -> Operation[Any, Any]:
    """An operation that changes state: a Mutation, its events written before it answers."""
    return declare(name, handler, access=Access.WRITE, **options)


def compute(name: str, handler: Handler[Any, Any], **options: Any) -> Operation[Any, Any]:
    """A cryptographic operation: a Mutation (AWS's Write level) that changes nothing, so its
    events are batched."""
    return declare(name, handler, access=Access.WRITE, audit=Audit.BATCHED, **options)


__all__ = [
    "Access",
    "Audit",
    "Handler",
    "Operation",
    "camel_action",
    "change",
    "compute",
    "declare",
    "read",
]
