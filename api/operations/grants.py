"""CreateGrant, ListGrants, ListRetirableGrants, RetireGrant and RevokeGrant: the requests are
``api.grants.operations``'s (AWS's members), ``GrantConstraints`` is ``api.grants.model``'s.

A grant token appears only in CreateGrant's answer, never in a listed grant. Where AWS answers
RetireGrant and RevokeGrant with nothing, keygraph answers with the grant's id and its key's ARN
(not the key's metadata, which a retiring principal may have no right to read). ListGrants is
also the graph's ``Key.grants``; the domain loads a page's grants in one batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Self

from api.calls import Call
from api.grants import operations as grants
from api.grants.model import Grant, GrantConstraints, GrantOperation
from api.grants.operations import (
    CreateGrantRequest,
    ListGrantsRequest,
    ListRetirableGrantsRequest,
    RetireGrantRequest,
    RevokeGrantRequest,
)
from api.operation import change, read
from api.pages import Page
from api.services import Services
from api.shapes import member


@dataclass(frozen=True, kw_only=True)
class CreateGrantResponse:
    grant_token: str = member(sensitive=True)
    grant_id: str


@dataclass(frozen=True, kw_only=True)
class GrantListEntry:
    """A grant as AWS's ListGrants returns it (never with a token)."""

    key_id: str = member(doc="The key ARN.")
    grant_id: str
    name: str | None
    creation_date: datetime
    grantee_principal: str
    retiring_principal: str | None
    issuing_account: str
    operations: list[GrantOperation]
    constraints: GrantConstraints | None

    @classmethod
    def of(cls, grant: Grant) -> Self:
        return cls(
            key_id=grant.key_arn,
            grant_id=grant.grant_id,
            name=grant.name,
            creation_date=grant.created_at,
            grantee_principal=grant.grantee_principal,
            retiring_principal=grant.retiring_principal,
            issuing_account=grant.issuing_account,
            # In the enum's order, as the old layer listed them.
            operations=[op for op in GrantOperation if op.value in grant.operations],
            constraints=grant.constraints,
        )


@dataclass(frozen=True, kw_only=True)
class ListGrantsResponse:
    grants: list[GrantListEntry]
    next_marker: str | None
    truncated: bool

    @classmethod
    def of(cls, page: Page[Grant]) -> Self:
        return cls(
            grants=[GrantListEntry.of(grant) for grant in page.items],
            next_marker=page.next_marker,
            truncated=page.truncated,
        )


@dataclass(frozen=True, kw_only=True)
class ListRetirableGrantsResponse(ListGrantsResponse):
    pass


@dataclass(frozen=True, kw_only=True)
class RetireGrantResponse:
    """The grant that is gone."""

    key_id: str = member(doc="The key ARN.")
    grant_id: str

    @classmethod
    def of(cls, grant: Grant) -> Self:
        return cls(key_id=grant.key_arn, grant_id=grant.grant_id)


@dataclass(frozen=True, kw_only=True)
class RevokeGrantResponse(RetireGrantResponse):
    pass


async def create_grant(
    services: Services, call: Call, request: CreateGrantRequest
) -> CreateGrantResponse:
    created = await grants.create_grant(services, call, request)
    return CreateGrantResponse(grant_token=created.grant_token, grant_id=created.grant.grant_id)


async def list_grants(
    services: Services, call: Call, request: ListGrantsRequest
) -> ListGrantsResponse:
    return ListGrantsResponse.of(await grants.list_grants(services, call, request))


async def list_retirable_grants(
    services: Services, call: Call, request: ListRetirableGrantsRequest
) -> ListRetirableGrantsResponse:
    return ListRetirableGrantsResponse.of(
        await grants.list_retirable_grants(services, call, request)
    )


async def retire_grant(
    services: Services, call: Call, request: RetireGrantRequest
) -> RetireGrantResponse:
    return RetireGrantResponse.of(await grants.retire_grant(services, call, request))


async def revoke_grant(
    services: Services, call: Call, request: RevokeGrantRequest
) -> RevokeGrantResponse:
    return RevokeGrantResponse.of(await grants.revoke_grant(services, call, request))


# CreateGrant, RetireGrant and RevokeGrant are Permissions management in AWS's catalog (changes:
# mutations); ListRetirableGrants names no key, so it authorizes without one.
OPERATIONS = (
    change("CreateGrant", create_grant),
    read("ListGrants", list_grants),
    read("ListRetirableGrants", list_retirable_grants),
    change("RetireGrant", retire_grant),
    change("RevokeGrant", revoke_grant),
)
