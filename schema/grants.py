"""Grants over GraphQL: createGrant, retireGrant, revokeGrant (Permissions management, hence
mutations) and listGrants, listRetirableGrants (List, hence queries).

AWS's responses to RetireGrant and RevokeGrant are empty; keygraph answers with the grant's id and
its key's ARN rather than the key's metadata, which a retiring principal may have no right to
read. A grant token appears only in createGrant's answer, never in a listed grant.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Self

import strawberry

from api.grants import operations as grants
from api.grants.model import Grant, GrantOperation
from api.grants.model import GrantConstraints as ApiGrantConstraints
from api.pages import Page
from schema.keys import GraphQLInfo

if TYPE_CHECKING:
    # mypy cannot use the result of strawberry.scalar as a type; at run time the schema maps
    # this NewType to the StringMap scalar.
    StringMap = dict[str, str]
else:
    from schema.scalars import StringMap

strawberry.enum(GrantOperation, name="GrantOperation", graphql_name_from="value")


@strawberry.type(description="AWS's GrantConstraints: encryption context a grant requires.")
class GrantConstraints:
    encryption_context_subset: StringMap | None
    encryption_context_equals: StringMap | None

    @classmethod
    def of(cls, constraints: ApiGrantConstraints | None) -> GrantConstraints | None:
        if constraints is None:
            return None
        return cls(
            encryption_context_subset=constraints.subset,
            encryption_context_equals=constraints.equals,
        )


@strawberry.type(description="A grant as AWS's ListGrants returns it (never with a token).")
class GrantListEntry:
    key_id: str = strawberry.field(description="The key ARN.")
    grant_id: str
    name: str | None
    creation_date: datetime
    grantee_principal: str
    retiring_principal: str | None
    issuing_account: str
    operations: list[GrantOperation]
    constraints: GrantConstraints | None

    @classmethod
    def of(cls, grant: Grant) -> GrantListEntry:
        return cls(
            key_id=grant.key_arn,
            grant_id=grant.grant_id,
            name=grant.name,
            creation_date=grant.created_at,
            grantee_principal=grant.grantee_principal,
            retiring_principal=grant.retiring_principal,
            issuing_account=grant.issuing_account,
            operations=[op for op in GrantOperation if op.value in grant.operations],
            constraints=GrantConstraints.of(grant.constraints),
        )


@strawberry.input
class GrantConstraintsInput:
    encryption_context_subset: StringMap | None = None
    encryption_context_equals: StringMap | None = None


@strawberry.input
class CreateGrantInput:
    key_id: str
    grantee_principal: str
    operations: list[GrantOperation]
    retiring_principal: str | None = None
    constraints: GrantConstraintsInput | None = None
    grant_tokens: list[str] | None = None
    name: str | None = None
    dry_run: bool | None = None

    def request(self) -> grants.CreateGrantRequest:
        given = self.constraints
        return grants.CreateGrantRequest(
            key_id=self.key_id,
            grantee_principal=self.grantee_principal,
            operations=self.operations,
            retiring_principal=self.retiring_principal,
            constraints=ApiGrantConstraints.of(
                equals=given.encryption_context_equals, subset=given.encryption_context_subset
            )
            if given
            else None,
            grant_tokens=self.grant_tokens,
            name=self.name,
            dry_run=bool(self.dry_run),
        )


@strawberry.type
class CreateGrantResult:
    grant_token: str
    grant_id: str


@strawberry.input
class ListGrantsInput:
    key_id: str
    limit: int | None = None
    marker: str | None = None
    grant_id: str | None = None
    grantee_principal: str | None = None


@strawberry.type
class ListGrantsResult:
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


@strawberry.input
class ListRetirableGrantsInput:
    retiring_principal: str
    limit: int | None = None
    marker: str | None = None


@strawberry.type
class ListRetirableGrantsResult(ListGrantsResult):
    pass


@strawberry.input
class RetireGrantInput:
    grant_token: str | None = None
    key_id: str | None = None
    grant_id: str | None = None
    dry_run: bool | None = None


@strawberry.input
class RevokeGrantInput:
    key_id: str
    grant_id: str
    dry_run: bool | None = None


@strawberry.type(description="The grant that is gone (AWS's response has no members).")
class GrantRemovedResult:
    key_id: str = strawberry.field(description="The key ARN.")
    grant_id: str

    @classmethod
    def of(cls, grant: Grant) -> Self:
        return cls(key_id=grant.key_arn, grant_id=grant.grant_id)


@strawberry.type
class RetireGrantResult(GrantRemovedResult):
    pass


@strawberry.type
class RevokeGrantResult(GrantRemovedResult):
    pass


async def create_grant_resolver(info: GraphQLInfo, input: CreateGrantInput) -> CreateGrantResult:
    context = info.context
    created = await grants.create_grant(context.services, context.call(info), input.request())
    return CreateGrantResult(grant_token=created.grant_token, grant_id=created.grant.grant_id)


async def list_grants_resolver(info: GraphQLInfo, input: ListGrantsInput) -> ListGrantsResult:
    context = info.context
    request = grants.ListGrantsRequest(
        key_id=input.key_id,
        limit=input.limit,
        marker=input.marker,
        grant_id=input.grant_id,
        grantee_principal=input.grantee_principal,
    )
    page = await grants.list_grants(context.services, context.call(info), request)
    return ListGrantsResult.of(page)


async def list_retirable_grants_resolver(
    info: GraphQLInfo, input: ListRetirableGrantsInput
) -> ListRetirableGrantsResult:
    context = info.context
    request = grants.ListRetirableGrantsRequest(
        retiring_principal=input.retiring_principal, limit=input.limit, marker=input.marker
    )
    page = await grants.list_retirable_grants(context.services, context.call(info), request)
    return ListRetirableGrantsResult.of(page)


async def retire_grant_resolver(
    info: GraphQLInfo, input: RetireGrantInput | None = None
) -> RetireGrantResult:
    given = input or RetireGrantInput()
    context = info.context
    request = grants.RetireGrantRequest(
        grant_token=given.grant_token,
        key_id=given.key_id,
        grant_id=given.grant_id,
        dry_run=bool(given.dry_run),
    )
    grant = await grants.retire_grant(context.services, context.call(info), request)
    return RetireGrantResult.of(grant)


async def revoke_grant_resolver(info: GraphQLInfo, input: RevokeGrantInput) -> RevokeGrantResult:
    context = info.context
    request = grants.RevokeGrantRequest(
        key_id=input.key_id, grant_id=input.grant_id, dry_run=bool(input.dry_run)
    )
    grant = await grants.revoke_grant(context.services, context.call(info), request)
    return RevokeGrantResult.of(grant)


@strawberry.type
class GrantsQuery:
    list_grants: ListGrantsResult = strawberry.field(resolver=list_grants_resolver)
    list_retirable_grants: ListRetirableGrantsResult = strawberry.field(
        resolver=list_retirable_grants_resolver
    )


@strawberry.type
class GrantsMutation:
    create_grant: CreateGrantResult = strawberry.field(resolver=create_grant_resolver)
    retire_grant: RetireGrantResult = strawberry.field(resolver=retire_grant_resolver)
    revoke_grant: RevokeGrantResult = strawberry.field(resolver=revoke_grant_resolver)
