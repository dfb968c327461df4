"""``whoami``: who the server thinks the caller is."""

from __future__ import annotations

import enum

import strawberry
from strawberry.types import Info

from schema.context import Context


@strawberry.enum(description="What kind of IAM identity a principal is.")
class PrincipalType(enum.Enum):
    ROOT = "root"
    USER = "user"
    ROLE = "role"


@strawberry.type(description="The principal that made this request.")
class Caller:
    arn: str
    account_id: str
    name: str
    type: PrincipalType


def whoami(info: Info[Context, None]) -> Caller:
    principal = info.context.principal
    return Caller(
        arn=principal.arn,
        account_id=principal.account_id,
        name=principal.name,
        type=PrincipalType(principal.kind.value),
    )


@strawberry.type
class IdentityQuery:
    whoami: Caller = strawberry.field(
        resolver=whoami, description="The caller's principal ARN and account."
    )
